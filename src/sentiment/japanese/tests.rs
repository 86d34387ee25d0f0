//! Tests of the Japanese scorer through the real text stage (lindera over IPADIC).

use std::sync::OnceLock;

use super::*;
use crate::record::Lang;
use crate::sentiment::lexicon::LexiconModel;
use crate::sentiment::{Label, Score, SentimentModel};
use crate::text::test_analyzer as analyzer;

const HELD_OUT: &str = include_str!("../../../tests/fixtures/ja_polarity_check.tsv");

fn scorer() -> &'static (JapanesePolarity, Vader) {
    static SCORER: OnceLock<(JapanesePolarity, Vader)> = OnceLock::new();
    SCORER.get_or_init(|| {
        let polarity = JapanesePolarity::embedded().expect("embedded lexicon");
        (polarity, Vader::embedded().expect("embedded VADER"))
    })
}

/// The polarity of a one-sentence text.
fn polarity(text: &str) -> SentencePolarity {
    let doc = analyzer().analyse(text, Some(Lang::Ja)).expect("analyse");
    assert_eq!(doc.sentences.len(), 1, "{text:?} should be one sentence");
    let (scorer, vader) = scorer();
    scorer.sentence_polarity(doc.sentence_tokens(&doc.sentences[0]), vader)
}

fn value(text: &str) -> f32 {
    polarity(text).value
}

#[track_caller]
fn assert_negative(text: &str) {
    let v = value(text);
    assert!(v < -NEUTRAL, "{text:?} should be negative, got {v}");
}

#[track_caller]
fn assert_positive(text: &str) {
    let v = value(text);
    assert!(v > NEUTRAL, "{text:?} should be positive, got {v}");
}

const NEUTRAL: f32 = crate::sentiment::NEUTRAL_BAND;

#[test]
fn scorer_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<JapanesePolarity>();
}

#[test]
fn required_behaviours() {
    assert_negative("スタッフの対応が最悪でした");
    assert_negative("二度と使いません");
    assert_positive("とても満足しています");
    assert!(value("悪くない") >= -NEUTRAL, "悪くない is not negative");
    assert_negative("配送が遅くて困りました");
    assert_negative("アプリがすぐ落ちる");
    assert_positive("使いやすくて便利です");
    assert_positive("丁寧な対応でした");
    assert!(value("特に問題ありません") >= -NEUTRAL);
    assert_negative("期待していたほど良くなかった");
    let neutral = polarity("明日届きます");
    assert!(
        neutral.evidence == 0.0 || neutral.value.abs() < NEUTRAL,
        "{neutral:?}"
    );
}

#[test]
fn customer_feedback() {
    assert_negative("注文した商品がまだ届かないのですが、どうなっていますか");
    assert_negative("問い合わせても返信がありません");
    assert_negative("ログインできない状態が続いています");
    assert_negative("値段が高いわりに量が少ない");
    assert_negative("説明が分かりにくいです");
    assert_negative("電話がなかなかつながらない");
    assert_negative("レジで20分も待たされました");
    assert_negative("期待外れでした");
    assert_positive("神対応でした");
    assert_positive("いつも迅速に対応していただきありがとうございます");
    assert_positive("また利用したいです");
    assert_positive("サイズもぴったりで大満足です");
    assert_positive("送料が安くて助かります");
    assert_positive("接客が丁寧で気持ちよかった");
    assert_negative("すぐ壊れるので買わない方がいいです");
    assert_negative("商品は良いのですが、梱包が雑でした");
}

#[test]
fn contrast_favours_the_second_clause() {
    assert_positive("配送は遅いが、スタッフは親切");
    assert_negative("スタッフは親切だけど、配送が遅い");
    assert_negative("デザインは良い、しかし使いにくい");
}

#[test]
fn negation() {
    assert_negative("良くない");
    assert_negative("満足できない");
    assert_negative("良いとは言えません");
    assert_negative("悪くないわけではない");
    assert_positive("問題なし");
    assert_negative("やる気も元気もない");
    assert_negative("不満しかありません");
}

#[test]
fn intensifiers_scale_but_do_not_flip() {
    let plain = value("便利です");
    let boosted = value("とても便利です");
    let damped = value("少し便利です");
    assert!(
        damped > NEUTRAL && damped < plain && plain < boosted,
        "{damped} {plain} {boosted}"
    );
    assert!(value("非常に悪い") < value("悪い"));
    assert!(value("すごく遅い") < value("遅い"));
}

#[test]
fn wishes_say_what_is_not_so() {
    // A request flips its clause: "I want it cheaper" says it is not cheap.
    assert_positive("値段が安いです。");
    assert_negative("もう少し安くしてほしいです。");
    assert_negative("もっと早く対応していただきたい。");
    // With nothing polar in its clause, a request is a complaint of its own.
    assert_negative("一言書いて欲しい。");
    assert_negative("きちんと説明してもらいたい。");
    // ぜひ makes it a recommendation.
    assert!(value("ぜひ使ってほしい。").abs() < NEUTRAL);
    // A plain wish for a thing is no request.
    assert!(value("新しいソファが欲しい。") >= 0.0);
}

#[test]
fn would_have_been_better_is_a_regret() {
    assert_negative("別の店で買えば良かった。");
    assert_negative("段ボール箱のほうが良かったです。");
    assert_negative("最初から別のメーカーにしたら良かった。");
    // Advice and plain praise stay as they were.
    assert!(value("どうすれば良いですか。").abs() < NEUTRAL);
    assert_positive("対応がとても良かったです。");
    assert_negative("まあ仕方ないか。");
}

#[test]
fn neutral_sentences_have_no_evidence() {
    for text in [
        "明日届きます",
        "料金について教えてください",
        "注文番号は12345です",
    ] {
        let p = polarity(text);
        assert_eq!(p.evidence, 0.0, "{text:?}: {p:?}");
        assert_eq!(p.value, 0.0, "{text:?}");
    }
}

#[test]
fn strange_input_does_not_panic() {
    let (scorer, vader) = scorer();
    assert_eq!(scorer.sentence_polarity(&[], vader), SentencePolarity::NONE);
    for text in [
        "",
        "。。。！！！",
        "ないないないない",
        "二度と",
        "けど",
        "とても",
        "😀😡👍",
        "https://example.com @user #タグ",
        "最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪最悪！！！！！！",
        "ｱﾌﾟﾘが落ちる!!",
        "mixed 日本語 and English text, not bad",
    ] {
        let doc = analyzer().analyse(text, Some(Lang::Ja)).expect("analyse");
        for sentence in &doc.sentences {
            let p = scorer.sentence_polarity(doc.sentence_tokens(sentence), vader);
            assert!((-1.0..=1.0).contains(&p.value), "{text:?}: {p:?}");
            assert!(p.evidence >= 0.0 && p.value.is_finite(), "{text:?}: {p:?}");
        }
    }
}

/// The held-out check: 40 labelled sentences never used for tuning, scored as whole
/// documents by the lexicon backend. A neutral verdict counts as a miss.
#[test]
fn held_out_accuracy() {
    let model = LexiconModel::embedded().expect("lexicon model");
    let mut total = 0;
    let mut misses = Vec::new();
    for line in HELD_OUT
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (label, text) = line.split_once('\t').expect("label<TAB>text");
        let label: Label = label.parse().expect("label");
        let doc = analyzer().analyse(text, Some(Lang::Ja)).expect("analyse");
        let Score {
            value, label: got, ..
        } = model.score_batch(&[&doc]).unwrap()[0].doc;
        total += 1;
        if got != label {
            misses.push(format!("{label} {value:+.2} {text}"));
        }
    }
    let accuracy = (total - misses.len()) as f32 / total as f32;
    println!(
        "held-out accuracy {accuracy:.3} ({} of {total} missed)",
        misses.len()
    );
    for miss in &misses {
        println!("  missed: {miss}");
    }
    assert_eq!(total, 40);
    assert!(accuracy >= 0.8, "held-out accuracy {accuracy}: {misses:#?}");
}
