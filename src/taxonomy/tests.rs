use std::path::Path;
use std::sync::OnceLock;

use super::*;
use crate::record::Record;
use crate::sentiment::{self, Label};
use crate::text::TextAnalyzer;
use crate::topics::{Period, TermWeight};
use crate::{Analysed, Lang};

const SHOP: &str = r#"
[[category]]
name = "配送"
label = "配送 / delivery"
ja.keywords = ["配送", "届く"]
en.keywords = ["delivery", "courier"]

[[category]]
name = "配送遅延"
parent = "配送"
ja.keywords = ["遅い", "遅延"]
en.keywords = ["late delivery", "delay"]

[[category]]
name = "アプリ"
ja.keywords = ["アプリ"]
en.keywords = ["app"]
en.patterns = ['(?i)\bcrash(es|ed)?\b']
"#;

fn analyzer() -> &'static TextAnalyzer {
    static ANALYZER: OnceLock<TextAnalyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| TextAnalyzer::load(None).expect("the Japanese dictionary"))
}

fn tagger(text: &str) -> Tagger {
    let taxonomy = Taxonomy::parse(text, Path::new("shop.toml")).unwrap();
    Tagger::new(taxonomy, analyzer()).unwrap()
}

fn analysed(text: &str, nps: Option<u8>) -> Analysed {
    let doc = analyzer().analyse(text, None).unwrap();
    let model = sentiment::from_spec("lexicon").unwrap();
    let sentiment = model.score_batch(&[&doc]).unwrap().remove(0);
    Analysed {
        record: Record {
            nps,
            ..Record::new(text, text, "t.jsonl", 1)
        },
        text: doc,
        sentiment,
    }
}

fn names(tagger: &Tagger, text: &str) -> Vec<String> {
    tagger
        .tag(&analysed(text, None))
        .iter()
        .map(|t| tagger.taxonomy().categories[t.category()].name.clone())
        .collect()
}

fn error(text: &str) -> String {
    match Taxonomy::parse(text, Path::new("bad.toml")).and_then(|t| {
        Tagger::new(t, analyzer())
            .map(|_| ())
            .map(|()| unreachable!())
    }) {
        Err(e) => e.to_string(),
        Ok(()) => panic!("{text} was accepted"),
    }
}

#[test]
fn japanese_inflections_and_english_plurals_match() {
    let t = tagger(SHOP);
    // 届かなかった → 届く; 遅かった → 遅い: the child and, by roll-up, its parent.
    assert_eq!(
        names(
            &t,
            "注文した商品がなかなか届かなかった。配送が遅かったです。"
        ),
        ["配送", "配送遅延"]
    );
    // deliveries → deliveri = delivery; "late deliveries" is the phrase.
    assert_eq!(
        names(&t, "Two late deliveries this month."),
        ["配送", "配送遅延"]
    );
    assert_eq!(names(&t, "The couriers were friendly."), ["配送"]);
    // A pattern, case folded by (?i); 「アプリ」 in Japanese.
    assert_eq!(names(&t, "It CRASHED twice."), ["アプリ"]);
    assert_eq!(names(&t, "アプリがよく落ちます。"), ["アプリ"]);
    // Phrases match in order inside one sentence, not as loose words.
    assert!(names(&t, "Delivery was fine. It was late at night.").contains(&"配送".into()));
    assert!(!names(&t, "The delivery was late.").contains(&"配送遅延".into()));
    // English keywords do not tag Japanese records, nor the reverse.
    assert!(names(&t, "配達員さんは親切でした。").is_empty());
}

#[test]
fn a_record_has_several_categories_each_with_its_own_sentiment() {
    let t = tagger(SHOP);
    let tags = t.tag(&analysed(
        "配送がとても遅くて困りました。でもアプリは使いやすくて最高です。",
        None,
    ));
    let by_name: Vec<(String, Label)> = tags
        .iter()
        .map(|tag| {
            (
                t.taxonomy().categories[tag.category()].name.clone(),
                tag.label,
            )
        })
        .collect();
    assert_eq!(
        by_name,
        [
            ("配送".to_string(), Label::Negative),
            ("配送遅延".to_string(), Label::Negative),
            ("アプリ".to_string(), Label::Positive),
        ]
    );
}

#[test]
fn the_tally_rolls_children_up_and_measures_nps_as_topics_do() {
    let t = tagger(SHOP);
    let mut tally = CategoryTally::new(t.taxonomy().categories.len(), Period::Month);
    // Two detractors negative on late delivery, a promoter happy with the app, one
    // passive about nothing in the taxonomy.
    for (text, nps) in [
        ("配送が遅い。最悪です。", 2),
        ("The delivery was a week late, a terrible delay.", 5),
        ("The app is great, I love it.", 10),
        ("Nothing to add.", 8),
    ] {
        let a = analysed(text, Some(nps));
        tally.add(&a, &t.tag(&a));
    }
    let figures = tally.finish(t.taxonomy());
    assert_eq!((figures.records, figures.tagged), (4, 3));
    let order: Vec<(&str, usize)> = figures
        .categories
        .iter()
        .map(|c| (c.name.as_str(), c.depth))
        .collect();
    assert_eq!(order, [("配送", 0), ("配送遅延", 1), ("アプリ", 0)]);
    let delivery = &figures.categories[0];
    assert_eq!(delivery.figures.size, 2);
    assert_eq!(delivery.figures.label, "配送 / delivery");
    assert_eq!(delivery.sentiment_mix["negative"], 2);
    // Overall NPS (1 − 2) / 4 = −25; both detractors negative on 配送 becoming passives
    // raise it by 50 points.
    assert_eq!(figures.overall.nps, Some(-25.0));
    assert!((delivery.figures.impact - 50.0).abs() < 1e-9);
    assert_eq!(delivery.figures.nps, Some(-100.0));
    let late = &figures.categories[1];
    assert_eq!(late.parent.as_deref(), Some("配送"));
    assert_eq!(late.figures.size, 2);
    let app = &figures.categories[2];
    assert_eq!((app.figures.size, app.figures.nps), (1, Some(100.0)));
    assert_eq!(app.figures.impact, 0.0);
}

#[test]
fn bad_files_are_named_by_file_line_and_column() {
    let e = error("[[category]]\nname = \"a\"\nen.keywords = [\"x\"]\ncolour = \"red\"\n");
    assert!(e.starts_with("bad.toml:4:1: "), "{e}");
    assert!(e.contains("colour"), "{e}");

    let e = error("[[category]]\nname = \"a\"\nparent = \"b\"\nen.keywords = [\"x\"]\n");
    assert_eq!(
        e,
        "bad.toml:3:10: parent \"b\" is not a category of this file"
    );

    let e = error(
        "[[category]]\nname = \"a\"\nen.keywords = [\"x\"]\n\n[[category]]\nname = \"a\"\nen.keywords = [\"y\"]\n",
    );
    assert_eq!(
        e,
        "bad.toml:6:8: category \"a\" is already defined on line 2"
    );

    let e = error("[[category]]\nname = \"a\"\nen.patterns = [\"(late\"]\n");
    assert!(
        e.starts_with("bad.toml:3:16: en.patterns: \"(late\" is not a regular expression"),
        "{e}"
    );

    let e = error("[[category]]\nname = \"a\"\nja.keywords = [\"。\"]\n");
    assert_eq!(e, "bad.toml:3:16: ja.keywords: \"。\" holds no word");

    let e = error("[[category]]\nname = \"empty\"\n");
    assert!(e.contains("would match nothing"), "{e}");

    let e = error(
        "[[category]]\nname = \"a\"\nparent = \"b\"\n[[category]]\nname = \"b\"\nparent = \"a\"\n",
    );
    assert!(e.contains("its own ancestor"), "{e}");

    let e = error("[[rename]]\nlabel = \"x\"\n");
    assert!(e.starts_with("bad.toml:1:1: a topic is named by"), "{e}");

    let e = error("[[category]]\nname = \"a\"\nen.keywords = \"x\"\n");
    assert!(e.starts_with("bad.toml:3:15: "), "{e}");
}

fn topic(id: u32, label: &str, terms: &[&str]) -> Topic {
    Topic {
        id,
        label: label.into(),
        terms: terms
            .iter()
            .map(|t| TermWeight {
                term: t.to_string(),
                lang: Lang::Ja,
                weight: 0.1,
            })
            .collect(),
        ..Topic::default()
    }
}

#[test]
fn renames_name_the_topic_whose_top_terms_hold_them() {
    let taxonomy = Taxonomy::parse(
        r#"
[[rename]]
terms = ["配送", "遅延"]
label = "配送の遅れ"

[[rename]]
terms = ["Refund"]
label = "Refunds"

[[rename]]
id = "t-7f3a"
label = "kept for the persistent model"

[[merge]]
topics = [{ terms = ["delivery", "late"] }, { terms = ["配送", "遅延"] }]
label = "Late delivery / 配送遅延"
"#,
        Path::new("renames.toml"),
    )
    .unwrap();
    assert_eq!(taxonomy.merges.len(), 1);
    assert_eq!(
        taxonomy.merges[0].topics[0],
        TopicKey::Terms(vec!["delivery".into(), "late".into()])
    );
    let mut topics = vec![
        topic(0, "配送 · スムーズ · 遅延", &["配送", "スムーズ", "遅延"]),
        topic(1, "配送 · 遅延", &["配送", "遅延", "届く"]),
        topic(2, "refund · money", &["refund", "money"]),
    ];
    let outcomes = taxonomy.rename_topics(&mut topics);
    let labels: Vec<&str> = topics.iter().map(|t| t.label.as_str()).collect();
    // Topic 1 holds both terms highest (ranks 0 + 1 against 0 + 2).
    assert_eq!(labels, ["配送 · スムーズ · 遅延", "配送の遅れ", "Refunds"]);
    let renamed: Vec<Option<u32>> = outcomes.iter().map(|o| o.topic).collect();
    assert_eq!(renamed, [Some(1), Some(2), None]);
    assert_eq!(outcomes[2].line, 10);
}
