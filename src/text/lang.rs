//! Language detection: the language of a whole document, for sentiment and topics.
//!
//! Japanese and English never share a script, so counting scripts is exact where a
//! statistical detector would only be probable. Mixed text ("iPhoneのアプリが落ちる")
//! goes to the dominant script, weighing a kana or kanji as three letters (about the
//! information each carries). Text mostly in another script (Greek, Arabic, Hangul, …) is
//! `und`, not English; text without letters (digits, emoji) is English, whose sentiment
//! lexicon reads emoji. Entities (URLs, @mentions) are not counted. Tokenization does not
//! depend on this: each script run has its own segmenter ([`super::script`]).

use crate::lang::Lang;
use crate::text::normalize::Entity;
use crate::text::script::{Script, script_of};

/// Detects ja, en or und.
pub fn detect(text: &str, entities: &[Entity]) -> Lang {
    let [mut japanese, mut latin, mut other] = [0usize; 3];
    let mut entity = entities.iter().peekable();
    for (offset, c) in text.char_indices() {
        while entity.peek().is_some_and(|e| e.span.end <= offset) {
            entity.next();
        }
        if entity.peek().is_some_and(|e| e.span.contains(&offset)) {
            continue;
        }
        match script_of(c) {
            Some(Script::Japanese) => japanese += 3,
            Some(Script::Latin) => latin += 1,
            Some(Script::Other) => other += 1,
            None => {}
        }
    }
    if japanese > 0 && japanese >= latin && japanese >= other {
        Lang::Ja
    } else if other > latin {
        Lang::Und
    } else {
        Lang::En
    }
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
        assert_eq!(lang("Η εφαρμογή της Apple κολλάει"), Lang::Und);
    }

    #[test]
    fn other_scripts_are_not_english() {
        assert_eq!(lang("Η παράδοση άργησε πολύ."), Lang::Und);
        assert_eq!(lang("التوصيل كان بطيئا جدا"), Lang::Und);
        assert_eq!(lang("배송이 너무 늦어요"), Lang::Und);
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
