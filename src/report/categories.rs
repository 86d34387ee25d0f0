//! The taxonomy's categories as the report shows them: a generation's `categories.json`
//! (written by `koe analyze --taxonomy`), read as the taxonomy stage's own
//! [`CategoryFigures`] → one row per category, parents before their children, with the
//! figures topics have. No file means the run had no taxonomy, and the report leaves the
//! section out.

use crate::analysis::{self, Generation, Part};
use crate::taxonomy::CategoryFigures;
pub use crate::taxonomy::CategoryRow;

/// "12 negative · 3 neutral · 5 positive".
pub fn mix(row: &CategoryRow) -> String {
    ["negative", "neutral", "positive"]
        .iter()
        .map(|l| format!("{} {l}", row.sentiment_mix.get(*l).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Reads the generation's `categories.json`; none when the run had no taxonomy.
pub fn load(generation: &Generation) -> Result<Vec<CategoryRow>, analysis::Error> {
    Ok(generation
        .read_json::<CategoryFigures>(Part::Categories)?
        .map(|f| f.categories)
        .unwrap_or_default())
}
