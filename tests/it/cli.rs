//! The command line as a user runs it: the built `qvault` binary, passwords
//! on stdin, HOME and the XDG folders inside a temporary folder.

use std::fs;
use std::path::PathBuf;

use crate::common::cli::{lines, qvault, sha256, with_vault};
use crate::common::{PASSWORD, new_vault};
use qvault::crypto::recovery::RecoveryCode;
use qvault::store::{self, Credential, WriterLock};

const SMOKE_PASSWORD: &str = "Zq!9 smoke, \"quoted\"";

/// The recovery code from `create`'s output.
fn printed_recovery_code(stdout: &str) -> RecoveryCode {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Recovery code: "));
    RecoveryCode::parse(line.expect("a recovery code line")).expect("a valid code")
}

#[test]
fn create_add_ls_show_round_trip_shows_the_password_only_with_reveal() {
    let home = tempfile::tempdir().expect("temp dir");
    let vault = home.path().join("v.qvault");
    let pw = lines(&["Smoke-Pass-93"]);

    let created = with_vault(
        &vault,
        &["create"],
        &lines(&["Smoke-Pass-93", "Smoke-Pass-93"]),
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created.stdout.contains("store it somewhere safe"),
        "{}",
        created.stdout
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&vault).expect("vault").permissions().mode() & 0o777,
            0o600
        );
    }
    let code = printed_recovery_code(&created.stdout);
    store::unlock(&vault, &Credential::RecoveryCode(code)).expect("the printed code unlocks");

    let password_field = format!("password={SMOKE_PASSWORD}");
    let add = [
        "add",
        "Logins",
        "--type",
        "passwords",
        "--field",
        "issuer=smoke.example.org",
        "--field",
        "username=smokeuser",
        "--field",
        &password_field,
        "--field",
        "memo=a=b, \"c\"",
    ];
    let added = with_vault(&vault, &add, &pw);
    assert_eq!(added.code, 0, "{}", added.stderr);

    let listed = with_vault(&vault, &["ls"], &pw);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(listed.stdout, "Logins (Passwords)\n  smoke.example.org\n");

    let shown = with_vault(&vault, &["show", "smoke.example.org"], &pw);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown
            .stdout
            .contains("Username: smokeuser\nPassword: ********\n"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("memo: a=b, \"c\"\n"),
        "{}",
        shown.stdout
    );

    let revealed = with_vault(&vault, &["show", "SMOKE.example.org", "--reveal"], &pw);
    assert_eq!(revealed.code, 0, "{}", revealed.stderr);
    assert!(
        revealed
            .stdout
            .contains(&format!("Password: {SMOKE_PASSWORD}\n"))
    );

    for run in [&created, &added, &listed, &shown] {
        assert!(!run.stdout.contains("Zq!9") && !run.stderr.contains("Zq!9"));
    }
}

#[test]
fn a_wrong_password_exits_2_and_leaves_the_file_untouched() {
    let test = new_vault();
    let before = sha256(&test.path);
    let wrong = lines(&["not the password"]);

    let listed = with_vault(&test.path, &["ls"], &wrong);
    assert_eq!(listed.code, 2, "{}", listed.stderr);
    assert!(
        listed.stderr.starts_with("qvault: wrong password"),
        "{}",
        listed.stderr
    );
    assert!(listed.stdout.is_empty());

    let added = with_vault(
        &test.path,
        &["add", "Logins", "--field", "issuer=x"],
        &wrong,
    );
    assert_eq!(added.code, 2, "{}", added.stderr);
    assert_eq!(sha256(&test.path), before);
}

#[test]
fn a_damaged_or_foreign_file_exits_3() {
    let test = new_vault();
    let bytes = fs::read(&test.path).expect("read");
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x01;
    let cases = [
        ("flipped.qvault", flipped),
        ("truncated.qvault", bytes[..bytes.len() / 3].to_vec()),
        ("notes.txt", b"just some text\n".to_vec()),
    ];
    for (name, content) in cases {
        let path = test.dir.path().join(name);
        fs::write(&path, content).expect("write");
        let run = with_vault(&path, &["ls"], &lines(&[PASSWORD]));
        assert_eq!(run.code, 3, "{name}: {}", run.stderr);
        assert!(run.stderr.starts_with("qvault: "), "{name}: {}", run.stderr);
    }
}

#[test]
fn a_missing_vault_exits_3_for_every_command() {
    let home = tempfile::tempdir().expect("temp dir");
    let missing = home.path().join("nothing-here.qvault");
    let commands: [&[&str]; 4] = [
        &["ls"],
        &["show", "x"],
        &["add", "Logins", "--field", "issuer=x"],
        &["passwd"],
    ];
    for args in commands {
        let run = with_vault(&missing, args, &lines(&[PASSWORD, "new", "new"]));
        assert_eq!(run.code, 3, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("there is no vault at"),
            "{}",
            run.stderr
        );
    }
    assert!(!missing.exists());
}

#[test]
fn passwd_retires_the_old_password() {
    let test = new_vault();
    let changed = with_vault(
        &test.path,
        &["passwd"],
        &lines(&[PASSWORD, "new pass", "new pass"]),
    );
    assert_eq!(changed.code, 0, "{}", changed.stderr);

    let old = with_vault(&test.path, &["ls"], &lines(&[PASSWORD]));
    assert_eq!(old.code, 2, "{}", old.stderr);
    let new = with_vault(&test.path, &["ls"], &lines(&["new pass"]));
    assert_eq!(new.code, 0, "{}", new.stderr);
    assert!(new.stdout.contains("example.org"));
    store::unlock(&test.path, &Credential::RecoveryCode(test.code.clone()))
        .expect("the recovery code still works");
}

#[test]
fn passwd_with_the_recovery_code_sets_a_new_password() {
    let test = new_vault();
    let before = sha256(&test.path);
    let other_code = RecoveryCode::generate()
        .expect("random")
        .to_display_string();
    for code in [other_code.as_str(), "ABCD-EFGH"] {
        let run = with_vault(
            &test.path,
            &["passwd", "--recovery"],
            &lines(&[code, "n", "n"]),
        );
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(sha256(&test.path), before);
    }

    let code = test.code.to_display_string().to_lowercase();
    let changed = with_vault(
        &test.path,
        &["passwd", "--recovery"],
        &lines(&[&code, "n2", "n2"]),
    );
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    let new = with_vault(&test.path, &["ls"], &lines(&["n2"]));
    assert_eq!(new.code, 0, "{}", new.stderr);
}

#[test]
fn passwd_refuses_new_passwords_that_differ_or_are_empty() {
    let test = new_vault();
    let before = sha256(&test.path);
    for new in [["one", "two"], ["", ""]] {
        let run = with_vault(&test.path, &["passwd"], &lines(&[PASSWORD, new[0], new[1]]));
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(sha256(&test.path), before);
    }
}

#[test]
fn create_uses_the_default_path_and_refuses_an_existing_vault() {
    let home = tempfile::tempdir().expect("temp dir");
    let default: PathBuf = home.path().join("data/qvault/vault.qvault");
    let mismatch = qvault(home.path(), &["create"], &lines(&["one", "two"]));
    assert_eq!(mismatch.code, 1, "{}", mismatch.stderr);
    assert!(!default.exists());

    let created = qvault(home.path(), &["create"], &lines(&["pw", "pw"]));
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(
        created.stderr.contains("this master password is weak"),
        "{}",
        created.stderr
    );
    let before = sha256(&default);

    let again = qvault(home.path(), &["create"], &lines(&["pw", "pw"]));
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert!(again.stdout.is_empty());
    assert_eq!(sha256(&default), before);
}

#[test]
fn a_vault_held_by_another_process_is_not_written() {
    let test = new_vault();
    let before = sha256(&test.path);
    let lock = WriterLock::acquire(&test.path).expect("lock");
    let run = with_vault(
        &test.path,
        &["add", "Logins", "--field", "issuer=x"],
        &lines(&[PASSWORD]),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("in another Qvault process"),
        "{}",
        run.stderr
    );
    assert_eq!(sha256(&test.path), before);
    drop(lock);
}

#[test]
fn add_refuses_a_box_of_another_type_and_malformed_fields() {
    let test = new_vault();
    let before = sha256(&test.path);
    let pw = lines(&[PASSWORD]);
    let other_type = ["add", "Banks", "--type", "passwords", "--field", "issuer=x"];
    let run = with_vault(&test.path, &other_type, &pw);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("holds financial secrets"),
        "{}",
        run.stderr
    );

    let run = with_vault(
        &test.path,
        &["add", "Logins", "--field", "Zq!9-secret"],
        &pw,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("Zq!9"), "{}", run.stderr);
    let run = with_vault(
        &test.path,
        &["add", "Logins", "--type", "bogus", "--field", "a=b"],
        &pw,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(sha256(&test.path), before);
}

#[test]
fn add_refuses_an_invalid_wallet_seed_and_only_warns_for_a_backup() {
    let test = new_vault();
    let before = sha256(&test.path);
    let pw = lines(&[PASSWORD]);
    let add = |box_name: &str, kind: &str, seed: &str| {
        let seed = format!("seed={seed}");
        let args = [
            "add",
            box_name,
            "--type",
            kind,
            "--field",
            "name=W",
            "--field",
            seed.as_str(),
        ];
        with_vault(&test.path, &args, &pw)
    };
    let typo = "abandon abandon abandn abandon abandon abandon abandon abandon abandon abandon abandon about";
    let run = add("Wallets", "crypto_wallets", typo);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("word 3 is not in the BIP39 word list"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("abandn"),
        "no seed word is echoed: {}",
        run.stderr
    );
    assert_eq!(sha256(&test.path), before, "nothing was written");

    let run = add("Paper", "crypto_backups", typo);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: the seed is not a BIP39 seed phrase"),
        "{}",
        run.stderr
    );

    let good = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
    let run = add("Wallets", "crypto_wallets", good);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn health_names_weak_and_reused_passwords_but_never_prints_one() {
    let test = new_vault();
    let pw = lines(&[PASSWORD]);
    for site in ["one.example", "two.example"] {
        let issuer = format!("issuer={site}");
        let args = [
            "add",
            "Logins",
            "--field",
            issuer.as_str(),
            "--field",
            "password=sunshine1",
        ];
        let run = with_vault(&test.path, &args, &pw);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let run = with_vault(&test.path, &["health"], &pw);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("Checked 3 passwords."), "{out}");
    assert!(out.contains("Weak passwords (2):"), "{out}");
    assert!(out.contains("Logins / one.example: strength"), "{out}");
    assert!(out.contains("Reused passwords (1 group):"), "{out}");
    assert!(out.contains("Logins without TOTP (3):"), "{out}");
    assert!(!out.contains("sunshine1") && !out.contains("Zq!9"), "{out}");
}

#[test]
fn totp_prints_the_current_code_and_never_the_secret() {
    let test = new_vault();
    let pw = lines(&[PASSWORD]);
    let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
    let uri = format!("otpauth://totp/Site:ann?secret={secret}");
    let field = format!("totp={uri}");
    let args = [
        "add",
        "Logins",
        "--field",
        "issuer=2fa.example",
        "--field",
        field.as_str(),
    ];
    let run = with_vault(&test.path, &args, &pw);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let unix = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
    };
    let totp = qvault::crypto::totp::parse(&uri).expect("valid");
    let before = unix();
    let run = with_vault(&test.path, &["totp", "2fa.example"], &pw);
    let after = unix();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed = run.stdout.trim();
    assert!(
        printed == totp.code_at(before).as_str() || printed == totp.code_at(after).as_str(),
        "{printed}"
    );
    assert!(run.stderr.contains("valid for"), "{}", run.stderr);
    assert!(!run.stderr.contains(&secret) && !run.stdout.contains(&secret));

    let run = with_vault(&test.path, &["totp", "example.org"], &pw);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("has no TOTP field"), "{}", run.stderr);
    let run = with_vault(&test.path, &["totp", "2fa.example"], "wrong\n");
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
}
