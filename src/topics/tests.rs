//! Topics end to end on real Japanese and English text (lindera IPADIC, Snowball).

use std::sync::Arc;

use super::*;
use crate::ingest::parse_date;
use crate::record::{Analysed, Record};
use crate::sentiment::{self, DocSentiment, Score, SentimentModel};
use crate::text::AnalysedText;
use crate::text::test_analyzer;

/// (text, sentiment, NPS answer, channel, month)
type Row = (&'static str, f32, u8, &'static str, &'static str);

const DELIVERY_JA: &[&str] = &[
    "配送が遅い。",
    "配送がとても遅かったです。",
    "荷物がなかなか届かない。",
    "注文した荷物が一週間届かない。",
    "配送が予定より三日遅れた。",
    "配送が遅くて困りました。",
    "荷物が届かないので問い合わせました。",
    "配送の遅れがひどい。",
    "また配送が遅れている。",
    "荷物の配送が遅すぎる。",
    "注文から配送まで時間がかかりすぎ。",
    "配送が遅い、荷物がまだ届かない。",
];
const DELIVERY_EN: &[&str] = &[
    "Late delivery again.",
    "The delivery was very late.",
    "My package never arrived.",
    "Delivery took two weeks, far too late.",
    "The package arrived three days late.",
    "Late delivery and no tracking updates.",
    "Still waiting for my package delivery.",
    "Delivery is always late.",
    "The courier delivered my package late.",
    "Delivery was delayed and the package arrived late.",
    "Package delivery was late twice.",
    "Why is delivery so late?",
];
const APP_JA: &[&str] = &[
    "アプリが落ちる。",
    "アプリがすぐ落ちます。",
    "起動するとアプリが落ちる。",
    "アプリが何度も落ちて使えない。",
    "アプリがフリーズして落ちる。",
    "最新版のアプリが落ちる。",
    "ログインするとアプリが落ちます。",
    "アプリが頻繁に落ちる。",
    "決済画面でアプリが落ちた。",
    "アプリがまた落ちた。",
    "アプリが重くて落ちる。",
    "更新後アプリが起動しない、すぐ落ちる。",
];
const APP_EN: &[&str] = &[
    "The app crashes.",
    "The app crashes on startup.",
    "App keeps crashing after the update.",
    "The app crashed twice today.",
    "App crashes when I open my cart.",
    "Constant app crashes.",
    "The app crashes at checkout.",
    "The app crashes every time I log in.",
    "App crashed and lost my order.",
    "The new app version crashes.",
    "App crashes constantly on my phone.",
    "The app froze and crashed.",
];
const SUPPORT_JA: &[&str] = &[
    "サポートの対応が悪い。",
    "問い合わせの対応が最悪でした。",
    "サポートの対応が遅くて不親切。",
    "電話サポートの対応がひどい。",
    "対応が悪くて二度と使わない。",
    "サポートに問い合わせても対応が悪い。",
    "カスタマーサポートの対応が失礼。",
    "サポート窓口の対応が不親切でした。",
    "問い合わせへの対応が雑。",
    "サポートの対応に不満です。",
    "メールサポートの対応が悪い。",
    "対応が最悪のサポートでした。",
];
const SUPPORT_EN: &[&str] = &[
    "Rude support.",
    "Customer support was rude.",
    "The support agent was rude and unhelpful.",
    "Rude support staff on the phone.",
    "Support was rude when I asked for a refund.",
    "Very rude customer support.",
    "The support team was rude to me.",
    "Rude and slow support.",
    "Support agents are rude.",
    "I got a rude reply from support.",
    "Customer support is rude and useless.",
    "Rude support, never again.",
];
const STAFF_JA: &[&str] = &[
    "スタッフが親切でした。",
    "スタッフはとても親切です。",
    "店舗のスタッフが親切で丁寧。",
    "親切なスタッフに感謝します。",
    "スタッフの皆さんが親切でした。",
    "スタッフが親切に説明してくれた。",
    "いつもスタッフが親切。",
    "スタッフが笑顔で親切でした。",
    "親切なスタッフのおかげで助かった。",
    "スタッフが丁寧で親切です。",
];
const STAFF_EN: &[&str] = &[
    "The staff were kind.",
    "Kind and friendly staff.",
    "The staff were very kind to us.",
    "Staff were kind and patient.",
    "Such kind staff at the store.",
    "The store staff were kind and friendly.",
    "Kind staff, thank you.",
    "The staff were kind and explained everything.",
    "Friendly, kind staff.",
    "Kind staff as always.",
];

fn analysed(
    seq: usize,
    text: &str,
    value: f32,
    nps: Option<u8>,
    channel: &str,
    date: &str,
) -> Analysed {
    let record = Record {
        nps,
        channel: Some(channel.into()),
        created_at: parse_date(date),
        ..Record::new(format!("r{seq}"), text, "t.jsonl", seq as u64 + 1)
    };
    let text = test_analyzer().analyse(text, None).unwrap();
    let sentiment = DocSentiment {
        doc: Score::from_value(value),
        sentences: vec![],
    };
    Analysed {
        record,
        text,
        sentiment,
    }
}

/// The mixed corpus: negatives are detractors, praise promoters; dates spread over
/// three months.
fn corpus() -> Vec<Row> {
    let groups: [(&[&str], f32, u8, &str); 8] = [
        (DELIVERY_JA, -0.6, 3, "web"),
        (DELIVERY_EN, -0.6, 4, "web"),
        (APP_JA, -0.7, 2, "app"),
        (APP_EN, -0.7, 1, "app"),
        (SUPPORT_JA, -0.8, 0, "phone"),
        (SUPPORT_EN, -0.8, 2, "phone"),
        (STAFF_JA, 0.8, 10, "store"),
        (STAFF_EN, 0.8, 9, "store"),
    ];
    let months = ["2026-05-10", "2026-06-10", "2026-07-10"];
    let mut rows = Vec::new();
    for (texts, value, nps, channel) in groups {
        for (i, &t) in texts.iter().enumerate() {
            rows.push((t, value, nps, channel, months[i % 3]));
        }
    }
    rows
}

fn options() -> TopicOptions {
    TopicOptions {
        min_topic_size: 3,
        ..TopicOptions::default()
    }
}

fn fit(rows: &[Row], options: TopicOptions, extra: &[&str]) -> Topics {
    let collector = TopicCollector::new(options).with_clause_sentiment(Arc::new(KeywordModel));
    collect(collector, rows, extra).fit().unwrap()
}

/// `collector` with `rows` added, then `extra` (neutral, no NPS).
fn collect(mut collector: TopicCollector, rows: &[Row], extra: &[&str]) -> TopicCollector {
    for (i, &(text, value, nps, channel, date)) in rows.iter().enumerate() {
        collector
            .add(&analysed(i, text, value, Some(nps), channel, date))
            .unwrap();
    }
    for (j, text) in extra.iter().enumerate() {
        collector
            .add(&analysed(
                rows.len() + j,
                text,
                0.0,
                None,
                "web",
                "2026-07-20",
            ))
            .unwrap();
    }
    collector
}

/// Scores clauses by a few words, standing in for a real sentiment backend.
struct KeywordModel;

impl SentimentModel for KeywordModel {
    fn name(&self) -> &str {
        "keywords"
    }
    fn score_batch(&self, docs: &[&AnalysedText]) -> Result<Vec<DocSentiment>, sentiment::Error> {
        Ok(docs
            .iter()
            .map(|d| {
                let lemmas: Vec<&str> = d.content_lemmas().collect();
                let value = if lemmas.iter().any(|l| ["遅い", "late"].contains(l)) {
                    -0.6
                } else if lemmas.iter().any(|l| ["親切", "kind"].contains(l)) {
                    0.7
                } else {
                    0.0
                };
                DocSentiment {
                    doc: Score::from_value(value),
                    sentences: vec![],
                }
            })
            .collect())
    }
}

/// The topic whose top three terms hold `term`.
fn topic_with<'a>(topics: &'a Topics, term: &str) -> &'a Topic {
    topics
        .topics
        .iter()
        .find(|t| t.terms.iter().take(3).any(|w| w.term == term))
        .unwrap_or_else(|| panic!("no topic with {term}: {:#?}", labels(topics)))
}

fn labels(topics: &Topics) -> Vec<&str> {
    topics.topics.iter().map(|t| t.label.as_str()).collect()
}

#[test]
fn finds_the_themes_of_a_mixed_corpus() {
    let topics = fit(&corpus(), options(), &[]);
    let themes = [
        ("配送", Lang::Ja),
        ("アプリ", Lang::Ja),
        ("対応", Lang::Ja),
        ("親切", Lang::Ja),
        ("delivery", Lang::En),
        ("app", Lang::En),
        ("rude", Lang::En),
        // "kind" alone is generic (Stopwords ISO): it names the topic in "kind staff".
        ("staff", Lang::En),
    ];
    let mut ids = Vec::new();
    for (term, lang) in themes {
        let t = topic_with(&topics, term);
        assert!(t.label.contains(term), "{term} in label {:?}", t.label);
        assert!(t.terms.iter().any(|w| w.term == term && w.lang == lang));
        ids.push(t.id);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "one topic per theme: {:#?}", labels(&topics));
    assert!(topics.overall.outliers <= 5, "{:?}", topics.overall);
    // Ranked by impact: complaints (negative detractors) first, praise last.
    let praise = topic_with(&topics, "staff");
    assert_eq!(praise.impact, 0.0);
    assert!(topics.topics[0].impact > 0.0);
    assert!(topics.topics.windows(2).all(|w| w[0].impact >= w[1].impact));
    assert_eq!(
        topic_with(&topics, "アプリ").by_channel.get("app"),
        Some(&12)
    );
    assert!(topics.quality.coherence_npmi > 0.0, "{:?}", topics.quality);
    // Sub-topics of one theme share its words (delivery · late / package · arrived · late).
    assert!(
        topics.quality.diversity > 0.7,
        "{:?} {:#?}",
        topics.quality,
        labels(&topics)
    );
    for t in &topics.topics {
        assert_eq!(t.examples.len(), 3, "{}", t.label);
        assert_eq!(t.trend.len(), 3);
    }
}

#[test]
fn a_review_about_two_things_gets_two_topics_with_two_sentiments() {
    let rows = corpus();
    let review = "配送は遅かったけど、スタッフは親切でした";
    let topics = fit(&rows, options(), &[review]);
    let seq = rows.len();
    let mentions: Vec<(&Topic, f32)> = topics
        .doc_topics(seq)
        .iter()
        .zip(topics.doc_topic_sentiments(seq))
        .filter_map(|(&id, &s)| Some((topics.topics.iter().find(|t| t.id == id)?, s)))
        .collect();
    assert_eq!(mentions.len(), 2, "{:#?}", labels(&topics));
    let has = |t: &Topic, term: &str| t.terms.iter().take(3).any(|w| w.term == term);
    let delivery = mentions.iter().find(|(t, _)| has(t, "配送"));
    let staff = mentions.iter().find(|(t, _)| has(t, "親切"));
    assert!(
        matches!(delivery, Some((_, s)) if *s < 0.0),
        "{mentions:#?}"
    );
    assert!(matches!(staff, Some((_, s)) if *s > 0.0), "{mentions:#?}");
    assert_eq!(
        topics.label(topics.doc_topics(seq)[0]),
        mentions.first().map(|m| m.0.label.as_str())
    );
}

#[test]
fn same_seed_same_topics() {
    let rows = corpus();
    let a = fit(&rows, options(), &[]);
    let b = fit(&rows, options(), &[]);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    for d in 0..rows.len() {
        assert_eq!(a.doc_topics(d), b.doc_topics(d));
    }
}

#[test]
fn examples_read_back_from_the_scratch_file_equal_those_kept_in_memory() {
    let rows = corpus();
    let dir = tempfile::tempdir().unwrap();
    let paths = scratch_paths(dir.path());
    let in_memory = fit(&rows, options(), &[]);
    let mut collector = collect(spilling(options(), &paths), &rows, &[]);
    assert_eq!(
        collector.store.docs(),
        0,
        "the records wait in the scratch file"
    );
    if let Some(staging) = &mut collector.staging {
        staging.finish().unwrap();
    }
    let written = std::fs::read(&paths.features).unwrap();
    for text in ["配送が遅い。", "The app crashes."] {
        assert!(
            written.windows(text.len()).any(|w| w == text.as_bytes()),
            "{text} is in the scratch file"
        );
    }
    let spilled = collector.fit().unwrap();
    assert_no_scratch_left(&paths);
    assert_eq!(
        serde_json::to_string(&in_memory).unwrap(),
        serde_json::to_string(&spilled).unwrap()
    );
    for d in 0..rows.len() {
        assert_eq!(in_memory.doc_topics(d), spilled.doc_topics(d), "record {d}");
        assert_eq!(in_memory.doc_theme(d), spilled.doc_theme(d), "record {d}");
    }
    let examples: Vec<&str> = spilled
        .topics
        .iter()
        .flat_map(|t| &t.examples)
        .map(|e| e.text.as_str())
        .collect();
    assert!(examples.iter().any(|t| t.contains("配送")), "{examples:?}");
    assert!(examples.iter().any(|t| t.contains("app")), "{examples:?}");
}

/// A collector as a run's: keeping what it collects in scratch files at `paths`.
fn spilling(options: TopicOptions, paths: &ScratchPaths) -> TopicCollector {
    TopicCollector::new(options)
        .with_clause_sentiment(Arc::new(KeywordModel))
        .spill_to(paths.clone())
        .unwrap()
}

/// Scratch files of a spilling collector, in `dir`.
fn scratch_paths(dir: &std::path::Path) -> ScratchPaths {
    ScratchPaths {
        features: dir.join("features"),
        theme_vectors: dir.join("theme-vectors"),
        clause_vectors: dir.join("clause-vectors"),
        snippets: dir.join("snippets"),
        fit_theme_vectors: dir.join("fit-theme-vectors"),
        assignments: dir.join("assignments"),
    }
}

fn assert_no_scratch_left(paths: &ScratchPaths) {
    for path in [
        &paths.features,
        &paths.theme_vectors,
        &paths.clause_vectors,
        &paths.snippets,
        &paths.fit_theme_vectors,
        &paths.assignments,
    ] {
        assert!(!path.exists(), "the fit removes {}", path.display());
    }
}

#[test]
fn max_topics_merges_down_to_the_cap() {
    let topics = fit(
        &corpus(),
        TopicOptions {
            max_topics: Some(4),
            ..options()
        },
        &[],
    );
    assert_eq!(topics.topics.len(), 4, "{:#?}", labels(&topics));
    let sizes: usize = topics.topics.iter().map(|t| t.size).sum();
    assert!(
        sizes >= corpus().len() - 5,
        "merged topics keep their records"
    );
}

#[test]
fn languages_can_be_clustered_apart() {
    let topics = fit(
        &corpus(),
        TopicOptions {
            separate_languages: true,
            ..options()
        },
        &[],
    );
    for t in &topics.topics {
        assert_eq!(t.by_lang.len(), 1, "{} mixes languages", t.label);
    }
    topic_with(&topics, "配送");
    topic_with(&topics, "delivery");
}

#[test]
fn empty_input_gives_no_topics() {
    let topics = TopicCollector::new(TopicOptions::default()).fit().unwrap();
    assert!(topics.topics.is_empty());
    assert_eq!(topics.overall.docs, 0);
    assert_eq!(topics.doc_topics(0), &[] as &[u32]);
    assert!(render_table(&topics, TableLimits::default()).contains("no topics"));
}

#[test]
fn records_without_terms_and_tiny_corpora_are_outliers() {
    let rows: Vec<Row> = vec![
        ("!!!", 0.0, 5, "web", "2026-07-01"),
        ("😀😀", 0.5, 9, "web", "2026-07-01"),
        ("ありがとう", 0.5, 9, "web", "2026-07-01"),
        ("配送が遅い", -0.5, 2, "web", "2026-07-01"),
    ];
    let topics = fit(&rows, TopicOptions::default(), &[]);
    assert!(topics.topics.is_empty());
    assert_eq!(topics.overall.outliers, 4);
    assert_eq!(
        topics.overall.nps,
        Some(0.0),
        "2 promoters, 2 detractors of 4"
    );
}

#[test]
fn a_large_minimum_size_leaves_everything_out() {
    let rows = corpus();
    let topics = fit(
        &rows,
        TopicOptions {
            min_topic_size: 1_000,
            ..options()
        },
        &[],
    );
    assert!(topics.topics.is_empty());
    assert_eq!(topics.overall.outliers, rows.len());
    assert!(topics.doc_topics(0).is_empty());
}

#[test]
fn topics_round_trip_through_json() {
    let topics = fit(&corpus(), options(), &[]);
    let json = serde_json::to_string(&topics).unwrap();
    let back: Topics = serde_json::from_str(&json).unwrap();
    let summary = |t: &Topics| -> Vec<(u32, String, usize)> {
        t.topics
            .iter()
            .map(|t| (t.id, t.label.clone(), t.size))
            .collect()
    };
    assert_eq!(summary(&back), summary(&topics));
    assert_eq!(back.overall.docs, topics.overall.docs);
    assert!(
        back.doc_topics(0).is_empty(),
        "assignments are not serialised"
    );
    let table = render_table(&back, TableLimits::default());
    assert!(table.contains("配送"), "{table}");
    assert!(render_quality(&back, TableLimits::default()).contains("NPMI"));
}

/// Embeds a text by the themes its words name, in either language: a stand-in for a
/// multilingual sentence model, whose vectors put 配送が遅い next to "late delivery"
/// although the two share no term.
struct ThemeEmbedder;

const THEMES: [&[&str]; 4] = [
    &[
        "配送", "荷物", "届", "deliver", "package", "arriv", "courier",
    ],
    &["アプリ", "app", "crash"],
    &["サポート", "対応", "問い合わせ", "support", "rude"],
    &["スタッフ", "親切", "staff", "kind"],
];

impl ClauseEmbedder for ThemeEmbedder {
    fn name(&self) -> &str {
        "embeddings:themes"
    }
    fn dimension(&self) -> usize {
        THEMES.len() + 1
    }
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, embedding::Error> {
        Ok(texts
            .iter()
            .map(|text| {
                let text = text.to_lowercase();
                let mut v: Vec<f32> = THEMES
                    .iter()
                    .map(|words| words.iter().filter(|w| text.contains(*w)).count() as f32)
                    .collect();
                // Whatever names no theme points elsewhere.
                v.push(0.2);
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.iter().map(|x| x / norm).collect()
            })
            .collect())
    }
}

#[test]
fn embeddings_cluster_by_meaning_across_languages() {
    let rows = corpus();
    let review = "配送は遅かったけど、スタッフは親切でした";
    let embedded = TopicOptions {
        vectors: Vectors::Embeddings {
            embedder: Arc::new(ThemeEmbedder),
            langs: vec![],
        },
        ..options()
    };
    let topics = fit(&rows, embedded, &[review]);
    // One theme per complaint, each holding its Japanese and its English records, which
    // TF-IDF (no shared terms) keeps apart; so does every sub-topic.
    assert_eq!(topics.themes.len(), 4, "{:#?}", topics.themes);
    for t in topics.themes.iter().chain(&topics.topics) {
        assert_eq!(t.by_lang.len(), 2, "{} {:?}", t.label, t.by_lang);
    }
    let delivery = topic_with(&topics, "配送");
    assert!(delivery.terms.iter().any(|w| w.term == "delivery"));
    let delivery_theme = topics.theme_label(delivery.theme.unwrap()).unwrap();
    assert!(delivery_theme.contains("配送"), "{delivery_theme}");
    // Clauses are embedded one by one: the review is in a delivery sub-topic and in the
    // staff one.
    let seq = rows.len();
    let review_topics: Vec<&Topic> = topics
        .doc_topics(seq)
        .iter()
        .filter_map(|&id| topics.topics.iter().find(|t| t.id == id))
        .collect();
    assert_eq!(review_topics.len(), 2, "{review_topics:#?}");
    assert!(review_topics.iter().any(|t| t.theme == delivery.theme));
    assert!(
        review_topics
            .iter()
            .any(|t| t.id == topic_with(&topics, "親切").id)
    );
    // The TF-IDF space on the same records splits them by language.
    let tfidf = fit(&rows, options(), &[]);
    assert!(tfidf.topics.iter().all(|t| t.by_lang.len() == 1));
}

#[test]
fn embeddings_for_one_language_leave_the_other_to_tfidf() {
    let english_only = TopicOptions {
        vectors: Vectors::Embeddings {
            embedder: Arc::new(ThemeEmbedder),
            langs: vec![Lang::En],
        },
        ..options()
    };
    let topics = fit(&corpus(), english_only, &[]);
    // The two spaces are clustered apart: no topic mixes languages, and both languages
    // find their four themes.
    for t in &topics.topics {
        assert_eq!(t.by_lang.len(), 1, "{} {:?}", t.label, t.by_lang);
    }
    for term in [
        "配送",
        "アプリ",
        "対応",
        "親切",
        "delivery",
        "app",
        "rude",
        "staff",
    ] {
        topic_with(&topics, term);
    }
    // The embedded (English) side has exactly its four themes.
    let english = topics
        .topics
        .iter()
        .filter(|t| t.by_lang.contains_key("en"));
    assert_eq!(english.count(), 4, "{:#?}", labels(&topics));
}

/// Which of the corpus's eight groups (complaint × language) row `i` comes from.
fn group_of_row(rows: &[Row], i: usize) -> (&'static str, Lang) {
    let lang = if rows[i].0.is_ascii() {
        Lang::En
    } else {
        Lang::Ja
    };
    (rows[i].3, lang)
}

/// Each theme's records as (complaint, language), by theme id; every record must have one.
fn theme_members(
    topics: &Topics,
    rows: &[Row],
) -> std::collections::BTreeMap<u32, Vec<(&'static str, Lang)>> {
    let mut members: std::collections::BTreeMap<u32, Vec<(&str, Lang)>> = Default::default();
    for i in 0..rows.len() {
        let theme = topics.doc_theme(i).expect("every record has a theme");
        members
            .entry(theme)
            .or_default()
            .push(group_of_row(rows, i));
    }
    members
}

/// EDICT entries for the corpus's Japanese words (real entries, senses trimmed).
const EDICT: &str = "\
配送 [はいそう] /(n,vs) delivery/(P)/
遅い [おそい] /(adj-i) (1) slow/(adj-i) (2) late/(P)/
荷物 [にもつ] /(n) (1) luggage/baggage/package/(P)/
届く [とどく] /(v5k,vi) (1) to reach/(v5k,vi) (2) to be delivered/to arrive/(P)/
アプリ /(n) (comp) (abbr) app/application/(P)/
落ちる [おちる] /(v1,vi) (1) to fall down/(v1,vi) (5) to crash/(P)/
サポート /(n,vs) support/backing/(P)/
対応 [たいおう] /(n,vs) (3) dealing with/handling/response/(P)/
スタッフ /(n) staff/(P)/
親切 [しんせつ] /(adj-na,n) kind/gentle/(P)/
";

#[test]
fn a_ja_en_dictionary_puts_both_languages_of_a_complaint_in_one_theme() {
    let rows = corpus();
    let dictionary = crate::text::edict::JaEnDictionary::from_bytes("test".into(), EDICT.into());
    let topics = fit(
        &rows,
        TopicOptions {
            themes: Some(4),
            ja_en_dictionary: Some(Arc::new(dictionary)),
            ..options()
        },
        &[],
    );
    // TF-IDF alone, no encoder: the bridge and the centring of the languages are what
    // join them (without the dictionary every theme is one language, see below).
    let members = theme_members(&topics, &rows);
    for (theme, groups) in &members {
        let complaints: std::collections::BTreeSet<&str> = groups.iter().map(|g| g.0).collect();
        let langs: std::collections::BTreeSet<Lang> = groups.iter().map(|g| g.1).collect();
        assert_eq!(complaints.len(), 1, "theme {theme}: {groups:?}");
        assert_eq!(langs.len(), 2, "theme {theme}: {groups:?}");
    }
}

#[test]
fn themes_partition_the_records_one_complaint_each() {
    let rows = corpus();
    let topics = fit(&rows, options(), &[]);
    // TF-IDF shares no term across languages: each complaint × language is one theme
    // or a few (Japanese delivery splits into 配送が遅い and 荷物が届かない).
    let labels: Vec<&str> = topics.themes.iter().map(|t| t.label.as_str()).collect();
    assert!((8..=12).contains(&labels.len()), "{labels:#?}");
    assert_eq!(topics.overall.theme_outliers, 0);
    let members = theme_members(&topics, &rows);
    for (theme, groups) in &members {
        assert!(
            groups.iter().all(|g| *g == groups[0]),
            "theme {theme}: {groups:?}"
        );
    }
    let sizes: usize = topics.themes.iter().map(|t| t.size).sum();
    assert_eq!(sizes, rows.len(), "a record is in exactly one theme");
    // Every sub-topic has its theme, and the stability of each k tried is reported.
    assert!(topics.topics.iter().all(|t| t.theme.is_some()));
    assert_eq!(topics.theme_choice.method, "stability");
    assert!(!topics.theme_choice.stability.is_empty());
    let fixed = fit(
        &rows,
        TopicOptions {
            themes: Some(4),
            ..options()
        },
        &[],
    );
    assert_eq!(fixed.themes.len(), 4);
    assert_eq!(fixed.theme_choice.method, "fixed");
}

#[test]
fn shuffled_input_gives_the_same_topics() {
    let rows = corpus();
    let mut shuffled: Vec<(usize, Row)> = rows.iter().copied().enumerate().collect();
    let mut rng = crate::topics::linalg::seeded(9);
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i + 1));
    }
    let a = fit(&rows, options(), &[]);
    let b = fit(
        &shuffled.iter().map(|s| s.1).collect::<Vec<_>>(),
        options(),
        &[],
    );
    let labels = |t: &Topics| -> Vec<String> { t.themes.iter().map(|t| t.label.clone()).collect() };
    assert_eq!(labels(&a), labels(&b));
    let topic_labels =
        |t: &Topics| -> Vec<String> { t.topics.iter().map(|t| t.label.clone()).collect() };
    assert_eq!(topic_labels(&a), topic_labels(&b));
    for (j, &(i, _)) in shuffled.iter().enumerate() {
        assert_eq!(a.doc_theme(i), b.doc_theme(j), "record {i}");
        assert_eq!(a.doc_topics(i), b.doc_topics(j), "record {i}");
    }
}

#[test]
fn whole_record_vectors_give_one_theme_per_complaint_in_both_languages() {
    let rows = corpus();
    // Records encoded whole for their themes; clauses keep TF-IDF for the sub-topics.
    let options = TopicOptions {
        theme_vectors: Vectors::Embeddings {
            embedder: Arc::new(ThemeEmbedder),
            langs: vec![],
        },
        ..options()
    };
    assert_eq!(options.vectors_spec(), "tfidf; themes: embeddings:themes");
    let topics = fit(&rows, options, &[]);
    assert_eq!(topics.themes.len(), 4, "{:#?}", topics.themes);
    let members = theme_members(&topics, &rows);
    for (theme, groups) in &members {
        // One complaint (channel) per theme, and both of its languages.
        assert!(
            groups.iter().all(|g| g.0 == groups[0].0),
            "theme {theme}: {groups:?}"
        );
        assert!(
            groups.iter().any(|g| g.1 == Lang::Ja),
            "theme {theme}: {groups:?}"
        );
        assert!(
            groups.iter().any(|g| g.1 == Lang::En),
            "theme {theme}: {groups:?}"
        );
    }
    for t in &topics.themes {
        assert_eq!(t.by_lang.len(), 2, "{} {:?}", t.label, t.by_lang);
    }
}

/// A run keeps every record's theme vector in a scratch file and only the theme fit's
/// sample in memory: with a sample smaller than the corpus (so the sample is not all of
/// it, and records outside it are assigned from the file), the topics and every
/// record's theme are those of the fit that keeps everything in memory.
#[test]
fn theme_vectors_read_back_from_the_scratch_file_give_the_topics_kept_in_memory() {
    let rows = corpus();
    let options = || TopicOptions {
        theme_vectors: Vectors::Embeddings {
            embedder: Arc::new(ThemeEmbedder),
            langs: vec![],
        },
        sample_size: rows.len() / 2,
        ..options()
    };
    assert_spilled_as_in_memory(&rows, options, |paths| &paths.theme_vectors);
}

#[test]
fn clause_embeddings_read_back_from_the_scratch_file_give_the_topics_kept_in_memory() {
    let rows = corpus();
    let options = || TopicOptions {
        vectors: Vectors::Embeddings {
            embedder: Arc::new(ThemeEmbedder),
            langs: vec![Lang::Ja],
        },
        ..options()
    };
    assert_spilled_as_in_memory(&rows, options, |paths| &paths.clause_vectors);
}

/// A collector spilling to scratch files (`written` among them) gives the topics and
/// every record's theme and topics of one in memory.
fn assert_spilled_as_in_memory(
    rows: &[Row],
    options: impl Fn() -> TopicOptions,
    written: fn(&ScratchPaths) -> &std::path::PathBuf,
) {
    let in_memory = fit(rows, options(), &[]);
    let dir = tempfile::tempdir().unwrap();
    let paths = scratch_paths(dir.path());
    let collector = collect(spilling(options(), &paths), rows, &[]);
    assert!(
        written(&paths).exists(),
        "the vectors go to the scratch file"
    );
    let spilled = collector.fit().unwrap();
    assert_no_scratch_left(&paths);
    assert!(in_memory.themes.len() >= 2, "{:#?}", in_memory.themes);
    assert!(in_memory.topics.len() >= 2, "{:#?}", in_memory.topics);
    assert_eq!(
        serde_json::to_string(&in_memory).unwrap(),
        serde_json::to_string(&spilled).unwrap()
    );
    for d in 0..rows.len() {
        assert_eq!(in_memory.doc_theme(d), spilled.doc_theme(d), "record {d}");
        assert_eq!(in_memory.doc_topics(d), spilled.doc_topics(d), "record {d}");
    }
}

#[test]
fn a_run_larger_than_a_fit_fits_a_sample_and_applies_it_piece_by_piece() {
    // Theme vectors from an encoder, so that each piece reads its records' rows back.
    assert_pieces_agree(|| TopicOptions {
        theme_vectors: Vectors::Embeddings {
            embedder: Arc::new(ThemeEmbedder),
            langs: vec![],
        },
        ..options()
    });
}

#[test]
fn clause_embeddings_go_into_each_piece_with_their_clauses() {
    assert_pieces_agree(|| TopicOptions {
        vectors: Vectors::Embeddings {
            embedder: Arc::new(ThemeEmbedder),
            langs: vec![],
        },
        ..options()
    });
}

/// A run of three pieces (the last one smaller) with `options`: its model is the fit of
/// the sample alone, and each record's theme and topics and each figure are what the
/// model gives when applied to all the records at once.
fn assert_pieces_agree(options: impl Fn() -> TopicOptions) {
    let rows = corpus();
    let n = rows.len();
    let size = n / 3 + 1;
    let options = || TopicOptions {
        fit_records: size,
        ..options()
    };
    let dir = tempfile::tempdir().unwrap();
    let paths = scratch_paths(dir.path());
    let pieces = collect(spilling(options(), &paths), &rows, &[])
        .fit()
        .unwrap();
    for path in [&paths.features, &paths.snippets, &paths.fit_theme_vectors] {
        assert!(!path.exists(), "the fit removes {}", path.display());
    }
    assert_eq!(pieces.overall.docs, n, "every record is counted");
    assert!(pieces.topics.len() >= 2, "{:#?}", pieces.topics);

    // The model is the fit of the sample alone: the records of smallest text hash.
    let mut by_key: Vec<(u64, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| (collector::text_key(row.0), i))
        .collect();
    by_key.sort_unstable();
    let mut sample: Vec<usize> = by_key[..size].iter().map(|&(_, i)| i).collect();
    sample.sort_unstable();
    let sample_rows: Vec<Row> = sample.iter().map(|&i| rows[i]).collect();
    let model = pieces.model().unwrap();
    let sample_fit = fit(&sample_rows, options(), &[]);
    assert_eq!(
        serde_json::to_string(sample_fit.model().unwrap()).unwrap(),
        serde_json::to_string(model).unwrap()
    );

    // Each record gets what the model gives it, and the figures count every record, as
    // when the model is applied to all the records at once.
    let applying = TopicOptions {
        model: Some(Arc::new(model.clone())),
        candidates: false,
        ..options()
    };
    let at_once = fit(&rows, applying, &[]);
    let assigned: Vec<(Option<u32>, Vec<u32>)> =
        pieces.records().unwrap().map(Result::unwrap).collect();
    assert_eq!(assigned.len(), n);
    assert_eq!(pieces.doc_topics(0), &[] as &[u32], "not held in memory");
    for (d, (theme, topics)) in assigned.iter().enumerate() {
        assert_eq!(at_once.doc_theme(d), *theme, "record {d}");
        assert_eq!(at_once.doc_topics(d), topics, "record {d}");
    }
    assert!(assigned.iter().any(|(_, topics)| !topics.is_empty()));
    for (at_once, pieces) in [
        (&at_once.themes, &pieces.themes),
        (&at_once.topics, &pieces.topics),
    ] {
        assert_eq!(at_once.len(), pieces.len());
        for topic in pieces {
            let whole = at_once.iter().find(|t| t.id == topic.id).unwrap();
            assert_eq!((&whole.label, whole.size), (&topic.label, topic.size));
            assert_eq!(whole.nps, topic.nps, "{}", topic.label);
            assert!(
                (whole.impact - topic.impact).abs() < 1e-9,
                "{}",
                topic.label
            );
        }
    }
    // The scratch file of the assignments goes with the topics.
    assert!(paths.assignments.exists());
    drop(pieces);
    assert!(!paths.assignments.exists());
}

/// NPS (-100..100) of the corpus rows `docs`.
fn nps_of(rows: &[Row], docs: &std::collections::BTreeSet<usize>) -> f64 {
    let promoters = docs.iter().filter(|&&d| rows[d].2 >= 9).count() as f64;
    let detractors = docs.iter().filter(|&&d| rows[d].2 <= 6).count() as f64;
    100.0 * (promoters - detractors) / docs.len() as f64
}

/// The analyst merges the two English delivery sub-topics: one sub-topic under the
/// merge's label, whose records are those of either part, each once (a record in both
/// is not counted twice), with its NPS computed from their answers.
#[test]
fn a_merge_makes_one_topic_of_two_with_figures_from_the_records() {
    let mut rows = corpus();
    // Promoters who mention both parts: naive sums would count them twice.
    for _ in 0..3 {
        rows.push((
            "Late delivery again, but the package arrived intact.",
            0.2,
            10,
            "web",
            "2026-07-12",
        ));
    }
    let plain = fit(&rows, options(), &[]);
    let delivery: Vec<&Topic> = plain
        .topics
        .iter()
        .filter(|t| t.by_lang.contains_key("en") && t.terms.iter().any(|w| w.term == "delivery"))
        .collect();
    assert!(delivery.len() >= 2, "{:#?}", labels(&plain));
    let (a, b) = (delivery[0], delivery[1]);
    let key = |t: &Topic| TopicKey::Terms(t.terms.iter().take(2).map(|w| w.term.clone()).collect());
    let merge = TopicMerge {
        topics: vec![key(a), key(b)],
        label: "Late delivery".into(),
        line: 7,
    };
    let merged = fit(
        &rows,
        TopicOptions {
            merges: vec![merge],
            ..options()
        },
        &[],
    );
    assert_eq!(merged.topics.len(), plain.topics.len() - 1);
    let outcome = &merged.merges[0];
    assert_eq!((outcome.line, outcome.merged), (7, 2), "{outcome:?}");
    let m = merged
        .topics
        .iter()
        .find(|t| Some(t.id) == outcome.topic)
        .expect("the merged topic");
    assert_eq!(m.label, "Late delivery");
    let records = |topics: &Topics, ids: &[u32]| -> std::collections::BTreeSet<usize> {
        (0..rows.len())
            .filter(|&d| topics.doc_topics(d).iter().any(|t| ids.contains(t)))
            .collect()
    };
    let union = records(&plain, &[a.id, b.id]);
    assert!(
        union.len() < a.size + b.size,
        "some records mention both parts: {} + {} vs {}",
        a.size,
        b.size,
        union.len()
    );
    assert_eq!(records(&merged, &[m.id]), union);
    assert_eq!(m.size, union.len());
    assert_eq!(m.nps, Some(nps_of(&rows, &union)));
    // The saved model holds it as one sub-topic with the centroids of both parts.
    let model = merged.model().expect("a model");
    let saved = model.topics.iter().find(|t| t.id == m.id).unwrap();
    assert_eq!(saved.label, "Late delivery");
    assert!(saved.centroids.len() >= 2, "{}", saved.centroids.len());
}

/// A guided start on the bilingual corpus: the analyst seeds a delivery theme and an app
/// theme (as taxonomy categories with `seed = true` do); each holds its records of both
/// languages under the seed's label, and the records that match no seed (support,
/// staff) still form themes of their own.
#[test]
fn seeded_themes_hold_their_records_and_the_rest_find_their_own() {
    let rows = corpus();
    let seeds = ["配送 / delivery".to_string(), "アプリ / app".to_string()];
    let options = TopicOptions {
        theme_seeds: seeds.to_vec(),
        ..options()
    };
    let mut collector = TopicCollector::new(options).with_clause_sentiment(Arc::new(KeywordModel));
    // The corpus's channel says its complaint: web = delivery, app = the app.
    let seed_of = |i: usize| match group_of_row(&rows, i).0 {
        "web" => Some(0),
        "app" => Some(1),
        _ => None,
    };
    for (i, &(text, value, nps, channel, date)) in rows.iter().enumerate() {
        let record = analysed(i, text, value, Some(nps), channel, date);
        collector.add_seeded(&record, seed_of(i)).unwrap();
    }
    let topics = collector.fit().unwrap();
    assert_eq!(topics.theme_choice.method, "seeded");
    for (seed, label) in seeds.iter().enumerate() {
        let theme = topics
            .themes
            .iter()
            .find(|t| &t.label == label)
            .unwrap_or_else(|| panic!("no theme {label}: {:#?}", topics.themes));
        let members: Vec<usize> = (0..rows.len())
            .filter(|&d| topics.doc_theme(d) == Some(theme.id))
            .collect();
        let expected: Vec<usize> = (0..rows.len())
            .filter(|&d| seed_of(d) == Some(seed))
            .collect();
        assert_eq!(members, expected, "{label}");
        assert_eq!(theme.by_lang.len(), 2, "{label}: {:?}", theme.by_lang);
    }
    // Support and staff records: in themes of their own, one subject each.
    let others: Vec<&Topic> = topics
        .themes
        .iter()
        .filter(|t| !seeds.contains(&t.label))
        .collect();
    assert!(others.len() >= 2, "{:#?}", topics.themes);
    for d in (0..rows.len()).filter(|&d| seed_of(d).is_none()) {
        let theme = topics.doc_theme(d).expect("a theme");
        assert!(others.iter().any(|t| t.id == theme), "record {d}");
    }
}
