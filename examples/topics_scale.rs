//! Scale check for the topics stage, run by hand (not part of the test suite):
//!
//! ```text
//! cargo build --release --example topics_scale
//! /usr/bin/time -v target/release/examples/topics_scale 200000 [DIMS]
//! ```
//!
//! With `SPILL_DIR=DIR` the records' ids and snippets (and theme vectors, where a theme
//! encoder runs) wait in scratch files in that folder, as in `koe analyze`, rather than
//! in memory.
//!
//! Generates N synthetic short Japanese and English records (12 themes, a fifth of them
//! about two themes at once, one theme surging in the last month), tokenizes them in
//! batches that are dropped after `add`, and times `TopicCollector::add` and `fit`
//! separately from tokenization.

use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use rayon::prelude::*;

use koe::record::Origin;
use koe::topics::{TableLimits, TopicCollector, TopicOptions, render_quality, render_table};
use koe::{Analysed, DocSentiment, Record, Score, TextAnalyzer};

/// (Japanese templates, English templates, sentiment, NPS range)
type Theme = (
    &'static [&'static str],
    &'static [&'static str],
    f32,
    (u8, u8),
);

const THEMES: &[Theme] = &[
    (
        &["配送が{遅}", "荷物が{届}", "配達が予定より{遅}"],
        &[
            "delivery was {late}",
            "my package {never}",
            "the courier was {late}",
        ],
        -0.6,
        (0, 6),
    ),
    (
        &["アプリが{落}", "アプリが起動しない", "更新後アプリが{落}"],
        &[
            "the app {crash}",
            "app {crash} on startup",
            "the app {crash} at checkout",
        ],
        -0.7,
        (0, 5),
    ),
    (
        &[
            "サポートの対応が{悪}",
            "問い合わせの対応が{悪}",
            "電話窓口の対応が{悪}",
        ],
        &[
            "{rude} support",
            "customer support was {rude}",
            "the agent was {rude}",
        ],
        -0.8,
        (0, 4),
    ),
    (
        &["返金が{遅}", "返金の手続きが面倒", "返金されない"],
        &[
            "refund {never}",
            "the refund took weeks",
            "still waiting for my refund",
        ],
        -0.7,
        (0, 5),
    ),
    (
        &["価格が高い", "値段が{高}", "送料が{高}"],
        &[
            "too {expensive}",
            "the price is {expensive}",
            "shipping fees are {expensive}",
        ],
        -0.4,
        (3, 7),
    ),
    (
        &["スタッフが{親}", "店員さんが{親}", "スタッフの説明が丁寧"],
        &[
            "the staff were {kind}",
            "{kind} staff",
            "the store staff were {kind}",
        ],
        0.8,
        (9, 10),
    ),
    (
        &["商品の品質が{良}", "品質が{良}", "素材が{良}"],
        &[
            "great {quality}",
            "the quality is excellent",
            "excellent build {quality}",
        ],
        0.7,
        (8, 10),
    ),
    (
        &[
            "ログインできない",
            "パスワードの再設定ができない",
            "ログイン画面でエラー",
        ],
        &["cannot log in", "password reset fails", "login error again"],
        -0.6,
        (0, 6),
    ),
    (
        &["サイズが合わない", "サイズが{小}", "サイズ表が分かりにくい"],
        &[
            "the size is {small}",
            "wrong size",
            "size chart is confusing",
        ],
        -0.3,
        (4, 8),
    ),
    (
        &["梱包が丁寧", "梱包がきれい", "箱が潰れていた"],
        &[
            "packaging was neat",
            "nice packaging",
            "the box arrived crushed",
        ],
        0.3,
        (6, 10),
    ),
    (
        &[
            "ポイントが使えない",
            "ポイントの有効期限が短い",
            "クーポンが使えない",
        ],
        &[
            "points expired",
            "coupon code does not work",
            "cannot use my points",
        ],
        -0.4,
        (3, 7),
    ),
    (
        &["画面が見やすい", "使いやすいデザイン", "操作が簡単"],
        &["easy to use", "clean design", "the interface is intuitive"],
        0.6,
        (8, 10),
    ),
];

const SLOTS: &[(&str, &[&str])] = &[
    (
        "{遅}",
        &["遅い", "遅かった", "とても遅い", "遅れた", "遅すぎる"],
    ),
    (
        "{届}",
        &["届かない", "まだ届かない", "届かなかった", "一週間届かない"],
    ),
    ("{落}", &["落ちる", "すぐ落ちる", "何度も落ちる", "落ちた"]),
    ("{悪}", &["悪い", "最悪", "ひどい", "不親切"]),
    ("{高}", &["高い", "高すぎる", "少し高い"]),
    ("{親}", &["親切", "とても親切", "親切で丁寧"]),
    ("{良}", &["良い", "とても良い", "期待以上"]),
    ("{小}", &["小さい", "小さすぎる", "きつい"]),
    ("{late}", &["late", "very late", "two days late", "delayed"]),
    (
        "{never}",
        &["never arrived", "did not arrive", "still missing"],
    ),
    (
        "{crash}",
        &[
            "crashes",
            "keeps crashing",
            "crashed",
            "freezes and crashes",
        ],
    ),
    (
        "{rude}",
        &["rude", "very rude", "rude and slow", "unhelpful"],
    ),
    ("{expensive}", &["expensive", "overpriced", "too expensive"]),
    (
        "{kind}",
        &["kind", "very kind", "friendly", "kind and helpful"],
    ),
    (
        "{quality}",
        &["quality", "product quality", "material quality"],
    ),
    ("{small}", &["too small", "small", "tight"]),
];

const NOISE_JA: &[&str] = &[
    "ありがとうございます。",
    "また利用します。",
    "まあまあです。",
    "",
];
const NOISE_EN: &[&str] = &["Thanks.", "Will order again.", "It is okay.", ""];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn fill(template: &str, rng: &mut Rng) -> String {
    let mut text = template.to_string();
    for (slot, words) in SLOTS {
        if text.contains(slot) {
            text = text.replace(slot, rng.pick(words));
        }
    }
    text
}

/// One record: theme(s), text, sentiment, NPS, month.
fn record(seq: usize, rng: &mut Rng) -> (Record, f32) {
    let japanese = rng.next().is_multiple_of(2);
    let month = (rng.next() % 12) as u32; // 0 = 2025-08 … 11 = 2026-07
    // The refund theme (3) surges in the last month.
    let theme = if month == 11 && rng.next().is_multiple_of(4) {
        3
    } else {
        (rng.next() % THEMES.len() as u64) as usize
    };
    let (ja, en, value, (lo, hi)) = THEMES[theme];
    let mut text = fill(rng.pick(if japanese { ja } else { en }), rng);
    if rng.next().is_multiple_of(5) {
        let (ja2, en2, ..) = THEMES[(rng.next() % THEMES.len() as u64) as usize];
        let second = fill(rng.pick(if japanese { ja2 } else { en2 }), rng);
        text = if japanese {
            format!("{text}けど、{second}")
        } else {
            format!("{text} but {second}")
        };
    }
    let noise = rng.pick(if japanese { NOISE_JA } else { NOISE_EN });
    text = if japanese {
        format!("{text}。{noise}")
    } else {
        format!("{text}. {noise}")
    };
    let nps = lo + (rng.next() % u64::from(hi - lo + 1)) as u8;
    let (year, m) = if month < 5 {
        (2025, month + 8)
    } else {
        (2026, month - 4)
    };
    let record = Record {
        id: format!("s{seq}"),
        text,
        rating: None,
        nps: Some(nps),
        effort: None,
        channel: Some(["web", "app", "store", "phone"][(rng.next() % 4) as usize].into()),
        stage: Some(["purchase", "delivery", "support"][(rng.next() % 3) as usize].into()),
        product: None,
        created_at: Utc
            .with_ymd_and_hms(year, m, 1 + (rng.next() % 28) as u32, 12, 0, 0)
            .single(),
        lang: None,
        origin: Origin {
            file: Arc::from("synthetic"),
            line: seq as u64 + 1,
        },
    };
    (record, value)
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args().nth(1).map_or(Ok(200_000), |a| a.parse())?;
    let analyzer = TextAnalyzer::load(None)?;
    let mut options = TopicOptions::default();
    if let Some(dims) = std::env::args().nth(2) {
        options.dims = dims.parse()?;
    }
    let mut collector = TopicCollector::new(options);
    if let Some(dir) = std::env::var_os("SPILL_DIR") {
        let dir = std::path::PathBuf::from(dir);
        collector = collector.spill_to(koe::topics::ScratchPaths {
            features: dir.join("topic-features.cbor"),
            theme_vectors: dir.join("theme-vectors.bin"),
            clause_vectors: dir.join("clause-vectors.bin"),
            snippets: dir.join("topic-snippets.cbor"),
            fit_theme_vectors: dir.join("fit-theme-vectors.bin"),
            assignments: dir.join("topic-assignments.bin"),
        })?;
    }
    let mut rng = Rng(7);
    let (mut analyse_s, mut add_s, mut tokens) = (0.0, 0.0, 0usize);
    for start in (0..n).step_by(10_000) {
        let batch: Vec<(Record, f32)> = (start..(start + 10_000).min(n))
            .map(|i| record(i, &mut rng))
            .collect();
        let t = Instant::now();
        let analysed: Vec<Analysed> = batch
            .into_par_iter()
            .map(|(record, value)| {
                let text = analyzer.analyse(&record.text, None).expect("tokenize");
                // The theme's sentence carries the sentiment; the filler after it is neutral.
                let sentences = (0..text.sentences.len())
                    .map(|i| Score::from_value(if i == 0 { value } else { 0.0 }))
                    .collect();
                let sentiment = DocSentiment {
                    doc: Score::from_value(value),
                    sentences,
                };
                Analysed {
                    record,
                    text,
                    sentiment,
                }
            })
            .collect();
        analyse_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for a in &analysed {
            tokens += a
                .text
                .tokens
                .iter()
                .filter(|t| koe::topics::is_topic_term(t))
                .count();
            collector.add(a)?;
        }
        add_s += t.elapsed().as_secs_f64();
    }
    let t = Instant::now();
    let topics = collector.fit()?;
    let fit_s = t.elapsed().as_secs_f64();
    print!("{}", render_table(&topics, TableLimits::default()));
    print!("\n{}", render_quality(&topics, TableLimits::default()));
    println!(
        "\n{n} records, {tokens} topic-term tokens · tokenize {analyse_s:.1}s · add {add_s:.1}s · fit {fit_s:.1}s"
    );
    Ok(())
}
