//! `--sentiment auto`'s first pass: read the inputs once for their star ratings, learn
//! a model per language from them ([`crate::sentiment::auto`]), and use it for the run.
//!
//! Only rated records are kept, as a seeded uniform sample of at most
//! [`AutoOptions::max_examples`] (reservoir sampling), so memory stays bounded on any
//! dump; they are analysed in parallel and handed to [`auto::choose`]. Rejects are left
//! to the main pass, which reads the same lines again and logs them once. The linear
//! models that won are kept in memory and saved by [`Pipeline::run`] into
//! `OUT/sentiment-model/<lang>/` once the index is committed.
//! [`Pipeline::learn_sentiment_from`] learns the same way from records a caller holds
//! (the Python package's `model="auto"` with `ratings=`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use rayon::prelude::*;

use super::{Error, Options, Pipeline, Progress, Stage};
use crate::ingest;
use crate::lang::Lang;
use crate::record::Record;
use crate::rng::SplitMix64;
use crate::sentiment::auto::{self, AutoChoice, AutoOptions, Example, NpsAgreement};
use crate::sentiment::by_lang::PerLanguage;
use crate::sentiment::lexicon::LexiconModel;
use crate::sentiment::linear::LinearModel;
use crate::sentiment::{Label, SentimentModel};

/// What `auto` learnt: its decisions (for the summary) and the models to save.
pub struct LearnedSentiment {
    pub choice: AutoChoice,
    pub models: Vec<(Lang, Arc<LinearModel>)>,
}

impl Pipeline {
    /// Learns `--sentiment auto` from the inputs' ratings and makes it this pipeline's
    /// model; the decisions go into the run's summary.
    pub fn learn_sentiment(
        &mut self,
        inputs: &[PathBuf],
        options: &Options,
        auto_options: &AutoOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<AutoChoice, Error> {
        options.check()?;
        if let Some(missing) = inputs.iter().find(|p| !p.is_file()) {
            return Err(Error::MissingInput(missing.clone()));
        }
        let fields = Arc::new(options.fields.clone());
        let bytes_read = Arc::new(AtomicU64::new(0));
        let mut rated = Rated::new(auto_options);
        let mut records_read = 0u64;
        for input in inputs {
            let items = ingest::open(input, fields.clone(), options.limits, bytes_read.clone())?;
            for item in items {
                records_read += 1;
                let Ok(record) = item? else { continue };
                rated.offer(record);
                if records_read.is_multiple_of(options.batch_size as u64) {
                    progress(Progress {
                        stage: Stage::LearningSentiment,
                        bytes_read: bytes_read.load(std::sync::atomic::Ordering::Relaxed),
                        records_read,
                        rejected: 0,
                        indexed: 0,
                    });
                }
            }
        }
        self.learn(rated, auto_options)
    }

    /// Learns `auto` from records the caller holds (texts with their star ratings, from
    /// Python), as [`Pipeline::learn_sentiment`] does from the inputs' records.
    pub fn learn_sentiment_from(
        &mut self,
        records: impl IntoIterator<Item = Record>,
        auto_options: &AutoOptions,
    ) -> Result<AutoChoice, Error> {
        let mut rated = Rated::new(auto_options);
        for record in records {
            rated.offer(record);
        }
        self.learn(rated, auto_options)
    }

    /// Learns from the rated sample and makes the result this pipeline's model.
    fn learn(&mut self, rated: Rated, auto_options: &AutoOptions) -> Result<AutoChoice, Error> {
        let Rated {
            sample,
            nps_agreement,
        } = rated;
        let rated_records = sample.seen;
        let examples: Vec<Example> = sample
            .items
            .into_par_iter()
            .filter_map(|record| {
                let label = record.rating.and_then(Label::from_rating)?;
                let text = self.analyzer.analyse(&record.text, record.lang).ok()?;
                Some(Example { text, label })
            })
            .collect();
        let lexicon = LexiconModel::embedded().map_err(auto::Error::Score)?;
        let rated_analysed = examples.len() as u64;
        let (languages, models) = auto::choose(examples, auto_options, &lexicon)?;
        let choice = AutoChoice {
            min_per_class: auto_options.min_per_class,
            holdout: auto_options.holdout,
            rated_records,
            rated_analysed,
            languages,
            nps_agreement,
        };
        let lexicon: Arc<dyn SentimentModel> = Arc::new(lexicon);
        let mut per_lang: BTreeMap<Lang, Arc<dyn SentimentModel>> = BTreeMap::new();
        let mut saved = Vec::new();
        for learned in models {
            let model = Arc::new(learned.model);
            per_lang.insert(learned.lang, model.clone());
            saved.push((learned.lang, model));
        }
        self.model = if per_lang.is_empty() {
            lexicon
        } else {
            Arc::new(PerLanguage::new(choice.describe(), per_lang, lexicon))
        };
        self.learned = Some(LearnedSentiment {
            choice: choice.clone(),
            models: saved,
        });
        Ok(choice)
    }
}

/// The rated records `auto` learns from, as they are read: a sample, and how NPS and
/// ratings agree.
struct Rated {
    sample: Reservoir,
    nps_agreement: NpsAgreement,
}

impl Rated {
    fn new(auto_options: &AutoOptions) -> Self {
        Rated {
            sample: Reservoir::new(auto_options.max_examples, auto_options.seed),
            nps_agreement: NpsAgreement::default(),
        }
    }

    fn offer(&mut self, record: Record) {
        if let (Some(nps), Some(rating)) = (record.nps, record.rating) {
            self.nps_agreement.add(nps, rating);
        }
        if record.rating.and_then(Label::from_rating).is_some() {
            self.sample.offer(record);
        }
    }
}

/// A seeded uniform sample of at most `capacity` records (Vitter's algorithm R).
struct Reservoir {
    items: Vec<Record>,
    capacity: usize,
    seen: u64,
    rng: SplitMix64,
}

impl Reservoir {
    fn new(capacity: usize, seed: u64) -> Self {
        Reservoir {
            items: Vec::new(),
            capacity,
            seen: 0,
            rng: SplitMix64::new(seed),
        }
    }

    fn offer(&mut self, record: Record) {
        self.seen += 1;
        if self.items.len() < self.capacity {
            self.items.push(record);
        } else {
            let j = self.rng.below(self.seen as usize);
            if j < self.capacity {
                self.items[j] = record;
            }
        }
    }
}
