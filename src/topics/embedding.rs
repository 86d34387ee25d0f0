//! Clause vectors from a sentence-embedding model, the option beside TF-IDF + LSA.
//!
//! With [`Vectors::Embeddings`] the collector sends each clause's text (the clauses
//! that have topic terms, the same ones TF-IDF vectorises) in the model's languages to
//! a [`ClauseEmbedder`] in batches of [`EMBED_BATCH`] as records stream in, and keeps
//! each vector quantised to one signed byte per dimension with a per-clause scale (392
//! bytes a clause for a 384-dimension model: 0.8 GB for 2M clauses), never the texts.
//! Clustering then runs on those vectors instead of the LSA space; clauses in other
//! languages keep TF-IDF + LSA and are clustered apart. Labels, pain points and quality
//! are computed from the clauses' terms either way.
//!
//! Two embedders: `embeddings:use-m3`, the default build's multilingual Universal
//! Sentence Encoder ([`UseM3`]: Japanese and English in one space, so feedback about the
//! same thing in either language lands together), and, in the transformer build,
//! `embeddings:<dir-or-id>`, a [`SentenceEmbedder`](crate::transformer::SentenceEmbedder)
//! (all-MiniLM-L6-v2 and other BERT-family sentence models). MiniLM is an English model
//! (it puts nearly all Japanese text in one place), so with it embed English only and let
//! Japanese keep TF-IDF.

use std::fmt;
use std::sync::Arc;

use super::record_vectors::{Rows, Sample};
use super::vectorize::NONE;
use crate::embed::UseM3;
use crate::record::Lang;

/// Clauses embedded per call to the model.
pub const EMBED_BATCH: usize = 256;

/// Errors choosing, loading or running an embedding model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "unknown topic vectors {0:?} (expected `tfidf`, `embeddings:use-m3` or `embeddings:<dir-or-id>`)"
    )]
    UnknownVectors(String),
    #[error("{0}")]
    Encoder(#[from] crate::embed::Error),
    #[error(
        "{0:?} needs the transformer backend, which this koe was built without: rebuild with `cargo build --release --features transformer` (see scripts/setup-transformer.sh), or use `embeddings:use-m3`, which this build has"
    )]
    TransformerNotBuilt(String),
    #[error("embedding model {model} returned {got} vectors of {dims} for {expected} clauses")]
    WrongShape {
        model: String,
        expected: usize,
        got: usize,
        dims: usize,
    },
    #[cfg(feature = "transformer")]
    #[error("embedding model: {0}")]
    Transformer(#[from] crate::transformer::Error),
}

/// A model that turns texts into unit-length vectors of one dimension.
pub trait ClauseEmbedder: Send + Sync {
    /// A short name for summaries (`embeddings:<dir>`).
    fn name(&self) -> &str;
    fn dimension(&self) -> usize;
    /// One vector per text, in input order.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error>;
}

/// How the topics stage turns clauses into vectors.
#[derive(Clone, Default)]
pub enum Vectors {
    /// TF-IDF over topic terms, reduced by truncated SVD (LSA): fast, no model, ja + en.
    #[default]
    TfIdf,
    /// A sentence-embedding model's vectors for clauses in `langs` (all of them when
    /// empty); TF-IDF + LSA for the others, clustered apart.
    Embeddings {
        embedder: Arc<dyn ClauseEmbedder>,
        langs: Vec<Lang>,
    },
}

impl Vectors {
    /// `tfidf`, `embeddings:use-m3` ([`UseM3`], from its install folder), or
    /// `embeddings:<dir-or-id>` for clauses in every language (see
    /// [`Vectors::only_for`]); the last needs feature `transformer` (without it,
    /// [`Error::TransformerNotBuilt`]).
    pub fn from_spec(spec: &str) -> Result<Vectors, Error> {
        match spec.split_once(':') {
            _ if spec == "tfidf" => Ok(Vectors::TfIdf),
            Some(("embeddings", UseM3::NAME)) => Ok(Vectors::Embeddings {
                embedder: Arc::new(UseM3::load()?),
                langs: Vec::new(),
            }),
            #[cfg(feature = "transformer")]
            Some(("embeddings", model)) if !model.is_empty() => {
                let embedder = crate::transformer::SentenceEmbedder::load(model)?;
                Ok(Vectors::Embeddings {
                    embedder: Arc::new(Named {
                        name: spec.to_string(),
                        embedder,
                    }),
                    langs: Vec::new(),
                })
            }
            #[cfg(not(feature = "transformer"))]
            Some(("embeddings", model)) if !model.is_empty() => {
                Err(Error::TransformerNotBuilt(spec.to_string()))
            }
            _ => Err(Error::UnknownVectors(spec.to_string())),
        }
    }

    /// Embeddings for clauses in `langs` only (all when empty); no change to TF-IDF.
    pub fn only_for(self, langs: &[Lang]) -> Vectors {
        match self {
            Vectors::Embeddings { embedder, .. } => Vectors::Embeddings {
                embedder,
                langs: langs.to_vec(),
            },
            tfidf => tfidf,
        }
    }
}

/// `tfidf`, `embeddings:<model>`, or `embeddings:<model> for en` when it covers some
/// languages only.
impl fmt::Display for Vectors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Vectors::TfIdf => f.write_str("tfidf"),
            Vectors::Embeddings { embedder, langs } if langs.is_empty() => {
                f.write_str(embedder.name())
            }
            Vectors::Embeddings { embedder, langs } => {
                let codes: Vec<&str> = langs.iter().map(|l| l.code()).collect();
                write!(f, "{} for {}", embedder.name(), codes.join(","))
            }
        }
    }
}

impl fmt::Debug for Vectors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl ClauseEmbedder for UseM3 {
    fn name(&self) -> &str {
        "embeddings:use-m3"
    }

    fn dimension(&self) -> usize {
        crate::embed::DIMENSION
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
        Ok(self.encode(texts))
    }
}

/// A sentence embedder under the spec it was loaded from.
#[cfg(feature = "transformer")]
struct Named {
    name: String,
    embedder: crate::transformer::SentenceEmbedder,
}

#[cfg(feature = "transformer")]
impl ClauseEmbedder for Named {
    fn name(&self) -> &str {
        &self.name
    }

    fn dimension(&self) -> usize {
        self.embedder.dimension()
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
        Ok(self.embedder.embed(texts)?)
    }
}

/// The vectors of the stored clauses in the model's languages, one signed byte per
/// dimension plus a scale, filled in batches as clause texts arrive.
pub(crate) struct Embeddings {
    embedder: Arc<dyn ClauseEmbedder>,
    /// Languages embedded; all when empty.
    langs: Vec<Lang>,
    dims: usize,
    /// Row of each clause's vector in `values` and `scales` (`NONE`: not embedded).
    rows: Vec<u32>,
    values: Vec<i8>,
    scales: Vec<f32>,
    /// Texts waiting for the next batch.
    queue: Queue,
}

impl Embeddings {
    pub fn new(embedder: Arc<dyn ClauseEmbedder>, langs: &[Lang]) -> Self {
        Embeddings {
            dims: embedder.dimension(),
            embedder,
            langs: langs.to_vec(),
            rows: Vec::new(),
            values: Vec::new(),
            scales: Vec::new(),
            queue: Queue::default(),
        }
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn covers(&self, lang: Lang) -> bool {
        self.langs.is_empty() || self.langs.contains(&lang)
    }

    pub fn covers_all(&self) -> bool {
        [Lang::Ja, Lang::En].into_iter().all(|l| self.covers(l))
    }

    /// Takes the next stored clause: queues its text when the model covers `lang`
    /// (and embeds the queue when it is full).
    pub fn push(&mut self, lang: Lang, text: &str) -> Result<(), Error> {
        if !self.covers(lang) {
            self.rows.push(NONE);
            return Ok(());
        }
        let queued = self.scales.len() + self.queue.len();
        self.rows.push(queued as u32);
        self.queue.push(text);
        if self.queue.len() >= EMBED_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Takes the next stored clause's vector as a run's scratch file kept it (scale 0:
    /// none), rather than embedding its text. Not between [`push`](Self::push)es.
    pub fn push_row(&mut self, scale: f32, row: &[i8]) {
        debug_assert!(self.queue.len() == 0, "rows go in after every queued text");
        if scale == 0.0 {
            self.rows.push(NONE);
            return;
        }
        self.rows.push(self.scales.len() as u32);
        self.scales.push(scale);
        self.values.extend_from_slice(row);
    }

    /// Embeds the queued texts.
    pub fn flush(&mut self) -> Result<(), Error> {
        for v in &self.queue.embed(&*self.embedder)? {
            let (scale, values) = quantize(v);
            self.scales.push(scale);
            self.values.extend(values);
        }
        Ok(())
    }

    /// The unit-length vector of clause `c` into `out` (`dims` long); false when it
    /// has none (not embedded, or a zero vector).
    pub fn vector(&self, c: usize, out: &mut [f32]) -> bool {
        let Some(row) = self.rows.get(c).map(|&r| r as usize) else {
            return false;
        };
        let Some(&scale) = self.scales.get(row) else {
            return false;
        };
        dequantize(
            &self.values[row * self.dims..(row + 1) * self.dims],
            scale,
            out,
        )
    }
}

/// Texts queued back to back for the next call to an embedder.
#[derive(Default)]
pub(super) struct Queue {
    text: String,
    ends: Vec<usize>,
}

impl Queue {
    pub fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.ends.push(self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The queued texts' vectors from `embedder` (one call; none when the queue is
    /// empty), checked for their number and dimension; the queue is emptied.
    pub fn embed(&mut self, embedder: &dyn ClauseEmbedder) -> Result<Vec<Vec<f32>>, Error> {
        if self.ends.is_empty() {
            return Ok(Vec::new());
        }
        let mut start = 0;
        let texts: Vec<&str> = self
            .ends
            .iter()
            .map(|&end| {
                let text = &self.text[start..end];
                start = end;
                text
            })
            .collect();
        let vectors = embedder.embed(&texts)?;
        let dims = embedder.dimension();
        if vectors.len() != texts.len() || vectors.iter().any(|v| v.len() != dims) {
            return Err(Error::WrongShape {
                model: embedder.name().to_string(),
                expected: texts.len(),
                got: vectors.len(),
                dims: vectors.first().map_or(0, Vec::len),
            });
        }
        self.text.clear();
        self.ends.clear();
        Ok(vectors)
    }
}

/// Where a record's semantic vector (the theme half beside LSA) comes from.
#[derive(Clone, Copy)]
pub(crate) enum RecordSemantics<'a> {
    /// No sentence model: themes from LSA alone.
    None,
    /// The whole record's text embedded ([`TopicOptions::theme_vectors`](super::TopicOptions::theme_vectors)):
    /// the rows of every record, or of a range of them.
    Rows(&'a Rows),
    /// The same for the theme fit's sample only (see [`RecordVectors`](super::record_vectors::RecordVectors)).
    Sample(&'a Sample),
    /// The normalised mean of the record's clause vectors (`--topic-vectors
    /// embeddings:…` without a record encoder).
    ClauseMean(&'a Embeddings),
}

impl RecordSemantics<'_> {
    pub fn dims(&self) -> usize {
        match self {
            RecordSemantics::None => 0,
            RecordSemantics::Rows(r) => r.dims(),
            RecordSemantics::Sample(s) => s.dims(),
            RecordSemantics::ClauseMean(e) => e.dims(),
        }
    }

    /// Record `doc`'s unit vector into `out` (`dims` long); `scratch` is `dims` long.
    /// False when it has none (not embedded, no embedded clause).
    pub fn vector(
        &self,
        doc: usize,
        clauses: std::ops::Range<usize>,
        scratch: &mut [f32],
        out: &mut [f32],
    ) -> bool {
        match self {
            RecordSemantics::None => false,
            RecordSemantics::Rows(r) => r.vector(doc, out),
            RecordSemantics::Sample(s) => s.vector(doc, out),
            RecordSemantics::ClauseMean(e) => {
                out.fill(0.0);
                let mut any = false;
                for c in clauses {
                    if e.vector(c, scratch) {
                        out.iter_mut().zip(&*scratch).for_each(|(o, x)| *o += x);
                        any = true;
                    }
                }
                any && super::linalg::normalize(out)
            }
        }
    }
}

/// `values · scale`, normalised, into `out`; false for a zero vector.
pub(super) fn dequantize(values: &[i8], scale: f32, out: &mut [f32]) -> bool {
    out.iter_mut()
        .zip(values)
        .for_each(|(o, &q)| *o = f32::from(q) * scale);
    super::linalg::normalize(out)
}

/// Scale and bytes of a vector: `value ≈ byte · scale`, the largest component at ±127.
pub(super) fn quantize(v: &[f32]) -> (f32, impl Iterator<Item = i8> + '_) {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    (
        scale,
        v.iter()
            .map(move |x| (x / scale).round().clamp(-127.0, 127.0) as i8),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantised_vectors_keep_their_direction() {
        struct Fixed;
        impl ClauseEmbedder for Fixed {
            fn name(&self) -> &str {
                "fixed"
            }
            fn dimension(&self) -> usize {
                3
            }
            fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
                Ok(texts
                    .iter()
                    .map(|t| vec![t.len() as f32, 1.0, -0.01])
                    .collect())
            }
        }
        let mut e = Embeddings::new(Arc::new(Fixed), &[Lang::En]);
        assert!(e.covers(Lang::En) && !e.covers_all());
        e.push(Lang::En, "ab").unwrap();
        e.push(Lang::Ja, "配送").unwrap();
        e.push(Lang::En, "").unwrap();
        e.flush().unwrap();
        let mut v = [0.0; 3];
        assert!(e.vector(0, &mut v));
        let expected = [2.0, 1.0, -0.01].map(|x: f32| x / 5.0001f32.sqrt());
        for (a, b) in v.iter().zip(expected) {
            assert!((a - b).abs() < 0.01, "{v:?} vs {expected:?}");
        }
        assert!(!e.vector(1, &mut v), "Japanese is not embedded");
        assert!(e.vector(2, &mut v));
        assert!((v[1] - 1.0).abs() < 0.01, "{v:?}");
        assert!(!e.vector(3, &mut v), "no fourth clause");
    }

    #[test]
    fn specs() {
        assert!(matches!(Vectors::from_spec("tfidf"), Ok(Vectors::TfIdf)));
        assert!(matches!(
            Vectors::from_spec("lsa"),
            Err(Error::UnknownVectors(_))
        ));
        assert!(Vectors::from_spec("embeddings:").is_err());
        #[cfg(not(feature = "transformer"))]
        assert!(matches!(
            Vectors::from_spec("embeddings:models/minilm"),
            Err(Error::TransformerNotBuilt(_))
        ));
    }
}
