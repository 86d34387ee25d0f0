//! Tagging: an analysed record → the categories its sentences match, with its
//! sentiment on each.
//!
//! Per language, keywords are token sequences of lemmas looked up by their first lemma
//! (one hash probe per token of the record), and patterns one `RegexSet` run once per
//! sentence. Symbols (punctuation) are skipped on both sides, so 「配送、遅い」 matches
//! the keyword 「配送 遅い」.

use std::collections::HashMap;

use regex::RegexSet;

use super::{Error, Rules, Taxonomy, Text};
use crate::record::{Analysed, Lang};
use crate::sentiment::{Label, Score};
use crate::text::{Pos, TextAnalyzer, Token};
use crate::topics::GroupMention;

/// A record's category, with its sentiment there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tag {
    pub mention: GroupMention,
    /// The label of its sentences in the category: theirs when they agree, else that of
    /// their mean score.
    pub label: Label,
}

impl Tag {
    pub fn category(&self) -> usize {
        self.mention.group as usize
    }
}

/// One keyword: its lemmas, and the category it tags.
#[derive(Debug)]
struct Keyword {
    lemmas: Vec<String>,
    category: u32,
}

/// The compiled rules of one language.
#[derive(Debug)]
struct LanguageRules {
    keywords: Vec<Keyword>,
    /// Keyword indexes by first lemma.
    by_first: HashMap<String, Vec<usize>>,
    patterns: Option<RegexSet>,
    /// The category of each pattern of `patterns`.
    pattern_categories: Vec<u32>,
}

/// A taxonomy compiled for tagging; shared by every worker thread.
#[derive(Debug)]
pub struct Tagger {
    taxonomy: Taxonomy,
    ja: LanguageRules,
    en: LanguageRules,
    /// Each category followed by its ancestors.
    lineage: Vec<Vec<u32>>,
}

/// What matching compares: a token's lemma, unless the token is punctuation.
fn matched(token: &Token) -> Option<&str> {
    (token.pos != Pos::Symbol).then_some(token.lemma.as_str())
}

impl Tagger {
    /// Compiles `taxonomy`; `analyzer` turns keywords into lemmas as it does records.
    pub fn new(taxonomy: Taxonomy, analyzer: &TextAnalyzer) -> Result<Tagger, Error> {
        let compile =
            |lang: Lang, of: fn(&super::Category) -> &Rules| compile(&taxonomy, lang, of, analyzer);
        let ja = compile(Lang::Ja, |c| &c.ja)?;
        let en = compile(Lang::En, |c| &c.en)?;
        let lineage = (0..taxonomy.categories.len())
            .map(|c| taxonomy.lineage(c).map(|c| c as u32).collect())
            .collect();
        Ok(Tagger {
            taxonomy,
            ja,
            en,
            lineage,
        })
    }

    /// Reads, checks and compiles a taxonomy file.
    pub fn load(path: &std::path::Path, analyzer: &TextAnalyzer) -> Result<Tagger, Error> {
        Tagger::new(Taxonomy::load(path)?, analyzer)
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The record's categories (ancestors included), in category order.
    pub fn tag(&self, analysed: &Analysed) -> Vec<Tag> {
        let doc = &analysed.text;
        let rules = match doc.lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
            // The file's keywords and patterns are Japanese or English.
            Lang::Und => return Vec::new(),
        };
        let sentiment = &analysed.sentiment;
        let aligned = sentiment.sentences.len() == doc.sentences.len();
        // Per category: sentences, score sum, and how many of each label.
        let mut found: Vec<(u32, u32, f32, [u32; 3])> = Vec::new();
        let mut hits: Vec<u32> = Vec::new();
        let mut lemmas: Vec<&str> = Vec::new();
        for (i, sentence) in doc.sentences.iter().enumerate() {
            hits.clear();
            lemmas.clear();
            lemmas.extend(doc.sentence_tokens(sentence).iter().filter_map(matched));
            for start in 0..lemmas.len() {
                let Some(candidates) = rules.by_first.get(lemmas[start]) else {
                    continue;
                };
                for &k in candidates {
                    let keyword = &rules.keywords[k];
                    let rest = &lemmas[start..];
                    if rest.len() >= keyword.lemmas.len()
                        && keyword.lemmas.iter().zip(rest).all(|(k, l)| k == l)
                    {
                        hits.extend(&self.lineage[keyword.category as usize]);
                    }
                }
            }
            if let Some(set) = &rules.patterns {
                for p in set.matches(doc.sentence_text(sentence)).iter() {
                    let category = rules.pattern_categories[p] as usize;
                    hits.extend(&self.lineage[category]);
                }
            }
            if hits.is_empty() {
                continue;
            }
            hits.sort_unstable();
            hits.dedup();
            let score = if aligned {
                sentiment.sentences[i]
            } else {
                sentiment.doc
            };
            for &category in &hits {
                let at = match found.iter().position(|f| f.0 == category) {
                    Some(at) => at,
                    None => {
                        found.push((category, 0, 0.0, [0; 3]));
                        found.len() - 1
                    }
                };
                let entry = &mut found[at];
                entry.1 += 1;
                entry.2 += score.value;
                entry.3[label_index(score.label)] += 1;
            }
        }
        found.sort_unstable_by_key(|f| f.0);
        found
            .into_iter()
            .map(|(category, parts, sum, labels)| {
                let mean = sum / parts as f32;
                let label = match labels.iter().position(|&n| n == parts) {
                    Some(only) => Label::ALL[only],
                    None => Score::from_value(mean).label,
                };
                Tag {
                    mention: GroupMention {
                        group: category,
                        parts,
                        sentiment: mean,
                        negative: label == Label::Negative,
                    },
                    label,
                }
            })
            .collect()
    }
}

fn label_index(label: Label) -> usize {
    Label::ALL.iter().position(|&l| l == label).unwrap_or(1)
}

fn compile(
    taxonomy: &Taxonomy,
    lang: Lang,
    rules_of: fn(&super::Category) -> &Rules,
    analyzer: &TextAnalyzer,
) -> Result<LanguageRules, Error> {
    let invalid = |text: &Text, message: String| Error::Invalid {
        path: taxonomy.path.clone(),
        line: text.line,
        column: text.column,
        message,
    };
    let mut keywords = Vec::new();
    let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
    let mut patterns = Vec::new();
    let mut pattern_categories = Vec::new();
    for (c, category) in taxonomy.categories.iter().enumerate() {
        let rules = rules_of(category);
        for keyword in &rules.keywords {
            let analysed = analyzer
                .analyse(&keyword.text, Some(lang))
                .map_err(|e| invalid(keyword, format!("{lang}.keywords: {e}")))?;
            let lemmas: Vec<String> = analysed
                .tokens
                .iter()
                .filter_map(matched)
                .map(str::to_string)
                .collect();
            let Some(first) = lemmas.first() else {
                return Err(invalid(
                    keyword,
                    format!("{lang}.keywords: {:?} holds no word", keyword.text),
                ));
            };
            by_first
                .entry(first.clone())
                .or_default()
                .push(keywords.len());
            keywords.push(Keyword {
                lemmas,
                category: c as u32,
            });
        }
        for pattern in &rules.patterns {
            patterns.push(pattern.text.as_str());
            pattern_categories.push(c as u32);
        }
    }
    let patterns = if patterns.is_empty() {
        None
    } else {
        // Each pattern compiled alone when the file was read; together they only fail
        // when the set outgrows regex's size limit.
        Some(RegexSet::new(&patterns).map_err(|e| Error::Invalid {
            path: taxonomy.path.clone(),
            line: 1,
            column: 1,
            message: format!("{lang}.patterns together: {e}"),
        })?)
    };
    Ok(LanguageRules {
        keywords,
        by_first,
        patterns,
        pattern_categories,
    })
}
