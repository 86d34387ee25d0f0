//! The taxonomy's categories as the report reads them: a generation's `categories.json`
//! (written by `koe analyze --taxonomy`, see [`crate::taxonomy`]) → one row per category,
//! parents before their children, with the figures topics have.
//!
//! Like topics, every field is optional, so a file from another koe still gives what it
//! has; no file means the run had no taxonomy, and the report leaves the section out.

use serde::{Deserialize, Serialize};

use super::topics::Topic;
use crate::analysis::{self, Generation, Part};

/// The part of categories.json the report uses.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CategoriesFile {
    categories: Vec<Category>,
}

/// One category: its name, place in the tree and figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Category {
    pub name: String,
    pub parent: Option<String>,
    /// 0 for a top-level category.
    pub depth: usize,
    /// Records by their sentiment on the category (negative, neutral, positive).
    pub sentiment_mix: std::collections::BTreeMap<String, u64>,
    /// Label, size, share, sentiment, NPS and impact, as a topic has them.
    #[serde(flatten)]
    pub figures: Topic,
}

impl Category {
    /// "12 negative · 3 neutral · 5 positive".
    pub fn mix(&self) -> String {
        ["negative", "neutral", "positive"]
            .iter()
            .map(|l| format!("{} {l}", self.sentiment_mix.get(*l).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// Reads the generation's `categories.json`; none when the run had no taxonomy.
pub fn load(generation: &Generation) -> Result<Vec<Category>, analysis::Error> {
    Ok(generation
        .read_json::<CategoriesFile>(Part::Categories)?
        .map(|f| f.categories)
        .unwrap_or_default())
}
