//! The index schema: one Tantivy document per record.
//!
//! The text is indexed once, in `terms`, as the tokens the text stage made (every script
//! run by its own segmenter, see [`super::tokenizers`]); the original text is stored for
//! display. Labels
//! (sentiment, channel, stage, product, lang, topic, taxonomy category) are facets, so one query returns counts for
//! the whole result set; numbers and dates are fast fields for range filters.

use std::path::Path;

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED,
    STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::Error;
use super::tokenizers::KOE;

/// Handles to every field of a koe index.
#[derive(Debug, Clone, Copy)]
pub struct IndexFields {
    pub id: Field,
    /// The original text, stored, not indexed.
    pub text: Field,
    /// The searchable terms of the text, from the text stage's tokens.
    pub terms: Field,
    pub lang: Field,
    pub sentiment: Field,
    pub sentiment_score: Field,
    pub channel: Field,
    pub stage: Field,
    pub product: Field,
    /// The record's theme id.
    pub theme: Field,
    /// Sub-topic ids (pain points) of the record's clauses.
    pub topic: Field,
    /// Names of the taxonomy categories the record is in (flat: a child's record holds
    /// its parents' names too).
    pub category: Field,
    pub rating: Field,
    pub nps: Field,
    pub effort: Field,
    pub created_at: Field,
    /// `file:line` the record came from.
    pub origin: Field,
}

impl IndexFields {
    pub fn schema() -> Schema {
        let mut b = Schema::builder();
        let analysed = |tokenizer| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
        };
        let facet = || FacetOptions::default().set_stored();
        let number = INDEXED | FAST | STORED;
        b.add_text_field("id", STRING | STORED);
        b.add_text_field("text", STORED);
        b.add_text_field("terms", analysed(KOE));
        for name in [
            "lang",
            "sentiment",
            "channel",
            "stage",
            "product",
            "theme",
            "topic",
            "category",
        ] {
            b.add_facet_field(name, facet());
        }
        b.add_f64_field("sentiment_score", number.clone());
        b.add_u64_field("rating", number.clone());
        b.add_u64_field("nps", number.clone());
        b.add_u64_field("effort", number);
        b.add_date_field(
            "created_at",
            DateOptions::from(INDEXED | FAST | STORED).set_precision(DateTimePrecision::Seconds),
        );
        b.add_text_field("origin", STORED);
        b.build()
    }

    /// Looks the fields up in an index's schema; `dir` is for the error message.
    pub fn from_schema(schema: &Schema, dir: &Path) -> Result<Self, Error> {
        // Each field must be there and set up as this koe writes it (an index from
        // another koe version may index or store it otherwise).
        let expected = Self::schema();
        let field = |name: &'static str| {
            let found = schema.get_field(name).ok();
            let wanted = expected.get_field(name).ok();
            match (found, wanted) {
                (Some(f), Some(w)) if schema.get_field_entry(f) == expected.get_field_entry(w) => {
                    Ok(f)
                }
                _ => Err(Error::Schema(dir.to_path_buf(), name)),
            }
        };
        Ok(IndexFields {
            id: field("id")?,
            text: field("text")?,
            terms: field("terms")?,
            lang: field("lang")?,
            sentiment: field("sentiment")?,
            sentiment_score: field("sentiment_score")?,
            channel: field("channel")?,
            stage: field("stage")?,
            product: field("product")?,
            theme: field("theme")?,
            topic: field("topic")?,
            category: field("category")?,
            rating: field("rating")?,
            nps: field("nps")?,
            effort: field("effort")?,
            created_at: field("created_at")?,
            origin: field("origin")?,
        })
    }
}
