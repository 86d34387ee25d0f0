//! Search over a small Japanese and English index built by the real writer.

use super::*;
use crate::index::{IndexBuilder, IndexDoc};
use crate::ingest::parse_date;
use crate::record::{Analysed, Record};
use crate::sentiment::{DocSentiment, Score};
use crate::text::test_analyzer;
use tantivy::Index;

/// (id, text, sentiment value, channel, date, rating)
const DOCS: &[(&str, &str, f32, &str, &str, u8)] = &[
    (
        "j1",
        "スタッフの対応が最悪でした。",
        -0.8,
        "support",
        "2026-06-01",
        1,
    ),
    (
        "j2",
        "配送がとても遅かったです。",
        -0.5,
        "web",
        "2026-07-15",
        2,
    ),
    (
        "j3",
        "丁寧な対応で満足しています。",
        0.7,
        "store",
        "2026-08-01",
        5,
    ),
    (
        "e1",
        "My order was delayed twice.",
        -0.4,
        "web",
        "2026-07-20",
        2,
    ),
    (
        "e2",
        "Fast delivery and kind staff!",
        0.8,
        "app",
        "2026-09-01",
        5,
    ),
];

fn index() -> (tempfile::TempDir, SearchIndex) {
    index_of(DOCS)
}

fn index_of(docs: &[(&str, &str, f32, &str, &str, u8)]) -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let analyzer = test_analyzer();
    let mut builder =
        IndexBuilder::create(&dir.path().join("index"), analyzer, 50_000_000).unwrap();
    for (line, &(id, text, value, channel, date, rating)) in docs.iter().enumerate() {
        let record = Record {
            rating: Some(rating),
            channel: Some(channel.into()),
            created_at: parse_date(date),
            ..Record::new(id, text, "t.jsonl", line as u64 + 1)
        };
        let text = analyzer.analyse(text, None).unwrap();
        let sentiment = DocSentiment {
            doc: Score::from_value(value),
            sentences: vec![],
        };
        let analysed = Analysed {
            record,
            text,
            sentiment,
        };
        let mut doc = IndexDoc::from(analysed);
        doc.categories = categories_of(id).iter().map(|c| c.to_string()).collect();
        builder.add(doc).unwrap();
    }
    builder.commit().unwrap();
    let index = SearchIndex::open(&dir.path().join("index"), analyzer).unwrap();
    (dir, index)
}

/// Taxonomy categories as a run with `--taxonomy` stores them: ancestors included.
fn categories_of(id: &str) -> &'static [&'static str] {
    match id {
        "j1" => &["サポート"],
        "j2" | "e1" => &["配送", "配送遅延"],
        "e2" => &["配送", "support staff"],
        _ => &[],
    }
}

fn ids(index: &SearchIndex, request: &SearchRequest) -> Vec<String> {
    let mut ids: Vec<String> = index
        .search(request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}

fn query(q: &str) -> SearchRequest {
    SearchRequest::new(q)
}

#[test]
fn japanese_queries_match_words_by_base_form() {
    let (_dir, index) = index();
    assert_eq!(ids(&index, &query("対応")), vec!["j1", "j3"]);
    assert_eq!(ids(&index, &query("配送 遅い")), vec!["j2"]);
    assert_eq!(ids(&index, &query("配送遅い")), vec!["j2"]);
    // 「応」 alone is not a word of any record: no substring matches.
    assert!(ids(&index, &query("応")).is_empty());
}

/// Reviews that mix scripts: each script run is indexed by its own segmenter.
const MIXED: &[(&str, &str, f32, &str, &str, u8)] = &[
    (
        "tag",
        "3日待っても届かない。サポートにも繋がらない #配送遅延",
        -0.8,
        "social",
        "2026-09-10",
        1,
    ),
    (
        "matcha",
        "Tried the new 抹茶ラテ at the Shibuya store. Way too sweet for me.",
        -0.2,
        "store",
        "2026-09-11",
        3,
    ),
    (
        "earbuds",
        "イヤホンのBluetooth接続がすぐ切れます。返品したいです。",
        -0.6,
        "web",
        "2026-09-12",
        2,
    ),
    (
        "delay",
        "配送遅延のお詫びメールが届きました。",
        -0.1,
        "web",
        "2026-09-13",
        3,
    ),
    (
        "greek",
        "Η παράδοση άργησε πολύ.",
        -0.5,
        "web",
        "2026-09-14",
        2,
    ),
];

#[test]
fn a_hashtag_is_indexed_and_queried_as_one_term() {
    let (_dir, index) = index_of(MIXED);
    assert_eq!(ids(&index, &query("#配送遅延")), vec!["tag"]);
    assert_eq!(
        ids(&index, &query("＃配送遅延")),
        vec!["tag"],
        "NFKC folds ＃"
    );
    // Without the #, the query is the words 配送 and 遅延: the record that says them,
    // not the hashtag, which is one term of its own.
    assert_eq!(ids(&index, &query("配送遅延")), vec!["delay"]);
}

#[test]
fn japanese_inside_an_english_review_is_found_by_its_words() {
    let (_dir, index) = index_of(MIXED);
    assert_eq!(ids(&index, &query("抹茶")), vec!["matcha"]);
    assert_eq!(ids(&index, &query("抹茶ラテ")), vec!["matcha"]);
    assert_eq!(ids(&index, &query("sweet shibuya")), vec!["matcha"]);
}

#[test]
fn english_inside_a_japanese_review_is_found_in_any_case() {
    let (_dir, index) = index_of(MIXED);
    assert_eq!(ids(&index, &query("bluetooth")), vec!["earbuds"]);
    assert_eq!(ids(&index, &query("Bluetooth")), vec!["earbuds"]);
    assert_eq!(ids(&index, &query("BLUETOOTH 接続")), vec!["earbuds"]);
    let hit = &index.search(&query("bluetooth")).unwrap().hits[0];
    let [start, end] = hit.snippet.highlights[0];
    assert_eq!(&hit.snippet.fragment[start..end], "Bluetooth");
}

#[test]
fn other_scripts_are_searchable_and_labelled_und() {
    let (_dir, index) = index_of(MIXED);
    assert_eq!(ids(&index, &query("ΠΑΡΆΔΟΣΗ")), vec!["greek"]);
    let mut und = query("");
    und.filters.lang = Some(Lang::Und);
    assert_eq!(ids(&index, &und), vec!["greek"]);
}

#[test]
fn english_queries_match_stems() {
    let (_dir, index) = index();
    assert_eq!(ids(&index, &query("delays")), vec!["e1"]);
    assert_eq!(ids(&index, &query("DELIVERIES")), vec!["e2"]);
}

#[test]
fn filters_narrow_and_facets_count_the_whole_result_set() {
    let (_dir, index) = index();
    let mut request = query("");
    request.limit = 1;
    let all = index.search(&request).unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(all.hits.len(), 1);
    let expected: BTreeMap<String, u64> =
        [("negative".to_string(), 3), ("positive".to_string(), 2)].into();
    assert_eq!(all.facets.sentiment, expected);
    assert_eq!(all.facets.channel.get("web"), Some(&2));

    let mut negative_web = query("*");
    negative_web.filters.sentiment = Some(Label::Negative);
    negative_web.filters.channel = vec!["web".into()];
    assert_eq!(ids(&index, &negative_web), vec!["e1", "j2"]);

    let mut july = query("");
    july.filters.since = parse_date("2026-07-01");
    july.filters.until = parse_date("2026-08-01");
    assert_eq!(ids(&index, &july), vec!["e1", "j2"]);

    let mut happy = query("対応");
    happy.filters.min_rating = Some(4);
    assert_eq!(ids(&index, &happy), vec!["j3"]);
}

#[test]
fn hits_carry_fields_and_highlighted_snippets() {
    let (_dir, index) = index();
    let results = index.search(&query("最悪")).unwrap();
    let hit = &results.hits[0];
    assert_eq!(hit.id, "j1");
    assert_eq!(hit.channel.as_deref(), Some("support"));
    assert_eq!(hit.rating, Some(1));
    assert_eq!(hit.sentiment.as_deref(), Some("negative"));
    assert_eq!(hit.origin.as_deref(), Some("t.jsonl:1"));
    assert_eq!(hit.snippet.fragment, "スタッフの対応が最悪でした。");
    let [start, end] = hit.snippet.highlights[0];
    assert_eq!(&hit.snippet.fragment[start..end], "最悪");
}

#[test]
fn every_record_can_be_read_back() {
    let (_dir, index) = index();
    let mut ids = Vec::new();
    index
        .records()
        .for_each_record(|hit| ids.push(hit.id))
        .unwrap();
    ids.sort();
    assert_eq!(ids, vec!["e1", "e2", "j1", "j2", "j3"]);
}

#[test]
fn a_bad_query_is_an_error_not_a_panic() {
    let (_dir, index) = index();
    let error = index.search(&query("nosuchfield:x")).unwrap_err();
    assert!(matches!(error, Error::Query { .. }), "{error}");
}

#[test]
fn an_index_from_another_koe_version_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("index");
    std::fs::create_dir_all(&index_dir).unwrap();
    // An id field that is tokenized, not kept whole as koe indexes it.
    let mut schema = tantivy::schema::Schema::builder();
    schema.add_text_field("id", tantivy::schema::TEXT | tantivy::schema::STORED);
    Index::create_in_dir(&index_dir, schema.build()).unwrap();
    let error = SearchIndex::open(&index_dir, test_analyzer())
        .err()
        .expect("another schema");
    assert!(matches!(error, Error::Schema(_, "id")), "{error}");
    assert!(error.to_string().contains("koe analyze"), "{error}");
}

#[test]
fn dates_beyond_what_the_index_holds_bound_nothing_away() {
    let (_dir, index) = index();
    let all = ids(&index, &query(""));
    assert_eq!(all.len(), DOCS.len());
    let mut request = query("");
    request.filters.until = crate::ingest::parse_until("9999-12-31").ok();
    assert_eq!(ids(&index, &request), all, "--until 9999-12-31 is no end");
    request.filters.since = crate::ingest::parse_since("0001-01-01").ok();
    assert_eq!(ids(&index, &request), all, "--since 0001-01-01 is no start");
    request.filters.since = crate::ingest::parse_since("9000-01-01").ok();
    assert!(ids(&index, &request).is_empty(), "nothing is that late");
    let mut request = query("");
    request.filters.until = crate::ingest::parse_until("1000-01-01").ok();
    assert!(ids(&index, &request).is_empty(), "nothing is that early");
}

#[test]
fn every_query_a_user_can_type_is_an_answer_or_a_query_error() {
    let (_dir, index) = index();
    let queries = [
        "id:*",
        "terms:*",
        "id:j1",
        "id:j*",
        "text:x",
        "lang:ja",
        "rating:abc",
        "origin:t",
        "*:*",
        "terms:/del.*/",
        "NOT x",
        "-x",
        "(",
        "\"",
        "a^2",
        "IN [x]",
        "created_at:*",
        "sentiment_score:[0 TO 1]",
        "terms:配送~2",
        "\"配送 遅い\"~2",
        "topic:/0",
    ];
    for q in queries {
        match index.search(&query(q)) {
            Ok(_) | Err(Error::Query { .. }) => {}
            Err(other) => panic!("{q}: {other} (a 500 in koe serve)"),
        }
    }
    assert!(matches!(
        index.search(&query("id:*")),
        Err(Error::Query { .. })
    ));
}

#[test]
fn categories_are_a_facet_searched_by_name() {
    let (_dir, index) = index();
    assert_eq!(ids(&index, &query("category:配送")), ["e1", "e2", "j2"]);
    assert_eq!(ids(&index, &query("category:配送遅延 delayed")), ["e1"]);
    assert_eq!(ids(&index, &query("-category:配送")), ["j1", "j3"]);
    assert_eq!(ids(&index, &query("category:\"support staff\"")), ["e2"]);
    assert!(ids(&index, &query("category:価格")).is_empty());

    let mut request = query("");
    request.filters.category = vec!["配送遅延".into(), "サポート".into()];
    assert_eq!(ids(&index, &request), ["e1", "j1", "j2"]);

    let results = index.search(&query("category:配送")).unwrap();
    let counts: Vec<(&str, u64)> = results
        .facets
        .category
        .iter()
        .map(|(name, n)| (name.as_str(), *n))
        .collect();
    assert_eq!(counts, [("support staff", 1), ("配送", 3), ("配送遅延", 2)]);
    let e1 = results.hits.iter().find(|h| h.id == "e1").unwrap();
    assert_eq!(e1.categories, ["配送", "配送遅延"]);
}

#[test]
fn category_words_leave_the_rest_of_the_query_as_written() {
    let (rest, categories) =
        category_terms("配送 category:遅延 -category:\"two words\" \"category:x\" a-category:b");
    assert_eq!(rest, "配送   \"category:x\" a-category:b");
    assert_eq!(
        categories,
        [
            (Occur::Must, "遅延".to_string()),
            (Occur::MustNot, "two words".to_string())
        ]
    );
}
