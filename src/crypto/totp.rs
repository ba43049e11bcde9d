//! Time-based one-time passwords (RFC 6238) from a secret's `totp` field:
//! a base32 secret as sites print it, an `otpauth://totp/…` URI as their QR
//! codes carry it, or a Steam Guard secret (`otpauth://steam/…`,
//! `steam://SECRET`, or an `encoder=steam` URI as `KeePassXC` writes it).
//!
//! The HMAC and the truncation come from `totp-rs`; what is here is reading
//! the field forgivingly (spaces, lower case, padding) and strictly (never a
//! guess, never the secret in an error).

use std::time::{SystemTime, UNIX_EPOCH};

use totp_rs::{Algorithm, TOTP};
use zeroize::Zeroizing;

/// Secrets shorter than this (64 bits) are refused as mistyped.
const MIN_SECRET_BYTES: usize = 8;

/// Why a totp field gives no code. No variant carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the TOTP field is empty")]
    Empty,
    #[error("the TOTP secret is not base32: {0} cannot appear in it (base32 uses A-Z and 2-7)")]
    NotBase32(String),
    #[error("the TOTP secret is too short ({0} bits); check that it was copied whole")]
    TooShort(usize),
    #[error("the TOTP secret's length is not possible in base32; a character is missing or extra")]
    Length,
    #[error("the otpauth URI is not valid: {0}")]
    BadUri(&'static str),
    #[error("the code length must be 6, 7 or 8 digits (5 for Steam), not {0}")]
    Digits(usize),
    #[error("the period must be between 1 and 300 seconds, not {0}")]
    Period(u64),
}

/// A parsed one-time password generator; its key is wiped when dropped.
pub struct Totp {
    inner: TOTP,
    issuer: Option<String>,
    account: Option<String>,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Totp")
            .field("algorithm", &self.inner.algorithm)
            .field("digits", &self.inner.digits)
            .field("period", &self.inner.step)
            .finish_non_exhaustive()
    }
}

impl Totp {
    /// The code for the given Unix time in seconds.
    pub fn code_at(&self, unix_seconds: u64) -> Zeroizing<String> {
        Zeroizing::new(self.inner.generate(unix_seconds))
    }

    /// The code now, and how many seconds it stays valid.
    pub fn current(&self) -> (Zeroizing<String>, u64) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        (self.code_at(now), self.seconds_left(now))
    }

    /// Seconds until the code after `unix_seconds` changes (1 ..= period).
    pub fn seconds_left(&self, unix_seconds: u64) -> u64 {
        self.inner.step - unix_seconds % self.inner.step
    }

    pub fn period(&self) -> u64 {
        self.inner.step
    }

    pub fn digits(&self) -> usize {
        self.inner.digits
    }

    pub fn is_steam(&self) -> bool {
        self.inner.algorithm == Algorithm::Steam
    }

    /// "SHA1", "SHA256", "SHA512" or "Steam".
    pub fn algorithm_name(&self) -> &'static str {
        match self.inner.algorithm {
            Algorithm::SHA1 => "SHA1",
            Algorithm::SHA256 => "SHA256",
            Algorithm::SHA512 => "SHA512",
            Algorithm::Steam => "Steam",
        }
    }

    /// The issuer named by an `otpauth://` URI, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The account named by an `otpauth://` URI, if any.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }
}

/// Reads a totp field.
pub fn parse(text: &str) -> Result<Totp, TotpError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(TotpError::Empty);
    }
    let lower_start = Zeroizing::new(text.chars().take(16).collect::<String>().to_lowercase());
    if lower_start.starts_with("otpauth:") {
        parse_uri(text)
    } else if lower_start.starts_with("steam://") {
        let secret = decode_base32(text.get("steam://".len()..).unwrap_or(""))?;
        build(Algorithm::Steam, 5, 30, &secret, None, None)
    } else {
        let secret = decode_base32(text)?;
        build(Algorithm::SHA1, 6, 30, &secret, None, None)
    }
}

/// Base32 as people type it: any case, spaces, dashes and `=` padding.
fn decode_base32(text: &str) -> Result<Zeroizing<Vec<u8>>, TotpError> {
    let mut cleaned = Zeroizing::new(String::with_capacity(text.len()));
    let mut bad = Vec::new();
    for c in text.chars() {
        match c {
            ' ' | '-' | '\t' | '=' => {}
            'a'..='z' | 'A'..='Z' | '2'..='7' => cleaned.push(c.to_ascii_uppercase()),
            other => {
                if !bad.contains(&other) {
                    bad.push(other);
                }
            }
        }
    }
    if !bad.is_empty() {
        let list: Vec<String> = bad.iter().map(|c| format!("\u{201c}{c}\u{201d}")).collect();
        return Err(TotpError::NotBase32(list.join(", ")));
    }
    let decoded = base32()
        .decode(cleaned.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| TotpError::Length)?;
    if decoded.len() < MIN_SECRET_BYTES {
        return Err(TotpError::TooShort(decoded.len() * 8));
    }
    Ok(decoded)
}

/// RFC 4648 base32 without padding, lenient about the unused bits of the
/// last character (authenticator apps are).
fn base32() -> &'static data_encoding::Encoding {
    static BASE32: std::sync::LazyLock<data_encoding::Encoding> = std::sync::LazyLock::new(|| {
        let mut spec = data_encoding::Specification::new();
        spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        spec.check_trailing_bits = false;
        spec.encoding()
            .expect("32 distinct symbols are a valid base32 specification")
    });
    &BASE32
}

fn build(
    algorithm: Algorithm,
    digits: usize,
    period: u64,
    secret: &[u8],
    issuer: Option<String>,
    account: Option<String>,
) -> Result<Totp, TotpError> {
    let steam = algorithm == Algorithm::Steam;
    if !((6..=8).contains(&digits) || steam && digits == 5) {
        return Err(TotpError::Digits(digits));
    }
    if !(1..=300).contains(&period) {
        return Err(TotpError::Period(period));
    }
    let inner = TOTP::new_unchecked(
        algorithm,
        digits,
        1,
        period,
        secret.to_vec(),
        issuer.clone(),
        account.clone().unwrap_or_default(),
    );
    Ok(Totp {
        inner,
        issuer,
        account,
    })
}

/// `otpauth://totp/LABEL?secret=…&issuer=…&algorithm=…&digits=…&period=…`.
fn parse_uri(text: &str) -> Result<Totp, TotpError> {
    let rest = text
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or(TotpError::BadUri("it has no \"otpauth://\" start"))?;
    let (kind, rest) = rest
        .split_once('/')
        .ok_or(TotpError::BadUri("it names no type (totp)"))?;
    let mut algorithm = match kind.to_ascii_lowercase().as_str() {
        "totp" => Algorithm::SHA1,
        "steam" => Algorithm::Steam,
        "hotp" => {
            return Err(TotpError::BadUri(
                "it is a counter-based (HOTP) code, which Qvault does not generate",
            ));
        }
        _ => return Err(TotpError::BadUri("its type is not totp")),
    };
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (mut issuer, account) = split_label(label)?;
    let mut digits = None;
    let mut period = 30;
    let mut secret = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value)?;
        match key.to_ascii_lowercase().as_str() {
            "secret" => secret = Some(decode_base32(&value)?),
            "issuer" if !value.is_empty() => issuer = Some(value.to_string()),
            "algorithm" if algorithm != Algorithm::Steam => {
                algorithm = match value.to_ascii_uppercase().as_str() {
                    "SHA1" => Algorithm::SHA1,
                    "SHA256" => Algorithm::SHA256,
                    "SHA512" => Algorithm::SHA512,
                    _ => {
                        return Err(TotpError::BadUri(
                            "its algorithm is not SHA1, SHA256 or SHA512",
                        ));
                    }
                };
            }
            "digits" => {
                digits = Some(
                    value
                        .parse()
                        .map_err(|_| TotpError::BadUri("its digits are not a number"))?,
                );
            }
            "period" => {
                period = value
                    .parse()
                    .map_err(|_| TotpError::BadUri("its period is not a number"))?;
            }
            "encoder" if value.eq_ignore_ascii_case("steam") => algorithm = Algorithm::Steam,
            _ => {}
        }
    }
    let secret = secret.ok_or(TotpError::BadUri("it has no secret"))?;
    // Steam's own URIs name only the issuer.
    if issuer
        .as_deref()
        .is_some_and(|i| i.eq_ignore_ascii_case("steam"))
    {
        algorithm = Algorithm::Steam;
    }
    let steam = algorithm == Algorithm::Steam;
    let digits = digits.unwrap_or(if steam { 5 } else { 6 });
    build(algorithm, digits, period, &secret, issuer, account)
}

/// The label is `ISSUER:ACCOUNT` or `ACCOUNT`; the colon may be literal or
/// `%3A`. A literal colon wins; each part is decoded on its own, and spaces
/// before the account are dropped.
fn split_label(label: &str) -> Result<(Option<String>, Option<String>), TotpError> {
    let split = label.split_once(':').or_else(|| {
        let at = label.to_ascii_lowercase().find("%3a")?;
        Some((&label[..at], &label[at + 3..]))
    });
    let (issuer, account) = match split {
        Some((issuer, account)) => (Some(percent_decode(issuer)?), percent_decode(account)?),
        None => (None, percent_decode(label)?),
    };
    let account = account.trim_start().to_owned();
    let issuer = issuer
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty());
    Ok((issuer, Some(account).filter(|a| !a.is_empty())))
}

fn percent_decode(text: &str) -> Result<Zeroizing<String>, TotpError> {
    let plus_as_space = Zeroizing::new(text.replace('+', " "));
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map(|s| Zeroizing::new(s.into_owned()))
        .map_err(|_| TotpError::BadUri("it is not valid UTF-8 after decoding"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_carry_the_secret() {
        let err = parse("JBSWY3DPEHPK3PXP!!").expect_err("bad");
        assert!(!err.to_string().contains("JBSWY3DP"), "{err}");
        let err = parse("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=9").expect_err("bad");
        assert!(!err.to_string().contains("JBSWY3DP"), "{err}");
    }

    #[test]
    fn hotp_and_other_schemes_are_refused_plainly() {
        assert!(matches!(
            parse("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1"),
            Err(TotpError::BadUri(_))
        ));
        assert!(matches!(parse("otpauth:totp"), Err(TotpError::BadUri(_))));
        assert!(matches!(parse("otpauth://"), Err(TotpError::BadUri(_))));
    }

    #[test]
    fn the_countdown_runs_from_the_period_to_one() {
        let totp = parse("JBSWY3DPEHPK3PXP").expect("valid");
        assert_eq!(totp.seconds_left(0), 30);
        assert_eq!(totp.seconds_left(29), 1);
        assert_eq!(totp.seconds_left(30), 30);
    }
}
