//! Japanese tokenization: lindera over IPADIC.
//!
//! Each morpheme keeps its part of speech, IPADIC sub-category and base form, so later
//! stages can match 遅かった with the dictionary entry 遅い, see that ない after 悪く
//! negates it, and keep only content words (nouns, verbs, adjectives) for topics.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use compact_str::CompactString;
use lindera::dictionary::Dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera::worker::SegmentWorker;
use lindera_dictionary::viterbi::LexType;

use crate::text::{Error, LanguageTokenizer, Pos, Token};

/// Verbs so common that they carry no topic ("する", "ある"); still seen by sentiment.
const LIGHT_VERBS: &[&str] = &[
    "する",
    "ある",
    "いる",
    "なる",
    "れる",
    "られる",
    "せる",
    "させる",
    "おる",
    "くる",
    "いく",
];

/// Sub-categories that mark a word as grammatical rather than content.
const FUNCTION_DETAILS: &[&str] = &["非自立", "代名詞", "数", "接尾", "特殊"];

/// lindera segmenter with IPADIC; cheap to clone, shared across threads.
#[derive(Clone)]
pub struct JapaneseTokenizer {
    segmenter: Arc<Segmenter>,
    /// Tells this tokenizer's per-thread state apart from another's (another dictionary).
    id: u64,
}

impl JapaneseTokenizer {
    pub fn new(dictionary: Dictionary) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        JapaneseTokenizer {
            segmenter: Arc::new(Segmenter::new(Mode::Normal, dictionary, None)),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }
}

/// What koe keeps of a dictionary word: the same for every occurrence of it.
#[derive(Clone)]
struct Morph {
    pos: Pos,
    pos_detail: &'static str,
    lemma: CompactString,
    stop: bool,
}

/// Dictionary words seen on this thread, by word id: reading a word's details means
/// splitting its CSV entry, which cost more than a fifth of the text stage before.
/// Bounded: cleared when it holds [`MAX_CACHED`] words (IPADIC has about 390k).
type MorphCache = HashMap<u32, Morph, BuildHasherDefault<WordIdHasher>>;
const MAX_CACHED: usize = 200_000;
/// Marks the cache key of an unknown-word class apart from dictionary word ids.
const UNKNOWN_CLASS: u32 = 1 << 31;

thread_local! {
    /// One lindera worker per thread: its Viterbi lattice and buffers are reused from
    /// call to call instead of allocated for each stretch of text.
    static WORKER: RefCell<Option<(u64, SegmentWorker)>> = const { RefCell::new(None) };
    static MORPHS: RefCell<(u64, MorphCache)> = RefCell::new((u64::MAX, MorphCache::default()));
}

impl LanguageTokenizer for JapaneseTokenizer {
    fn tokenize_into(&self, text: &str, offset: usize, out: &mut Vec<Token>) -> Result<(), Error> {
        WORKER.with_borrow_mut(|worker| {
            if worker.as_ref().is_none_or(|(id, _)| *id != self.id) {
                *worker = Some((self.id, self.segmenter.new_worker()));
            }
            let (_, worker) = worker.as_mut().expect("set above");
            let mut morphemes = worker.segment(text).map_err(Error::Tokenize)?;
            out.reserve(morphemes.len());
            MORPHS.with_borrow_mut(|(id, cache)| {
                if *id != self.id || cache.len() >= MAX_CACHED {
                    *id = self.id;
                    cache.clear();
                }
                for morpheme in morphemes.iter_mut() {
                    push_token(morpheme, offset, cache, out);
                }
            });
            Ok(())
        })
    }
}

fn push_token(
    morpheme: &mut lindera::token::Token,
    offset: usize,
    cache: &mut MorphCache,
    out: &mut Vec<Token>,
) {
    if morpheme.surface.trim().is_empty() {
        return;
    }
    let surface = CompactString::from(&*morpheme.surface);
    let span = offset + morpheme.byte_start..offset + morpheme.byte_end;
    let word = morpheme.word_id;
    let mut cached = |key: u32, morpheme: &mut lindera::token::Token| match cache.get(&key) {
        Some(morph) => morph.clone(),
        None => {
            let morph = analyse_morpheme(morpheme);
            cache.insert(key, morph.clone());
            morph
        }
    };
    let punctuation = surface.chars().all(|c| c.is_ascii_punctuation());
    let morph = match word.lex_type() {
        LexType::System => cached(word.id(), morpheme),
        // Unknown words (numbers, katakana loanwords IPADIC lacks) share an id per
        // character class: the class gives the part of speech, the surface the lemma.
        LexType::Unknown if !punctuation => {
            let class = cached(word.id() | UNKNOWN_CLASS, morpheme);
            if class.pos == Pos::Verb {
                analyse_morpheme(morpheme)
            } else {
                Morph {
                    lemma: surface.to_lowercase(),
                    ..class
                }
            }
        }
        _ => analyse_morpheme(morpheme),
    };
    out.push(Token {
        surface,
        lemma: morph.lemma,
        pos: morph.pos,
        pos_detail: morph.pos_detail,
        stop: morph.stop,
        span,
    });
}

fn analyse_morpheme(morpheme: &mut lindera::token::Token) -> Morph {
    // lindera files unknown ASCII punctuation ("-", "\"") under nouns.
    let punctuation = morpheme.surface.chars().all(|c| c.is_ascii_punctuation());
    let surface = CompactString::from(&*morpheme.surface);
    let details = morpheme.details();
    let pos = if punctuation {
        Pos::Symbol
    } else {
        pos_of(details.first().copied().unwrap_or(""))
    };
    let pos_detail = details.get(1).copied().unwrap_or("*");
    let lemma = match details.get(6).copied() {
        Some(base) if base != "*" && !base.is_empty() => base.into(),
        _ => surface.to_lowercase(),
    };
    let stop = match pos {
        Pos::Particle | Pos::Auxiliary | Pos::Symbol => true,
        Pos::Verb => LIGHT_VERBS.contains(&lemma.as_str()),
        _ => FUNCTION_DETAILS.contains(&pos_detail),
    } || pos_detail == "非自立";
    Morph {
        pos,
        pos_detail: intern(if pos_detail == "*" { "" } else { pos_detail }),
        lemma,
        stop,
    }
}

/// IPADIC's sub-categories as `&'static str`: a few dozen, each leaked once, so a token
/// carries its sub-category without an allocation.
fn intern(detail: &str) -> &'static str {
    static INTERNED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut interned = INTERNED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&known) = interned.iter().find(|&&d| d == detail) {
        return known;
    }
    let leaked: &'static str = Box::leak(detail.into());
    interned.push(leaked);
    leaked
}

/// Word ids are small dense integers: hashing them is one multiplication.
#[derive(Default)]
struct WordIdHasher(u64);

impl Hasher for WordIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, id: u32) {
        self.0 = u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

fn pos_of(ipadic: &str) -> Pos {
    match ipadic {
        "名詞" => Pos::Noun,
        "動詞" => Pos::Verb,
        "形容詞" => Pos::Adjective,
        "副詞" => Pos::Adverb,
        "助動詞" => Pos::Auxiliary,
        "助詞" => Pos::Particle,
        "接続詞" => Pos::Conjunction,
        "感動詞" => Pos::Interjection,
        "接頭詞" => Pos::Prefix,
        "記号" => Pos::Symbol,
        _ => Pos::Other,
    }
}

#[cfg(test)]
mod tests {
    use compact_str::CompactString;

    use crate::text::{LanguageTokenizer, Pos, Token, test_analyzer};

    fn tokens(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        test_analyzer()
            .japanese()
            .tokenize_into(text, 0, &mut out)
            .unwrap();
        out
    }

    #[test]
    fn keeps_base_forms_and_parts_of_speech() {
        let toks = tokens("配送が遅かったです");
        let view: Vec<(&str, &str, Pos, bool)> = toks
            .iter()
            .map(|t| (t.surface.as_str(), t.lemma.as_str(), t.pos, t.stop))
            .collect();
        assert_eq!(
            view,
            vec![
                ("配送", "配送", Pos::Noun, false),
                ("が", "が", Pos::Particle, true),
                ("遅かっ", "遅い", Pos::Adjective, false),
                ("た", "た", Pos::Auxiliary, true),
                ("です", "です", Pos::Auxiliary, true),
            ]
        );
    }

    #[test]
    fn negation_stays_visible_to_sentiment() {
        let lemmas: Vec<CompactString> = tokens("二度と使いません")
            .into_iter()
            .map(|t| t.lemma)
            .collect();
        assert!(lemmas.contains(&"使う".into()), "{lemmas:?}");
        assert!(lemmas.contains(&"ん".into()), "{lemmas:?}");
    }

    #[test]
    fn light_verbs_and_suffixes_are_not_content() {
        let content: Vec<CompactString> = tokens("問い合わせをしたけど、返事がありません")
            .into_iter()
            .filter(|t| t.is_content())
            .map(|t| t.lemma)
            .collect();
        assert_eq!(content, vec!["問い合わせ", "返事"]);
    }

    #[test]
    fn ascii_punctuation_is_a_symbol() {
        let toks = tokens("品番HM-2601の\"在庫\"");
        let symbols: Vec<&str> = toks
            .iter()
            .filter(|t| t.pos == Pos::Symbol)
            .map(|t| t.surface.as_str())
            .collect();
        assert!(
            symbols.contains(&"-") && symbols.contains(&"\""),
            "{toks:?}"
        );
        assert!(
            toks.iter()
                .filter(|t| t.is_content())
                .all(|t| t.lemma != "-")
        );
    }
}
