//! Search: a query and filters → ranked hits with snippets, and facet counts.
//!
//! The query is normalised and tokenized by the text stage's own code, so it looks for
//! the terms the index holds (terms required by default, Tantivy's query syntax
//! otherwise: quotes, `-term`, `OR`). Filters narrow by facet, date and
//! rating. Facet counts cover the whole result set, not just the page shown.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, FacetCounts as TantivyFacetCounts, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{TantivyDocument, Term};

use super::{Error, tokenizers};
use crate::lang::Lang;
use crate::record::KEEPABLE_SECONDS;
use crate::sentiment::Label;
use crate::text::TextAnalyzer;
use crate::text::normalize::{find_entities, normalize};
use crate::text::script::is_japanese;
use crate::topics::Topics;
pub use snippet::Snippet;
use snippet::Snippets;
pub use stored::StoredRecords;

/// What to show: records matching all filters (and the query, if any).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub sentiment: Option<Label>,
    /// Any of these channels (empty: all).
    pub channel: Vec<String>,
    pub stage: Vec<String>,
    pub product: Vec<String>,
    /// Any of these themes.
    pub theme: Vec<u32>,
    /// Any of these sub-topic ids.
    pub topic: Vec<u32>,
    /// Any of these taxonomy categories (by name; a parent holds its children's records).
    pub category: Vec<String>,
    pub lang: Option<Lang>,
    /// Created at or after.
    pub since: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
    pub min_rating: Option<u8>,
    pub max_rating: Option<u8>,
}

/// The scale of star ratings.
pub const RATINGS: std::ops::RangeInclusive<u8> = 1..=5;

impl Filters {
    /// Rejects a rating outside 1–5 and a minimum above the maximum, naming the filter.
    pub fn check(&self) -> Result<(), Error> {
        for (filter, rating) in [
            ("min_rating", self.min_rating),
            ("max_rating", self.max_rating),
        ] {
            if let Some(r) = rating.filter(|r| !RATINGS.contains(r)) {
                return Err(Error::Filter {
                    filter,
                    message: format!("{r} is not a rating (1–5)"),
                });
            }
        }
        if let (Some(min), Some(max)) = (self.min_rating, self.max_rating)
            && min > max
        {
            return Err(Error::Filter {
                filter: "min_rating",
                message: format!("{min} is above max_rating {max}"),
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Tantivy query syntax; empty or `*` matches every record.
    pub query: String,
    pub filters: Filters,
    pub limit: usize,
    pub offset: usize,
    /// Longest snippet, in characters.
    pub snippet_chars: usize,
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            filters: Filters::default(),
            limit: 10,
            offset: 0,
            snippet_chars: 160,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SearchResults {
    /// Records matching the query and filters.
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
}

/// Search results as programs get them, from `koe search --json` and the `/api/search`
/// of `koe serve`: the request echoed, the results, and the labels of the topics in the
/// facet counts.
#[derive(Debug, Serialize)]
pub struct SearchOutput {
    pub query: String,
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
    /// Theme id → label, for the themes in `facets.theme`.
    pub theme_labels: BTreeMap<String, String>,
    /// Topic id → label, for the topics in `facets.topic`.
    pub topic_labels: BTreeMap<String, String>,
}

impl SearchOutput {
    pub fn new(request: &SearchRequest, results: SearchResults, topics: Option<&Topics>) -> Self {
        let labels = |ids: &BTreeMap<String, u64>,
                      label: &dyn Fn(&Topics, u32) -> Option<String>| {
            topics
                .map(|topics| {
                    ids.keys()
                        .filter_map(|id| Some((id.clone(), label(topics, id.parse().ok()?)?)))
                        .collect()
                })
                .unwrap_or_default()
        };
        let theme_labels = labels(&results.facets.theme, &|t, id| {
            t.theme_label(id).map(str::to_string)
        });
        let topic_labels = labels(&results.facets.topic, &|t, id| {
            t.label(id).map(str::to_string)
        });
        SearchOutput {
            query: request.query.clone(),
            total: results.total,
            offset: request.offset,
            limit: request.limit,
            hits: results.hits,
            facets: results.facets,
            theme_labels,
            topic_labels,
        }
    }
}

/// Counts per facet value over the whole result set.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct FacetCounts {
    pub sentiment: BTreeMap<String, u64>,
    pub channel: BTreeMap<String, u64>,
    pub stage: BTreeMap<String, u64>,
    pub product: BTreeMap<String, u64>,
    pub lang: BTreeMap<String, u64>,
    /// By theme id.
    pub theme: BTreeMap<String, u64>,
    /// By sub-topic id.
    pub topic: BTreeMap<String, u64>,
    /// By taxonomy category name (empty without `--taxonomy`).
    pub category: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub id: String,
    /// BM25 relevance (1 for a query without terms).
    pub relevance: f32,
    /// The text as the input had it.
    pub text: String,
    pub snippet: Snippet,
    pub lang: Option<String>,
    pub sentiment: Option<String>,
    pub sentiment_score: Option<f64>,
    pub channel: Option<String>,
    pub stage: Option<String>,
    pub product: Option<String>,
    /// The record's theme.
    pub theme: Option<u32>,
    /// Sub-topic ids, primary first.
    pub topics: Vec<u32>,
    /// Taxonomy categories, ancestors included.
    pub categories: Vec<String>,
    pub rating: Option<u64>,
    pub nps: Option<u64>,
    pub effort: Option<u64>,
    pub created_at: Option<String>,
    /// `file:line` of the input record.
    pub origin: Option<String>,
}

pub struct SearchIndex {
    stored: StoredRecords,
    analyzer: TextAnalyzer,
}

impl SearchIndex {
    /// Opens the committed index in the folder `dir` (readers of an analysis folder go
    /// through [`Generation::open_index`](crate::analysis::Generation::open_index)).
    pub fn open(dir: &Path, analyzer: &TextAnalyzer) -> Result<Self, Error> {
        let stored = StoredRecords::open(dir)?;
        tokenizers::register(&stored.index, analyzer);
        Ok(SearchIndex {
            stored,
            analyzer: analyzer.clone(),
        })
    }

    /// The records the index stores, for passes over all of them.
    pub fn records(&self) -> &StoredRecords {
        &self.stored
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, Error> {
        request.filters.check()?;
        let searcher = self.stored.reader.searcher();
        let (words, categories) = category_terms(&request.query);
        let text_query = self.text_query(&words).map_err(|e| match e {
            Error::Query { message, .. } => Error::Query {
                query: request.query.clone(),
                message,
            },
            other => other,
        })?;
        let mut query = self.with_filters(text_query.box_clone(), &request.filters);
        if !categories.is_empty() {
            let mut clauses = vec![(Occur::Must, query)];
            for (occur, name) in categories {
                let term = Term::from_facet(self.stored.fields.category, &Facet::from_path([name]));
                let facet = TermQuery::new(term, IndexRecordOption::Basic);
                clauses.push((occur, Box::new(facet) as Box<dyn Query>));
            }
            query = Box::new(BooleanQuery::new(clauses));
        }
        let facet_fields = |fields: &[Field]| {
            fields
                .iter()
                .map(|&f| {
                    let mut c =
                        FacetCollector::for_field(self.stored.index.schema().get_field_name(f));
                    c.add_facet(Facet::root());
                    c
                })
                .collect::<Vec<_>>()
        };
        let f = &self.stored.fields;
        let [
            sentiment,
            channel,
            stage,
            product,
            lang,
            theme,
            topic,
            category,
        ]: [FacetCollector; 8] = facet_fields(&[
            f.sentiment,
            f.channel,
            f.stage,
            f.product,
            f.lang,
            f.theme,
            f.topic,
            f.category,
        ])
        .try_into()
        .unwrap_or_else(|_| unreachable!("eight fields give eight collectors"));
        let top = TopDocs::with_limit(request.limit.max(1))
            .and_offset(request.offset)
            .order_by_score();
        let (total, top_docs, (sentiment, channel, stage, category), (product, lang, theme, topic)) =
            searcher
                .search(
                    &query,
                    &(
                        Count,
                        top,
                        (sentiment, channel, stage, category),
                        (product, lang, theme, topic),
                    ),
                )
                .map_err(|e| blame_the_query(e.into(), &request.query))?;
        let snippets = Snippets::new(&searcher, &*text_query, f, request.snippet_chars)
            .map_err(|e| blame_the_query(e, &request.query))?;
        let mut hits = Vec::with_capacity(top_docs.len());
        for (relevance, address) in top_docs.into_iter().take(request.limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            let mut hit = self.stored.hit(&doc, relevance);
            hit.snippet = snippets.make(&hit.text);
            hits.push(hit);
        }
        Ok(SearchResults {
            total,
            hits,
            facets: FacetCounts {
                sentiment: counts(&sentiment),
                channel: counts(&channel),
                stage: counts(&stage),
                product: counts(&product),
                lang: counts(&lang),
                theme: counts(&theme),
                topic: counts(&topic),
                category: counts(&category),
            },
        })
    }

    fn text_query(&self, raw: &str) -> Result<Box<dyn Query>, Error> {
        let normalized = normalize(raw);
        let trimmed = normalized.trim();
        if trimmed.is_empty() || trimmed == "*" {
            return Ok(Box::new(AllQuery));
        }
        let mut parser = QueryParser::for_index(&self.stored.index, vec![self.stored.fields.terms]);
        parser.set_conjunction_by_default();
        let query = split_japanese_words(trimmed, &self.analyzer);
        parser.parse_query(&query).map_err(|e| Error::Query {
            query: raw.to_string(),
            message: e.to_string(),
        })
    }

    fn with_filters(&self, text: Box<dyn Query>, filters: &Filters) -> Box<dyn Query> {
        let f = &self.stored.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
        let facet = |field: Field, value: &str| -> Box<dyn Query> {
            let term = Term::from_facet(field, &Facet::from_path([value]));
            Box::new(TermQuery::new(term, IndexRecordOption::Basic))
        };
        if let Some(label) = filters.sentiment {
            clauses.push((Occur::Must, facet(f.sentiment, label.as_str())));
        }
        if let Some(lang) = filters.lang {
            clauses.push((Occur::Must, facet(f.lang, lang.code())));
        }
        let themes: Vec<String> = filters.theme.iter().map(u32::to_string).collect();
        let topics: Vec<String> = filters.topic.iter().map(u32::to_string).collect();
        for (field, values) in [
            (f.channel, &filters.channel),
            (f.stage, &filters.stage),
            (f.product, &filters.product),
            (f.theme, &themes),
            (f.topic, &topics),
            (f.category, &filters.category),
        ] {
            if !values.is_empty() {
                let any = values
                    .iter()
                    .map(|v| (Occur::Should, facet(field, v)))
                    .collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
        }
        if filters.since.is_some() || filters.until.is_some() {
            let (first, last) = (*KEEPABLE_SECONDS.start(), *KEEPABLE_SECONDS.end());
            let date = |d: DateTime<Utc>| {
                let seconds = d.timestamp().clamp(first, last);
                Term::from_field_date(
                    f.created_at,
                    tantivy::DateTime::from_timestamp_secs(seconds),
                )
            };
            // A bound beyond every date the index can hold is the same as the last (or
            // first) such date: `--until 9999-12-31` means "no end", not a wrapped date.
            let upper = match filters.until {
                Some(d) if d.timestamp() <= last => Bound::Excluded(date(d)),
                _ => Bound::Unbounded,
            };
            // Still a date filter: records without a date stay out.
            let earliest = || Bound::Included(date(DateTime::<Utc>::MIN_UTC));
            let lower = filters
                .since
                .map_or_else(earliest, |d| Bound::Included(date(d)));
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        if filters.min_rating.is_some() || filters.max_rating.is_some() {
            let rating = |r: u8| Term::from_field_u64(f.rating, u64::from(r));
            let lower = filters
                .min_rating
                .map_or(Bound::Unbounded, |r| Bound::Included(rating(r)));
            let upper = filters
                .max_rating
                .map_or(Bound::Unbounded, |r| Bound::Included(rating(r)));
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        if clauses.len() == 1 {
            return clauses.remove(0).1;
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

/// An error that the query caused, as a query error: the schema was checked when the
/// index was opened, so a schema error, a missing field or an invalid argument while
/// searching comes from what the query asks (`id:*` wants a fast field `id` is not;
/// `colour:*` a field there is none of). Anything else is the index's.
fn blame_the_query(error: Error, query: &str) -> Error {
    match error {
        Error::Tantivy(
            tantivy::TantivyError::SchemaError(message)
            | tantivy::TantivyError::FieldNotFound(message)
            | tantivy::TantivyError::InvalidArgument(message),
        ) => Error::Query {
            query: query.to_string(),
            message,
        },
        other => other,
    }
}

fn counts(facets: &TantivyFacetCounts) -> BTreeMap<String, u64> {
    facets
        .get("/")
        .filter_map(|(facet, count)| Some((facet.to_path().last()?.to_string(), count)))
        .collect()
}

/// The query without its `category:NAME` words (`category:"two words"` quoted), and
/// those categories as facet clauses: required, or excluded with a leading `-`.
/// Tantivy's parser reads a facet value only as a path (`/配送`); analysts write names.
fn category_terms(query: &str) -> (String, Vec<(Occur, String)>) {
    const KEY: &str = "category:";
    let mut rest = String::with_capacity(query.len());
    let mut categories = Vec::new();
    let mut tail = query;
    while let Some(at) = tail.find(KEY) {
        let word_start = tail[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let prefix = &tail[word_start..at];
        let quotes = rest.matches('"').count() + tail[..at].matches('"').count();
        if !matches!(prefix, "" | "-" | "+") || quotes % 2 == 1 {
            rest.push_str(&tail[..at + KEY.len()]);
            tail = &tail[at + KEY.len()..];
            continue;
        }
        rest.push_str(&tail[..word_start]);
        let value = &tail[at + KEY.len()..];
        let (name, after) = match value.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            },
            None => {
                let end = value.find(char::is_whitespace).unwrap_or(value.len());
                (&value[..end], &value[end..])
            }
        };
        let name = name.trim().trim_start_matches('/');
        if !name.is_empty() {
            let occur = if prefix == "-" {
                Occur::MustNot
            } else {
                Occur::Must
            };
            categories.push((occur, name.to_string()));
        }
        tail = after;
    }
    rest.push_str(tail);
    (rest, categories)
}

/// Japanese has no spaces: 「配送遅い」 should find 「配送がとても遅い」 as 「配送 遅い」 would,
/// and 「抹茶ラテ」 should find "the 抹茶 latte" as 「抹茶 ラテ」 would, not as a phrase.
/// Bare words with Japanese in them that make more than one searchable term are cut
/// before each term, and the query tokenizer then analyses each piece (the same analysis
/// the index used); a hashtag (`#配送遅延`) is one term and stays whole. Quoted phrases,
/// `field:value`, and words with a `+`/`-` operator are left as written.
fn split_japanese_words(query: &str, analyzer: &TextAnalyzer) -> String {
    let mut out = String::with_capacity(query.len() * 2);
    let mut in_quotes = false;
    for word in query.split_inclusive(char::is_whitespace) {
        let quotes = word.matches('"').count();
        let bare = !in_quotes
            && quotes == 0
            && !word.contains(':')
            && !word.starts_with(['+', '-'])
            && word.chars().any(is_japanese);
        in_quotes ^= quotes % 2 == 1;
        let text = word.trim_end();
        let mut tokens = Vec::new();
        let analysed = bare
            && analyzer
                .tokenize_normalized(text, &find_entities(text), &mut Vec::new(), &mut tokens)
                .is_ok();
        let starts: Vec<usize> = tokens
            .iter()
            .filter(|t| t.is_searchable())
            .map(|t| t.span.start)
            .collect();
        if !analysed || starts.len() < 2 {
            out.push_str(word);
            continue;
        }
        let mut cut = 0;
        for &start in &starts[1..] {
            out.push_str(&text[cut..start]);
            out.push(' ');
            cut = start;
        }
        out.push_str(&text[cut..]);
        out.push(' ');
    }
    out
}

mod snippet;
mod stored;
#[cfg(test)]
mod tests;
