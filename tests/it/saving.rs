//! The safe save: failures leave the old file alone, a backup of the previous
//! version is kept, a file changed behind our back is not overwritten, files
//! are private, and a second writer is locked out.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::common::{file_names, new_vault};
use qvault::store::format::HEADER_LEN;
use qvault::store::{self, StoreError, WriterLock, backup_path};
use qvault::vault::{BoxKind, Vault};

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(ToString::to_string).collect()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;

    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

fn with_new_box(vault: &Vault, name: &str) -> Vault {
    let mut changed = vault.clone();
    changed.add_box(name, BoxKind::Notes).expect("box");
    changed
}

#[test]
fn a_save_that_fails_midway_leaves_the_old_file_and_no_temp_files() {
    let test = new_vault();
    let (keys, fingerprint) = (&test.opened.keys, test.opened.fingerprint);
    let before = fs::read(&test.path).expect("read");
    let backup_before = fs::read(backup_path(&test.path)).expect("read backup");
    let files_before = file_names(test.dir.path());
    let bytes = keys
        .seal(&with_new_box(&test.opened.vault, "Diary"))
        .expect("seal");

    for fail_after in [0, 1, HEADER_LEN, bytes.len() / 2, bytes.len() - 1] {
        let err = store::save_sealed(
            &test.path,
            keys,
            &bytes,
            Some(fingerprint),
            Some(fail_after),
        )
        .expect_err("the write fails");
        assert!(
            matches!(err, StoreError::Write { .. }),
            "{fail_after}: {err:?}"
        );
        assert_eq!(
            fs::read(&test.path).expect("read"),
            before,
            "after {fail_after} bytes"
        );
        assert_eq!(
            fs::read(backup_path(&test.path)).expect("read"),
            backup_before
        );
        assert_eq!(
            file_names(test.dir.path()),
            files_before,
            "after {fail_after} bytes"
        );
    }

    store::save_sealed(
        &test.path,
        keys,
        &bytes,
        Some(fingerprint),
        Some(bytes.len()),
    )
    .expect("a write of the whole file succeeds");
    assert_eq!(fs::read(&test.path).expect("read"), bytes);
}

#[cfg(unix)]
#[test]
fn a_save_into_a_read_only_folder_fails_and_leaves_the_old_file() {
    use std::os::unix::fs::PermissionsExt;

    let test = new_vault();
    let dir = test.dir.path();
    let before = fs::read(&test.path).expect("read");
    let files_before = file_names(dir);
    fs::set_permissions(dir, fs::Permissions::from_mode(0o500)).expect("chmod");

    let probe = dir.join("probe");
    if fs::write(&probe, b"").is_ok() {
        let _ = fs::remove_file(&probe);
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).expect("chmod");
        eprintln!("skipped: permissions are not enforced for this user (root)");
        return;
    }
    let opened = &test.opened;
    let changed = with_new_box(&opened.vault, "Diary");
    let result = store::save(&test.path, &opened.keys, &changed, Some(opened.fingerprint));
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).expect("chmod");

    assert!(
        matches!(result, Err(StoreError::Write { .. })),
        "{result:?}"
    );
    assert_eq!(fs::read(&test.path).expect("read"), before);
    assert_eq!(file_names(dir), files_before);
}

#[test]
fn each_save_keeps_the_previous_version_as_the_backup() {
    let test = new_vault();
    let keys = &test.opened.keys;
    let first = fs::read(&test.path).expect("read");

    let second_vault = with_new_box(&test.opened.vault, "Diary");
    let fingerprint = store::save(
        &test.path,
        keys,
        &second_vault,
        Some(test.opened.fingerprint),
    )
    .expect("save");
    let second = fs::read(&test.path).expect("read");
    assert_ne!(second, first);
    assert_eq!(fs::read(backup_path(&test.path)).expect("backup"), first);

    let third_vault = with_new_box(&second_vault, "Journal");
    store::save(&test.path, keys, &third_vault, Some(fingerprint)).expect("save");
    let backup = fs::read(backup_path(&test.path)).expect("backup");
    assert_eq!(backup, second);
    assert_eq!(keys.open(&backup).expect("the backup opens").boxes.len(), 3);
    assert_eq!(
        file_names(test.dir.path()),
        names(&["test.qvault", "test.qvault.bak"])
    );
}

#[test]
fn a_file_changed_on_disk_since_it_was_opened_is_not_overwritten() {
    let test = new_vault();
    let (keys, ours) = (&test.opened.keys, test.opened.fingerprint);
    let theirs = with_new_box(&test.opened.vault, "Written elsewhere");
    store::save(&test.path, keys, &theirs, Some(ours)).expect("the other device saves");
    let their_bytes = fs::read(&test.path).expect("read");
    let backup = fs::read(backup_path(&test.path)).expect("backup");

    let mine = with_new_box(&test.opened.vault, "Written here");
    let err = store::save(&test.path, keys, &mine, Some(ours)).expect_err("stale");
    assert!(matches!(err, StoreError::ChangedOnDisk), "{err:?}");
    assert_eq!(fs::read(&test.path).expect("read"), their_bytes);
    assert_eq!(fs::read(backup_path(&test.path)).expect("backup"), backup);
    assert_eq!(
        file_names(test.dir.path()),
        names(&["test.qvault", "test.qvault.bak"])
    );

    fs::remove_file(&test.path).expect("remove");
    let err = store::save(&test.path, keys, &mine, Some(ours)).expect_err("deleted");
    assert!(matches!(err, StoreError::ChangedOnDisk), "{err:?}");
    assert!(!test.path.exists());
}

#[test]
fn saving_without_a_fingerprint_never_replaces_a_file() {
    let test = new_vault();
    let before = fs::read(&test.path).expect("read");
    let err = store::save(&test.path, &test.opened.keys, &test.opened.vault, None)
        .expect_err("a file is there");
    assert!(matches!(err, StoreError::AlreadyExists(_)), "{err:?}");
    assert_eq!(fs::read(&test.path).expect("read"), before);
}

#[cfg(unix)]
#[test]
fn the_vault_and_its_backup_are_readable_by_their_owner_only() {
    let test = new_vault();
    assert_eq!(mode(&test.path), 0o600);
    assert_eq!(mode(&backup_path(&test.path)), 0o600);
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let test = new_vault();
    let first = WriterLock::acquire(&test.path).expect("first lock");
    let second = WriterLock::acquire(&test.path);
    assert!(matches!(second, Err(StoreError::InUse)), "{second:?}");
    drop(first);
    WriterLock::acquire(&test.path).expect("free again once dropped");
}
