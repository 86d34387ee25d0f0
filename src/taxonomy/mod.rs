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
//! seed = true                         # its records start a theme of their own
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
//! A category with `seed = true` **seeds a theme** (a guided start, see
//! [`crate::topics::TopicOptions::theme_seeds`]): a fresh fit starts with one theme per
//! seeding category that records matched, holding its records (a record matching several
//! goes to the one its sentences matched most), named by the category's label; records
//! that match no seed still form the data's own themes.
//!
//! [`CategoryTally`] measures every category with the topics stage's own pain-point
//! tally ([`crate::topics::GroupTally`]): count, share, sentiment mix, mean rating, NPS,
//! impact and trend, written as `categories.json` ([`crate::analysis::Part::Categories`]).
//! The index stores each record's categories as a facet (`category`), for search.
//!
//! Merges are applied inside the topics stage's fit ([`crate::topics::curation`]): the
//! merged sub-topics become one, every figure counted again from the records, under the
//! merge's label and the id it keeps in later runs with `--topics-from`. Renames are
//! applied to topic labels as they are produced ([`Taxonomy::rename_topics`]). A topic is
//! named by `terms` among its top terms or by its `id`, stable across runs chained with
//! `--topics-from` (in a fresh run, an id is a rank by impact).

mod file;
mod matcher;
mod tally;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use matcher::{Tag, Tagger};
pub use tally::{CategoryFigures, CategoryRow, CategoryTally};

use crate::topics::Topic;
pub use crate::topics::{MergeOutcome, TopicKey, TopicMerge};

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
    /// Seeds a theme (`seed = true`): its records start one, named by its label.
    pub seed: bool,
    pub ja: Rules,
    pub en: Rules,
    /// Line of its `[[category]]`.
    pub line: usize,
}

/// A new label for a discovered topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub topic: TopicKey,
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
    pub merges: Vec<TopicMerge>,
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

    /// The categories that seed themes (`seed = true`), in file order.
    pub fn seeds(&self) -> Vec<usize> {
        (0..self.categories.len())
            .filter(|&c| self.categories[c].seed)
            .collect()
    }

    /// The theme seed (index into [`Taxonomy::seeds`]) of a record with these tags: the
    /// seeding category its sentences matched most (then the first in the file).
    pub fn seed_of(&self, tags: &[Tag]) -> Option<usize> {
        let seed_rank = |c: usize| self.categories[..c].iter().filter(|x| x.seed).count();
        tags.iter()
            .filter(|t| self.categories[t.category()].seed)
            .max_by(|a, b| {
                a.mention
                    .parts
                    .cmp(&b.mention.parts)
                    .then(b.category().cmp(&a.category()))
            })
            .map(|t| seed_rank(t.category()))
    }

    /// The category and its ancestors, nearest first.
    pub fn lineage(&self, category: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(category), |&c| self.categories[c].parent)
    }

    /// Gives each rename's label to the topic it names, and says what happened to each.
    /// A `terms` key names the topic holding all its terms among its top terms, ranked
    /// highest there (the lowest sum of their ranks, then the lowest id); an `id` key
    /// the topic of that id (stable across runs chained with `--topics-from`). Each
    /// topic takes at most one rename, the first in the file.
    pub fn rename_topics(&self, topics: &mut [Topic]) -> Vec<RenameOutcome> {
        let mut renamed = vec![false; topics.len()];
        self.renames
            .iter()
            .map(|rename| {
                let topic = rename.topic.find(topics, &renamed).map(|i| {
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
