//! Category figures: every record's tags → per category count, share, sentiment mix and
//! the pain-point figures of topics (NPS, impact, trend), as `categories.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Tag, Taxonomy};
use crate::record::Analysed;
use crate::sentiment::Label;
use crate::topics::{GroupMention, GroupTally, Overall, Period, Topic};

/// One category's figures. `figures` is what topics.json holds for a topic (`id` is the
/// category's place in the file, `label` its label, `clauses` the sentences that
/// matched, no terms or examples); flattened, so a reader of topics reads it too.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryRow {
    pub name: String,
    pub parent: Option<String>,
    /// 0 for a top-level category.
    pub depth: usize,
    /// Records by their sentiment on the category.
    pub sentiment_mix: BTreeMap<String, u64>,
    #[serde(flatten)]
    pub figures: Topic,
}

/// `categories.json`: the taxonomy's categories, parents before their children.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategoryFigures {
    /// The taxonomy file, as given.
    pub taxonomy: String,
    pub records: u64,
    /// Records in at least one category.
    pub tagged: u64,
    pub overall: Overall,
    pub categories: Vec<CategoryRow>,
}

/// Tags of every record, until [`CategoryTally::finish`].
pub struct CategoryTally {
    groups: GroupTally,
    mix: Vec<[u64; 3]>,
    records: u64,
    tagged: u64,
    mentions: Vec<GroupMention>,
}

impl CategoryTally {
    pub fn new(categories: usize, period: Period) -> Self {
        CategoryTally {
            groups: GroupTally::new(period),
            mix: vec![[0; 3]; categories],
            records: 0,
            tagged: 0,
            mentions: Vec::new(),
        }
    }

    /// Adds the next record with its tags ([`super::Tagger::tag`]).
    pub fn add(&mut self, analysed: &Analysed, tags: &[Tag]) {
        self.records += 1;
        self.tagged += u64::from(!tags.is_empty());
        self.mentions.clear();
        for tag in tags {
            let at = Label::ALL.iter().position(|&l| l == tag.label).unwrap_or(1);
            self.mix[tag.category()][at] += 1;
            self.mentions.push(tag.mention);
        }
        self.groups.add(analysed, &self.mentions);
    }

    /// The figures, categories in tree order (each parent followed by its children, in
    /// file order).
    pub fn finish(self, taxonomy: &Taxonomy) -> CategoryFigures {
        let categories = &taxonomy.categories;
        let (figures, overall) = self.groups.figures(categories.len());
        let mut rows: Vec<Option<CategoryRow>> = figures
            .into_iter()
            .zip(&self.mix)
            .enumerate()
            .map(|(i, (mut figures, mix))| {
                let category = &categories[i];
                figures.id = i as u32;
                figures.label = category.label.clone();
                Some(CategoryRow {
                    name: category.name.clone(),
                    parent: category.parent.map(|p| categories[p].name.clone()),
                    depth: taxonomy.lineage(i).count() - 1,
                    sentiment_mix: Label::ALL
                        .iter()
                        .zip(mix)
                        .map(|(label, &n)| (label.to_string(), n))
                        .collect(),
                    figures,
                })
            })
            .collect();
        let mut ordered = Vec::with_capacity(rows.len());
        let mut stack: Vec<usize> = (0..categories.len())
            .rev()
            .filter(|&c| categories[c].parent.is_none())
            .collect();
        while let Some(c) = stack.pop() {
            ordered.extend(rows[c].take());
            stack.extend(
                (0..categories.len())
                    .rev()
                    .filter(|&child| categories[child].parent == Some(c)),
            );
        }
        CategoryFigures {
            taxonomy: taxonomy.path.display().to_string(),
            records: self.records,
            tagged: self.tagged,
            overall,
            categories: ordered,
        }
    }
}
