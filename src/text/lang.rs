//! Language detection for the two languages koe reads.
//!
//! Japanese and English never share a script, so counting scripts is exact where a
//! statistical detector would only be probable. Mixed text ("iPhoneのアプリが落ちる")
//! goes to the dominant language, weighing a kana or kanji as three Latin letters (about
//! the information each carries). Entities (URLs, @mentions) are not counted.

use crate::lang::Lang;
use crate::text::normalize::Entity;

/// Detects ja or en; text with neither script (digits, emoji only) is English.
pub fn detect(text: &str, entities: &[Entity]) -> Lang {
    let mut japanese = 0usize;
    let mut latin = 0usize;
    let mut entity = entities.iter().peekable();
    for (offset, c) in text.char_indices() {
        while entity.peek().is_some_and(|e| e.span.end <= offset) {
            entity.next();
        }
        if entity.peek().is_some_and(|e| e.span.contains(&offset)) {
            continue;
        }
        if is_japanese(c) {
            japanese += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    if japanese > 0 && japanese * 3 >= latin {
        Lang::Ja
    } else {
        Lang::En
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::find_entities;

    fn lang(text: &str) -> Lang {
        detect(text, &find_entities(text))
    }

    #[test]
    fn detects_each_language() {
        assert_eq!(lang("配送が遅すぎる。"), Lang::Ja);
        assert_eq!(lang("Delivery took three weeks."), Lang::En);
    }

    #[test]
    fn mixed_text_goes_to_the_dominant_language() {
        assert_eq!(lang("iPhoneのアプリがすぐ落ちる"), Lang::Ja);
        assert_eq!(lang("The app is great, 最高"), Lang::En);
    }

    #[test]
    fn entities_do_not_count() {
        assert_eq!(
            lang("遅い https://example.com/very/long/english/path/here"),
            Lang::Ja
        );
    }

    #[test]
    fn no_letters_is_english() {
        assert_eq!(lang("👍 100"), Lang::En);
    }
}
