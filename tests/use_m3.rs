//! koe's USE-m3 sentence encoder against the reference: the same piece ids as the
//! `sentencepiece` library and the same vectors as the reference's numpy forward pass
//! (cosine ≥ 0.9999) on `fixtures/use_m3_reference.jsonl` (made by
//! `fixtures/make_use_m3_fixture.py`: Japanese, English, mixed scripts, emoji, kaomoji,
//! full-width forms, URLs, odd whitespace); records with clauses; and its use as topic
//! vectors.
//!
//! The model comes from `scripts/setup.sh` (koe's cache, or `KOE_USE_M3_DIR`); without
//! it these tests fail and say how to install it.

use std::sync::OnceLock;

use koe::embed::{DIMENSION, Error, MAX_PIECES, RecordText, UseM3};
use koe::topics::embedding::Vectors;
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/use_m3_reference.jsonl");

fn encoder() -> &'static UseM3 {
    static ENCODER: OnceLock<UseM3> = OnceLock::new();
    ENCODER.get_or_init(|| UseM3::load().unwrap_or_else(|e| panic!("{e}")))
}

struct Reference {
    text: String,
    ids: Vec<u32>,
    vector: Vec<f32>,
}

fn reference() -> Vec<Reference> {
    FIXTURE
        .lines()
        .map(|line| {
            let row: Value = serde_json::from_str(line).unwrap();
            let numbers = |key: &str| {
                row[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
            };
            Reference {
                text: row["text"].as_str().unwrap().to_string(),
                ids: numbers("ids").map(|v| v as u32).collect(),
                vector: numbers("vector").map(|v| v as f32).collect(),
            }
        })
        .collect()
}

fn cos(a: &[f32], b: &[f32]) -> f32 {
    let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
    dot(a, b) / (dot(a, a) * dot(b, b)).sqrt()
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

#[test]
fn piece_ids_are_sentencepieces() {
    let rows = reference();
    assert_eq!(rows.len(), 36);
    for row in &rows {
        assert_eq!(encoder().piece_ids(&row.text), row.ids, "{:?}", row.text);
    }
}

#[test]
fn vectors_match_the_reference() {
    let rows = reference();
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    // All at once: the texts share micro-batches, as in the reference.
    let vectors = encoder().encode(&texts);
    assert_eq!(vectors.len(), rows.len());
    for (row, v) in rows.iter().zip(&vectors) {
        assert_eq!(v.len(), DIMENSION);
        assert!((norm(v) - 1.0).abs() < 1e-5, "{:?}", row.text);
        let c = cos(v, &row.vector);
        assert!(c >= 0.9999, "{:?}: cosine {c}", row.text);
    }
    // One at a time: a text's vector does not depend on its neighbours.
    for (text, v) in texts.iter().zip(&vectors) {
        let alone = &encoder().encode(&[text])[0];
        let c = cos(alone, v);
        assert!(c > 0.99999, "{text:?}: cosine {c} alone vs batched");
    }
}

#[test]
fn japanese_and_english_about_the_same_thing_land_together() {
    let pairs = [
        ("配送が遅い", "the delivery was late"),
        ("アプリがすぐ落ちる", "the app keeps crashing"),
        ("スタッフの対応が良かった", "the staff were very helpful"),
        ("値段が高すぎる", "it is far too expensive"),
    ];
    let texts: Vec<&str> = pairs.iter().flat_map(|(ja, en)| [*ja, *en]).collect();
    let v = encoder().encode(&texts);
    for (i, (ja, en)) in pairs.iter().enumerate() {
        let same = cos(&v[2 * i], &v[2 * i + 1]);
        for j in (0..pairs.len()).filter(|&j| j != i) {
            let other = cos(&v[2 * i], &v[2 * j + 1]);
            assert!(
                same > other + 0.2,
                "{ja} ~ {en}: {same:.3}, but ~ {}: {other:.3}",
                pairs[j].1
            );
        }
    }
}

#[test]
fn a_record_and_its_clauses_in_one_pass() {
    let text = "The coffee was great, but the delivery took two weeks. 配送が遅くて困りました。";
    let parts = [
        "The coffee was great,",
        "but the delivery took two weeks.",
        "配送が遅くて困りました。",
    ];
    let clauses: Vec<_> = parts
        .iter()
        .map(|p| {
            let start = text.find(p).unwrap();
            start..start + p.len()
        })
        .chain([10..10, 500..510]) // empty, and outside the text
        .collect();
    let out = encoder().encode_records(&[RecordText {
        text,
        clauses: &clauses,
    }]);
    assert_eq!(out.len(), 1);
    let whole = &encoder().encode(&[text])[0];
    assert!(cos(&out[0].record, whole) > 0.99999);
    assert_eq!(out[0].clauses.len(), 5);
    let alone = encoder().encode(&parts);
    for (i, part) in parts.iter().enumerate() {
        let v = &out[0].clauses[i];
        assert!((norm(v) - 1.0).abs() < 1e-5);
        let own = cos(v, &alone[i]);
        assert!(own > 0.85, "{part}: {own:.3} with itself alone");
        for (j, other) in parts.iter().enumerate().filter(|&(j, _)| j != i) {
            let c = cos(v, &alone[j]);
            assert!(own > c, "{part}: {own:.3} with itself, {c:.3} with {other}");
        }
    }
    // The two delivery complaints, in two languages, are closer than coffee and delivery.
    let c = &out[0].clauses;
    assert!(cos(&c[1], &c[2]) > cos(&c[0], &c[2]));
    assert!(
        c[3].iter().all(|&x| x == 0.0),
        "an empty clause has no vector"
    );
    assert!(
        c[4].iter().all(|&x| x == 0.0),
        "a clause outside the text neither"
    );
}

#[test]
fn long_texts_are_cut_and_empty_ones_are_markers_only() {
    let long = "The parcel arrived late again. ".repeat(400);
    let ids = encoder().piece_ids(&long);
    assert_eq!(ids.len(), MAX_PIECES + 2);
    assert_eq!((ids[0], ids[ids.len() - 1]), (1, 2));
    assert_eq!(encoder().piece_ids(" \n\t "), [1, 2]);
    let v = encoder().encode(&["", &long]);
    assert!(v.iter().all(|v| (norm(v) - 1.0).abs() < 1e-5));
}

#[test]
fn a_missing_model_says_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let Err(e) = UseM3::from_dir(dir.path()) else {
        panic!("loaded a model from an empty folder")
    };
    assert!(matches!(e, Error::NotInstalled(_)), "{e}");
    assert!(e.to_string().contains("scripts/setup.sh"), "{e}");
}

#[test]
fn topic_vectors_spec() {
    encoder(); // fails with the install hint when the model is missing
    let vectors = Vectors::from_spec("embeddings:use-m3").unwrap();
    assert_eq!(vectors.to_string(), "embeddings:use-m3");
    let Vectors::Embeddings { embedder, langs } = vectors else {
        panic!("not embeddings")
    };
    assert!(langs.is_empty(), "both languages by default");
    assert_eq!(embedder.dimension(), DIMENSION);
    let v = embedder
        .embed(&["返品したい", "I want to return it"])
        .unwrap();
    assert!(cos(&v[0], &v[1]) > 0.5);
}
