//! Where passwords and recovery codes come from: the terminal, without echo,
//! or with `--password-stdin` one per line on standard input.

use std::io::{self, BufRead};

use zeroize::Zeroizing;

use super::CliError;
use crate::crypto::Password;
use crate::crypto::recovery::RecoveryCode;

/// Reads the secrets a command needs, in the order it asks for them.
pub struct Prompter {
    lines: Option<Box<dyn BufRead>>,
    /// The vault's QR key (`--qr-key`), for a vault that requires one.
    pub qr_key: Option<crate::crypto::qr_key::QrKey>,
}

impl Prompter {
    /// Reads from standard input when `password_stdin`, else from the terminal.
    pub fn new(password_stdin: bool) -> Self {
        let lines = password_stdin.then(|| Box::new(io::stdin().lock()) as Box<dyn BufRead>);
        Self {
            lines,
            qr_key: None,
        }
    }

    /// Reads one password per line from `lines`.
    #[cfg(test)]
    fn from_lines(lines: impl BufRead + 'static) -> Self {
        Self {
            lines: Some(Box::new(lines)),
            qr_key: None,
        }
    }

    /// Reads one secret line: the terminal shows `prompt` and no echo.
    fn secret_line(&mut self, prompt: &str) -> Result<Zeroizing<String>, CliError> {
        let Some(lines) = &mut self.lines else {
            return rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(CliError::Terminal);
        };
        let mut line = Zeroizing::new(String::new());
        let read = lines.read_line(&mut line).map_err(CliError::ReadPassword)?;
        if read == 0 {
            return Err(CliError::MissingPassword);
        }
        let end = line.trim_end_matches(['\n', '\r']).len();
        line.truncate(end);
        Ok(line)
    }

    /// The current password of an existing vault.
    /// The vault's password, with the QR key given on the command line.
    pub fn credential(&self, password: Password) -> crate::store::Credential {
        match &self.qr_key {
            Some(key) => crate::store::Credential::PasswordAndQrKey(password, key.clone()),
            None => crate::store::Credential::Password(password),
        }
    }

    pub fn password(&mut self) -> Result<Password, CliError> {
        let line = self.secret_line("Vault password: ")?;
        Ok(Password::new(line.as_str()))
    }

    /// The password of another file (an import source, an export target);
    /// may be empty (a KeePass database opened by key file alone).
    pub fn file_password(&mut self, prompt: &str) -> Result<Password, CliError> {
        let line = self.secret_line(prompt)?;
        Ok(Password::new(line.as_str()))
    }

    /// The password of a file being written (a KDBX export): one line,
    /// not empty.
    pub fn new_file_password(&mut self) -> Result<Password, CliError> {
        let password = self.file_password("Password for the new file: ")?;
        if password.is_empty() {
            return Err(CliError::EmptyPassword);
        }
        Ok(password)
    }

    /// A new password, typed twice; empty or differing entries are refused.
    pub fn new_password(&mut self) -> Result<Password, CliError> {
        let first = self.secret_line("New password: ")?;
        let second = self.secret_line("Repeat the new password: ")?;
        if first.is_empty() {
            return Err(CliError::EmptyPassword);
        }
        if first != second {
            return Err(CliError::PasswordsDiffer);
        }
        Ok(Password::new(first.as_str()))
    }

    /// The recovery code printed when the vault was created.
    pub fn recovery_code(&mut self) -> Result<RecoveryCode, CliError> {
        let line = self.secret_line("Recovery code: ")?;
        Ok(RecoveryCode::parse(line.trim())?)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    #[test]
    fn lines_keep_inner_and_outer_spaces_but_lose_the_line_end() {
        let mut prompter = Prompter::from_lines(Cursor::new(" a b \r\nsecond\n"));
        assert_eq!(prompter.password().expect("first").as_str(), " a b ");
        assert_eq!(prompter.password().expect("second").as_str(), "second");
        assert!(matches!(
            prompter.password(),
            Err(CliError::MissingPassword)
        ));
    }

    #[test]
    fn the_last_line_may_lack_a_newline() {
        let mut prompter = Prompter::from_lines(Cursor::new("only"));
        assert_eq!(prompter.password().expect("line").as_str(), "only");
    }

    #[test]
    fn a_new_password_must_be_typed_twice_alike_and_not_be_empty() {
        let mut same = Prompter::from_lines(Cursor::new("pw 1\npw 1\n"));
        assert_eq!(same.new_password().expect("same").as_str(), "pw 1");
        let mut differ = Prompter::from_lines(Cursor::new("pw 1\npw 2\n"));
        assert!(matches!(
            differ.new_password(),
            Err(CliError::PasswordsDiffer)
        ));
        let mut empty = Prompter::from_lines(Cursor::new("\n\n"));
        assert!(matches!(empty.new_password(), Err(CliError::EmptyPassword)));
        let mut short = Prompter::from_lines(Cursor::new("pw 1\n"));
        assert!(matches!(
            short.new_password(),
            Err(CliError::MissingPassword)
        ));
    }

    #[test]
    fn a_recovery_code_reads_as_typed() {
        let code = RecoveryCode::generate().expect("random");
        let typed = format!("  {}\n", code.to_display_string().to_lowercase());
        let mut prompter = Prompter::from_lines(Cursor::new(typed));
        assert_eq!(prompter.recovery_code().expect("code"), code);
        let mut typo = Prompter::from_lines(Cursor::new("ABCD\n"));
        assert!(matches!(
            typo.recovery_code(),
            Err(CliError::BadRecoveryCode(_))
        ));
    }
}
