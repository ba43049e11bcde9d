//! Password and passphrase generation from the operating system's random
//! source, with the entropy of the result in bits.

use rand::rngs::OsRng;
use rand::seq::IndexedRandom;
use rand::{Rng, TryRngCore};
use zeroize::Zeroizing;

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";
const SYMBOLS: &str = "!#$%&()*+,-./:;<=>?@[]^_{|}~";
/// Characters easily confused with one another when read or typed.
const LOOK_ALIKES: &str = "Il1O0o|`'\"";

/// The EFF long word list, 7,776 words (`assets/eff_large_wordlist.txt`).
const EFF_LONG: &str = include_str!("../../assets/eff_large_wordlist.txt");

/// What kind of password to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeneratorSpec {
    Characters {
        length: usize,
        lower: bool,
        upper: bool,
        digits: bool,
        symbols: bool,
        avoid_look_alikes: bool,
    },
    Passphrase {
        words: usize,
        separator: String,
    },
}

impl Default for GeneratorSpec {
    fn default() -> Self {
        Self::Characters {
            length: 20,
            lower: true,
            upper: true,
            digits: true,
            symbols: true,
            avoid_look_alikes: true,
        }
    }
}

/// A generated password and its entropy.
#[derive(Debug)]
pub struct Generated {
    pub password: Zeroizing<String>,
    pub entropy_bits: f64,
}

/// The EFF long list, one word per entry.
pub fn eff_words() -> Vec<&'static str> {
    EFF_LONG
        .lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect()
}

/// Entropy of `count` independent uniform draws from `choices` options.
fn bits(count: usize, choices: usize) -> f64 {
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    let choices = u32::try_from(choices).unwrap_or(u32::MAX);
    f64::from(count) * f64::from(choices).log2()
}

impl GeneratorSpec {
    fn alphabet(&self) -> Vec<char> {
        let Self::Characters {
            lower,
            upper,
            digits,
            symbols,
            avoid_look_alikes,
            ..
        } = self
        else {
            return Vec::new();
        };
        let sets = [
            (*lower, LOWER),
            (*upper, UPPER),
            (*digits, DIGITS),
            (*symbols, SYMBOLS),
        ];
        sets.iter()
            .filter(|(on, _)| *on)
            .flat_map(|(_, set)| set.chars())
            .filter(|c| !*avoid_look_alikes || !LOOK_ALIKES.contains(*c))
            .collect()
    }

    /// Entropy in bits of a password drawn with this spec.
    pub fn entropy_bits(&self) -> f64 {
        match self {
            Self::Characters { length, .. } => {
                let n = self.alphabet().len();
                if n == 0 { 0.0 } else { bits(*length, n) }
            }
            Self::Passphrase { words, .. } => bits(*words, eff_words().len()),
        }
    }

    /// Draws a password. Returns `None` when no character set is selected or
    /// the length is zero.
    pub fn generate(&self) -> Option<Generated> {
        let mut rng = OsRng.unwrap_err();
        let password = match self {
            Self::Characters { length, .. } => {
                let alphabet = self.alphabet();
                if alphabet.is_empty() || *length == 0 {
                    return None;
                }
                let mut out = Zeroizing::new(String::with_capacity(*length * 4));
                for _ in 0..*length {
                    out.push(alphabet[rng.random_range(0..alphabet.len())]);
                }
                out
            }
            Self::Passphrase { words, separator } => {
                if *words == 0 {
                    return None;
                }
                let list = eff_words();
                let mut out = Zeroizing::new(String::with_capacity(*words * 12));
                for i in 0..*words {
                    if i > 0 {
                        out.push_str(separator);
                    }
                    out.push_str(list.choose(&mut rng)?);
                }
                out
            }
        };
        Some(Generated {
            password,
            entropy_bits: self.entropy_bits(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eff_list_has_7776_distinct_words() {
        let words = eff_words();
        assert_eq!(words.len(), 7776);
        let mut sorted = words.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 7776);
    }

    #[test]
    fn passwords_without_look_alikes_have_none() {
        let spec = GeneratorSpec::Characters {
            length: 200,
            lower: true,
            upper: true,
            digits: true,
            symbols: true,
            avoid_look_alikes: true,
        };
        let g = spec.generate().expect("a password");
        assert_eq!(g.password.chars().count(), 200);
        assert!(!g.password.chars().any(|c| LOOK_ALIKES.contains(c)));
    }

    #[test]
    fn digits_only_gives_digits_and_the_right_entropy() {
        let spec = GeneratorSpec::Characters {
            length: 10,
            lower: false,
            upper: false,
            digits: true,
            symbols: false,
            avoid_look_alikes: false,
        };
        let g = spec.generate().expect("a password");
        assert!(g.password.chars().all(|c| c.is_ascii_digit()));
        assert!((g.entropy_bits - 10.0 * 10f64.log2()).abs() < 1e-9);
    }

    #[test]
    fn passphrases_use_eff_words_at_12_9_bits_each() {
        let spec = GeneratorSpec::Passphrase {
            words: 6,
            separator: " ".into(),
        };
        let g = spec.generate().expect("a passphrase");
        let words = eff_words();
        let parts: Vec<&str> = g.password.split(' ').collect();
        assert_eq!(parts.len(), 6);
        assert!(parts.iter().all(|p| words.contains(p)));
        assert!((g.entropy_bits - 77.55).abs() < 0.01);
    }

    #[test]
    fn no_character_set_gives_nothing() {
        let spec = GeneratorSpec::Characters {
            length: 10,
            lower: false,
            upper: false,
            digits: false,
            symbols: false,
            avoid_look_alikes: false,
        };
        assert!(spec.generate().is_none());
    }
}
