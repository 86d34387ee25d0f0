use koe::record::Lang;
use koe::sentiment::japanese::JapanesePolarity;
use koe::sentiment::japanese::tfidf::TfidfScorer;
use koe::sentiment::vader::Vader;
use koe::text::TextAnalyzer;
use std::io::{BufRead, Write};
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let analyzer = TextAnalyzer::load(None).unwrap();
    let t0 = std::time::Instant::now();
    let jp = JapanesePolarity::embedded().unwrap();
    eprintln!("lexicon {:?}", t0.elapsed());
    let t1 = std::time::Instant::now();
    let tf = TfidfScorer::embedded().unwrap();
    eprintln!("tfidf {:?}", t1.elapsed());
    let vader = Vader::embedded_for_feedback().unwrap();
    eprintln!("load {:?} ({} ngrams)", t0.elapsed(), tf.len());
    let out = std::io::stdout();
    let mut out = out.lock();
    let f = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    for line in f.lines().skip(1) {
        let line = line.unwrap();
        let (label, text) = line.split_once('\t').unwrap();
        let doc = analyzer.analyse(text, Some(Lang::Ja)).unwrap();
        if std::env::var("TOKENS").is_ok() {
            let toks: Vec<&str> = doc.tokens.iter().map(|t| t.surface.as_str()).collect();
            writeln!(out, "{}", toks.join(" ")).unwrap();
            continue;
        }
        let whole = tf.evidence(doc.sentences.iter().map(|s| doc.sentence_tokens(s)));
        let mut parts = Vec::new();
        for s in &doc.sentences {
            let toks = doc.sentence_tokens(s);
            let p = jp.sentence_polarity(toks, &vader);
            let l = tf.evidence(std::iter::once(toks));
            let first: String = toks.iter().take(3).map(|t| t.surface.as_str()).collect::<Vec<_>>().join("/");
            parts.push(format!("{:.4}:{}:{}:{}:{}", p.value, p.evidence, l.map_or(f32::NAN, |l| l.logit), l.map_or(0, |l| l.ngrams), first.replace(['|', ':', '\t'], "")));
        }
        writeln!(out, "{}\t{}\t{}\t{}", label, whole.map_or(f32::NAN, |l| l.logit), whole.map_or(0, |l| l.ngrams), parts.join("|")).unwrap();
    }
}
