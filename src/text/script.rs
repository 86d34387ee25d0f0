//! Script runs: a stretch of text split into runs of one writing system, each run sent to
//! the segmenter made for it — the way charabia (Meilisearch's tokenizer) segments text.
//!
//! Kana and kanji go to lindera ([`super::japanese`]), Latin letters to the English
//! analyser ([`super::english`]), any other script (Greek, Cyrillic, Arabic, Hangul, …) to
//! Unicode word segmentation ([`super::words`]). Characters every script shares — digits,
//! spaces, punctuation, symbols — stay in the run they follow (or, at the start, join the
//! first run), so 「配送に3日」 stays one Japanese run and "Bluetooth 5.0" one Latin run.
//! So an English review that names 「抹茶ラテ」 gets 抹茶 and ラテ as terms, and a Japanese
//! review that names "Bluetooth" gets the English term bluetooth, whatever the document's
//! language (which stays a property of the whole record, for sentiment and topics).

use std::ops::Range;

use super::english::EnglishTokenizer;
use super::japanese::JapaneseTokenizer;
use super::words::WordTokenizer;
use super::{Error, LanguageTokenizer, Token};

/// A writing system koe segments in its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Kana and kanji (CJK ideographs).
    Japanese,
    Latin,
    /// Letters of any other script.
    Other,
}

/// The script of a character; `None` for the characters all scripts share (digits,
/// whitespace, punctuation, symbols, emoji).
pub fn script_of(c: char) -> Option<Script> {
    if c.is_ascii_alphabetic() {
        Some(Script::Latin)
    } else if c.is_ascii() {
        None
    } else if is_japanese(c) {
        Some(Script::Japanese)
    } else if is_cjk_punctuation(c) || !c.is_alphabetic() {
        None
    } else if is_latin(c) {
        Some(Script::Latin)
    } else {
        Some(Script::Other)
    }
}

/// Kana, kanji and the two ideographic marks 々 〆.
pub fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{309F}' // hiragana
        | '\u{30A0}'..='\u{30FF}' // katakana
        | '\u{31F0}'..='\u{31FF}' // katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{3005}' | '\u{3006}') // 々 〆
}

/// The ideographic space, 、 。 and the CJK brackets and quotes: the punctuation of
/// Japanese text, known not to be letters without a lookup in the Unicode tables.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}')
}

/// Latin letters beyond ASCII: accented letters (é, ß, ł, ơ) and ligatures.
fn is_latin(c: char) -> bool {
    matches!(c,
        '\u{00AA}' | '\u{00BA}'
        | '\u{00C0}'..='\u{024F}' // Latin-1 supplement and extended A, B
        | '\u{1E00}'..='\u{1EFF}' // Latin extended additional (Vietnamese)
        | '\u{2C60}'..='\u{2C7F}'
        | '\u{A720}'..='\u{A7FF}'
        | '\u{AB30}'..='\u{AB6F}'
        | '\u{FB00}'..='\u{FB06}') // ﬀ ﬁ ﬂ
}

/// The runs of one script in `text`, as byte ranges, in order and covering it all. A
/// text without letters is one run of [`Script::Other`].
pub fn runs(text: &str) -> impl Iterator<Item = (Range<usize>, Script)> + '_ {
    let mut chars = text.char_indices();
    let mut current: Option<Script> = None;
    let mut start = 0;
    std::iter::from_fn(move || {
        for (offset, c) in chars.by_ref() {
            let Some(script) = script_of(c) else {
                continue;
            };
            match current.replace(script) {
                Some(s) if s != script => {
                    let run = start..offset;
                    start = offset;
                    return Some((run, s));
                }
                _ => {}
            }
        }
        let run = start..text.len();
        start = text.len();
        (!run.is_empty()).then(|| (run, current.unwrap_or(Script::Other)))
    })
}

/// Tokenizes each script run with its own segmenter.
#[derive(Clone)]
pub struct ScriptTokenizer {
    japanese: JapaneseTokenizer,
    english: EnglishTokenizer,
    words: WordTokenizer,
}

impl ScriptTokenizer {
    pub fn new(japanese: JapaneseTokenizer) -> Self {
        ScriptTokenizer {
            japanese,
            english: EnglishTokenizer::new(),
            words: WordTokenizer,
        }
    }

    pub fn japanese(&self) -> &JapaneseTokenizer {
        &self.japanese
    }

    pub fn english(&self) -> &EnglishTokenizer {
        &self.english
    }

    fn segmenter(&self, script: Script) -> &dyn LanguageTokenizer {
        match script {
            Script::Japanese => &self.japanese,
            Script::Latin => &self.english,
            Script::Other => &self.words,
        }
    }
}

impl LanguageTokenizer for ScriptTokenizer {
    fn tokenize_into(&self, text: &str, offset: usize, out: &mut Vec<Token>) -> Result<(), Error> {
        for (run, script) in runs(text) {
            self.segmenter(script)
                .tokenize_into(&text[run.clone()], offset + run.start, out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(text: &str) -> Vec<(&str, Script)> {
        runs(text).map(|(r, s)| (&text[r], s)).collect()
    }

    #[test]
    fn splits_where_the_script_changes() {
        assert_eq!(
            view("The 抹茶ラテ was too sweet"),
            vec![
                ("The ", Script::Latin),
                ("抹茶ラテ ", Script::Japanese),
                ("was too sweet", Script::Latin)
            ]
        );
        assert_eq!(
            view("Bluetoothが3日で切れる"),
            vec![
                ("Bluetooth", Script::Latin),
                ("が3日で切れる", Script::Japanese)
            ]
        );
    }

    #[test]
    fn shared_characters_stay_in_their_run() {
        assert_eq!(
            view("「配送に3日」、Model X-200."),
            vec![
                ("「配送に3日」、", Script::Japanese),
                ("Model X-200.", Script::Latin)
            ]
        );
        assert_eq!(view("42 👍"), vec![("42 👍", Script::Other)]);
    }

    #[test]
    fn cjk_punctuation_is_no_letter() {
        let punctuation = ['\u{3000}'..='\u{3004}', '\u{3008}'..='\u{3020}'];
        for c in punctuation.into_iter().flatten() {
            assert!(is_cjk_punctuation(c) && !c.is_alphabetic(), "{c}");
        }
    }

    #[test]
    fn other_scripts_are_runs_of_their_own() {
        assert_eq!(
            view("Καλή εξυπηρέτηση, café ok"),
            vec![
                ("Καλή εξυπηρέτηση, ", Script::Other),
                ("café ok", Script::Latin)
            ]
        );
    }
}
