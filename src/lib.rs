//! koe (声, "voice") — a text-mining engine for voice-of-customer feedback in Japanese
//! and English.
//!
//! Data flows one way through the stages, each a module with a small trait:
//!
//! 1. [`ingest`] streams JSONL / CSV records (optionally gzipped) into [`Record`]s,
//!    setting bad lines aside as rejects with file, line and reason;
//! 2. [`text`] normalises, detects ja/en, splits sentences and tokenizes (lindera for
//!    Japanese, Snowball for English) into an [`AnalysedText`];
//! 3. [`sentiment`] scores every sentence and document ([`SentimentModel`]);
//! 4. [`topics`] groups clauses into topics and ranks them as pain points by their impact
//!    on NPS or rating, with trends; [`taxonomy`] tags records with the analyst's own
//!    categories and measures them the same way;
//! 5. [`index`] writes a Tantivy index with Japanese and English analysers and facets
//!    (topics included), which [`index::SearchIndex`] searches, and from which
//! 6. [`report`] computes NPS, CSAT, CES and sentiment with confidence intervals, and
//!    writes them, with the pain points of the topics stage, as HTML, Markdown and JSON.
//!
//! [`pipeline`] runs stages 2–5 as one batch job: parallel (rayon) over batches, in
//! bounded memory, into a staging generation of an [`analysis`] folder, which publishes
//! it whole; every reader opens an analysis folder through [`analysis::AnalysisDir`].
//! [`serve`] answers searches, pain points and metrics of an analysis over HTTP, with a
//! search page. [`embed`] turns texts into sentence vectors (the multilingual Universal
//! Sentence Encoder, no libtorch), which the topics stage can cluster instead of TF-IDF.
//! [`eval`] measures sentiment models on labelled data
//! (accuracy, macro-F1, macro-recall, docs/s, peak memory); [`sentiment::train`] fits
//! the linear backend. With the cargo feature `transformer`, `transformer` loads
//! BERT-family models through rust-bert (sentiment classifiers, sentence embeddings) and
//! fine-tunes them; the sentiment stage wraps its classifier as a [`SentimentModel`].
//!
//! Leaves that every stage may name without importing another: [`lang`] (the languages),
//! [`polarity`] (the sentiment classes, their metrics and class weights), [`rng`],
//! [`stats`], [`period`]. The module graph has no cycle (`scripts/module_cycles.py`, run
//! by `.ci/run`).
//!
//! ```
//! use koe::{Label, TextAnalyzer, sentiment};
//!
//! // The Japanese dictionary is built from Debian's mecab-ipadic on first use.
//! let analyzer = TextAnalyzer::load(None)?;
//! let model = sentiment::from_spec("lexicon")?;
//! let doc = analyzer.analyse("配送が遅くて困りました。でも店員さんは親切でした。", None)?;
//! let scores = model.score_batch(&[&doc])?;
//! for (sentence, score) in doc.sentences.iter().zip(&scores[0].sentences) {
//!     println!("{} → {} ({:+.2})", doc.sentence_text(sentence), score.label, score.value);
//! }
//! let labels: Vec<Label> = scores[0].sentences.iter().map(|s| s.label).collect();
//! assert_eq!(labels, [Label::Negative, Label::Positive]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod analysis;
pub mod cache;
pub mod embed;
pub mod eval;
pub mod export;
pub mod index;
pub mod ingest;
pub mod lang;
pub mod period;
pub mod pipeline;
pub mod polarity;
pub mod record;
pub mod report;
pub mod rng;
mod scratch;
pub mod sentiment;
pub mod serve;
pub mod stats;
pub mod taxonomy;
pub mod text;
pub mod topics;
#[cfg(feature = "transformer")]
pub mod transformer;

pub use lang::Lang;
pub use record::{Analysed, Record};
pub use sentiment::{DocSentiment, Label, Score, SentimentModel};
pub use text::{AnalysedText, TextAnalyzer};
