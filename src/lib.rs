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
//! 4. [`pipeline`] runs stages 2–3 over batches in parallel (rayon);
//! 5. [`index`] writes a Tantivy index with Japanese and English analysers and facets,
//!    and searches it.

pub mod index;
pub mod ingest;
pub mod pipeline;
pub mod record;
pub mod sentiment;
pub mod text;
pub mod topics;

pub use record::{Analysed, Lang, Record};
pub use sentiment::{DocSentiment, Label, Score, SentimentModel};
pub use text::{AnalysedText, TextAnalyzer};
