//! What the fuzz targets check: koe's parsers take any bytes without a panic, and what
//! they hand on keeps the promises the rest of koe relies on.

use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use koe::TextAnalyzer;
use koe::index::{self, IndexBuilder, IndexDoc, SearchIndex, SearchRequest};
use koe::ingest::{self, FieldMap, FieldNames, Limits, RejectReason};
use koe::record::{Analysed, Origin, Record, keepable};

/// Small limits, so that the fuzzer reaches them.
pub const LIMITS: Limits = Limits {
    max_text_bytes: 256,
};

/// Reads `data` as the file `name` (its extension picks the reader) and checks every
/// record and reject it yields: one item per row at most, lines in order, and every
/// record within koe's ranges.
pub fn check_ingest(name: &str, data: &[u8]) {
    let fields = Arc::new(FieldMap {
        text: FieldNames::preferring(vec!["comment".into()], "text"),
        rating: FieldNames::preferring(vec!["score".into()], "rating"),
        ..FieldMap::default()
    });
    let input = Box::new(Cursor::new(data.to_vec()));
    // A CSV header koe cannot use is an error for the file, not a panic.
    let Ok(items) = ingest::read(Path::new(name), input, fields, LIMITS) else {
        return;
    };
    let lines = data.split(|&b| b == b'\n' || b == b'\r').count() as u64;
    let mut last_line = 0;
    for item in items {
        let item = item.expect("bytes in memory never fail to read");
        let line = match &item {
            Ok(record) => {
                check_record(record);
                record.origin.line
            }
            Err(reject) => {
                assert!(!reject.detail.is_empty());
                assert_ne!(reject.reason, RejectReason::AnalysisFailed);
                reject.line
            }
        };
        assert!(line > last_line, "line {line} after line {last_line}");
        assert!(line <= lines + 1, "line {line} of {lines}");
        last_line = line;
    }
}

fn check_record(record: &Record) {
    assert!(!record.text.trim().is_empty());
    assert!(record.text.len() <= LIMITS.max_text_bytes);
    assert!(record.rating.is_none_or(|r| (1..=5).contains(&r)));
    assert!(record.nps.is_none_or(|n| n <= 10));
    assert!(record.effort.is_none_or(|e| (1..=7).contains(&e)));
    assert!(record.created_at.as_ref().is_none_or(keepable));
    assert!(!record.id.is_empty());
}

/// A small Japanese and English index, built once per fuzzing process.
static INDEX: LazyLock<(tempfile_dir::Dir, SearchIndex)> = LazyLock::new(|| {
    let analyzer = TextAnalyzer::load(None).expect("the dictionary (scripts/setup.sh)");
    let dir = tempfile_dir::Dir::new();
    let texts = [
        ("j1", "配送がとても遅かったです。", "2026-06-01", 1),
        ("j2", "スタッフの対応が丁寧でした。", "2026-07-15", 5),
        ("e1", "My order was delayed twice.", "2026-07-20", 2),
        ("e2", "Fast delivery and kind staff!", "2026-09-01", 5),
    ];
    let path = dir.path().join("index");
    let mut builder = IndexBuilder::create(&path, &analyzer, 20_000_000).unwrap();
    let model = koe::sentiment::from_spec("lexicon").unwrap();
    for (line, (id, text, date, rating)) in texts.into_iter().enumerate() {
        let record = Record {
            id: id.into(),
            text: text.into(),
            rating: Some(rating),
            nps: None,
            effort: None,
            channel: Some("web".into()),
            stage: None,
            product: None,
            created_at: ingest::parse_date(date),
            lang: None,
            origin: Origin {
                file: Arc::from("fuzz.jsonl"),
                line: line as u64 + 1,
            },
        };
        let analysed_text = analyzer.analyse(text, None).unwrap();
        let sentiment = model.score_batch(&[&analysed_text]).unwrap().remove(0);
        let mut doc = IndexDoc::from(Analysed {
            record,
            text: analysed_text,
            sentiment,
        });
        doc.topics = vec![line as u32 % 2];
        builder.add(doc).unwrap();
    }
    builder.commit().unwrap();
    let index = SearchIndex::open(&path, &analyzer).unwrap();
    (dir, index)
});

/// Reads `data` as `/api/search`'s query string (`name=value&…`, unescaped) and runs
/// what it asks: the answer is results, or a request error naming what is wrong — the
/// 400s of `koe serve` — never another error (a 500) and never a panic.
pub fn check_search(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let params: Vec<(String, String)> = text
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => ("q".to_string(), p.to_string()),
        })
        .collect();
    let Ok(request) = koe::serve::api::search_request(&params) else {
        return;
    };
    search(&INDEX.1, &request);
    // The same text as a bare query, as `koe search` takes it.
    let mut bare = SearchRequest::new(text.as_ref());
    bare.limit = 5;
    search(&INDEX.1, &bare);
}

fn search(index: &SearchIndex, request: &SearchRequest) {
    match index.search(request) {
        Ok(results) => {
            assert!(results.hits.len() <= request.limit);
            assert!(results.total >= results.hits.len());
            for hit in &results.hits {
                for &[start, end] in &hit.snippet.highlights {
                    assert!(start <= end && end <= hit.snippet.fragment.len());
                    assert!(hit.snippet.fragment.is_char_boundary(start));
                    assert!(hit.snippet.fragment.is_char_boundary(end));
                }
            }
        }
        Err(index::Error::Query { .. } | index::Error::Filter { .. }) => {}
        Err(other) => panic!("{:?}: {other}", request.query),
    }
}

/// A temporary folder removed when the process ends normally (libFuzzer exits without
/// running destructors of statics, so it is removed at the next start too).
mod tempfile_dir {
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new() -> Self {
            let root = std::env::temp_dir().join("koe-fuzz");
            let _ = std::fs::remove_dir_all(&root);
            let dir = root.join(std::process::id().to_string());
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }
}
