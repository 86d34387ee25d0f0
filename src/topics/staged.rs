//! Fitting a run's topics a piece at a time, so that its memory does not grow with the
//! number of records (a collector that spills, [`TopicCollector::spill_to`]).
//!
//! As records arrive, each one's features go to a scratch file ([`super::features`]),
//! its theme vector to another and its clauses' embeddings (where clauses are embedded)
//! to a third ([`super::record_vectors`]); memory keeps the run's
//! vocabulary, phrase table, channel and stage names, and 8 bytes a record (its text
//! hash). To fit, pieces of at most [`TopicOptions::fit_records`] records are read back
//! into a collector of their own, which fits them as a collector in memory does:
//! - a run of at most that many records is one piece, fitted as it would be in memory
//!   (the same topics, byte for byte);
//! - a larger run fits its model on the `fit_records` records of smallest text hash (a
//!   sample that does not depend on the order the records came in), then applies that
//!   model without candidate topics to every record, a piece of consecutive records at
//!   a time, and combines the pieces' topics as `koe index merge` combines shards
//!   ([`combine`]): the figures (sizes, sentiment, NPS, ratings, impact, trends) are
//!   those of all the records, labels and terms the model's, examples the most
//!   pronounced of every piece's, coherence the pieces' mean weighted by records. Each
//!   record's theme and topics are what the model gives it, as in a run applying the
//!   model (`--topics-from` with `--no-candidate-topics`);
//! - a run applying a given model skips the sample's fit; with candidate topics, which
//!   are clustered over the whole run, it is one piece however many records it has.

use super::assigned::AssignmentFile;
use super::collector::{Error, ScratchPaths, TopicCollector};
use super::combine::combine;
use super::features::{FeatureFile, FeatureReader, RecordFeatures};
use super::phrases::PhraseStore;
use super::record_vectors::{self, RecordVectors, RowReader};
use super::snippets::Snippets;
use super::{TopicOptions, Topics};

/// Where a spilling collector's records wait for the fit (see the module doc).
pub(crate) struct Staging {
    features: FeatureFile,
    /// Each record's text hash.
    keys: Vec<u64>,
    paths: ScratchPaths,
}

impl Staging {
    pub fn new(features: FeatureFile, paths: ScratchPaths) -> Self {
        Staging {
            features,
            keys: Vec::new(),
            paths,
        }
    }

    pub fn write(&mut self, features: &RecordFeatures) -> Result<(), Error> {
        self.features.write(features).map_err(Error::Features)?;
        self.keys.push(features.key);
        Ok(())
    }

    /// Hands what is buffered to the features' file.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.features.finish().map_err(Error::Features)
    }

    /// Fits the records of `run` (whose stores are empty: its records are here), a
    /// piece at a time.
    pub fn fit(mut self, mut run: TopicCollector) -> Result<Topics, Error> {
        self.finish()?;
        let records = finished(run.record_vectors.take())?;
        let clauses = finished(run.clause_vectors.take()).map_err(Error::ClauseVectors)?;
        let vectors = Vectors {
            records: records.as_ref(),
            clauses: clauses.as_ref(),
        };
        let n = self.features.len();
        let size = run.options.fit_records.max(1);
        let given = run.options.model.clone();
        if n <= size || (given.is_some() && run.options.candidates) {
            let options = run.options.clone();
            return self.fit_piece(&mut run, options, vectors, n, |_| true);
        }
        let (model, sample) = match given {
            Some(model) => (model, None),
            None => {
                let taken = self.sample(size);
                let options = run.options.clone();
                let sample = self.fit_piece(&mut run, options, vectors, n, |r| taken[r])?;
                let model = sample.model.clone().ok_or(Error::NoModel)?;
                (model, Some(sample))
            }
        };
        let options = TopicOptions {
            model: Some(model.clone()),
            candidates: false,
            ..run.options.clone()
        };
        let mut loader = Loader::new(&self.features, vectors)?;
        let mut pieces = Vec::with_capacity(n.div_ceil(size));
        let mut assigned =
            AssignmentFile::create(self.paths.assignments.clone()).map_err(Error::Assignments)?;
        for end in (size..n).step_by(size).chain([n]) {
            let mut piece = self.piece(&mut run, options.clone())?;
            loader.load(&mut piece, end, |_| true)?;
            let fitted = piece.fit_collected();
            give_back(piece, &mut run);
            let mut fitted = fitted?;
            assigned
                .append(&std::mem::take(&mut fitted.assignments))
                .map_err(Error::Assignments)?;
            pieces.push(fitted);
        }
        assigned.finish().map_err(Error::Assignments)?;
        let fitted_on = sample.as_ref().map(|_| size);
        let first = sample.as_ref().or(pieces.first());
        let theme_choice = first.map(|t| t.theme_choice.clone()).unwrap_or_default();
        let merges = first.map(|t| t.merges.clone()).unwrap_or_default();
        Ok(Topics {
            theme_choice,
            spilled: Some(std::sync::Arc::new(assigned)),
            model: Some(model),
            merges,
            sample: fitted_on,
            ..combine(pieces)
        })
    }

    /// One piece: the records `take` accepts of the first `end`, fitted with `options`.
    fn fit_piece(
        &self,
        run: &mut TopicCollector,
        options: TopicOptions,
        vectors: Vectors<'_>,
        end: usize,
        take: impl Fn(usize) -> bool,
    ) -> Result<Topics, Error> {
        let mut piece = self.piece(run, options)?;
        let loaded = Loader::new(&self.features, vectors)?.load(&mut piece, end, take);
        let fitted = loaded.and_then(|()| piece.fit_collected());
        give_back(piece, run);
        fitted
    }

    /// Which records are the `size` of smallest (text hash, record number).
    fn sample(&self, size: usize) -> Vec<bool> {
        let mut order: Vec<(u64, usize)> = self.keys.iter().copied().zip(0..).collect();
        let mut taken = vec![false; order.len()];
        if size < order.len() {
            order.select_nth_unstable(size);
            order.truncate(size);
        }
        for (_, record) in order {
            taken[record] = true;
        }
        taken
    }

    /// An empty collector with `options` over the run's vocabulary, phrases and names
    /// (lent by `run` until [`give_back`]), its snippets and theme vectors in scratch
    /// files.
    fn piece(
        &self,
        run: &mut TopicCollector,
        options: TopicOptions,
    ) -> Result<TopicCollector, Error> {
        let mut piece = TopicCollector::new(options);
        piece.snippets = Snippets::spill_to(self.paths.snippets.clone())?;
        if let Some(vectors) = piece.record_vectors.take() {
            let path = self.paths.fit_theme_vectors.clone();
            piece.record_vectors = Some(vectors.spill_to(path, piece.options.sample_size)?);
        }
        piece.vocab = std::mem::take(&mut run.vocab);
        piece.phrases = PhraseStore::with_table(run.phrases.take_table());
        piece.channels = std::mem::take(&mut run.channels);
        piece.stages = std::mem::take(&mut run.stages);
        Ok(piece)
    }
}

/// `vectors` with what they still queued embedded and written.
fn finished(
    vectors: Option<RecordVectors>,
) -> Result<Option<RecordVectors>, record_vectors::Error> {
    vectors
        .map(|mut vectors| vectors.finish().map(|()| vectors))
        .transpose()
}

/// What [`Staging::piece`] lent, back to `run`.
fn give_back(mut piece: TopicCollector, run: &mut TopicCollector) {
    run.vocab = std::mem::take(&mut piece.vocab);
    run.phrases = PhraseStore::with_table(piece.phrases.take_table());
    run.channels = std::mem::take(&mut piece.channels);
    run.stages = std::mem::take(&mut piece.stages);
}

/// The run's theme vectors (a row per record) and clause embeddings (a row per stored
/// clause), where it has them.
#[derive(Clone, Copy)]
struct Vectors<'a> {
    records: Option<&'a RecordVectors>,
    clauses: Option<&'a RecordVectors>,
}

/// Reads the records' features, theme vectors and clause embeddings back in step.
struct Loader<'a> {
    features: FeatureReader<'a>,
    rows: Option<RowReader<'a>>,
    clause_rows: Option<RowReader<'a>>,
    next: usize,
}

impl<'a> Loader<'a> {
    fn new(features: &'a FeatureFile, vectors: Vectors<'a>) -> Result<Self, Error> {
        Ok(Loader {
            features: features.read().map_err(Error::Features)?,
            rows: vectors.records.map(RecordVectors::rows).transpose()?,
            clause_rows: (vectors.clauses.map(RecordVectors::rows).transpose())
                .map_err(Error::ClauseVectors)?,
            next: 0,
        })
    }

    /// Reads on up to record `end`, putting those `take` accepts into `piece`.
    fn load(
        &mut self,
        piece: &mut TopicCollector,
        end: usize,
        take: impl Fn(usize) -> bool,
    ) -> Result<(), Error> {
        while self.next < end {
            let Some(features) = self.features.next() else {
                break;
            };
            let features = features.map_err(Error::Features)?;
            let taken = take(self.next);
            if let Some(rows) = &mut self.clause_rows {
                for _ in &features.clauses {
                    let (scale, row) = rows.next_row().map_err(Error::ClauseVectors)?;
                    if let (true, Some(embeddings)) = (taken, piece.embeddings.as_mut()) {
                        embeddings.push_row(scale, row);
                    }
                }
            }
            let row = match &mut self.rows {
                Some(rows) => Some(rows.next_row()?),
                None => None,
            };
            if taken {
                piece.push_features(&features)?;
                if let (Some(vectors), Some((scale, row))) = (piece.record_vectors.as_mut(), row) {
                    vectors.push_row(features.key, scale, row)?;
                }
            }
            self.next += 1;
        }
        Ok(())
    }
}
