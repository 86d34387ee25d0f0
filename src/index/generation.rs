//! The index of a published generation, as the readers of an analysis folder open it.

use super::{Error, SearchIndex, StoredRecords};
use crate::analysis::{Generation, Part};
use crate::text::TextAnalyzer;

impl Generation {
    /// Opens the generation's index to read its records (no dictionary needed).
    pub fn open_records(&self) -> Result<StoredRecords, Error> {
        StoredRecords::open(&self.path(Part::Index))
    }

    /// Opens the generation's index for searching.
    pub fn open_index(&self, analyzer: &TextAnalyzer) -> Result<SearchIndex, Error> {
        SearchIndex::open(&self.path(Part::Index), analyzer)
    }
}
