//! SentencePiece unigram tokenization that gives the ids the `sentencepiece` library
//! gives, for the sentence encoder's `sp.model`, with each piece's span in the input.
//!
//! [`normalizer`] rewrites the text as SentencePiece does (precompiled NFKC map,
//! whitespace folded to `▁`); the Viterbi search then picks the segmentation with the
//! highest total piece score, ported from `unigram_model.cc`'s `EncodeOptimized` down
//! to its arithmetic: path scores are `f32` sums compared as `f32`, the first path to
//! reach a position keeping it on a tie (so the ties of repeated characters, `・・・・`
//! or `wwww`, break as the `sentencepiece` library 0.2.3 breaks them: comparing the sums
//! in `f64` splits 73 of 21,913 real texts differently);
//! characters no piece covers become `<unk>`, and runs of `<unk>` merge into one. The
//! pieces live in a [crawdad](https://docs.rs/crawdad) double-array trie.
//!
//! Why not a crate: `tokenizers`' Unigram with its `Precompiled` normaliser (the same
//! model converted to tokenizer.json) disagrees with `sentencepiece` on 2,026 of 21,913
//! real texts (it normalises grapheme by grapheme, and keeps a trailing `▁`); the
//! `sentencepiece` crate binds the C++ library (cmake and a C++ build in koe's default
//! build); neither pure-Rust port reports where a piece came from in the input, which
//! clause vectors need.

mod normalizer;
mod proto;

use std::ops::Range;
use std::path::{Path, PathBuf};

use normalizer::{Normalized, Normalizer};
use proto::{ModelProto, PieceType};

/// Errors loading a SentencePiece model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} is malformed: {message}")]
    Malformed {
        what: &'static str,
        message: &'static str,
    },
    #[error("{path}: {message}")]
    Unsupported { path: PathBuf, message: String },
}

/// SentencePiece's penalty below the lowest piece score for an unknown character.
const UNK_PENALTY: f32 = 10.0;

/// One piece of a tokenized text: its id and the bytes of the input it covers (empty
/// for nothing but a space marker that stands for no input).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub id: u32,
    pub span: Range<usize>,
}

/// A loaded unigram model.
pub struct SentencePiece {
    normalizer: Normalizer,
    /// Normal, user-defined and unused pieces (never `<unk>` or control pieces), by text.
    trie: crawdad::Trie,
    scores: Vec<f32>,
    kinds: Vec<PieceType>,
    unk: u32,
    bos: Option<u32>,
    eos: Option<u32>,
    /// Lowest and highest score of a normal piece.
    min_score: f32,
    max_score: f32,
}

impl SentencePiece {
    pub fn load(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let unsupported = |message: &str| Error::Unsupported {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        let model = ModelProto::parse(&bytes).map_err(|e| Error::Unsupported {
            path: path.to_path_buf(),
            message: format!("not a SentencePiece model ({} at byte {})", e.1, e.0),
        })?;
        if model.model_type != 1 {
            return Err(unsupported("only unigram models are supported"));
        }
        if model.byte_fallback || model.treat_whitespace_as_suffix {
            return Err(unsupported(
                "byte fallback and whitespace-as-suffix are not supported",
            ));
        }
        let id_of = |kind: PieceType, text: Option<&str>| {
            model
                .pieces
                .iter()
                .position(|p| p.kind == kind && text.is_none_or(|t| p.text == t))
                .map(|i| i as u32)
        };
        let unk = id_of(PieceType::Unknown, None).ok_or_else(|| unsupported("no <unk> piece"))?;
        let normal_scores = || {
            model
                .pieces
                .iter()
                .filter(|p| p.kind == PieceType::Normal)
                .map(|p| p.score)
        };
        let mut records: Vec<(&str, u32)> = model
            .pieces
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                matches!(
                    p.kind,
                    PieceType::Normal | PieceType::UserDefined | PieceType::Unused
                )
            })
            .map(|(id, p)| (p.text, id as u32))
            .collect();
        records.sort_unstable();
        let trie = crawdad::Trie::from_records(records)
            .map_err(|e| unsupported(&format!("cannot index its pieces: {e}")))?;
        let verbatim = model
            .pieces
            .iter()
            .filter(|p| p.kind == PieceType::UserDefined)
            .map(|p| p.text.to_string())
            .collect();
        Ok(SentencePiece {
            normalizer: Normalizer::new(&model.normalizer, verbatim)?,
            trie,
            scores: model.pieces.iter().map(|p| p.score).collect(),
            kinds: model.pieces.iter().map(|p| p.kind).collect(),
            unk,
            bos: id_of(PieceType::Control, Some("<s>")),
            eos: id_of(PieceType::Control, Some("</s>")),
            min_score: normal_scores().fold(f32::MAX, f32::min),
            max_score: normal_scores().fold(f32::MIN, f32::max),
        })
    }

    /// Number of pieces (ids run from 0 to this, exclusive).
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// The id of `<s>`, the sentence start, if the model has one.
    pub fn bos(&self) -> Option<u32> {
        self.bos
    }

    /// The id of `</s>`, the sentence end, if the model has one.
    pub fn eos(&self) -> Option<u32> {
        self.eos
    }

    /// Appends the pieces of `text` to `tokens` (nothing for text that normalises to
    /// nothing), with no sentence start or end marker.
    pub fn encode(&self, text: &str, tokens: &mut Vec<Token>) {
        let mut normalized = Normalized::default();
        self.normalizer.normalize(text, &mut normalized);
        let origin = |i: usize| normalized.origins[i];
        let first = tokens.len();
        for (id, range) in self.viterbi(&normalized.text) {
            let span = origin(range.start)..origin(range.end);
            match tokens[first..].last_mut() {
                // A run of unknown characters is one <unk>, as in SentencePiece.
                Some(last) if id == self.unk && last.id == self.unk => last.span.end = span.end,
                _ => tokens.push(Token { id, span }),
            }
        }
    }

    /// The best segmentation of normalised text: ids with their byte ranges in it.
    fn viterbi(&self, text: &str) -> Vec<(u32, Range<usize>)> {
        #[derive(Clone, Copy)]
        struct Best {
            score: f32,
            start: usize,
            id: u32,
            set: bool,
        }
        let unset = Best {
            score: 0.0,
            start: 0,
            id: 0,
            set: false,
        };
        // Byte offset of every character, and of the end.
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let mut best = vec![unset; text.len() + 1];
        let unk_score = self.min_score - UNK_PENALTY;
        for (c, &start) in bounds[..bounds.len() - 1].iter().enumerate() {
            let here = best[start].score;
            let char_end = bounds[c + 1];
            let mut covered = false;
            for (id, chars) in self.trie.common_prefix_search(text[start..].chars()) {
                let kind = self.kinds[id as usize];
                if kind == PieceType::Unused {
                    continue;
                }
                let end = bounds[c + chars];
                // A user-defined piece always wins over the pieces inside it.
                let score = if kind == PieceType::UserDefined {
                    (end - start) as f32 * self.max_score - 0.1
                } else {
                    self.scores[id as usize]
                };
                let candidate = score + here;
                let target = &mut best[end];
                if !target.set || candidate > target.score {
                    *target = Best {
                        score: candidate,
                        start,
                        id,
                        set: true,
                    };
                }
                covered |= end == char_end;
            }
            if !covered {
                let candidate = unk_score + here;
                let target = &mut best[char_end];
                if !target.set || candidate > target.score {
                    *target = Best {
                        score: candidate,
                        start,
                        id: self.unk,
                        set: true,
                    };
                }
            }
        }
        let mut pieces = Vec::new();
        let mut end = text.len();
        while end > 0 {
            let node = best[end];
            pieces.push((node.id, node.start..end));
            end = node.start;
        }
        pieces.reverse();
        pieces
    }
}
