//! BIP39 seed phrases: generating them, and checking a typed phrase so that
//! the exact problem can be shown while the user types.
//!
//! [`check`] accepts any BIP39 length (12, 15, 18, 21 or 24 words) in any of
//! the BIP39 word lists, in any letter case, after NFKD normalisation as the
//! standard requires. Problems are reported in this order: an empty phrase,
//! the first word that is not in the word list (with the nearest valid
//! words), a wrong word count, and last a bad checksum. So a half-typed
//! phrase already shows a misspelt word before it is complete.
//!
//! No problem carries a word of the phrase: an unknown word is named by its
//! position only.

use std::fmt;

pub use bip39::Language;
use bip39::Mnemonic;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use super::WalletError;

/// The word counts BIP39 allows.
pub const VALID_WORD_COUNTS: [usize; 5] = [12, 15, 18, 21, 24];

/// How many nearest words a problem offers at most.
const MAX_SUGGESTIONS: usize = 5;

/// The largest edit distance at which a word still counts as near.
const MAX_SUGGESTION_DISTANCE: usize = 2;

/// BIP39 words are unique in their first four letters (in English).
const UNIQUE_PREFIX_CHARS: usize = 4;

/// The length of a new seed phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WordCount {
    /// 12 words, 128 bits of entropy.
    Twelve,
    /// 24 words, 256 bits of entropy.
    TwentyFour,
}

impl WordCount {
    pub fn words(self) -> usize {
        match self {
            WordCount::Twelve => 12,
            WordCount::TwentyFour => 24,
        }
    }

    fn entropy_bytes(self) -> usize {
        match self {
            WordCount::Twelve => 16,
            WordCount::TwentyFour => 32,
        }
    }
}

/// A valid BIP39 seed phrase, wiped from memory when dropped. It has no
/// `Display`; [`SeedPhrase::to_phrase`] gives the words in a zeroizing
/// string when they must be shown or stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SeedPhrase(Mnemonic);

impl SeedPhrase {
    /// The phrase that encodes `entropy` (16, 20, 24, 28 or 32 bytes) in the
    /// English word list; `None` for any other length.
    pub fn from_entropy(entropy: &[u8]) -> Option<Self> {
        Self::from_entropy_in(Language::English, entropy)
    }

    /// Like [`SeedPhrase::from_entropy`], in another word list.
    pub fn from_entropy_in(language: Language, entropy: &[u8]) -> Option<Self> {
        Mnemonic::from_entropy_in(language, entropy).ok().map(Self)
    }

    /// The words, in order.
    pub fn words(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.words()
    }

    pub fn word_count(&self) -> usize {
        self.0.word_count()
    }

    pub fn language(&self) -> Language {
        self.0.language()
    }

    /// The words joined by single spaces, as stored in the vault.
    pub fn to_phrase(&self) -> Zeroizing<String> {
        let mut phrase = Zeroizing::new(String::with_capacity(self.word_count() * 12));
        for (i, word) in self.words().enumerate() {
            if i > 0 {
                phrase.push(' ');
            }
            phrase.push_str(word);
        }
        phrase
    }

    pub(crate) fn mnemonic(&self) -> &Mnemonic {
        &self.0
    }
}

impl fmt::Debug for SeedPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SeedPhrase(<redacted>, {} words)", self.word_count())
    }
}

/// What is wrong with a typed seed phrase. The `Display` text is a plain
/// sentence for the user and never repeats a word of the phrase.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MnemonicProblem {
    #[error("the seed phrase is empty")]
    Empty,
    #[error("word {position} is not in the BIP39 word list{}", did_you_mean(.suggestions))]
    UnknownWord {
        /// 1-based position of the first unknown word.
        position: usize,
        /// The nearest valid words, best first; may be empty.
        suggestions: Vec<&'static str>,
    },
    #[error(
        "the seed phrase has {count} {}; it needs 12, 15, 18, 21 or 24",
        word_or_words(*.count)
    )]
    WrongWordCount { count: usize },
    #[error(
        "the words do not fit together (bad checksum); check each word and their order, \
         the last word carries the checksum"
    )]
    BadChecksum,
}

fn word_or_words(count: usize) -> &'static str {
    if count == 1 { "word" } else { "words" }
}

fn did_you_mean(suggestions: &[&str]) -> String {
    match suggestions {
        [] => String::new(),
        [only] => format!("; did you mean \"{only}\"?"),
        [first @ .., last] => {
            let quoted: Vec<String> = first.iter().map(|w| format!("\"{w}\"")).collect();
            format!("; did you mean {} or \"{last}\"?", quoted.join(", "))
        }
    }
}

/// A new seed phrase from the operating system's random source.
pub fn generate(count: WordCount) -> Result<SeedPhrase, WalletError> {
    let mut entropy = Zeroizing::new([0u8; 32]);
    let entropy = &mut entropy[..count.entropy_bytes()];
    crate::crypto::fill_random(entropy).map_err(|_| WalletError::Random)?;
    let mnemonic =
        Mnemonic::from_entropy(entropy).expect("16 and 32 bytes are valid BIP39 entropy lengths");
    Ok(SeedPhrase(mnemonic))
}

/// Checks a typed seed phrase in whichever BIP39 word list holds most of
/// its words (English on a tie), and gives the phrase or the first problem.
pub fn check(phrase: &str) -> Result<SeedPhrase, MnemonicProblem> {
    let normalized = normalize(phrase);
    let words: Vec<&str> = normalized.split_whitespace().collect();
    if words.is_empty() {
        return Err(MnemonicProblem::Empty);
    }

    // Some lists share words (the two Chinese lists share most), so every
    // equally likely list gets a try before the first problem is reported.
    let mut first_problem = None;
    for language in likely_languages(&words) {
        match check_words(language, &normalized, &words) {
            Ok(phrase) => return Ok(phrase),
            Err(problem) => {
                first_problem.get_or_insert(problem);
            }
        }
    }
    Err(first_problem.unwrap_or(MnemonicProblem::Empty))
}

/// Checks a typed seed phrase against one word list.
pub fn check_in(language: Language, phrase: &str) -> Result<SeedPhrase, MnemonicProblem> {
    let normalized = normalize(phrase);
    let words: Vec<&str> = normalized.split_whitespace().collect();
    if words.is_empty() {
        return Err(MnemonicProblem::Empty);
    }
    check_words(language, &normalized, &words)
}

fn check_words(
    language: Language,
    normalized: &str,
    words: &[&str],
) -> Result<SeedPhrase, MnemonicProblem> {
    if let Some(index) = words.iter().position(|w| language.find_word(w).is_none()) {
        return Err(MnemonicProblem::UnknownWord {
            position: index + 1,
            suggestions: suggestions_in(language, words[index]),
        });
    }
    if !VALID_WORD_COUNTS.contains(&words.len()) {
        return Err(MnemonicProblem::WrongWordCount { count: words.len() });
    }
    Mnemonic::parse_in_normalized(language, normalized)
        .map(SeedPhrase)
        .map_err(|err| match err {
            bip39::Error::BadWordCount(count) => MnemonicProblem::WrongWordCount { count },
            bip39::Error::UnknownWord(index) => MnemonicProblem::UnknownWord {
                position: index + 1,
                suggestions: Vec::new(),
            },
            _ => MnemonicProblem::BadChecksum,
        })
}

/// The word lists holding the most of `words`, English first on a tie.
fn likely_languages(words: &[&str]) -> Vec<Language> {
    let known = |language: Language| {
        words
            .iter()
            .filter(|w| language.find_word(w).is_some())
            .count()
    };
    let counts: Vec<(Language, usize)> = Language::ALL
        .iter()
        .map(|&language| (language, known(language)))
        .collect();
    let best = counts.iter().map(|(_, count)| *count).max().unwrap_or(0);
    if best == 0 {
        return vec![Language::English];
    }
    counts
        .into_iter()
        .filter(|(_, count)| *count == best)
        .map(|(language, _)| language)
        .collect()
}

/// NFKD and lower case, in a string that is wiped when dropped.
fn normalize(text: &str) -> Zeroizing<String> {
    // Room for the longest decomposition, so the string never reallocates
    // and leaves an unwiped copy behind.
    let mut out = Zeroizing::new(String::with_capacity(text.len() * 3 + 16));
    out.extend(text.nfkd().flat_map(char::to_lowercase));
    out
}

/// The 2048 English BIP39 words, in index order.
pub fn word_list() -> &'static [&'static str; 2048] {
    Language::English.word_list()
}

/// Whether `word` is an English BIP39 word (any case).
pub fn is_word(word: &str) -> bool {
    let normalized = normalize(word.trim());
    Language::English.find_word(&normalized).is_some()
}

/// The English words that start with `prefix`, for completing a word as it
/// is typed; empty for an empty prefix.
pub fn completions(prefix: &str) -> &'static [&'static str] {
    let normalized = normalize(prefix.trim());
    if normalized.is_empty() {
        return &[];
    }
    // The list is sorted, so the words sharing a start are neighbours.
    let list = word_list();
    let first = list.partition_point(|word| *word < normalized.as_str());
    let count = list[first..]
        .iter()
        .take_while(|word| word.starts_with(normalized.as_str()))
        .count();
    &list[first..first + count]
}

/// The English words nearest to a mistyped `word`, best first.
pub fn suggestions(word: &str) -> Vec<&'static str> {
    suggestions_in(Language::English, &normalize(word.trim()))
}

/// Nearest words in one list: first those that share the first four
/// letters (which identify a BIP39 word) or that complete a typed start,
/// then those within a small Damerau-Levenshtein distance.
fn suggestions_in(language: Language, word: &str) -> Vec<&'static str> {
    let head: String = word.chars().take(UNIQUE_PREFIX_CHARS).collect();
    let typed_chars = word.chars().count();
    let mut ranked: Vec<(usize, usize, &'static str)> = language
        .word_list()
        .iter()
        .enumerate()
        .filter_map(|(index, &candidate)| {
            let same_head = typed_chars >= 3 && candidate.starts_with(&head);
            let distance = strsim::damerau_levenshtein(word, candidate);
            let rank = if same_head { 0 } else { distance };
            (rank <= MAX_SUGGESTION_DISTANCE).then_some((rank, index, candidate))
        })
        .collect();
    ranked.sort_unstable();
    // Near words hide the farther ones: "abuot" offers "about", not "adult".
    let best = ranked.first().map_or(0, |(rank, _, _)| *rank);
    let cutoff = if best <= 1 {
        1
    } else {
        MAX_SUGGESTION_DISTANCE
    };
    ranked
        .into_iter()
        .take_while(|(rank, _, _)| *rank <= cutoff)
        .take(MAX_SUGGESTIONS)
        .map(|(_, _, w)| w)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABANDON_ABOUT: &str = "abandon abandon abandon abandon abandon abandon \
                                 abandon abandon abandon abandon abandon about";

    #[test]
    fn a_valid_phrase_passes_in_any_case_and_spacing() {
        let phrase = check(&format!("  {}\n", ABANDON_ABOUT.to_uppercase())).expect("valid");
        assert_eq!(phrase.word_count(), 12);
        assert_eq!(phrase.to_phrase().as_str(), ABANDON_ABOUT);
    }

    #[test]
    fn a_misspelt_word_is_named_by_position_with_the_nearest_words() {
        let typo = ABANDON_ABOUT.replacen("abandon", "abandn", 1);
        let problem = check(&typo).expect_err("typo");
        assert_eq!(
            problem,
            MnemonicProblem::UnknownWord {
                position: 1,
                suggestions: vec!["abandon"],
            }
        );
        assert_eq!(
            problem.to_string(),
            "word 1 is not in the BIP39 word list; did you mean \"abandon\"?"
        );
    }

    #[test]
    fn a_swapped_letter_is_near_its_word() {
        assert_eq!(suggestions("abuot").first(), Some(&"about"));
        assert!(suggestions("qqqqqqqq").is_empty());
    }

    #[test]
    fn the_message_for_an_unknown_word_does_not_repeat_it() {
        let problem = check("zebraish abandon").expect_err("unknown");
        assert!(!problem.to_string().contains("zebraish"));
    }

    #[test]
    fn completions_follow_the_typed_start() {
        assert_eq!(completions("abo"), ["about", "above"]);
        assert!(completions("").is_empty());
        assert!(is_word("Zoo"));
        assert!(!is_word("zo"));
    }

    #[test]
    fn a_generated_phrase_has_the_asked_length_and_checks() {
        for count in [WordCount::Twelve, WordCount::TwentyFour] {
            let phrase = generate(count).expect("random");
            assert_eq!(phrase.word_count(), count.words());
            assert_eq!(check(&phrase.to_phrase()).expect("valid"), phrase);
        }
    }

    #[test]
    fn debug_hides_the_words() {
        let phrase = check(ABANDON_ABOUT).expect("valid");
        assert_eq!(format!("{phrase:?}"), "SeedPhrase(<redacted>, 12 words)");
    }
}
