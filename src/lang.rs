//! The languages koe analyses, as a leaf every stage can name without importing another.
//!
//! A record's language is decided once per document (given by the input, or detected by
//! the text stage) and read by sentiment, topics, the index facets and eval.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Languages koe analyses, and `und` for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ja,
    En,
    /// Undetermined (BCP 47 `und`): text mostly in a script koe has no language for
    /// (Greek, Cyrillic, Arabic, Hangul, …). Its words are still indexed (see
    /// [`crate::text::script`]); sentiment reads only its emoji and emoticons.
    Und,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
            Lang::Und => "und",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    /// Accepts ISO 639-1 codes and BCP 47 tags (`ja`, `ja-JP`, `en-US`, `EN`, `und`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let primary = s
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "ja" | "jp" | "jpn" => Ok(Lang::Ja),
            "en" | "eng" => Ok(Lang::En),
            "und" => Ok(Lang::Und),
            _ => Err(format!(
                "unsupported language {s:?} (koe reads ja and en; und for any other)"
            )),
        }
    }
}
