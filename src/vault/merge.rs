//! Merging two copies of one vault (this device's and the server's) into
//! one: per secret by id, the newer `updated_ms` wins and the loser joins the
//! winner's history; tombstones win over older edits; boxes merge by id.
//!
//! The result is deterministic (the same whichever copy is "local"),
//! idempotent, and loses no live secret's newest version. Ties on
//! `updated_ms` are broken by the content itself, so both devices pick the
//! same winner. Boxes, secrets, tombstones and trash come out in a fixed
//! order (creation time, then id) for the same reason.
//!
//! An edit newer than a deletion wins: the secret comes back with that edit,
//! its tombstone is dropped and its trash entry removed (the later edit on
//! another device shows it is still wanted). A deletion at or after the
//! newest edit wins over it.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;
use zeroize::Zeroizing;

use super::{
    Attachment, Secret, SecretContent, SecretVersion, Tombstone, TrashItem, Trashed, Vault,
    VaultBox,
};

/// What a merge changed, from the local copy's point of view, for the user
/// to see. Counts of secrets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Secrets new or newer on the remote side, taken into the local copy.
    pub taken_from_remote: usize,
    /// Secrets new or newer on the local side, which the remote lacks.
    pub kept_local: usize,
    /// Secrets edited on both sides since they last agreed: the newer edit
    /// won and the other is in the secret's history.
    pub conflicts_resolved: usize,
    /// Secrets live on one side that a deletion on the other removed.
    pub deleted: usize,
}

impl MergeReport {
    /// Whether the local copy changed (something to save).
    pub fn local_changed(&self) -> bool {
        self.taken_from_remote > 0 || self.conflicts_resolved > 0 || self.deleted > 0
    }
}

/// Merges two copies of one vault. See the module documentation.
pub fn merge(local: &Vault, remote: &Vault) -> (Vault, MergeReport) {
    let mut tombstones = union_tombstones(&local.tombstones, &remote.tombstones);
    // A history length set on either device wins over the default; set on
    // both, the longer one (it keeps more).
    let keep = match (local.history_len, remote.history_len) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let history_keep = keep.map_or(super::HISTORY_LEN, usize::from);

    let local_secrets = secrets_by_id(local);
    let remote_secrets = secrets_by_id(remote);
    let ids: BTreeSet<Uuid> = local_secrets
        .keys()
        .chain(remote_secrets.keys())
        .copied()
        .collect();

    let mut report = MergeReport::default();
    let mut live: BTreeMap<Uuid, (Uuid, Secret)> = BTreeMap::new();
    for id in ids {
        let ours = local_secrets.get(&id).copied();
        let theirs = remote_secrets.get(&id).copied();
        let mut merged = merge_secret(ours, theirs, history_keep);
        merged
            .1
            .attachments
            .retain(|a| !tombstones.contains_key(&a.id));
        let deleted_ms = tombstones.get(&id).copied();
        let alive = deleted_ms.is_none_or(|deleted| merged.1.updated_ms > deleted);
        count(&mut report, ours, theirs, &merged.1, alive);
        if alive {
            tombstones.remove(&id);
            live.insert(id, merged);
        }
    }

    let boxes = merge_boxes(local, remote, &mut tombstones, live);
    let live_ids = live_ids(&boxes);
    let vault = Vault {
        version: local.version.max(remote.version),
        boxes,
        trash: merge_trash(&local.trash, &remote.trash, &live_ids),
        tombstones: tombstones
            .into_iter()
            .map(|(id, deleted_ms)| Tombstone { id, deleted_ms })
            .collect(),
        recovery_code: pick_recovery_code(local, remote),
        history_len: keep,
        keys_updated_ms: local.keys_updated_ms.max(remote.keys_updated_ms),
    };
    (vault, report)
}

/// Tallies one secret into the report.
fn count(
    report: &mut MergeReport,
    ours: Option<(Uuid, &Secret)>,
    theirs: Option<(Uuid, &Secret)>,
    merged: &Secret,
    alive: bool,
) {
    if !alive {
        // Gone from this device by the merge; a deletion made here that
        // the remote has yet to learn is something sent.
        if ours.is_some() {
            report.deleted += 1;
        } else {
            report.kept_local += 1;
        }
        return;
    }
    let same_as =
        |side: Option<(Uuid, &Secret)>| side.is_some_and(|(_, s)| same_version(s, merged));
    match (ours, theirs) {
        (Some((_, a)), Some((_, b))) if !same_version(a, b) => {
            if !descends_from(a, b) && !descends_from(b, a) {
                report.conflicts_resolved += 1;
            } else if same_as(ours) {
                report.kept_local += 1;
            } else {
                report.taken_from_remote += 1;
            }
        }
        (Some(_), None) => report.kept_local += 1,
        (None, Some(_)) => report.taken_from_remote += 1,
        _ => {}
    }
}

/// Whether `newer` already holds `older`'s current version (it was edited
/// from it, not beside it).
fn descends_from(newer: &Secret, older: &Secret) -> bool {
    newer.updated_ms >= older.updated_ms
        && (newer.content == older.content
            || newer
                .history
                .iter()
                .any(|v| v.updated_ms == older.updated_ms && v.content == older.content))
}

fn same_version(a: &Secret, b: &Secret) -> bool {
    a.updated_ms == b.updated_ms && a.content == b.content
}

fn union_tombstones(a: &[Tombstone], b: &[Tombstone]) -> BTreeMap<Uuid, i64> {
    let mut out = BTreeMap::new();
    for t in a.iter().chain(b) {
        let deleted = out.entry(t.id).or_insert(t.deleted_ms);
        *deleted = (*deleted).max(t.deleted_ms);
    }
    out
}

/// Every live secret with the id of its box.
fn secrets_by_id(vault: &Vault) -> BTreeMap<Uuid, (Uuid, &Secret)> {
    vault
        .boxes
        .iter()
        .flat_map(|b| b.secrets.iter().map(move |s| (s.id, (b.id, s))))
        .collect()
}

/// A secret present on one side or both, with the box it goes in.
fn merge_secret(
    ours: Option<(Uuid, &Secret)>,
    theirs: Option<(Uuid, &Secret)>,
    history_keep: usize,
) -> (Uuid, Secret) {
    match (ours, theirs) {
        (Some((box_id, a)), Some((other_box, b))) => {
            let order = rank(a, b).then_with(|| box_id.cmp(&other_box));
            let (winner_box, winner, loser) = match order {
                Ordering::Less => (other_box, b, a),
                _ => (box_id, a, b),
            };
            (winner_box, combine(winner, loser, history_keep))
        }
        (Some((box_id, s)), None) | (None, Some((box_id, s))) => (box_id, s.clone()),
        (None, None) => unreachable!("every id comes from one of the two sides"),
    }
}

/// Orders two versions of one secret: newer first, then by content so that
/// a tie is broken the same way on every device.
fn rank(a: &Secret, b: &Secret) -> Ordering {
    a.updated_ms
        .cmp(&b.updated_ms)
        .then_with(|| content_order(&a.content, &b.content))
        .then_with(|| a.favourite.cmp(&b.favourite))
}

fn content_order(a: &SecretContent, b: &SecretContent) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let bytes = |c: &SecretContent| Zeroizing::new(serde_json::to_vec(c).unwrap_or_default());
    bytes(a).cmp(&bytes(b))
}

/// The winner with the loser's version and history folded into its history,
/// attachments unioned by id, the earliest creation and the latest use.
fn combine(winner: &Secret, loser: &Secret, history_keep: usize) -> Secret {
    let mut merged = winner.clone();
    let mut versions: Vec<SecretVersion> = winner.history.clone();
    versions.extend(loser.history.iter().cloned());
    if loser.content != winner.content {
        versions.push(SecretVersion {
            updated_ms: loser.updated_ms,
            content: loser.content.clone(),
        });
    }
    versions.sort_by(|x, y| {
        y.updated_ms
            .cmp(&x.updated_ms)
            .then_with(|| content_order(&y.content, &x.content))
    });
    versions.dedup_by(|x, y| x.updated_ms == y.updated_ms && x.content == y.content);
    versions.retain(|v| !(v.updated_ms == winner.updated_ms && v.content == winner.content));
    versions.truncate(history_keep);
    merged.history = versions;

    merged.created_ms = winner.created_ms.min(loser.created_ms);
    merged.used_ms = winner.used_ms.max(loser.used_ms);
    merged.attachments = union_attachments(&winner.attachments, &loser.attachments);
    merged
}

/// Attachments of both versions by id (a removed one leaves a tombstone, so
/// the vault-level tombstones take it out again afterwards).
fn union_attachments(a: &[Attachment], b: &[Attachment]) -> Vec<Attachment> {
    let mut by_id: BTreeMap<Uuid, &Attachment> = BTreeMap::new();
    for attachment in a.iter().chain(b) {
        by_id.entry(attachment.id).or_insert(attachment);
    }
    let mut out: Vec<Attachment> = by_id.into_values().cloned().collect();
    out.sort_by_key(|a| (a.added_ms, a.id));
    out
}

/// Boxes by id (name and type from the newer copy); a box stays while it is
/// not deleted after its last change, or while a live secret is in it.
fn merge_boxes(
    local: &Vault,
    remote: &Vault,
    tombstones: &mut BTreeMap<Uuid, i64>,
    live: BTreeMap<Uuid, (Uuid, Secret)>,
) -> Vec<VaultBox> {
    let mut boxes: BTreeMap<Uuid, VaultBox> = BTreeMap::new();
    for candidate in local.boxes.iter().chain(&remote.boxes) {
        let shell = VaultBox {
            secrets: Vec::new(),
            ..candidate.clone()
        };
        match boxes.get_mut(&candidate.id) {
            Some(existing) => *existing = newer_box(existing, shell),
            None => {
                boxes.insert(candidate.id, shell);
            }
        }
    }
    let mut orphans = Vec::new();
    for (box_id, secret) in live.into_values() {
        match boxes.get_mut(&box_id) {
            Some(vault_box) => vault_box.secrets.push(secret),
            None => orphans.push(secret),
        }
    }
    let mut out: Vec<VaultBox> = boxes
        .into_values()
        .filter(|b| {
            let deleted = tombstones.get(&b.id).is_some_and(|d| *d >= b.updated_ms);
            !deleted || !b.secrets.is_empty()
        })
        .collect();
    for vault_box in &mut out {
        tombstones.remove(&vault_box.id);
        vault_box.secrets.sort_by_key(|s| (s.created_ms, s.id));
    }
    debug_assert!(
        orphans.is_empty(),
        "a live secret's box comes from its side"
    );
    out.sort_by_key(|b| (b.created_ms, b.id));
    out
}

fn newer_box(a: &VaultBox, b: VaultBox) -> VaultBox {
    let created_ms = a.created_ms.min(b.created_ms);
    let a_key = (a.updated_ms, &a.name, a.kind.key());
    let b_key = (b.updated_ms, &b.name, b.kind.key());
    let winner = if a_key >= b_key { a.clone() } else { b };
    VaultBox {
        created_ms,
        ..winner
    }
}

fn live_ids(boxes: &[VaultBox]) -> BTreeSet<Uuid> {
    boxes
        .iter()
        .flat_map(|b| b.secrets.iter().map(|s| s.id).chain([b.id]))
        .collect()
}

/// Trash entries of both sides by the id of what was deleted (the later
/// deletion kept), less what is live again. A trashed box that is live again
/// leaves its other secrets in the trash one by one.
fn merge_trash(a: &[TrashItem], b: &[TrashItem], live: &BTreeSet<Uuid>) -> Vec<TrashItem> {
    let mut entries = Vec::new();
    for entry in latest_by_id(a.iter().chain(b).cloned()) {
        let id = trashed_id(&entry);
        match entry.item {
            Trashed::Secret(_) if live.contains(&id) => {}
            Trashed::Secret(_) => entries.push(entry),
            Trashed::Box(mut vault_box) => {
                vault_box.secrets.retain(|s| !live.contains(&s.id));
                if live.contains(&id) {
                    entries.extend(vault_box.secrets.into_iter().map(|secret| TrashItem {
                        item: Trashed::Secret(secret),
                        box_name: entry.box_name.clone(),
                        ..entry
                    }));
                } else {
                    entries.push(TrashItem {
                        item: Trashed::Box(vault_box),
                        ..entry
                    });
                }
            }
        }
    }
    let mut out = latest_by_id(entries);
    out.sort_by_key(|e| (e.deleted_ms, trashed_id(e)));
    out
}

/// One entry per deleted id: the later deletion (ties by box name).
fn latest_by_id(entries: impl IntoIterator<Item = TrashItem>) -> Vec<TrashItem> {
    let mut by_id: BTreeMap<Uuid, TrashItem> = BTreeMap::new();
    for entry in entries {
        let id = trashed_id(&entry);
        let newer = by_id.get(&id).is_none_or(|kept| {
            (entry.deleted_ms, &entry.box_name) > (kept.deleted_ms, &kept.box_name)
        });
        if newer {
            by_id.insert(id, entry);
        }
    }
    by_id.into_values().collect()
}

fn trashed_id(entry: &TrashItem) -> Uuid {
    match &entry.item {
        Trashed::Secret(secret) => secret.id,
        Trashed::Box(vault_box) => vault_box.id,
    }
}

/// Both copies normally hold the same code; if not (two vaults made apart),
/// the sync engine replaces it with the one of the keys it saves with.
fn pick_recovery_code(local: &Vault, remote: &Vault) -> super::SecretText {
    let (a, b) = (&local.recovery_code, &remote.recovery_code);
    if a.as_str() >= b.as_str() {
        a.clone()
    } else {
        b.clone()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::vault::BoxKind;

    fn content(issuer: &str) -> SecretContent {
        let mut c = SecretContent::default();
        c.set("issuer", issuer);
        c
    }

    /// A vault with one Logins box holding one secret; returns the ids.
    fn one_secret(issuer: &str) -> (Vault, Uuid, Uuid) {
        let mut vault = Vault::new();
        let b = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let s = vault.add_secret(b, content(issuer)).expect("secret");
        (vault, b, s)
    }

    fn secret(vault: &Vault, id: Uuid) -> Option<&Secret> {
        vault.boxes.iter().find_map(|b| b.secret(id))
    }

    fn edit_at(vault: &mut Vault, id: Uuid, issuer: &str, at_ms: i64) {
        let s = vault
            .boxes
            .iter_mut()
            .flat_map(|b| b.secrets.iter_mut())
            .find(|s| s.id == id)
            .expect("secret");
        s.update(content(issuer));
        s.updated_ms = at_ms;
    }

    fn json(vault: &Vault) -> String {
        serde_json::to_string(vault).expect("json")
    }

    #[test]
    fn the_newer_edit_wins_and_the_older_joins_its_history() {
        let (base, _, s) = one_secret("base");
        let t = secret(&base, s).expect("s").updated_ms;
        let (mut local, mut remote) = (base.clone(), base);
        edit_at(&mut local, s, "local edit", t + 10);
        edit_at(&mut remote, s, "remote edit", t + 20);

        let (merged, report) = merge(&local, &remote);
        let won = secret(&merged, s).expect("kept");
        assert_eq!(won.content.get("issuer"), "remote edit");
        let history: Vec<&str> = won
            .history
            .iter()
            .map(|v| v.content.get("issuer"))
            .collect();
        assert_eq!(history, ["local edit", "base"]);
        assert_eq!(report.conflicts_resolved, 1);
    }

    #[test]
    fn an_edit_on_one_side_only_is_taken_without_a_conflict() {
        let (base, _, s) = one_secret("base");
        let t = secret(&base, s).expect("s").updated_ms;
        let mut remote = base.clone();
        edit_at(&mut remote, s, "remote edit", t + 5);

        let (merged, report) = merge(&base, &remote);
        assert_eq!(
            secret(&merged, s).expect("s").content.get("issuer"),
            "remote edit"
        );
        assert_eq!(report.taken_from_remote, 1);
        assert_eq!(report.conflicts_resolved, 0);
        assert_eq!(
            secret(&merged, s).expect("s").history.len(),
            1,
            "no duplicate"
        );
    }

    #[test]
    fn a_secret_deleted_on_one_side_stays_deleted() {
        let (base, b, s) = one_secret("base");
        let mut remote = base.clone();
        remote.delete_secret(b, s).expect("delete");

        let (merged, report) = merge(&base, &remote);
        assert!(secret(&merged, s).is_none());
        assert!(merged.tombstones.iter().any(|t| t.id == s));
        assert_eq!(merged.trash.len(), 1, "restorable from the trash");
        assert_eq!(report.deleted, 1);
        let (again, _) = merge(&remote, &base);
        assert_eq!(json(&again), json(&merged), "whichever side is local");
    }

    #[test]
    fn an_edit_newer_than_the_deletion_brings_the_secret_back() {
        let (base, b, s) = one_secret("base");
        let mut remote = base.clone();
        remote.delete_secret(b, s).expect("delete");
        let deleted_ms = remote.tombstones[0].deleted_ms;
        let mut local = base;
        edit_at(&mut local, s, "still wanted", deleted_ms + 1);

        let (merged, _) = merge(&local, &remote);
        let back = secret(&merged, s).expect("back");
        assert_eq!(back.content.get("issuer"), "still wanted");
        assert!(merged.tombstones.iter().all(|t| t.id != s));
        assert!(merged.trash.is_empty(), "not in the trash as well");
    }

    #[test]
    fn a_deletion_newer_than_the_edit_wins() {
        let (base, b, s) = one_secret("base");
        let t = secret(&base, s).expect("s").updated_ms;
        let mut local = base.clone();
        edit_at(&mut local, s, "old edit", t - 1000);
        let mut remote = base;
        remote.delete_secret(b, s).expect("delete");

        let (merged, _) = merge(&local, &remote);
        assert!(secret(&merged, s).is_none());
    }

    #[test]
    fn secrets_added_on_either_side_are_both_kept() {
        let (base, b, _) = one_secret("base");
        let (mut local, mut remote) = (base.clone(), base);
        let mine = local.add_secret(b, content("mine")).expect("add");
        let theirs = remote.add_secret(b, content("theirs")).expect("add");

        let (merged, report) = merge(&local, &remote);
        assert!(secret(&merged, mine).is_some() && secret(&merged, theirs).is_some());
        assert_eq!(merged.boxes.len(), 1);
        assert_eq!((report.kept_local, report.taken_from_remote), (1, 1));
    }

    #[test]
    fn a_box_rename_takes_the_newer_name() {
        let (base, b, _) = one_secret("base");
        let (mut local, mut remote) = (base.clone(), base);
        local.rename_box(b, "Old name").expect("rename");
        local.boxes[0].updated_ms -= 10;
        remote.rename_box(b, "New name").expect("rename");
        let (merged, _) = merge(&local, &remote);
        assert_eq!(merged.boxes[0].name, "New name");
    }

    #[test]
    fn a_deleted_box_with_a_later_edit_inside_comes_back_with_that_secret_only() {
        let (mut base, b, s) = one_secret("kept");
        let other = base.add_secret(b, content("gone")).expect("add");
        let mut remote = base.clone();
        remote.delete_box(b).expect("delete box");
        let deleted_ms = remote.trash[0].deleted_ms;
        let mut local = base;
        edit_at(&mut local, s, "edited later", deleted_ms + 1);

        let (merged, _) = merge(&local, &remote);
        assert_eq!(merged.boxes.len(), 1);
        assert_eq!(merged.boxes[0].secrets.len(), 1);
        assert!(secret(&merged, other).is_none());
        let trashed: Vec<String> = merged.trash.iter().map(TrashItem::title).collect();
        assert_eq!(trashed, ["gone"], "the other secret can still be restored");
    }

    #[test]
    fn a_removed_attachment_stays_removed_and_an_added_one_is_kept() {
        let (base, b, s) = one_secret("id card");
        let mut local = base.clone();
        let kept = local
            .attach(b, s, "front.png", Zeroizing::new(vec![1, 2, 3]))
            .expect("attach");
        let gone = local
            .attach(b, s, "back.png", Zeroizing::new(vec![4]))
            .expect("attach");
        let mut remote = local.clone();
        remote.detach(b, s, gone).expect("detach");
        let mut newer_local = local;
        edit_at(&mut newer_local, s, "renamed", now_ms_plus(10_000));

        let (merged, _) = merge(&newer_local, &remote);
        let ids: Vec<Uuid> = secret(&merged, s)
            .expect("s")
            .attachments
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(ids, [kept]);
    }

    fn now_ms_plus(ms: i64) -> i64 {
        crate::vault::now_ms() + ms
    }

    #[test]
    fn merging_is_idempotent() {
        let (base, b, s) = one_secret("base");
        let mut remote = base.clone();
        remote.add_secret(b, content("new")).expect("add");
        edit_at(&mut remote, s, "edit", now_ms_plus(5));
        let (merged, _) = merge(&base, &remote);
        let (again, report) = merge(&merged, &merged);
        assert_eq!(json(&again), json(&merged));
        assert!(!report.local_changed());
        let (absorbed, _) = merge(&merged, &remote);
        assert_eq!(json(&absorbed), json(&merged));
    }

    // Property tests: two copies drawn from a small pool of ids, so that the
    // same secret, box and tombstone often appear on both sides.

    const POOL: u128 = 6;

    fn pool_id(n: u128) -> Uuid {
        Uuid::from_u128(n + 1)
    }

    fn arb_secret() -> impl Strategy<Value = (u128, u128, Secret)> {
        (0..POOL, 0..2u128, 0..50i64, "[a-c]{0,2}").prop_map(|(id, box_n, at, text)| {
            let secret = Secret {
                id: pool_id(id),
                created_ms: 0,
                updated_ms: at,
                content: content(&text),
                history: Vec::new(),
                favourite: false,
                used_ms: None,
                attachments: Vec::new(),
            };
            (id, box_n, secret)
        })
    }

    fn arb_vault() -> impl Strategy<Value = Vault> {
        (
            prop::collection::vec(arb_secret(), 0..6),
            prop::collection::vec((0..POOL, 0..50i64), 0..3),
        )
            .prop_map(|(secrets, tombstones)| {
                let mut vault = Vault::new();
                for n in 0..2u128 {
                    let mut vault_box = VaultBox::new(&format!("Box {n}"), BoxKind::Passwords);
                    vault_box.id = pool_id(100 + n);
                    vault_box.created_ms = 0;
                    vault_box.updated_ms = 0;
                    vault.boxes.push(vault_box);
                }
                let mut seen = BTreeSet::new();
                for (id, box_n, secret) in secrets {
                    if seen.insert(id) {
                        let index = usize::try_from(box_n).expect("0 or 1");
                        vault.boxes[index].secrets.push(secret);
                    }
                }
                vault.tombstones = tombstones
                    .into_iter()
                    .filter(|(id, _)| !seen.contains(id))
                    .map(|(id, deleted_ms)| (pool_id(id), deleted_ms))
                    .collect::<BTreeMap<_, _>>()
                    .into_iter()
                    .map(|(id, deleted_ms)| Tombstone { id, deleted_ms })
                    .collect();
                vault
            })
    }

    proptest! {
        #[test]
        fn merge_gives_the_same_vault_whichever_side_is_local(
            a in arb_vault(), b in arb_vault()
        ) {
            prop_assert_eq!(json(&merge(&a, &b).0), json(&merge(&b, &a).0));
        }

        #[test]
        fn merge_never_drops_a_live_secrets_newest_version(
            a in arb_vault(), b in arb_vault()
        ) {
            let (merged, _) = merge(&a, &b);
            let deleted = union_tombstones(&a.tombstones, &b.tombstones);
            for side in [&a, &b] {
                for s in side.boxes.iter().flat_map(|b| &b.secrets) {
                    if deleted.get(&s.id).is_some_and(|d| *d >= s.updated_ms) {
                        continue;
                    }
                    let kept = secret(&merged, s.id);
                    prop_assert!(kept.is_some(), "a live secret was dropped");
                    let kept = kept.expect("checked");
                    let found = kept.content == s.content
                        || kept.history.iter().any(|v| v.content == s.content);
                    prop_assert!(found, "a version was lost");
                    prop_assert!(kept.updated_ms >= s.updated_ms);
                }
            }
        }

        #[test]
        fn merging_the_result_again_changes_nothing(a in arb_vault(), b in arb_vault()) {
            let (merged, _) = merge(&a, &b);
            prop_assert_eq!(json(&merge(&merged, &a).0), json(&merged));
            prop_assert_eq!(json(&merge(&merged, &merged).0), json(&merged));
        }
    }
}
