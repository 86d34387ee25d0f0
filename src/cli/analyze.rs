//! `koe analyze`: read dumps, analyse every record, publish a new generation of the output
//! folder (index, topics, rejects, summary).

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::Context;

use koe::Lang;
use koe::analysis::{AnalysisDir, Generation, Part};
use koe::ingest::{FieldMap, FieldNames, Limits};
use koe::pipeline::{DuplicateIds, Interrupt, Options, Pipeline, Summary, TopicSpecs};
use koe::sentiment::ModelSpec;
use koe::sentiment::auto::AutoOptions;
use koe::sentiment::auto::{AutoChoice, Chosen};
use koe::taxonomy::Tagger;
use koe::topics::{Period, TopicOptions};

use super::output::{ProgressDisplay, emit, print_json};
use super::{DictionaryArgs, use_threads};

/// Analyse feedback files and build a searchable index.
///
/// Reads JSONL (.jsonl, .ndjson) and CSV/TSV (.csv, .tsv) files, gzip-compressed or not
/// (.gz), one record per line or row, and Parquet files (.parquet), one record per row,
/// one row group at a time. Each record is normalised, its language detected
/// (ja/en), split into sentences, tokenized and scored for sentiment; the results go to a
/// Tantivy index. Bad records never stop the run: they are listed in rejects.jsonl with
/// file, line and reason, and counted in summary.json.
///
/// Each run writes a new generation of OUT (OUT/gen-000001, gen-000002, …) and publishes
/// it whole, in one atomic step, when it is done: readers (search, topics, report, serve)
/// see the previous generation until then, and a run that fails, is interrupted (Ctrl-C,
/// exit 130; SIGTERM, 143) or is killed leaves it as it was. One run writes into OUT at a
/// time. koe writes only into a new or empty folder, or one it made.
///
/// Example: koe analyze corpora/shop-feedback.jsonl --out out/demo
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input files (JSONL, CSV or TSV, optionally .gz; or Parquet).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// Output folder: each run publishes a generation here (index/, topics.json,
    /// rejects.jsonl, summary.json), read by koe search, topics, report and serve.
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,

    /// If another run is writing into OUT, wait for it to finish instead of failing.
    #[arg(long)]
    wait: bool,

    /// Add the inputs to OUT's current analysis instead of replacing it: a record whose
    /// id OUT already holds is updated, the others are added, and everything that
    /// depends on the whole corpus (topics, counts) is computed again over all of them.
    /// An input with the same bytes as one OUT already read is refused.
    #[arg(long)]
    append: bool,

    /// Which record is kept when several have the same id: `last` (the latest, as a
    /// correction would be), `first`, or `error` (stop and publish nothing). The others
    /// are rejects (duplicate_id) naming the one kept. The inputs are read twice, once
    /// for the ids, so that the check costs no memory per record while they are analysed.
    #[arg(long, default_value = "last", value_name = "RULE")]
    duplicate_ids: DuplicateIds,

    /// Sentiment model. `auto` (the default): per language, when the records carry
    /// enough star ratings (--auto-min-per-class in each of two classes: 1–2 negative,
    /// 3 neutral, 4–5 positive), a linear model is trained on them and compared with the
    /// lexicon on a held-out part; the better by macro-recall scores every record of that
    /// language, and a trained winner is saved in OUT's generation (reuse it with
    /// `--sentiment linear:OUT`). Without enough ratings: the lexicon.
    /// NPS answers are not used as labels. Or: `lexicon` (embedded VADER + Tohoku
    /// polarity dictionary), `linear:<DIR>` (a model trained by `koe train sentiment`, or
    /// an analysis folder whose `auto` run trained one) or `transformer:<DIR-or-ID>` (a fine-tuned BERT-family
    /// classifier; needs a koe built with `--features transformer`).
    #[arg(long, default_value = "auto", value_name = "MODEL")]
    sentiment: ModelSpec,

    /// With `--sentiment auto`: rated records a class needs, per language, to train on.
    #[arg(long, default_value_t = AutoOptions::default().min_per_class, value_name = "N")]
    auto_min_per_class: usize,

    /// Longest text accepted, in bytes; longer records are rejected as text_too_long.
    #[arg(long, default_value_t = Limits::default().max_text_bytes, value_name = "BYTES")]
    max_text_bytes: usize,

    /// Records analysed together (memory holds one batch at a time).
    #[arg(long, default_value_t = Options::default().batch_size, value_name = "N")]
    batch_size: usize,

    /// Memory for Tantivy's indexer, in MB: segments are flushed to disk when it is full,
    /// so memory stays flat as the corpus grows. More means fewer, larger segments (at
    /// least 15: each indexing thread needs 15, fewer threads are used below 15 per thread).
    #[arg(long, default_value_t = Options::default().index_memory / (1024 * 1024), value_name = "MB")]
    index_memory_mb: usize,

    /// The analyst's taxonomy (TOML, see README "Taxonomy"): every record is tagged with
    /// the categories whose ja/en keywords (matched on base forms and stems) or patterns
    /// (regular expressions) its sentences match, parents included. Categories become a
    /// search facet (`category:NAME`), are counted in summary.json and measured like
    /// topics (count, share, sentiment mix, NPS, impact) in categories.json and the
    /// report. Its [[merge]] entries make one sub-topic of several (figures counted
    /// again from the records), its [[rename]] entries relabel the topics found; both
    /// keep their ids in later runs with --topics-from. Categories with `seed = true`
    /// seed themes (a guided start): their records start one theme each, named by the
    /// category, and the records that match no seed form themes of their own.
    #[arg(long, value_name = "FILE")]
    taxonomy: Option<PathBuf>,

    /// Worker threads for analysis (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Also write the analysed records in this format into the generation, published
    /// with the rest: `parquet` writes OUT/gen-…/records.parquet, one row per record (id,
    /// text, survey fields, source file and row, language, sentiment label, score and
    /// confidence, topic ids), for warehouses, pandas and BI tools.
    #[arg(long, value_name = "FORMAT")]
    emit: Vec<Emit>,

    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,

    /// No progress display.
    #[arg(long, short)]
    quiet: bool,

    #[command(flatten)]
    dictionary: DictionaryArgs,

    // Last: each group sets the help heading of what follows it.
    #[command(flatten)]
    fields: FieldArgs,

    #[command(flatten)]
    topics: TopicArgs,
}

/// Formats `--emit` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Emit {
    /// records.parquet: one row per analysed record.
    Parquet,
}

/// Topic discovery: which pain points the feedback holds (see `koe topics`).
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Topics")]
struct TopicArgs {
    /// Skip topic discovery (one pass, no topics.json, no topic facet).
    #[arg(long)]
    no_topics: bool,

    /// Apply the topic model of an earlier analysis (its output folder) instead of
    /// fitting one: records and clauses go to its themes and sub-topics under the same
    /// ids (so November's #3 is October's #3), and what none of them covers is clustered
    /// into candidate new topics. Give the same --topic-vectors and --embed-lang as then.
    #[arg(long, value_name = "DIR", conflicts_with = "themes")]
    topics_from: Option<PathBuf>,

    /// With --topics-from: leave the clauses none of the model's sub-topics covers as
    /// outliers instead of clustering them into candidate topics, so that each record's
    /// topics depend on the record and the model alone. Shards of one corpus analysed
    /// apart (the Spark job) use it, so that `koe index merge` joins them into what one
    /// run over the whole corpus gives.
    #[arg(long, requires = "topics_from")]
    no_candidate_topics: bool,

    /// Exactly this many themes (default: the most stable number between 4 and 20,
    /// fewer for a small corpus; see `koe topics --help`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    themes: Option<u32>,

    /// At most this many sub-topics in all (the smallest merge into their nearest).
    #[arg(long, value_name = "N")]
    max_topics: Option<usize>,

    /// Records a sub-topic needs; smaller groups become outliers (and a theme's share of
    /// the sample for the choice of how many themes).
    #[arg(long, default_value_t = TopicOptions::default().min_topic_size, value_name = "N")]
    min_topic_size: usize,

    /// Most records the topic fit holds in memory at once. A run with more fits its
    /// topics on this many (those of smallest text hash, whatever their order) and
    /// applies them to every record in pieces of this many, so memory stays flat
    /// however large the input: figures count every record, labels and examples come
    /// from the sample and the pieces (README, Scaling). Fewer: less memory.
    #[arg(long, default_value_t = TopicOptions::default().fit_records as u32, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    fit_records: u32,

    /// Trend buckets: month or week.
    #[arg(long, default_value = "month", value_name = "PERIOD")]
    period: Period,

    /// Cluster Japanese and English feedback apart instead of in one space.
    #[arg(long)]
    separate_languages: bool,

    /// Seed for sampling and clustering (same seed, same topics).
    #[arg(long, default_value_t = TopicOptions::default().seed, value_name = "N")]
    seed: u64,

    /// How clauses become vectors before clustering: `tfidf` (TF-IDF over topic terms
    /// reduced by LSA: fast, Japanese and English, no model); `embeddings:use-m3` (the
    /// multilingual Universal Sentence Encoder, in every build: Japanese and English
    /// feedback about the same thing lands in one topic; scripts/setup.sh installs it
    /// into koe's cache, KOE_USE_M3_DIR points elsewhere); or `embeddings:<DIR-or-ID>` (a
    /// BERT-family sentence model such as all-MiniLM-L6-v2, which
    /// scripts/setup-transformer.sh puts in target/models; needs a koe built with
    /// `--features transformer`). Every clause runs through the model: use-m3 adds about
    /// a second per thousand short records on two cores, MiniLM several. See
    /// --embed-lang.
    #[arg(long, default_value = "tfidf", value_name = "VECTORS")]
    topic_vectors: String,

    /// With `--topic-vectors embeddings:…`, the languages whose clauses the model
    /// embeds (ja, en; default: all); the others keep tfidf and are clustered apart.
    /// use-m3 embeds both; all-MiniLM-L6-v2 is English-only (it puts nearly all Japanese
    /// in one place): use `--embed-lang en` with it.
    #[arg(long, value_name = "LANG", value_delimiter = ',')]
    embed_lang: Vec<Lang>,

    /// What a record's theme vector mixes with its TF-IDF → LSA row: `auto` (default:
    /// the encoder --topic-vectors embeddings:… names when --embed-lang does not limit
    /// it to some languages; otherwise the multilingual use-m3 encoder's vector of the
    /// whole record where it is installed, as scripts/setup.sh does; without it koe
    /// warns and uses LSA alone),
    /// `tfidf` (LSA alone, or the mean of the clause embeddings with --topic-vectors
    /// embeddings:…), or `embeddings:use-m3` / `embeddings:<DIR-or-ID>` (an error when
    /// the model is missing). The encoder is what finds themes in short feedback and
    /// puts Japanese and English feedback about one thing in one theme; it reads every
    /// record once (about 2 ms per short record on two cores). With --topics-from,
    /// `auto` takes what the earlier analysis used.
    #[arg(long, default_value = "auto", value_name = "VECTORS")]
    theme_vectors: String,

    /// The Japanese–English dictionary (EDICT/JMdict, EUC-JP) that joins the two
    /// languages in the themes' TF-IDF → LSA half: where a corpus has Japanese and
    /// English records, a Japanese record also carries the English words of its words
    /// (配送 → delivery), so one complaint in both languages makes one theme. `auto`
    /// (default): Debian's `edict` package where installed (scripts/setup.sh installs
    /// it; without it koe warns); `none`: no bridge; or the file's path. Not read for a
    /// corpus in one language; with --topics-from, the earlier analysis's bridge is used.
    #[arg(long, default_value = "auto", value_name = "FILE")]
    ja_en_dictionary: String,
}

impl TopicArgs {
    fn options(&self) -> anyhow::Result<Option<TopicOptions>> {
        if self.no_topics {
            return Ok(None);
        }
        let specs = TopicSpecs {
            topics_from: self.topics_from.clone(),
            candidates: !self.no_candidate_topics,
            themes: self.themes.map(|n| n as usize),
            max_topics: self.max_topics,
            min_topic_size: self.min_topic_size,
            fit_records: self.fit_records as usize,
            period: self.period,
            separate_languages: self.separate_languages,
            seed: self.seed,
            topic_vectors: self.topic_vectors.clone(),
            embed_lang: self.embed_lang.clone(),
            theme_vectors: self.theme_vectors.clone(),
            ja_en_dictionary: self.ja_en_dictionary.clone(),
        };
        let options = specs.options(&mut |warning| eprintln!("koe analyze: warning: {warning}"))?;
        Ok(Some(options))
    }
}

#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Input fields")]
struct FieldArgs {
    /// Field holding the feedback text [koe's name: text].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    text_field: Vec<String>,
    /// Field holding a record id (missing ids get a hash of file and line) [koe's name: id].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    id_field: Vec<String>,
    /// Field holding a 1–5 star rating [koe's name: rating].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    rating_field: Vec<String>,
    /// Field holding a 0–10 NPS answer [koe's name: nps].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    nps_field: Vec<String>,
    /// Field holding a 1–7 Customer Effort Score answer (7 = very easy) [koe's name: effort].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    effort_field: Vec<String>,
    /// Field holding the channel (web, app, store, support, social, …) [koe's name: channel].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    channel_field: Vec<String>,
    /// Field holding the customer-journey stage [koe's name: stage].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    stage_field: Vec<String>,
    /// Field holding the product [koe's name: product].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    product_field: Vec<String>,
    /// Field holding the date (RFC 3339, YYYY-MM-DD or YYYY/MM/DD) [koe's name: created_at].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    date_field: Vec<String>,
    /// Field holding the language (ja, en, or a BCP 47 tag); it wins over detection [koe's name: lang].
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    lang_field: Vec<String>,
}

impl From<FieldArgs> for FieldMap {
    fn from(a: FieldArgs) -> Self {
        FieldMap {
            text: FieldNames::preferring(a.text_field, "text"),
            id: FieldNames::preferring(a.id_field, "id"),
            rating: FieldNames::preferring(a.rating_field, "rating"),
            nps: FieldNames::preferring(a.nps_field, "nps"),
            effort: FieldNames::preferring(a.effort_field, "effort"),
            channel: FieldNames::preferring(a.channel_field, "channel"),
            stage: FieldNames::preferring(a.stage_field, "stage"),
            product: FieldNames::preferring(a.product_field, "product"),
            created_at: FieldNames::preferring(a.date_field, "created_at"),
            lang: FieldNames::preferring(a.lang_field, "lang"),
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    use_threads(args.threads)?;
    let analyzer = args.dictionary.load_analyzer()?;
    let auto = args.sentiment == ModelSpec::Auto;
    let model = match auto {
        true => ModelSpec::Lexicon.load()?,
        false => args.sentiment.clone().resolve()?.load()?,
    };
    let mut pipeline = Pipeline::new(analyzer, model);
    let taxonomy = match &args.taxonomy {
        Some(path) => Some(std::sync::Arc::new(Tagger::load(
            path,
            pipeline.analyzer(),
        )?)),
        None => None,
    };
    let options = Options {
        topics: args.topics.options()?,
        fields: args.fields.into(),
        limits: Limits {
            max_text_bytes: args.max_text_bytes,
        },
        batch_size: args.batch_size,
        index_memory: args.index_memory_mb.saturating_mul(1024 * 1024),
        duplicate_ids: args.duplicate_ids,
        append: args.append,
        interrupt: Interrupt::default(),
        taxonomy,
        emit_parquet: args.emit.contains(&Emit::Parquet),
    };
    let total_bytes = args
        .inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let folder = AnalysisDir::new(&args.out);
    koe::pipeline::check_inputs(&args.inputs, &folder)?;
    let out = args.out.display().to_string();
    let mut waiting = |owner: &str| {
        eprintln!("koe: {out} is being written by another run ({owner}); waiting for it to finish");
    };
    let run = folder
        .begin_run(args.wait.then_some(&mut waiting as &mut dyn FnMut(&str)))
        .with_context(|| format!("koe analyze into {out}"))?;
    stop_on_signals(&options.interrupt)?;
    let quiet = args.quiet || args.json;
    if auto {
        let mut progress = ProgressDisplay::new(total_bytes, quiet);
        let auto_options = AutoOptions {
            min_per_class: args.auto_min_per_class,
            ..AutoOptions::default()
        };
        let learnt = pipeline.learn_sentiment(&args.inputs, &options, &auto_options, &mut |p| {
            progress.update(p)
        });
        progress.finish();
        learnt.context("learning sentiment from the ratings (--sentiment auto)")?;
    }
    let mut progress = ProgressDisplay::new(total_bytes, quiet);
    let result = pipeline.run(&args.inputs, &run, &options, &mut |p| progress.update(p));
    progress.finish();
    let summary = result.with_context(|| format!("koe analyze into {out}"))?;
    let generation = run
        .publish()
        .with_context(|| format!("koe analyze into {out}: cannot publish the run"))?;
    if args.json {
        print_json(&summary)
    } else {
        emit(&render_summary(&summary, &generation))
    }
}

/// `auto`'s decision per language, under the sentiment line.
fn render_auto(auto: &AutoChoice, generation: &Generation, text: &mut String) {
    for l in &auto.languages {
        let which = match l.model {
            Chosen::Linear => format!(
                "linear, trained on {} rated records → {}",
                l.trained_on,
                generation
                    .path(Part::SentimentModel)
                    .join(l.lang.code())
                    .display()
            ),
            Chosen::Lexicon => "lexicon".to_string(),
        };
        let _ = writeln!(text, "  {:>19}{}: {which}", "", l.lang);
        let _ = writeln!(text, "  {:>23}({})", "", l.reason);
    }
}

/// Ctrl-C (SIGINT) and SIGTERM stop the run at the next batch: its staging generation is
/// removed and koe exits with 128 + the signal (130, 143). A second signal ends the
/// process at once; the next run removes what that leaves.
fn stop_on_signals(interrupt: &Interrupt) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag;
    let armed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // The order matters: the shutdown checks the flag before the next line sets it.
        flag::register_conditional_shutdown(signal, 128 + signal, armed.clone())
            .and_then(|_| flag::register(signal, armed.clone()))
            .and_then(|_| flag::register_usize(signal, interrupt.flag(), signal as usize))
            .context("cannot handle Ctrl-C")?;
    }
    Ok(())
}

fn render_summary(s: &Summary, generation: &Generation) -> String {
    let out = generation.root();
    let mut text = String::new();
    let join = |counts: &mut dyn Iterator<Item = (String, u64)>| {
        counts
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let _ = writeln!(
        text,
        "koe analyze: {} records from {} file(s) in {:.1} s ({:.0} docs/s)",
        s.records_read,
        s.inputs.len(),
        s.elapsed_s,
        s.docs_per_s
    );
    let _ = writeln!(
        text,
        "  indexed    {:>7}   {}",
        s.indexed,
        join(&mut s.by_lang.iter().map(|(k, v)| (k.clone(), *v)))
    );
    if let Some(a) = &s.append {
        let _ = writeln!(
            text,
            "  appended   {:>7}   added · {} updated · {} kept from generation {}",
            a.added, a.updated, a.kept, a.previous_generation
        );
    }
    let _ = writeln!(
        text,
        "  sentiment  {:>7}   {}  (model: {})",
        "",
        join(&mut s.by_sentiment.iter().map(|(k, v)| (k.clone(), *v))),
        s.sentiment_model
    );
    if let Some(auto) = &s.sentiment_auto {
        render_auto(auto, generation, &mut text);
    }
    if s.rejected > 0 {
        let _ = writeln!(
            text,
            "  rejected   {:>7}   {}  → {}",
            s.rejected,
            join(
                &mut s
                    .rejected_by_reason
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), *v))
            ),
            generation.path(Part::Rejects).display()
        );
    }
    if let Some(themes) = s.themes {
        let _ = writeln!(
            text,
            "  themes     {themes:>7}   {} records in no theme  (vectors: {})  → koe topics {}",
            s.theme_outliers.unwrap_or(0),
            match s.theme_vectors.as_deref() {
                None | Some("tfidf") => "tfidf".to_string(),
                Some(encoder) => format!("tfidf + {encoder}"),
            },
            out.display()
        );
    }
    if let Some(topics) = s.topics {
        let _ = writeln!(
            text,
            "  sub-topics {topics:>7}   {} records in no sub-topic  (vectors: {})",
            s.topic_outliers.unwrap_or(0),
            s.topic_vectors.as_deref().unwrap_or("tfidf"),
        );
    }
    if let Some(sample) = s.topic_sample {
        let _ = writeln!(
            text,
            "  topic fit  {sample:>7}   records of smallest text hash (--fit-records), applied to all"
        );
    }
    if let Some(t) = &s.taxonomy {
        let _ = writeln!(
            text,
            "  categories {:>7}   records tagged of {}  → {}",
            t.tagged,
            s.indexed,
            generation.path(Part::Categories).display()
        );
        let mut top: Vec<_> = t.by_category.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = top
            .iter()
            .take(8)
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(text, "  {:>19}{}", "", shown.join(" · "));
        let renamed = t.renames.iter().filter(|r| r.topic.is_some()).count();
        if !t.renames.is_empty() {
            let _ = writeln!(
                text,
                "  {:>19}renames: {renamed} of {} matched a topic",
                "",
                t.renames.len()
            );
        }
        let merged = t.merges.iter().filter(|m| m.topic.is_some()).count();
        if !t.merges.is_empty() {
            let _ = writeln!(
                text,
                "  {:>19}merges: {merged} of {} matched a topic",
                "",
                t.merges.len()
            );
        }
    }
    let _ = writeln!(
        text,
        "  published  generation {} → {}",
        generation.number(),
        generation.dir().display()
    );
    let _ = writeln!(
        text,
        "  summary    {}",
        generation.path(Part::Summary).display()
    );
    text
}
