//! Normalisation and social entities.
//!
//! NFKC folds the width variants Japanese input is full of (ｱﾌﾟﾘ → アプリ, ＡＢＣ１２３ →
//! ABC123, ！ → !) so that one word has one spelling for every later stage, and emoji
//! variation selectors go (❤️ and ❤ are one emoji to every stage, and to VADER). Then
//! [`find_entities`] marks URLs, @mentions, #hashtags and emoji: they are kept (a search
//! for `#配送遅延` must work) but they are not words, so tokenizers skip them.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};
use unicode_properties::UnicodeEmoji;
use unicode_segmentation::UnicodeSegmentation;

use super::script::is_japanese;

/// NFKC normalisation without variation selectors; borrows when the text is already
/// normal (the common case for English, and for text koe stored itself).
///
/// Only the stretches that need it go through NFKC: a stretch starts at the stable
/// character before the first one that is not stable and ends before the next stable
/// one. Normalisation never reaches across a stable character (see [`is_stable`]), so
/// the result is the same as normalising the whole text, and the rest is copied as is.
pub fn normalize(text: &str) -> Cow<'_, str> {
    // ASCII is NFKC already and holds no selector: one quick pass, no table lookups.
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0; // text[..copied] is in `out`
    let mut last_stable = 0;
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        if is_stable(c) {
            last_stable = at;
            continue;
        }
        let end = chars
            .by_ref()
            .find(|&(_, c)| is_stable(c))
            .map_or(text.len(), |(next, _)| next);
        if out.is_empty() {
            out.reserve(text.len());
        }
        out.push_str(&text[copied..last_stable]);
        out.extend(
            text[last_stable..end]
                .nfkc()
                .filter(|&c| !is_variation_selector(c)),
        );
        (copied, last_stable) = (end, end);
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// A character NFKC leaves as it is and never combines or reorders with what precedes
/// it (combining class 0, quick check Yes; UAX #15's boundary before a character), and
/// that is not a variation selector. Kana and the common kanji are, without a lookup.
fn is_stable(c: char) -> bool {
    c.is_ascii()
        || matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{4E00}'..='\u{9FFF}')
        || (!is_variation_selector(c)
            && canonical_combining_class(c) == 0
            && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes)
}

/// U+FE0E / U+FE0F ask for text or emoji presentation; they carry no meaning to analyse.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE0E}' | '\u{FE0F}')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    Url,
    Mention,
    Hashtag,
    Emoji,
}

/// A social entity: its kind and byte range in the normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    pub span: Range<usize>,
}

static SOCIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<url>https?://[^\s<>]+[^\s<>.,;:!?)\]}'。、」』])",
        r"|(?P<mention>(?:^|[^\w@])@\w{1,30})",
        r"|(?P<hashtag>(?:^|[^\w#&])#\w*[\p{L}]\w*)",
    ))
    .expect("static regex")
});

/// Finds URLs, @mentions, #hashtags and emoji, sorted by position, never overlapping.
pub fn find_entities(text: &str) -> Vec<Entity> {
    let mut entities: Vec<Entity> = Vec::new();
    // Most feedback has none of @, # or a URL: skip the regex then.
    let social = text.contains(['@', '#']) || text.contains("http");
    for caps in SOCIAL.captures_iter(if social { text } else { "" }) {
        let (kind, m) = if let Some(m) = caps.name("url") {
            (EntityKind::Url, m)
        } else if let Some(m) = caps.name("mention") {
            (EntityKind::Mention, m)
        } else if let Some(m) = caps.name("hashtag") {
            (EntityKind::Hashtag, m)
        } else {
            continue;
        };
        // The look-behind character (a space, or nothing) is not part of the entity.
        let sigil = if kind == EntityKind::Mention {
            '@'
        } else {
            '#'
        };
        let start = match kind {
            EntityKind::Url => m.start(),
            _ => m.start() + m.as_str().find(sigil).unwrap_or(0),
        };
        entities.push(Entity {
            kind,
            span: start..m.end(),
        });
    }
    // An emoji is a grapheme that starts with one: look for such characters (a table
    // lookup each) and segment graphemes only from there, not through the whole text.
    let mut next = 0;
    for (start, c) in text.char_indices() {
        // Kana and kanji, most of a Japanese text, are never emoji: no table lookup.
        if start < next || is_japanese(c) || !starts_emoji(c) {
            continue;
        }
        let grapheme = text[start..].graphemes(true).next().unwrap_or("");
        next = start + grapheme.len();
        if !entities.iter().any(|e| e.span.contains(&start)) {
            entities.push(Entity {
                kind: EntityKind::Emoji,
                span: start..next,
            });
        }
    }
    entities.sort_by_key(|e| e.span.start);
    entities
}

/// A grapheme is an emoji when it starts with a pictographic character (ASCII digits and
/// `#`, which Unicode also lists as emoji for keycaps, are not) or a flag.
fn starts_emoji(c: char) -> bool {
    !c.is_ascii()
        && (c.is_emoji_char() || unicode_properties::emoji::is_regional_indicator(c))
        && !matches!(c, '©' | '®' | '™')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variation_selectors_are_dropped() {
        assert_eq!(normalize("Love it ❤\u{FE0F}"), "Love it ❤");
        assert!(matches!(normalize("plain text"), Cow::Borrowed(_)));
    }

    fn kinds(text: &str) -> Vec<(EntityKind, &str)> {
        find_entities(text)
            .into_iter()
            .map(|e| (e.kind, &text[e.span]))
            .collect()
    }

    #[test]
    fn folds_full_and_half_width() {
        assert_eq!(
            normalize("ｱﾌﾟﾘが落ちる！ＡＢＣ１２３"),
            "アプリが落ちる!ABC123"
        );
        assert!(matches!(normalize("plain ascii"), Cow::Borrowed(_)));
    }

    #[test]
    fn normalising_stretches_equals_normalising_the_whole_text() {
        let whole =
            |text: &str| -> String { text.nfkc().filter(|&c| !is_variation_selector(c)).collect() };
        for text in [
            "ｶﾞｲﾄﾞが来た！（２回目）",
            "か\u{3099}ぎ゛と\u{309A}", // combining and spacing sound marks
            "cafe\u{301} ﬁne ①②",       // e + combining acute, ligature, circled digits
            "\u{1100}\u{1161}\u{11A8}한글", // conjoining jamo compose to 각
            "Love it ❤\u{FE0F}\u{FE0F} ok\u{FE0E}",
            "\u{301}先頭が結合文字",
            "㍻の㌔と｢ｱｲｳ｣",
            "ア\u{3099}ー！",
            "すでに正規化された日本語の文です。",
        ] {
            assert_eq!(normalize(text), whole(text), "{text:?}");
        }
        assert!(matches!(normalize("正規化済み。"), Cow::Borrowed(_)));
    }

    #[test]
    fn kana_and_kanji_taken_as_stable_are_stable() {
        let ranges = [
            '\u{3041}'..='\u{3096}',
            '\u{30A1}'..='\u{30FA}',
            '\u{4E00}'..='\u{9FFF}',
        ];
        for c in ranges.into_iter().flatten() {
            assert_eq!(canonical_combining_class(c), 0, "{c}");
            assert_eq!(is_nfkc_quick(std::iter::once(c)), IsNormalized::Yes, "{c}");
        }
    }

    #[test]
    fn finds_social_entities_in_both_languages() {
        let text = "@acme_jp 配送遅すぎ #配送遅延 😡 詳細 https://example.com/a?b=1。";
        assert_eq!(
            kinds(text),
            vec![
                (EntityKind::Mention, "@acme_jp"),
                (EntityKind::Hashtag, "#配送遅延"),
                (EntityKind::Emoji, "😡"),
                (EntityKind::Url, "https://example.com/a?b=1"),
            ]
        );
    }

    #[test]
    fn email_and_numbers_are_not_entities() {
        assert_eq!(kinds("mail me at bob@example.com about order #123"), vec![]);
    }

    #[test]
    fn emoji_sequences_stay_whole() {
        assert_eq!(
            kinds("ok 👍🏽 🇯🇵"),
            vec![(EntityKind::Emoji, "👍🏽"), (EntityKind::Emoji, "🇯🇵")]
        );
    }
}
