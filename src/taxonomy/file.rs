//! The taxonomy file: TOML → a checked [`Taxonomy`], every mistake named by file, line
//! and column.
//!
//! Parsing keeps each value's place in the file (`toml::Spanned`), so a check that
//! fails after parsing (an unknown parent, a bad regular expression, a keyword with no
//! words) still points at the line that holds it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{Category, Error, Rename, Rules, Text, TopicKey, TopicMerge};
use crate::record::Lang;

/// The whole file, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    category: Vec<Spanned<RawCategory>>,
    #[serde(default)]
    rename: Vec<Spanned<RawRename>>,
    #[serde(default)]
    merge: Vec<Spanned<RawMerge>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    name: Spanned<String>,
    label: Option<Spanned<String>>,
    parent: Option<Spanned<String>>,
    #[serde(default)]
    seed: bool,
    #[serde(default)]
    ja: RawRules,
    #[serde(default)]
    en: RawRules,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    keywords: Vec<Spanned<String>>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopicKey {
    id: Option<Spanned<String>>,
    terms: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRename {
    id: Option<Spanned<String>>,
    terms: Option<Spanned<Vec<String>>>,
    label: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMerge {
    topics: Spanned<Vec<Spanned<RawTopicKey>>>,
    label: Spanned<String>,
}

/// Turns byte offsets into 1-based lines and columns (in characters).
struct Places<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Places<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        let (line, column) = self.line_column(span.start);
        Error::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = self.text.get(..offset.min(self.text.len())).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        (line, column)
    }

    fn text(&self, value: &Spanned<String>) -> Text {
        let (line, column) = self.line_column(value.span().start);
        Text {
            text: value.get_ref().clone(),
            line,
            column,
        }
    }
}

/// Reads and checks a taxonomy file.
pub(super) fn read(path: &Path) -> Result<super::Taxonomy, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Checks a taxonomy given as text; `path` names it in errors.
pub(super) fn parse(text: &str, path: &Path) -> Result<super::Taxonomy, Error> {
    let places = Places { path, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        places.error(span, e.message().trim().to_string())
    })?;
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, c) in raw.category.iter().enumerate() {
        let name = c.get_ref().name.get_ref().trim();
        if name.is_empty() {
            return Err(places.error(c.get_ref().name.span(), "a category needs a name"));
        }
        if let Some(&first) = index.get(name) {
            let (line, _) = places.line_column(raw.category[first].get_ref().name.span().start);
            return Err(places.error(
                c.get_ref().name.span(),
                format!("category {name:?} is already defined on line {line}"),
            ));
        }
        index.insert(name, i);
    }
    let mut categories = Vec::with_capacity(raw.category.len());
    for raw_category in &raw.category {
        let c = raw_category.get_ref();
        let parent = match &c.parent {
            None => None,
            Some(parent) => match index.get(parent.get_ref().trim()) {
                Some(&p) => Some(p),
                None => {
                    return Err(places.error(
                        parent.span(),
                        format!(
                            "parent {:?} is not a category of this file",
                            parent.get_ref()
                        ),
                    ));
                }
            },
        };
        let rules = |raw: &RawRules, lang: Lang| -> Result<Rules, Error> {
            for pattern in &raw.patterns {
                regex::Regex::new(pattern.get_ref()).map_err(|e| {
                    places.error(
                        pattern.span(),
                        format!(
                            "{lang}.patterns: {:?} is not a regular expression: {e}",
                            pattern.get_ref()
                        ),
                    )
                })?;
            }
            Ok(Rules {
                keywords: raw.keywords.iter().map(|k| places.text(k)).collect(),
                patterns: raw.patterns.iter().map(|p| places.text(p)).collect(),
            })
        };
        let name = c.name.get_ref().trim().to_string();
        categories.push(Category {
            label: c
                .label
                .as_ref()
                .map(|l| l.get_ref().trim().to_string())
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| name.clone()),
            name,
            parent,
            seed: c.seed,
            ja: rules(&c.ja, Lang::Ja)?,
            en: rules(&c.en, Lang::En)?,
            line: places.line_column(raw_category.span().start).0,
        });
    }
    check_nesting(&categories, &raw.category, &places)?;
    let topic_key = |key: &Spanned<RawTopicKey>| -> Result<TopicKey, Error> {
        match (&key.get_ref().id, &key.get_ref().terms) {
            (Some(id), None) if !id.get_ref().trim().is_empty() => {
                Ok(TopicKey::Id(id.get_ref().trim().to_string()))
            }
            (None, Some(terms))
                if !terms.get_ref().is_empty()
                    && terms.get_ref().iter().all(|t| !t.trim().is_empty()) =>
            {
                Ok(TopicKey::Terms(
                    terms
                        .get_ref()
                        .iter()
                        .map(|t| t.trim().to_string())
                        .collect(),
                ))
            }
            _ => Err(places.error(
                key.span(),
                "a topic is named by `id = \"…\"` (its stable id) or by `terms = [\"…\", …]` \
                 (words among its top terms), one of the two and not empty",
            )),
        }
    };
    let label = |label: &Spanned<String>| -> Result<String, Error> {
        let text = label.get_ref().trim();
        if text.is_empty() {
            return Err(places.error(label.span(), "label is empty"));
        }
        Ok(text.to_string())
    };
    let mut renames = Vec::with_capacity(raw.rename.len());
    for r in &raw.rename {
        let topic = r.get_ref().topic_key_spanned(r.span());
        renames.push(Rename {
            topic: topic_key(&topic)?,
            label: label(&r.get_ref().label)?,
            line: places.line_column(r.span().start).0,
        });
    }
    let mut merges = Vec::with_capacity(raw.merge.len());
    for m in &raw.merge {
        let raw_merge = m.get_ref();
        if raw_merge.topics.get_ref().len() < 2 {
            return Err(places.error(raw_merge.topics.span(), "a merge names at least two topics"));
        }
        merges.push(TopicMerge {
            topics: raw_merge
                .topics
                .get_ref()
                .iter()
                .map(topic_key)
                .collect::<Result<_, _>>()?,
            label: label(&raw_merge.label)?,
            line: places.line_column(m.span().start).0,
        });
    }
    Ok(super::Taxonomy {
        path: PathBuf::from(path),
        categories,
        renames,
        merges,
    })
}

impl RawRename {
    /// The rename's topic key, placed where the rename is (its keys are the rename's own).
    fn topic_key_spanned(&self, span: Range<usize>) -> Spanned<RawTopicKey> {
        Spanned::new(
            span,
            RawTopicKey {
                id: self.id.clone(),
                terms: self.terms.clone(),
            },
        )
    }
}

/// Parents form a forest (no category is its own ancestor), and a category with no
/// parent-of relation to others matches something of its own.
fn check_nesting(
    categories: &[Category],
    raw: &[Spanned<RawCategory>],
    places: &Places,
) -> Result<(), Error> {
    let mut has_child = vec![false; categories.len()];
    for (i, c) in categories.iter().enumerate() {
        let mut seen = 0;
        let mut at = c.parent;
        while let Some(p) = at {
            has_child[p] = true;
            seen += 1;
            if p == i || seen > categories.len() {
                return Err(places.error(
                    raw[i].get_ref().name.span(),
                    format!(
                        "category {:?} is its own ancestor (parents form a loop)",
                        c.name
                    ),
                ));
            }
            at = categories[p].parent;
        }
    }
    for (i, c) in categories.iter().enumerate() {
        if !has_child[i] && c.ja.is_empty() && c.en.is_empty() {
            return Err(places.error(
                raw[i].get_ref().name.span(),
                format!(
                    "category {:?} has no keywords or patterns (ja.keywords, en.keywords, \
                     ja.patterns, en.patterns) and no child category: it would match nothing",
                    c.name
                ),
            ));
        }
    }
    Ok(())
}
