//! The analyst's taxonomy: categories the analyst names, tagged on every record, and the
//! analyst's renames and merges of the topics koe finds.
//!
//! A taxonomy is a TOML file ([`file`] reads and checks it, naming file, line and column
//! of any mistake):
//!
//! ```toml
//! [[category]]
//! name = "配送"                       # unique; what search (category:配送) and reports show
//! label = "配送 / delivery"           # optional, for reports (default: name)
//! ja.keywords = ["配送", "配達が遅い"] # words or phrases, matched on base forms
//! en.keywords = ["delivery", "late delivery"]   # matched on stems: deliveries, delivered
//! en.patterns = ['\btrack(ing)? number\b']      # regular expressions, normalised text
//!
//! [[category]]
//! name = "配送遅延"
//! parent = "配送"                     # a record tagged 配送遅延 is tagged 配送 too
//! ja.keywords = ["遅い", "遅延"]
//! en.keywords = ["late", "delay"]
//!
//! [[rename]]                          # a discovered topic's label, kept across reruns
//! terms = ["配送", "遅延"]            # the topic whose top terms hold all of these
//! label = "配送の遅れ"
//!
//! [[merge]]                           # topics that are one thing to the analyst
//! topics = [{ terms = ["delivery", "late"] }, { terms = ["配送", "遅延"] }]
//! label = "Late delivery / 配送遅延"
//! ```
//!
//! [`Tagger`] compiles it against the text stage: each keyword is analysed like a record
//! of its language, so it matches on the same lemmas (Japanese base forms: 遅い matches
//! 遅かった; English Snowball stems: delivery matches deliveries) as a run of consecutive
//! tokens inside one sentence; patterns run over the sentence's normalised text (NFKC,
//! case kept: use `(?i)`). A record may fall in several categories; a category's parents
//! get every record of their children. Its sentiment on a category is that of the
//! sentences that matched ([`Tag`]), by the rule topics use for clauses.
//!
//! [`CategoryTally`] measures every category with the topics stage's own pain-point
//! tally ([`crate::topics::GroupTally`]): count, share, sentiment mix, mean rating, NPS,
//! impact and trend, written as `categories.json` ([`crate::analysis::Part::Categories`]).
//! The index stores each record's categories as a facet (`category`), for search.
//!
//! Renames are applied to topic labels as they are produced ([`Taxonomy::rename_topics`]).
//! A topic is named by its stable `id` or by `terms` among its top terms; today's topics
//! have no stable ids (an id is the rank of a run), so only `terms` keys match them, and
//! merges wait for a persistent topic model to apply them.

mod file;
mod matcher;
mod tally;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use matcher::{Tag, Tagger};
pub use tally::{CategoryFigures, CategoryRow, CategoryTally};

use crate::topics::Topic;

/// Errors of reading or compiling a taxonomy.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the taxonomy {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// A string of the file and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// What tags a record of one language with a category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Words or phrases, matched on lemmas.
    pub keywords: Vec<Text>,
    /// Regular expressions (already checked), matched on the normalised sentence.
    pub patterns: Vec<Text>,
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty() && self.patterns.is_empty()
    }
}

/// One category of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Unique in the file: the facet value search finds it by.
    pub name: String,
    /// For reports: `label`, or the name.
    pub label: String,
    /// Index of the parent category.
    pub parent: Option<usize>,
    pub ja: Rules,
    pub en: Rules,
    /// Line of its `[[category]]`.
    pub line: usize,
}

/// How a rename or merge names a discovered topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicKey {
    /// A topic's stable id, as a persistent topic model gives it.
    Id(String),
    /// Terms that must all be among the topic's top terms (case ignored).
    Terms(Vec<String>),
}

/// A new label for a discovered topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub topic: TopicKey,
    pub label: String,
    pub line: usize,
}

/// Discovered topics the analyst counts as one, under one label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub topics: Vec<TopicKey>,
    pub label: String,
    pub line: usize,
}

/// A checked taxonomy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    pub path: PathBuf,
    /// In file order; [`Category::parent`] indexes this list.
    pub categories: Vec<Category>,
    pub renames: Vec<Rename>,
    pub merges: Vec<Merge>,
}

impl Taxonomy {
    /// Reads and checks a taxonomy file.
    pub fn load(path: &Path) -> Result<Taxonomy, Error> {
        file::read(path)
    }

    /// Checks a taxonomy given as text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Taxonomy, Error> {
        file::parse(text, path)
    }

    /// The category and its ancestors, nearest first.
    pub fn lineage(&self, category: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(category), |&c| self.categories[c].parent)
    }

    /// Gives each rename's label to the topic it names, and says what happened to each.
    /// A `terms` key names the topic holding all its terms among its top terms, ranked
    /// highest there (the lowest sum of their ranks, then the lowest id); each topic
    /// takes at most one rename, the first in the file.
    pub fn rename_topics(&self, topics: &mut [Topic]) -> Vec<RenameOutcome> {
        let mut renamed = vec![false; topics.len()];
        self.renames
            .iter()
            .map(|rename| {
                let found = match &rename.topic {
                    TopicKey::Terms(terms) => best_match(topics, terms, &renamed),
                    // Today's topic ids are ranks within one run, not stable ids.
                    TopicKey::Id(_) => None,
                };
                let topic = found.map(|i| {
                    renamed[i] = true;
                    topics[i].label = rename.label.clone();
                    topics[i].id
                });
                RenameOutcome {
                    line: rename.line,
                    label: rename.label.clone(),
                    topic,
                }
            })
            .collect()
    }
}

/// The topic whose top terms hold every one of `terms`, ranked highest.
fn best_match(topics: &[Topic], terms: &[String], taken: &[bool]) -> Option<usize> {
    topics
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken[*i])
        .filter_map(|(i, topic)| {
            let rank = |term: &String| {
                topic
                    .terms
                    .iter()
                    .position(|t| t.term.to_lowercase() == term.to_lowercase())
            };
            let ranks: Option<Vec<usize>> = terms.iter().map(rank).collect();
            Some((ranks?.iter().sum::<usize>(), topic.id, i))
        })
        .min()
        .map(|(_, _, i)| i)
}

/// What a rename did, for the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenameOutcome {
    /// Line of its `[[rename]]`.
    pub line: usize,
    pub label: String,
    /// The id of the topic it renamed; `None` when no topic matched.
    pub topic: Option<u32>,
}

#[cfg(test)]
mod tests;
