//! One run: the inputs (and, with `--append`, the previous generation's records) →
//! analysed batches → index, topics, rejects and summary in the run's staging generation.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::ids::{IdRegistry, Position, Verdict};
use super::inputs::{check_inputs, identify};
use super::spill::SpillWriter;
use super::{Appended, DuplicateIds, Error, Options, Pipeline, Progress, Stage, Summary};
use crate::analysis::{Part, Run};
use crate::export::RecordsWriter;
use crate::index::{IndexBuilder, IndexDoc};
use crate::ingest::{self, Reject, RejectLog};
use crate::record::Record;
use crate::taxonomy::{CategoryTally, Tag};
use crate::topics::{Period, ScratchPaths, TopicCollector, TopicOptions};

/// Where each analysed record goes.
enum Sink {
    Index(IndexBuilder),
    /// Topics first: features to the collector, records to the spill file; the index is
    /// written once the topics are fitted.
    Spill {
        index: IndexBuilder,
        spill: SpillWriter,
        topics: Box<TopicCollector>,
    },
}

impl Pipeline {
    /// Reads every input, analyses it and writes the run's generation: index, rejects,
    /// topics and summary. The caller publishes it ([`Run::publish`]); on an error (or
    /// an [`Interrupt`](super::Interrupt)) it drops the run instead, and the folder stays
    /// as it was.
    pub fn run(
        &self,
        inputs: &[PathBuf],
        run: &Run,
        options: &Options,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Summary, Error> {
        let started = Instant::now();
        options.check()?;
        check_inputs(inputs, run.folder())?;
        let previous = run.previous().filter(|_| options.append);
        let earlier = match previous {
            Some(generation) => super::read_corpus(generation)?,
            None => Vec::new(),
        };
        let files = identify(inputs, &earlier, run.number())?;
        let names: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        let mut feed = Feed::begin(self, run, options, progress, names, started)?;
        feed.pass.summary.corpus = earlier.into_iter().chain(files).collect();

        let fields = Arc::new(options.fields.clone());
        feed.pass.stage = Stage::ReadingIds;
        let bytes_read = Arc::new(AtomicU64::new(0));
        let mut read = 0;
        for (i, input) in inputs.iter().enumerate() {
            let items = ingest::open(input, fields.clone(), options.limits, bytes_read.clone())?;
            for item in items {
                if let Ok(record) = item? {
                    feed.ids
                        .note(&record.id, position(i, &record))
                        .map_err(|message| Error::Option {
                            option: "duplicate-ids",
                            message: format!("{}: {message}", feed.names[i]),
                        })?;
                }
                read += 1;
                if read % options.batch_size == 0 {
                    feed.pass
                        .bytes_read
                        .store(bytes_read.load(Ordering::Relaxed), Ordering::Relaxed);
                    feed.pass.report();
                    options.interrupt.check()?;
                }
            }
        }
        feed.pass.bytes_read.store(0, Ordering::Relaxed);
        feed.ids.seal(previous.is_some());

        feed.pass.stage = Stage::Analysing;
        for (i, input) in inputs.iter().enumerate() {
            let items = ingest::open(
                input,
                fields.clone(),
                options.limits,
                feed.pass.bytes_read.clone(),
            )?;
            for item in items {
                feed.take(item?, i)?;
            }
        }

        if let Some(previous) = previous {
            let Feed {
                pass,
                ids,
                admitted,
                ..
            } = &mut feed;
            pass.flush()?;
            pass.stage = Stage::Carrying;
            let mut appended = Appended {
                previous_generation: previous.number(),
                ..Appended::default()
            };
            let index = previous.open_records()?;
            index.try_for_each_stored_record(|record| {
                if ids.contains(&record.id) {
                    appended.updated += 1;
                    Ok(())
                } else {
                    appended.kept += 1;
                    pass.push(record)
                }
            })?;
            appended.added = *admitted - appended.updated;
            pass.summary.append = Some(appended);
        }
        feed.finish()
    }

    /// A run the caller feeds record by record ([`Feed::push`]) from one source it names
    /// `name` (records it holds: a Spark partition's Arrow batches, read by
    /// [`ingest::ArrowRows`]), through the stages [`Pipeline::run`] takes its inputs'
    /// records through. Ids are kept by `options.duplicate_ids`, `first` or `error`
    /// (`last` would need a second pass over the records); `append` is refused. The
    /// caller publishes the run after [`Feed::finish`].
    pub fn feed<'a>(
        &'a self,
        name: &str,
        run: &'a Run,
        options: &'a Options,
        progress: &'a mut dyn FnMut(Progress),
    ) -> Result<Feed<'a>, Error> {
        let started = Instant::now();
        options.check()?;
        if options.duplicate_ids == DuplicateIds::Last {
            return Err(Error::Option {
                option: "duplicate-ids",
                message: "`last` reads the records twice; records fed one at a time keep the \
                          first of an id or stop (`first`, `error`)"
                    .into(),
            });
        }
        if options.append {
            return Err(Error::Option {
                option: "append",
                message: "records fed one at a time make a new generation of their own".into(),
            });
        }
        Feed::begin(self, run, options, progress, vec![name.into()], started)
    }
}

/// A run taking records one at a time: the ids rule, then analysis in batches
/// ([`Pass`]). [`Pipeline::run`] feeds it its inputs' records; [`Pipeline::feed`] hands
/// it to a caller holding records.
pub struct Feed<'a> {
    pass: Pass<'a>,
    ids: IdRegistry,
    /// The inputs' names, by index (for duplicate-id rejects).
    names: Vec<String>,
    /// Records kept (not rejects, not set aside by their id).
    admitted: u64,
    started: Instant,
}

impl<'a> Feed<'a> {
    fn begin(
        pipeline: &'a Pipeline,
        run: &'a Run,
        options: &'a Options,
        progress: &'a mut dyn FnMut(Progress),
        names: Vec<String>,
        started: Instant,
    ) -> Result<Self, Error> {
        let mut pass = Pass::begin(pipeline, run, options, progress)?;
        pass.summary.inputs = names.clone();
        Ok(Feed {
            pass,
            ids: IdRegistry::new(options.duplicate_ids),
            names,
            admitted: 0,
            started,
        })
    }

    /// One line or row of input `input`: a reject is logged, a record kept or set aside
    /// by its id, kept records analysed a batch at a time.
    fn take(&mut self, item: ingest::Item, input: usize) -> Result<(), Error> {
        self.pass.summary.records_read += 1;
        let record = match item {
            Ok(record) => record,
            Err(reject) => return self.pass.reject(&reject),
        };
        let at = position(input, &record);
        let names = &self.names;
        match self.ids.admit(&record, at, |i| names[i as usize].clone()) {
            Verdict::Keep => {
                self.admitted += 1;
                self.pass.push(record)
            }
            Verdict::SetAside(reject) => self.pass.reject(&reject),
            Verdict::Repeated(first) => Err(Error::DuplicateId {
                at: format!("{}:{}", names[input], at.line),
                first: format!("{}:{}", names[first.input as usize], first.line),
                id: record.id,
            }),
        }
    }

    /// One record or reject of the fed source (what [`ingest::ArrowRows`] reads).
    pub fn push(&mut self, item: ingest::Item) -> Result<(), Error> {
        self.take(item, 0)
    }

    /// Analyses what is still batched, fits or applies the topics and writes the index,
    /// the rejects and the summary into the run's generation; the caller publishes it.
    pub fn finish(self) -> Result<Summary, Error> {
        self.pass.finish(self.started)
    }
}

fn position(input: usize, record: &Record) -> Position {
    Position {
        input: u32::try_from(input).unwrap_or(u32::MAX),
        line: record.origin.line,
    }
}

/// A run under way: records batch up, are analysed, and go to the sink.
struct Pass<'a> {
    pipeline: &'a Pipeline,
    options: &'a Options,
    run: &'a Run,
    sink: Sink,
    /// With a taxonomy: every record's categories, for `categories.json`.
    categories: Option<CategoryTally>,
    /// `records.parquet`, with `--emit parquet`: written beside the index.
    records: Option<RecordsWriter>,
    rejects: RejectLog,
    batch: Vec<Record>,
    summary: Summary,
    stage: Stage,
    bytes_read: Arc<AtomicU64>,
    progress: &'a mut dyn FnMut(Progress),
}

impl<'a> Pass<'a> {
    fn begin(
        pipeline: &'a Pipeline,
        run: &'a Run,
        options: &'a Options,
        progress: &'a mut dyn FnMut(Progress),
    ) -> Result<Self, Error> {
        let rejects_path = run.path(Part::Rejects);
        let rejects = RejectLog::create(&rejects_path).map_err(|source| Error::Output {
            path: rejects_path,
            source,
        })?;
        let index = IndexBuilder::create(
            &run.path(Part::Index),
            &pipeline.analyzer,
            options.index_memory,
        )?;
        let sink = match &options.topics {
            None => Sink::Index(index),
            Some(topic_options) => {
                let path = run.path(Part::Spill);
                Sink::Spill {
                    index,
                    spill: SpillWriter::create(path.clone())
                        .map_err(|source| Error::Output { path, source })?,
                    topics: Box::new(
                        TopicCollector::new(match &options.taxonomy {
                            Some(tagger) => {
                                let taxonomy = tagger.taxonomy();
                                TopicOptions {
                                    merges: taxonomy.merges.clone(),
                                    theme_seeds: taxonomy
                                        .seeds()
                                        .into_iter()
                                        .map(|c| taxonomy.categories[c].label.clone())
                                        .collect(),
                                    ..topic_options.clone()
                                }
                            }
                            None => topic_options.clone(),
                        })
                        .with_clause_sentiment(pipeline.model.clone())
                        .spill_to(ScratchPaths {
                            features: run.path(Part::TopicFeatures),
                            theme_vectors: run.path(Part::ThemeVectors),
                            clause_vectors: run.path(Part::ClauseVectors),
                            snippets: run.path(Part::TopicSnippets),
                            fit_theme_vectors: run.path(Part::FitThemeVectors),
                            assignments: run.path(Part::TopicAssignments),
                        })?,
                    ),
                }
            }
        };
        let period = options.topics.as_ref().map_or(Period::Month, |t| t.period);
        let categories = options
            .taxonomy
            .as_ref()
            .map(|t| CategoryTally::new(t.taxonomy().categories.len(), period));
        let records = match options.emit_parquet {
            true => Some(RecordsWriter::create(&run.path(Part::Records))?),
            false => None,
        };
        Ok(Pass {
            pipeline,
            options,
            run,
            sink,
            categories,
            records,
            rejects,
            batch: Vec::with_capacity(options.batch_size),
            summary: Summary {
                koe_version: env!("CARGO_PKG_VERSION"),
                generation: run.number(),
                inputs: Vec::new(),
                corpus: Vec::new(),
                sentiment_model: pipeline.model.name().to_string(),
                sentiment_auto: pipeline.learned.as_ref().map(|l| l.choice.clone()),
                records_read: 0,
                indexed: 0,
                rejected: 0,
                rejected_by_reason: BTreeMap::new(),
                by_lang: BTreeMap::new(),
                by_sentiment: BTreeMap::new(),
                themes: None,
                theme_outliers: None,
                topics: None,
                topic_outliers: None,
                topic_sample: None,
                topic_vectors: options.topics.as_ref().map(|t| t.vectors.to_string()),
                theme_vectors: options.topics.as_ref().map(|t| t.theme_vectors.to_string()),
                duplicate_ids: options.duplicate_ids,
                append: None,
                taxonomy: None,
                elapsed_s: 0.0,
                docs_per_s: 0.0,
            },
            stage: Stage::Analysing,
            bytes_read: Arc::new(AtomicU64::new(0)),
            progress,
        })
    }

    fn reject(&mut self, reject: &Reject) -> Result<(), Error> {
        self.rejects.write(reject).map_err(|source| Error::Output {
            path: self.run.path(Part::Rejects),
            source,
        })
    }

    fn push(&mut self, record: Record) -> Result<(), Error> {
        self.batch.push(record);
        if self.batch.len() >= self.options.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    /// Analyses the batch and hands it on; then the progress display is told and a
    /// request to stop is heeded.
    fn flush(&mut self) -> Result<(), Error> {
        let batch = std::mem::take(&mut self.batch);
        let (analysed, failed) = self.pipeline.analyse_batch(batch);
        for reject in &failed {
            self.reject(reject)?;
        }
        let spill_path = || self.run.path(Part::Spill);
        let tags: Vec<Vec<Tag>> = match &self.options.taxonomy {
            Some(tagger) => analysed.par_iter().map(|a| tagger.tag(a)).collect(),
            None => Vec::new(),
        };
        let mut tags = tags.into_iter();
        for a in analysed {
            let tags = tags.next();
            let seed = match (&tags, &self.options.taxonomy) {
                (Some(tags), Some(tagger)) => tagger.taxonomy().seed_of(tags),
                _ => None,
            };
            *self
                .summary
                .by_lang
                .entry(a.text.lang.to_string())
                .or_default() += 1;
            let label = a.sentiment.doc.label.to_string();
            *self.summary.by_sentiment.entry(label).or_default() += 1;
            let mut categories = Vec::new();
            if let (Some(tally), Some(tags), Some(tagger)) =
                (&mut self.categories, tags, &self.options.taxonomy)
            {
                tally.add(&a, &tags);
                let all = &tagger.taxonomy().categories;
                categories = tags
                    .iter()
                    .map(|t| all[t.category()].name.clone())
                    .collect();
            }
            let doc = |a| IndexDoc {
                categories,
                ..IndexDoc::from(a)
            };
            match &mut self.sink {
                Sink::Index(index) => {
                    let doc = doc(a);
                    if let Some(records) = &mut self.records {
                        records.add(&doc)?;
                    }
                    index.add(doc)?;
                    self.summary.indexed += 1;
                }
                Sink::Spill { spill, topics, .. } => {
                    topics.add_seeded(&a, seed)?;
                    spill.push(&doc(a)).map_err(|source| Error::Output {
                        path: spill_path(),
                        source,
                    })?;
                }
            }
        }
        if let Sink::Spill { spill, .. } = &mut self.sink {
            spill.flush().map_err(|source| Error::Output {
                path: spill_path(),
                source,
            })?;
        }
        self.report();
        self.options.interrupt.check()
    }

    fn report(&mut self) {
        (self.progress)(Progress {
            stage: self.stage,
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            records_read: self.summary.records_read,
            rejected: self.rejects.total(),
            indexed: self.summary.indexed,
        });
    }

    /// Fits the topics (if asked), writes the index, the rejects and the summary.
    fn finish(mut self, started: Instant) -> Result<Summary, Error> {
        self.flush()?;
        let Pass {
            pipeline,
            options,
            run,
            sink,
            categories,
            mut records,
            rejects,
            mut summary,
            bytes_read,
            progress,
            ..
        } = self;
        let mut report = |stage, summary: &Summary| {
            progress(Progress {
                stage,
                bytes_read: bytes_read.load(Ordering::Relaxed),
                records_read: summary.records_read,
                rejected: rejects.total(),
                indexed: summary.indexed,
            })
        };
        let index = match sink {
            Sink::Index(index) => index,
            Sink::Spill {
                mut index,
                spill,
                topics,
            } => {
                report(Stage::FittingTopics, &summary);
                let mut topics = topics.fit()?;
                options.interrupt.check()?;
                if let Some(tagger) = &options.taxonomy {
                    let renames = tagger.taxonomy().rename_topics(&mut topics.topics);
                    let counted = summary.taxonomy.get_or_insert_default();
                    counted.renames = renames;
                    counted.merges = std::mem::take(&mut topics.merges);
                }
                run.write_json(Part::Topics, &topics)?;
                run.write_json(Part::TopicTallies, &topics.tallies())?;
                if let Some(model) = topics.model() {
                    model.write(&run.path(Part::TopicModel))?;
                }
                summary.themes = Some(topics.themes.len());
                summary.theme_outliers = Some(topics.overall.theme_outliers);
                summary.topics = Some(topics.topics.len());
                summary.topic_outliers = Some(topics.overall.outliers);
                summary.topic_sample = topics.sample;
                let spill_path = run.path(Part::Spill);
                let output = |source| Error::Output {
                    path: spill_path.clone(),
                    source,
                };
                let mut assigned = topics.records()?;
                for doc in spill.into_reader().map_err(output)? {
                    let mut doc = doc.map_err(output)?;
                    // A record the fit never saw (none: it sees them all) has no topics.
                    (doc.theme, doc.topics) = assigned.next().transpose()?.unwrap_or_default();
                    if let Some(records) = &mut records {
                        records.add(&doc)?;
                    }
                    index.add(doc)?;
                    summary.indexed += 1;
                    if summary.indexed.is_multiple_of(options.batch_size as u64) {
                        report(Stage::Indexing, &summary);
                        options.interrupt.check()?;
                    }
                }
                index
            }
        };
        if let (Some(tally), Some(tagger)) = (categories, &options.taxonomy) {
            let taxonomy = tagger.taxonomy();
            let figures = tally.finish(taxonomy);
            run.write_json(Part::Categories, &figures)?;
            let counted = summary.taxonomy.get_or_insert_default();
            counted.file = figures.taxonomy.clone();
            counted.tagged = figures.tagged;
            counted.by_category = figures
                .categories
                .iter()
                .map(|c| (c.name.clone(), c.figures.size as u64))
                .collect();
        }
        options.interrupt.check()?;
        index.commit()?;
        if let Some(records) = records {
            records.finish()?;
        }
        if let Some(learned) = &pipeline.learned {
            super::save_models(learned, &run.path(Part::SentimentModel))?;
        }
        summary.rejected_by_reason = rejects.finish().map_err(|source| Error::Output {
            path: run.path(Part::Rejects),
            source,
        })?;
        summary.rejected = summary.rejected_by_reason.values().sum();
        summary.elapsed_s = started.elapsed().as_secs_f64();
        summary.docs_per_s = summary.records_read as f64 / summary.elapsed_s.max(1e-9);
        run.write_json(Part::Summary, &summary)?;
        Ok(summary)
    }
}
