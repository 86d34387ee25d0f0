//! Training tests: a toy set learnt the same way for a seed, save and load, errors.

use super::*;
use crate::sentiment::{SentimentModel, from_spec};
use crate::text::test_analyzer;

const DOCS: [(&str, Label); 9] = [
    ("great service, I love it", Label::Positive),
    ("love the app, great", Label::Positive),
    ("wonderful and great staff", Label::Positive),
    ("awful delivery, I hate it", Label::Negative),
    ("hate this awful app", Label::Negative),
    ("terrible and awful support", Label::Negative),
    ("the parcel came on Monday", Label::Neutral),
    ("the store opens on Monday", Label::Neutral),
    ("the app has a new menu", Label::Neutral),
];

fn fit(seed: u64) -> LinearModel {
    fit_with(HyperParameters {
        seed,
        epochs: 30,
        ..HyperParameters::default()
    })
}

fn fit_with(hyper: HyperParameters) -> LinearModel {
    let docs: Vec<AnalysedText> = DOCS
        .iter()
        .map(|(t, _)| test_analyzer().analyse(t, None).unwrap())
        .collect();
    let labels: Vec<Label> = DOCS.iter().map(|d| d.1).collect();
    let features = FeatureConfig {
        buckets_log2: 12,
        ..FeatureConfig::default()
    };
    let run = TrainingRun {
        docs: &docs,
        labels: &labels,
        hyper,
        features,
        lang: None,
        provenance: "unit test".into(),
        l2_grid: &[],
    };
    train(run, &mut |_, _| {}).unwrap()
}

#[test]
fn learns_a_toy_set_the_same_way_for_a_seed() {
    let model = fit(7);
    assert_eq!(model.card().training.train_accuracy, 1.0);
    assert_eq!(model.weights(), fit(7).weights(), "same seed, same weights");
    assert_ne!(model.weights(), fit(8).weights());
    let doc = test_analyzer()
        .analyse("Awful. I hate the delivery", None)
        .unwrap();
    let scored = model.score_batch(&[&doc]).unwrap().remove(0);
    assert_eq!(scored.doc.label, Label::Negative);
    assert!(scored.doc.value < 0.0 && scored.doc.confidence > 0.34);
    assert_eq!(scored.sentences.len(), 2);
}

#[test]
fn averaging_keeps_the_mean_of_the_second_halfs_epochs() {
    let hyper = |epochs, average| HyperParameters {
        epochs,
        average,
        ..HyperParameters::default()
    };
    let third = fit_with(hyper(3, false));
    let fourth = fit_with(hyper(4, false));
    let averaged = fit_with(hyper(4, true));
    assert_ne!(averaged.weights(), fourth.weights());
    for ((a, w3), w4) in averaged
        .weights()
        .iter()
        .zip(third.weights())
        .zip(fourth.weights())
    {
        assert!((a - (w3 + w4) / 2.0).abs() < 1e-5, "{a} vs {w3}, {w4}");
    }
    assert_eq!(averaged.card().training.train_accuracy, 1.0);
    // Models saved before averaging existed read as what they were: the last iterate.
    let mut card = serde_json::to_value(HyperParameters::default()).unwrap();
    card.as_object_mut().unwrap().remove("average");
    let old: HyperParameters = serde_json::from_value(card).unwrap();
    assert!(!old.average && HyperParameters::default().average);
}

#[test]
fn saves_loads_and_checks_its_weights() {
    let model = fit(1);
    let dir = tempfile::tempdir().unwrap();
    model.save(dir.path()).unwrap();
    let spec = format!("linear:{}", dir.path().display());
    let loaded = from_spec(&spec).unwrap();
    assert_eq!(loaded.name(), spec);
    let doc = test_analyzer()
        .analyse("great staff, love it", None)
        .unwrap();
    assert_eq!(
        loaded.score_batch(&[&doc]).unwrap(),
        model.score_batch(&[&doc]).unwrap()
    );
    let weights = dir.path().join("weights.bin");
    let mut bytes = std::fs::read(&weights).unwrap();
    bytes[5] ^= 1;
    std::fs::write(&weights, bytes).unwrap();
    assert!(matches!(
        LinearModel::load(dir.path()),
        Err(linear::Error::Checksum { .. })
    ));
    assert!(from_spec("linear:/nonexistent/model").is_err());
}

#[test]
fn one_class_is_an_error() {
    let doc = test_analyzer().analyse("fine", None).unwrap();
    let run = TrainingRun {
        docs: std::slice::from_ref(&doc),
        labels: &[Label::Positive],
        hyper: HyperParameters::default(),
        features: FeatureConfig::default(),
        lang: None,
        provenance: String::new(),
        l2_grid: &[],
    };
    assert!(matches!(
        train(run, &mut |_, _| {}),
        Err(Error::OneClass(_))
    ));
}

#[test]
fn l2_auto_picks_a_penalty_of_the_grid_and_records_the_trials() {
    let docs: Vec<AnalysedText> = DOCS
        .iter()
        .cycle()
        .take(DOCS.len() * 4)
        .map(|(t, _)| test_analyzer().analyse(t, None).unwrap())
        .collect();
    let labels: Vec<Label> = DOCS
        .iter()
        .cycle()
        .take(DOCS.len() * 4)
        .map(|d| d.1)
        .collect();
    let run = || TrainingRun {
        docs: &docs,
        labels: &labels,
        hyper: HyperParameters::default(),
        features: FeatureConfig {
            buckets_log2: 12,
            ..FeatureConfig::default()
        },
        lang: None,
        provenance: "unit test".into(),
        l2_grid: &L2_GRID,
    };
    let model = train(run(), &mut |_, _| {}).unwrap();
    let training = &model.card().training;
    let tried: Vec<f32> = training.l2_search.iter().map(|t| t.l2).collect();
    assert_eq!(tried, L2_GRID);
    let best = training
        .l2_search
        .iter()
        .map(|t| t.macro_recall)
        .fold(0.0, f64::max);
    let chosen = model.card().hyper_parameters.l2;
    let at_chosen = training.l2_search.iter().find(|t| t.l2 == chosen).unwrap();
    assert_eq!(at_chosen.macro_recall, best);
    // Among equally good penalties, the strongest.
    assert!(
        training
            .l2_search
            .iter()
            .all(|t| t.macro_recall < best || t.l2 <= chosen)
    );
    assert_eq!(
        train(run(), &mut |_, _| {}).unwrap().weights(),
        model.weights(),
        "seeded"
    );
}
