//! Japanese → English glosses from EDICT, the flat form of JMdict (the Electronic
//! Dictionary Research and Development Group, CC BY-SA 3.0; Debian's `edict` package,
//! EUC-JP, at [`DEBIAN_PATH`]).
//!
//! Themes use it to give a Japanese record the English words of its Japanese words
//! (「配送」 → "delivery", 「遅延」 → "delay"), so that its TF-IDF row shares columns with
//! English records about the same thing (see `topics::bridge`). [`JaEnDictionary::open`]
//! only reads the file's bytes; [`JaEnDictionary::glosses`] decodes and parses it when a
//! corpus has both languages, keeping only the headwords asked for.
//!
//! A gloss counts when it is one English content word once its notes are gone
//! ("(adj-i) (1) slow" → "slow", "to be delivered" → "deliv"): longer glosses
//! ("having missed the boat") are phrases, whose words alone mislead. A headword with a
//! common entry (marked `(P)`) takes the glosses of its common entries only, so 「高い」
//! does not collect the rare senses of its homographs.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::text::LanguageTokenizer;
use crate::text::english::EnglishTokenizer;

/// Where Debian's `edict` package puts the dictionary (scripts/setup.sh installs it).
pub const DEBIAN_PATH: &str = "/usr/share/edict/edict";

#[derive(Debug, thiserror::Error)]
#[error("cannot read the Japanese–English dictionary {path}")]
pub struct Error {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The dictionary file, read but not yet parsed.
pub struct JaEnDictionary {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for JaEnDictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JaEnDictionary")
            .field("path", &self.path)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// The English lemmas (koe's: lower-cased Snowball stems) of one headword's entries.
#[derive(Default)]
struct Senses {
    common: Vec<String>,
    other: Vec<String>,
}

impl JaEnDictionary {
    /// Reads an EDICT file (EUC-JP).
    pub fn open(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::from_bytes(path.to_path_buf(), bytes))
    }

    /// A dictionary from EDICT lines in EUC-JP (or plain ASCII/UTF-8 for tests: the
    /// decoder is only used on bytes that need it).
    pub fn from_bytes(path: PathBuf, bytes: Vec<u8>) -> Self {
        JaEnDictionary { path, bytes }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The English lemmas of each of the `wanted` headwords the dictionary has, without
    /// repeats, in dictionary order.
    pub fn glosses(&self, wanted: &HashSet<&str>) -> HashMap<String, Vec<String>> {
        let text = match std::str::from_utf8(&self.bytes) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => {
                encoding_rs::EUC_JP
                    .decode_without_bom_handling(&self.bytes)
                    .0
            }
        };
        let english = EnglishTokenizer::new();
        let mut senses: HashMap<&str, Senses> = HashMap::new();
        let mut tokens = Vec::new();
        for line in text.lines() {
            let Some((head, body)) = line.split_once(" /") else {
                continue;
            };
            let keys: Vec<&str> = headwords(head).filter(|k| wanted.contains(k)).collect();
            if keys.is_empty() {
                continue;
            }
            let common = body.split('/').any(|g| g == "(P)");
            let mut lemmas = Vec::new();
            for gloss in body.split('/') {
                tokens.clear();
                let plain = without_notes(gloss);
                // The English tokenizer cannot fail.
                let _ = english.tokenize_into(&plain, 0, &mut tokens);
                let mut content = tokens.iter().filter(|t| !t.stop);
                if let (Some(word), None) = (content.next(), content.next())
                    && word.lemma.chars().filter(|c| c.is_alphabetic()).count() >= 2
                    && !lemmas.iter().any(|l| *l == word.lemma)
                {
                    lemmas.push(word.lemma.to_string());
                }
            }
            for key in keys {
                let entry = senses.entry(key).or_default();
                let list = if common {
                    &mut entry.common
                } else {
                    &mut entry.other
                };
                for lemma in &lemmas {
                    if !list.contains(lemma) {
                        list.push(lemma.clone());
                    }
                }
            }
        }
        senses
            .into_iter()
            .map(|(key, s)| {
                let lemmas = if s.common.is_empty() {
                    s.other
                } else {
                    s.common
                };
                (key.to_string(), lemmas)
            })
            .filter(|(_, lemmas)| !lemmas.is_empty())
            .collect()
    }
}

/// The headwords of an entry: its written forms (`配送;配達(P)`), or its readings
/// (`[はいそう]`) where it has no written form other than them. Readings of a kanji
/// word are not keys: one reading is shared by many words (こうか: 効果, 高価, 硬貨).
fn headwords(head: &str) -> impl Iterator<Item = &str> {
    let written = head.split_once(" [").map_or(head, |(w, _)| w);
    written
        .split(';')
        .map(|w| w.split_once('(').map_or(w, |(w, _)| w).trim())
        .filter(|w| !w.is_empty())
}

/// A gloss without its notes: parenthesised tags and senses (`(n,vs)`, `(1)`, `(of
/// sound)`), braces (`{comp}`), and the infinitive's "to".
fn without_notes(gloss: &str) -> String {
    let mut plain = String::with_capacity(gloss.len());
    let mut depth = 0usize;
    for c in gloss.chars() {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = plain.trim();
    plain.strip_prefix("to ").unwrap_or(plain).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &str = "\
配送 [はいそう] /(n,vs) delivery/(P)/
遅い [おそい] /(adj-i) (1) slow/time-consuming/(adj-i) (2) late (in the day)/having missed the boat/(P)/
遅い [おそい] /(adj-i) (arch) dull/
アプリ /(n) (comp) (abbr) app/application/(P)/
届く [とどく] /(v5k,vi) (1) to reach/(v5k,vi) (2) to be delivered/to arrive/(P)/
高価 [こうか] /(adj-na,n) expensive/(P)/
";

    fn glosses(words: &[&str]) -> HashMap<String, Vec<String>> {
        let dictionary = JaEnDictionary::from_bytes(PathBuf::from("test"), LINES.into());
        dictionary.glosses(&words.iter().copied().collect())
    }

    #[test]
    fn one_word_glosses_become_english_lemmas() {
        let found = glosses(&["配送", "遅い", "アプリ", "届く", "こうか"]);
        assert_eq!(found["配送"], vec!["deliveri"]);
        // Phrases and the rare sense of an uncommon entry are left out.
        assert_eq!(found["遅い"], vec!["slow", "late"]);
        assert_eq!(found["アプリ"], vec!["app", "applic"]);
        assert_eq!(found["届く"], vec!["reach", "deliv", "arriv"]);
        assert!(!found.contains_key("こうか"), "a reading is not a headword");
    }

    #[test]
    fn reads_the_debian_file_in_euc_jp() {
        let (bytes, _, _) = encoding_rs::EUC_JP.encode(LINES);
        let dictionary = JaEnDictionary::from_bytes(PathBuf::from("euc"), bytes.into_owned());
        let found = dictionary.glosses(&["配送"].into_iter().collect());
        assert_eq!(found["配送"], vec!["deliveri"]);
    }
}
