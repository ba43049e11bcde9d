//! An unlocked vault in the window: the model, its keys, the selection, the
//! editor draft and the autosave state. Dropping a session drops the key.

use std::path::Path;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::Command;
use super::dialogs::Dialogs;
use super::worker::{Job, OpenedVault, Reply};
use crate::store::{Fingerprint, VaultKeys, WriterLock};
use crate::vault::{SearchIndex, SecretContent, Vault};

/// Wait this long after the last change before saving.
const SAVE_DEBOUNCE: Duration = Duration::from_millis(400);

/// A secret being edited: a draft of its content.
pub(crate) struct Editor {
    pub box_id: Uuid,
    /// `None` for a new secret not yet in the vault.
    pub secret_id: Option<Uuid>,
    pub draft: SecretContent,
    pub revealed: std::collections::HashSet<String>,
    pub focus_first: bool,
    /// Why the last Save was refused (an invalid seed phrase).
    pub problem: Option<String>,
}

/// Where the file stands relative to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SaveState {
    Saved,
    Pending,
    Saving,
    Failed(String),
}

#[expect(
    clippy::struct_excessive_bools,
    reason = "independent flags of the screen's state"
)]
pub(crate) struct Session {
    path: std::path::PathBuf,
    pub vault: Vault,
    keys: Box<VaultKeys>,
    fingerprint: Fingerprint,
    lock: Option<WriterLock>,
    pub index: SearchIndex,
    pub selected_box: Option<Uuid>,
    /// Favourites or Recently used in the middle list instead of a box.
    pub special: Option<super::vault_view::Special>,
    pub selected_secret: Option<Uuid>,
    pub editor: Option<Editor>,
    pub search: String,
    pub focus_search: bool,
    /// Enter was pressed in the search field this frame.
    pub search_submitted: bool,
    pub revealed: std::collections::HashSet<String>,
    /// The derived keys of the Crypto Wallets secret on view.
    pub wallet: Option<super::wallet::WalletPanel>,
    pub save_state: SaveState,
    changed_at: Option<Instant>,
    /// Set after unlocking with the recovery code: a new password is due.
    pub needs_new_password: bool,
    /// The recovery code typed to unlock, used to rewrap the keys.
    pub unlocked_with: Option<crate::crypto::recovery::RecoveryCode>,
    pub new_password: super::onboarding::PasswordPair,
    pub busy: bool,
    pub saved_at: Option<std::time::SystemTime>,
    /// Sync with a qvault-server, when the vault has an account.
    pub sync: super::sync::SyncView,
    /// Counts edits and key changes, so that a sync's answer can tell what
    /// happened while it ran.
    stamp: super::sync::Stamp,
}

impl Session {
    pub fn new(opened: OpenedVault) -> Self {
        let OpenedVault {
            opened,
            lock,
            path,
            recovery_code,
        } = opened;
        let mut opened = opened;
        // Trash older than 30 days goes for good when the vault opens.
        let purged = opened.vault.purge_expired_trash(crate::vault::now_ms());
        let index = SearchIndex::build(&opened.vault);
        let selected_box = opened.vault.boxes.first().map(|b| b.id);
        let mut session = Self {
            path,
            vault: opened.vault,
            keys: Box::new(opened.keys),
            fingerprint: opened.fingerprint,
            lock: Some(lock),
            index,
            selected_box,
            special: None,
            selected_secret: None,
            editor: None,
            search: String::new(),
            focus_search: false,
            search_submitted: false,
            revealed: std::collections::HashSet::new(),
            wallet: None,
            save_state: SaveState::Saved,
            changed_at: None,
            needs_new_password: recovery_code.is_some(),
            unlocked_with: recovery_code,
            new_password: super::onboarding::PasswordPair::default(),
            busy: false,
            saved_at: None,
            sync: super::sync::SyncView::default(),
            stamp: super::sync::Stamp::default(),
        };
        if purged > 0 {
            session.changed();
        }
        session
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn keys(&self) -> &VaultKeys {
        &self.keys
    }

    /// Call after every change to the model: rebuilds the search index and
    /// schedules a save.
    pub fn changed(&mut self) {
        self.index = SearchIndex::build(&self.vault);
        self.touched();
    }

    /// Call after a change nothing searched depends on (a star, a use, an
    /// attachment, a setting): schedules a save only.
    pub fn touched(&mut self) {
        self.stamp.edits += 1;
        self.changed_at = Some(Instant::now());
        if self.save_state != SaveState::Saving {
            self.save_state = SaveState::Pending;
        }
    }

    fn save_job(&self, lock: Option<WriterLock>) -> Job {
        Job::Save {
            path: self.path.clone(),
            keys: self.keys.clone(),
            vault: Box::new(self.vault.clone()),
            expected: self.fingerprint,
            lock,
        }
    }

    /// A save to send when the debounce has passed and none is in flight.
    pub fn autosave_job(&mut self) -> Option<Job> {
        let due = self
            .changed_at
            .is_some_and(|at| at.elapsed() >= SAVE_DEBOUNCE);
        // A sync in flight may save the file itself: wait for its answer.
        if !due || self.save_state == SaveState::Saving || self.sync.in_flight {
            return None;
        }
        self.changed_at = None;
        self.save_state = SaveState::Saving;
        Some(self.save_job(None))
    }

    /// A snapshot of the vault as saved, for the sync thread; `None` while
    /// changes wait to be saved (the sync then follows the save).
    pub fn sync_snapshot(&self) -> Option<(Box<crate::store::Opened>, super::sync::Stamp)> {
        let saved = self.save_state == SaveState::Saved && self.changed_at.is_none();
        saved.then(|| {
            let opened = crate::store::Opened {
                vault: self.vault.clone(),
                keys: (*self.keys).clone(),
                fingerprint: self.fingerprint,
            };
            (Box::new(opened), self.stamp)
        })
    }

    /// Takes in what a sync saved: the merged vault when nothing was edited
    /// meanwhile, else the edits merged once more on top (saved next).
    pub fn adopt_synced(&mut self, synced: super::sync::Synced) {
        self.sync.in_flight = false;
        self.sync.last_sync = Some(Instant::now());
        self.sync.status = Some(super::sync::synced_text(&synced.outcome));
        if !synced.outcome.saved_locally {
            return;
        }
        let opened = *synced.opened;
        self.fingerprint = opened.fingerprint;
        if synced.stamp.keys != self.stamp.keys {
            // The password changed while the sync ran: keep the new keys and
            // write the merge again with them.
            let (merged, _) = crate::vault::merge::merge(&self.vault, &opened.vault);
            self.vault = merged;
            self.changed();
            return;
        }
        *self.keys = opened.keys;
        if synced.stamp.edits == self.stamp.edits {
            self.vault = opened.vault;
            self.index = SearchIndex::build(&self.vault);
        } else {
            let recovery_code = opened.vault.recovery_code.clone();
            let (mut merged, _) = crate::vault::merge::merge(&self.vault, &opened.vault);
            // The recovery code is the one of the adopted keys' slot.
            merged.recovery_code = recovery_code;
            self.vault = merged;
            self.changed();
        }
    }

    /// The server still knows the old password's auth key, and the sync
    /// thread the old password: stop syncing rather than let a sync bring
    /// the old keys back.
    // TODO: move the account to the new password (ChangeAuthKey) instead.
    fn stop_sync_after_password_change(&mut self, commands: &mut Vec<Command>) {
        if self.sync.account.take().is_some() {
            commands.push(Command::Sync(super::sync::SyncJob::Forget));
            self.sync.status = Some(
                "Sync is off: the master password changed, and moving a sync account to a \
                 new password is not supported yet"
                    .into(),
            );
        }
    }

    /// Saves again now (the "Retry" button).
    pub fn retry_save(&mut self) {
        self.changed_at = Some(
            Instant::now()
                .checked_sub(SAVE_DEBOUNCE)
                .unwrap_or_else(Instant::now),
        );
    }

    /// Ends the session: commits an open draft and returns the save that
    /// must still happen, carrying the writer lock until it is done.
    pub fn into_final_save(mut self) -> Option<Job> {
        self.commit_editor();
        let dirty = self.changed_at.is_some()
            || matches!(
                self.save_state,
                SaveState::Pending | SaveState::Failed(_) | SaveState::Saving
            );
        if !dirty {
            return None;
        }
        let lock = self.lock.take();
        Some(self.save_job(lock))
    }

    pub fn handle_reply(
        &mut self,
        reply: Reply,
        dialogs: &mut Dialogs,
        commands: &mut Vec<Command>,
    ) {
        match reply {
            Reply::Saved(Ok(fingerprint)) => {
                self.fingerprint = fingerprint;
                self.sync.wanted = true;
                self.saved_at = Some(std::time::SystemTime::now());
                self.save_state = if self.changed_at.is_some() {
                    SaveState::Pending
                } else {
                    SaveState::Saved
                };
            }
            Reply::Saved(Err(e)) => {
                log::warn!("save failed: {e}");
                self.save_state = SaveState::Failed(e.to_string());
            }
            Reply::PasswordChanged(result) => {
                self.busy = false;
                match result {
                    Ok(keys) => {
                        self.keys = keys;
                        self.stamp.keys += 1;
                        self.vault.keys_updated_ms = crate::vault::now_ms();
                        self.stop_sync_after_password_change(commands);
                        self.needs_new_password = false;
                        self.new_password = super::onboarding::PasswordPair::default();
                        dialogs.password_changed();
                        commands.push(Command::Status("The master password was changed".into()));
                        self.changed();
                    }
                    Err(e) => dialogs.password_change_failed(&e.to_string()),
                }
            }
            Reply::QrKeySet(result) => {
                self.busy = false;
                match result {
                    Ok(keys) => {
                        // Shown from here, not by Settings, which may have
                        // been closed meanwhile: the user must see the key.
                        if let Some(value) =
                            keys.qr_key().map(crate::crypto::qr_key::QrKey::to_text)
                        {
                            commands.push(Command::ShowQr {
                                label: "QR key".into(),
                                value,
                                show_text: false,
                            });
                        }
                        let required = keys.header().requires_qr_key();
                        self.keys = keys;
                        self.stamp.keys += 1;
                        self.vault.keys_updated_ms = crate::vault::now_ms();
                        dialogs.qr_key_set(required);
                        self.changed();
                    }
                    Err(e) => dialogs.qr_key_failed(&e.to_string()),
                }
            }
            Reply::KdfCalibrated(result) => {
                self.busy = false;
                match result {
                    Ok((keys, kdf, expected)) => {
                        // The same password: sync's auth key is unchanged.
                        self.keys = keys;
                        self.stamp.keys += 1;
                        self.vault.keys_updated_ms = crate::vault::now_ms();
                        dialogs.kdf_calibrated(kdf, expected);
                        self.changed();
                    }
                    Err(e) => dialogs.kdf_calibration_failed(&e.to_string()),
                }
            }
            Reply::PasswordChecked(result) => {
                dialogs.password_checked(result.unwrap_or(false), self);
            }
            _ => {}
        }
    }

    /// The Save button and Ctrl+S: commits the draft unless it holds an
    /// invalid seed phrase for a wallet, which is refused with the reason.
    /// (Leaving the secret or locking still commits it as typed, so that
    /// nothing typed is lost; the wallet panel then names the problem.)
    pub fn save_editor(&mut self) {
        if let Some(editor) = &mut self.editor {
            let kind = self.vault.box_by_id(editor.box_id).map(|b| b.kind);
            if let Some(problem) =
                kind.and_then(|kind| super::wallet::draft_problem(kind, &editor.draft))
            {
                editor.problem = Some(problem);
                return;
            }
        }
        self.commit_editor();
    }

    /// Puts a TOTP secret read from a QR image into the editor's draft, if
    /// that secret is still being edited; returns what to tell the user.
    pub fn totp_from_qr(
        &mut self,
        box_id: Uuid,
        secret_id: Option<Uuid>,
        text: Result<zeroize::Zeroizing<String>, String>,
    ) -> String {
        let text = match text {
            Ok(text) => text,
            Err(e) => return format!("No TOTP secret read: {e}"),
        };
        if let Err(e) = crate::crypto::totp::parse(&text) {
            return format!("The QR code holds no usable TOTP secret: {e}");
        }
        match self.editor.as_mut() {
            Some(editor) if editor.box_id == box_id && editor.secret_id == secret_id => {
                editor.draft.set("totp", &text);
                "Read the TOTP secret from the image; save to keep it".into()
            }
            _ => "The secret the image was for is no longer being edited".into(),
        }
    }

    /// Writes the open draft into the vault, if any.
    pub fn commit_editor(&mut self) {
        let Some(mut editor) = self.editor.take() else {
            return;
        };
        drop_empty_fields(&mut editor.draft);
        if editor.secret_id.is_none() && editor.draft == SecretContent::default() {
            return; // a new secret left empty is not a secret
        }
        let result = match editor.secret_id {
            Some(secret_id) => {
                self.vault
                    .update_secret(editor.box_id, secret_id, editor.draft.clone())
            }
            None => self
                .vault
                .add_secret(editor.box_id, editor.draft.clone())
                .map(|id| {
                    self.selected_secret = Some(id);
                    true
                }),
        };
        // The secret or its box may be gone (deleted on another device and
        // synced meanwhile): the draft becomes a new secret, never lost.
        let changed = result.unwrap_or_else(|_| self.rescue_draft(editor.box_id, editor.draft));
        if changed {
            self.changed();
        }
    }

    /// Adds a draft whose secret is gone: into its box, or into a box made
    /// again with the name and type it had (from the trash), else into a
    /// Custom box "Recovered edits".
    fn rescue_draft(&mut self, box_id: Uuid, draft: SecretContent) -> bool {
        let target = if self.vault.box_by_id(box_id).is_some() {
            Some(box_id)
        } else {
            let (name, kind) = self.vault.trash.iter().find(|t| t.box_id == box_id).map_or(
                ("Recovered edits".to_owned(), crate::vault::BoxKind::Custom),
                |t| (t.box_name.clone(), t.kind),
            );
            self.vault.add_box(&name, kind).ok()
        };
        target
            .and_then(|id| self.vault.add_secret(id, draft).ok())
            .inspect(|id| self.selected_secret = Some(*id))
            .is_some()
    }

    pub fn shortcuts(&mut self, ctx: &egui::Context, dialogs: &mut Dialogs) {
        let find = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::F);
        let new = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::N);
        let save = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
        if ctx.input_mut(|i| i.consume_shortcut(&find)) {
            self.focus_search = true;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&new)) {
            match self.selected_box {
                Some(box_id) => self.new_secret(box_id),
                None => dialogs.open_new_box(),
            }
        }
        if ctx.input_mut(|i| i.consume_shortcut(&save)) {
            self.save_editor();
        }
        if !dialogs.any_open() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            if self.editor.is_some() {
                self.editor = None;
            } else if !self.search.is_empty() {
                self.search.clear();
            }
        }
    }

    /// Opens the editor on a new secret of the box.
    pub fn new_secret(&mut self, box_id: Uuid) {
        self.commit_editor();
        self.selected_box = Some(box_id);
        self.selected_secret = None;
        self.editor = Some(Editor {
            box_id,
            secret_id: None,
            draft: SecretContent::default(),
            revealed: std::collections::HashSet::new(),
            focus_first: true,
            problem: None,
        });
    }

    /// Opens the editor on an existing secret.
    pub fn edit_secret(&mut self, box_id: Uuid, secret_id: Uuid) {
        self.commit_editor();
        let Some(secret) = self
            .vault
            .box_by_id(box_id)
            .and_then(|b| b.secret(secret_id))
        else {
            return;
        };
        self.editor = Some(Editor {
            box_id,
            secret_id: Some(secret_id),
            draft: secret.content.clone(),
            revealed: std::collections::HashSet::new(),
            focus_first: false,
            problem: None,
        });
    }

    /// Selects a secret to view, committing any open draft first.
    pub fn select_secret(&mut self, box_id: Uuid, secret_id: Uuid) {
        if self.selected_secret != Some(secret_id) {
            self.commit_editor();
            self.revealed.clear();
        }
        self.selected_box = Some(box_id);
        self.selected_secret = Some(secret_id);
    }

    pub fn status_text(&self) -> String {
        match &self.save_state {
            SaveState::Saved => match self.saved_at {
                Some(_) => "Saved".into(),
                None => "All changes saved".into(),
            },
            SaveState::Pending | SaveState::Saving => "Saving…".into(),
            SaveState::Failed(e) => {
                format!("Not saved: {e}. Your changes are kept in this window.")
            }
        }
    }
}

/// Removes fields left empty (the editor shows every template field), so that
/// an unchanged secret commits as unchanged and the file stays small.
pub(crate) fn drop_empty_fields(content: &mut SecretContent) {
    content.fields.retain(|_, v| !v.is_empty());
    for items in content.lists.values_mut() {
        for item in items.iter_mut() {
            item.retain(|_, v| !v.is_empty());
        }
        items.retain(|item| !item.is_empty());
    }
    content.lists.retain(|_, items| !items.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{KdfParams, Password};
    use crate::vault::BoxKind;

    fn session(dir: &Path) -> Session {
        let path = dir.join("v.qvault");
        let (opened, _) =
            crate::store::create(&path, &Password::new("session test"), KdfParams::FLOOR)
                .expect("create");
        let lock = WriterLock::acquire(&path).expect("lock");
        Session::new(OpenedVault {
            opened,
            lock,
            path,
            recovery_code: None,
        })
    }

    fn editing(session: &mut Session, box_id: Uuid, secret_id: Uuid, notes: &str) {
        let mut draft = SecretContent::default();
        draft.set("issuer", "shop.example");
        draft.set("notes", notes);
        session.editor = Some(Editor {
            box_id,
            secret_id: Some(secret_id),
            draft,
            revealed: std::collections::HashSet::new(),
            focus_first: false,
            problem: None,
        });
    }

    #[test]
    fn a_draft_whose_secret_or_box_was_deleted_meanwhile_is_kept_as_a_new_secret() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut session = session(dir.path());
        let logins = session
            .vault
            .add_box("Logins", BoxKind::Passwords)
            .expect("box");
        let mut content = SecretContent::default();
        content.set("issuer", "shop.example");
        let secret = session
            .vault
            .add_secret(logins, content.clone())
            .expect("secret");

        // The secret goes (a sync took in a deletion) while it is edited.
        editing(&mut session, logins, secret, "typed while it went");
        session.vault.delete_secret(logins, secret).expect("delete");
        session.commit_editor();
        let kept = session
            .vault
            .find_by_title("shop.example")
            .expect("the draft");
        assert_eq!(kept.1.content.get("notes"), "typed while it went");

        // The whole box goes: it comes back with its name and type.
        let secret = kept.1.id;
        editing(&mut session, logins, secret, "typed while the box went");
        session.vault.delete_box(logins).expect("delete box");
        session.commit_editor();
        let (vault_box, kept) = session
            .vault
            .find_by_title("shop.example")
            .expect("the draft");
        assert_eq!(
            (vault_box.name.as_str(), vault_box.kind),
            ("Logins", BoxKind::Passwords)
        );
        assert_eq!(kept.content.get("notes"), "typed while the box went");
    }
}
