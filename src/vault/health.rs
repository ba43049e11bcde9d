//! Password health: weak passwords (zxcvbn score 2 or less), passwords used
//! by more than one secret, passwords unchanged for over a year, and logins
//! with no TOTP. A report names secrets, never a password.
//!
//! zxcvbn takes about a millisecond a password, so the window builds the
//! report on its worker thread.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{BoxKind, Secret, Vault};

/// Passwords older than this are reported as old.
pub const OLD_AFTER_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// zxcvbn scores at or below this are weak.
pub const WEAK_SCORE: u8 = 2;

/// A secret named in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    pub box_id: Uuid,
    pub secret_id: Uuid,
    pub box_name: String,
    pub title: String,
}

/// One line of the report: the secret and why it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub secret: SecretRef,
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthReport {
    pub weak: Vec<Finding>,
    /// Each group shares one password.
    pub reused: Vec<Vec<SecretRef>>,
    pub old: Vec<Finding>,
    pub without_totp: Vec<Finding>,
    /// How many secrets with a password were checked.
    pub checked: usize,
}

impl HealthReport {
    /// The single-secret findings under their headings, in report order.
    pub fn sections(&self) -> [(&'static str, &[Finding]); 3] {
        [
            ("Weak passwords", &self.weak),
            ("Old passwords (unchanged for over a year)", &self.old),
            ("Logins without TOTP", &self.without_totp),
        ]
    }

    /// "Reused passwords (1 group)" or "(N groups)".
    pub fn reused_heading(&self) -> String {
        let n = self.reused.len();
        format!(
            "Reused passwords ({n} {})",
            if n == 1 { "group" } else { "groups" }
        )
    }

    pub fn is_clean(&self) -> bool {
        self.weak.is_empty()
            && self.reused.is_empty()
            && self.old.is_empty()
            && self.without_totp.is_empty()
    }
}

/// Checks every secret with a `password` field, as of `now_ms`.
pub fn check(vault: &Vault, now_ms: i64) -> HealthReport {
    let mut report = HealthReport::default();
    // Passwords are grouped by digest, so no second copy of one is kept.
    let mut by_digest: HashMap<[u8; 32], Vec<SecretRef>> = HashMap::new();
    for vault_box in &vault.boxes {
        for secret in &vault_box.secrets {
            let password = secret.content.get("password");
            let reference = || SecretRef {
                box_id: vault_box.id,
                secret_id: secret.id,
                box_name: vault_box.name.clone(),
                title: secret.title(vault_box.kind).to_owned(),
            };
            if vault_box.kind == BoxKind::Passwords
                && !password.is_empty()
                && secret.content.totp_text().is_none()
            {
                report.without_totp.push(Finding {
                    secret: reference(),
                    detail: "no two-factor (TOTP) secret stored".into(),
                });
            }
            if password.is_empty() {
                continue;
            }
            report.checked += 1;
            let hints = [
                secret.content.get("username"),
                secret.content.get("issuer"),
                secret.content.get("email"),
            ];
            let hints: Vec<&str> = hints.into_iter().filter(|h| !h.is_empty()).collect();
            let score = u8::from(zxcvbn::zxcvbn(password, &hints).score());
            if score <= WEAK_SCORE {
                report.weak.push(Finding {
                    secret: reference(),
                    detail: format!("strength {score} of 4"),
                });
            }
            let age = now_ms - password_since(secret, vault.history_keep());
            if age > OLD_AFTER_MS {
                let days = age / (24 * 60 * 60 * 1000);
                report.old.push(Finding {
                    secret: reference(),
                    detail: format!("unchanged for {days} days"),
                });
            }
            let digest: [u8; 32] = Sha256::digest(password.as_bytes()).into();
            by_digest.entry(digest).or_default().push(reference());
        }
    }
    let mut reused: Vec<Vec<SecretRef>> = by_digest
        .into_values()
        .filter(|group| group.len() > 1)
        .collect();
    reused.sort_by(|a, b| {
        b.len()
            .cmp(&a.len())
            .then_with(|| a[0].title.cmp(&b[0].title))
    });
    report.reused = reused;
    report
}

/// When the secret's current password was set, as far as its history tells.
fn password_since(secret: &Secret, keep: usize) -> i64 {
    let current = secret.content.get("password");
    let mut since = secret.updated_ms;
    for version in &secret.history {
        if version.content.get("password") != current {
            return since;
        }
        since = version.updated_ms;
    }
    if secret.history.len() < keep {
        // The whole history has this password: it dates from the creation.
        secret.created_ms.min(since)
    } else {
        since
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::SecretContent;

    fn login(site: &str, password: &str) -> SecretContent {
        let mut content = SecretContent::default();
        content.set("issuer", site);
        content.set("username", "ann");
        content.set("password", password);
        content
    }

    #[test]
    fn weak_reused_old_and_no_totp_are_each_found() {
        let mut vault = Vault::new();
        let logins = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let strong = "vY7#qL2!mZ9@wX4$tR6^";
        vault
            .add_secret(logins, login("a.example", "password1"))
            .expect("weak");
        vault
            .add_secret(logins, login("b.example", strong))
            .expect("one");
        let mut with_totp = login("c.example", strong);
        with_totp.set("totp", "JBSWY3DPEHPK3PXP");
        vault.add_secret(logins, with_totp).expect("two");
        let banks = vault.add_box("Banks", BoxKind::Financial).expect("box");
        let mut bank = SecretContent::default();
        bank.set("name", "Bank");
        bank.set("password", "kT8%hW3&pQ5*zN1(");
        vault.add_secret(banks, bank).expect("bank");

        let now = crate::vault::now_ms();
        let report = check(&vault, now);
        assert_eq!(report.checked, 4);
        let titles = |list: &[Finding]| -> Vec<String> {
            list.iter().map(|f| f.secret.title.clone()).collect()
        };
        assert_eq!(titles(&report.weak), ["a.example"]);
        assert_eq!(report.reused.len(), 1);
        let mut group: Vec<&str> = report.reused[0].iter().map(|r| r.title.as_str()).collect();
        group.sort_unstable();
        assert_eq!(group, ["b.example", "c.example"]);
        // Only logins are expected to have TOTP; the bank is not listed.
        assert_eq!(titles(&report.without_totp), ["a.example", "b.example"]);
        assert!(report.old.is_empty());

        // Two years on, every password is old.
        let later = check(&vault, now + 2 * OLD_AFTER_MS);
        assert_eq!(later.old.len(), 4);
        assert!(later.old[0].detail.contains("days"));
    }

    #[test]
    fn a_password_changed_recently_is_not_old_even_in_an_old_secret() {
        let mut vault = Vault::new();
        let logins = vault.add_box("Logins", BoxKind::Passwords).expect("box");
        let id = vault
            .add_secret(logins, login("a.example", "first-pw-Zq9!xk3L"))
            .expect("secret");
        let secret = vault.boxes[0]
            .secrets
            .iter_mut()
            .find(|s| s.id == id)
            .expect("secret");
        // Created two years ago; the note was edited a year and a half ago,
        // the password changed a month ago.
        let now = crate::vault::now_ms();
        let day = 24 * 60 * 60 * 1000;
        secret.created_ms = now - 730 * day;
        secret.updated_ms = secret.created_ms;
        let mut noted = secret.content.clone();
        noted.set("notes", "moved");
        secret.update(noted);
        secret.updated_ms = now - 540 * day;
        let mut changed = secret.content.clone();
        changed.set("password", "second-pw-Zq9!xk3L");
        secret.update(changed);
        secret.updated_ms = now - 30 * day;
        assert_eq!(
            password_since(secret, crate::vault::HISTORY_LEN),
            now - 30 * day
        );
        assert!(check(&vault, now).old.is_empty());

        // Without the change, the password dates from the creation.
        let secret = &mut vault.boxes[0].secrets[0];
        secret.content.set("password", "first-pw-Zq9!xk3L");
        assert_eq!(
            password_since(secret, crate::vault::HISTORY_LEN),
            now - 730 * day
        );
    }
}
