//! The persistent topic model: what a run fitted, saved so that a later run can assign
//! new feedback to the same themes and sub-topics, under the same ids.
//!
//! `koe analyze` writes it beside `topics.json` (CBOR, RFC 8949, through `ciborium`): the
//! record-level and clause-level vocabularies with their IDF, the LSA projection of
//! record vectors, the theme centroids, each sub-topic's centroids (term-space
//! directions or embedding vectors, see `assign`), ids, labels and terms, and which
//! vectors it was fitted with. `koe analyze next.jsonl --topics-from PREV` loads it: every
//! record goes to its nearest theme, every clause to its nearest sub-topic, and the
//! clauses no sub-topic covers are clustered among themselves into **candidate** topics
//! (new ids, flagged). The run's own folder gets the same model again, so the ids hold
//! month after month; a fresh `koe analyze` (without `--topics-from`) refits from scratch.
//!
//! The file starts with its format name and version; a file of another format, another
//! version or made with other vectors is a clear error, never a silent misfit.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::TermWeight;
use super::assign::CentroidVector;
use super::linalg::Projection;
use crate::record::Lang;

/// The `format` field of every model file.
pub const FORMAT: &str = "koe-topic-model";
/// The version this koe writes and reads.
pub const VERSION: u32 = 1;

/// Errors reading, writing or applying a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{0} has no topic model: it was analysed with --no-topics or by a koe from before topic models; run `koe analyze` on it again"
    )]
    Missing(PathBuf),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a koe topic model ({detail})")]
    Format { path: PathBuf, detail: String },
    #[error(
        "{path} is a topic model of format version {found}; this koe reads version {VERSION}: analyse the earlier month again with this koe"
    )]
    Version { path: PathBuf, found: u32 },
    #[error(
        "the topic model was fitted with --topic-vectors {model}, this run uses {run}: give the same --topic-vectors, --embed-lang and --theme-vectors"
    )]
    Vectors { model: String, run: String },
}

/// Vocabulary columns (lemma order) and their IDF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TermSpace {
    pub lemmas: Vec<Box<str>>,
    pub idf: Vec<f32>,
    /// Records only: each Japanese lemma's English columns (the ja–en bridge).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bridge: Vec<(Box<str>, Vec<u32>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedProjection {
    pub dims: usize,
    pub cols: Vec<u32>,
    pub matrix: Vec<f32>,
}

impl SavedProjection {
    pub fn of(projection: &Projection) -> Self {
        let (cols, matrix) = projection.parts();
        SavedProjection {
            dims: projection.dims,
            cols: cols.to_vec(),
            matrix: matrix.to_vec(),
        }
    }
}

/// A theme: its id, name, and centroid in the record space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedTheme {
    pub id: u32,
    pub label: String,
    pub terms: Vec<TermWeight>,
    pub centroid: Vec<f32>,
}

/// A sub-topic: its id, theme, name, and the centroids clauses are compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedTopic {
    pub id: u32,
    pub theme: Option<u32>,
    pub label: String,
    pub terms: Vec<TermWeight>,
    pub centroids: Vec<SavedCentroid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedCentroid {
    /// Only clauses of this language are compared with it (None: all).
    pub lang: Option<Lang>,
    pub vector: CentroidVector,
}

/// A fitted two-level topic model (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicModel {
    format: String,
    version: u32,
    /// The koe that fitted it.
    pub koe_version: String,
    /// `--topic-vectors` (and `--embed-lang`) as fitted: `tfidf`, `embeddings:<model>`…
    pub vectors: String,
    pub(crate) semantic_dims: usize,
    pub(crate) semantic_weight: f32,
    /// Per-language shifts of the theme vectors (see `themes::lang_shifts`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) lang_shifts: Vec<(Lang, Vec<f32>)>,
    pub(crate) min_similarity: f32,
    pub(crate) records: TermSpace,
    pub(crate) lsa: Option<SavedProjection>,
    pub(crate) themes: Vec<SavedTheme>,
    pub(crate) clauses: TermSpace,
    pub(crate) topics: Vec<SavedTopic>,
}

/// Just enough of a file to tell whether it is a model this koe reads.
#[derive(Deserialize)]
struct Head {
    format: String,
    version: u32,
}

impl TopicModel {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        vectors: String,
        semantic_dims: usize,
        semantic_weight: f32,
        min_similarity: f32,
        records: TermSpace,
        lsa: Option<SavedProjection>,
        themes: Vec<SavedTheme>,
        clauses: TermSpace,
        topics: Vec<SavedTopic>,
    ) -> Self {
        TopicModel {
            format: FORMAT.to_string(),
            version: VERSION,
            koe_version: env!("CARGO_PKG_VERSION").to_string(),
            vectors,
            semantic_dims,
            semantic_weight,
            lang_shifts: Vec::new(),
            min_similarity,
            records,
            lsa,
            themes,
            clauses,
            topics,
        }
    }

    /// Themes and sub-topics in the model.
    pub fn sizes(&self) -> (usize, usize) {
        (self.themes.len(), self.topics.len())
    }

    /// The first id free for a new (candidate) topic.
    pub(crate) fn next_topic_id(&self) -> u32 {
        self.topics.iter().map(|t| t.id + 1).max().unwrap_or(0)
    }

    /// The theme vectors it was fitted with (`tfidf` when records had no encoder of
    /// their own).
    pub fn theme_vectors(&self) -> &str {
        self.vectors
            .split_once("; themes: ")
            .map_or("tfidf", |(_, themes)| themes)
    }

    /// Refuses a run whose vectors (`--topic-vectors`, `--embed-lang`) differ from the
    /// model's: its vectors would not be comparable with the centroids.
    pub fn check_vectors(&self, run: &str) -> Result<(), Error> {
        if self.vectors == run {
            Ok(())
        } else {
            Err(Error::Vectors {
                model: self.vectors.clone(),
                run: run.to_string(),
            })
        }
    }

    /// Writes the model to `path` (through a temporary file renamed into place).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let write = |source| Error::Write {
            path: path.to_path_buf(),
            source,
        };
        let staging = path.with_extension("partial");
        let file = std::fs::File::create(&staging).map_err(write)?;
        let mut out = std::io::BufWriter::new(file);
        ciborium::into_writer(self, &mut out).map_err(|e| write(std::io::Error::other(e)))?;
        std::io::Write::flush(&mut out).map_err(write)?;
        std::fs::rename(&staging, path).map_err(write)
    }

    /// Reads the model at `path`; `Missing` names `dir` when there is none.
    pub fn read(path: &Path, dir: &Path) -> Result<TopicModel, Error> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Missing(dir.to_path_buf()));
            }
            Err(source) => {
                return Err(Error::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let format = |detail: String| Error::Format {
            path: path.to_path_buf(),
            detail,
        };
        let head: Head =
            ciborium::from_reader(bytes.as_slice()).map_err(|e| format(e.to_string()))?;
        if head.format != FORMAT {
            return Err(format(format!("format {:?}", head.format)));
        }
        if head.version != VERSION {
            return Err(Error::Version {
                path: path.to_path_buf(),
                found: head.version,
            });
        }
        let model: TopicModel =
            ciborium::from_reader(bytes.as_slice()).map_err(|e| format(e.to_string()))?;
        model.validate().map_err(format)?;
        Ok(model)
    }

    /// Internal consistency: a model that passes cannot index out of bounds.
    fn validate(&self) -> Result<(), String> {
        let spaces = [("records", &self.records), ("clauses", &self.clauses)];
        for (name, space) in spaces {
            if space.lemmas.len() != space.idf.len() {
                return Err(format!(
                    "{name}: {} terms, {} IDF values",
                    space.lemmas.len(),
                    space.idf.len()
                ));
            }
        }
        let lsa_dims = match &self.lsa {
            Some(p) => {
                let fits = p.dims > 0
                    && p.matrix.len() == p.cols.len() * p.dims
                    && p.cols.is_sorted()
                    && p.cols
                        .iter()
                        .all(|&c| (c as usize) < self.records.lemmas.len());
                if !fits {
                    return Err("the LSA projection does not fit its vocabulary".into());
                }
                p.dims
            }
            None => 0,
        };
        let dims = lsa_dims + self.semantic_dims;
        if let Some(t) = self.themes.iter().find(|t| t.centroid.len() != dims) {
            return Err(format!(
                "theme {} has a centroid of {} values, not {dims}",
                t.id,
                t.centroid.len()
            ));
        }
        let n_cols = self.clauses.lemmas.len() as u32;
        for topic in &self.topics {
            for c in &topic.centroids {
                let fits = match &c.vector {
                    CentroidVector::Terms(w) => {
                        w.iter().all(|&(col, _)| col < n_cols) && w.is_sorted_by_key(|w| w.0)
                    }
                    CentroidVector::Dense(v) => v.len() == self.semantic_dims,
                };
                if !fits {
                    return Err(format!(
                        "sub-topic {} has a centroid that does not fit",
                        topic.id
                    ));
                }
            }
        }
        Ok(())
    }

    /// The saved LSA projection, rebuilt.
    pub(crate) fn projection(&self) -> Option<Projection> {
        let p = self.lsa.as_ref()?;
        Projection::from_parts(p.dims, p.cols.clone(), p.matrix.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> TopicModel {
        TopicModel::new(
            "tfidf".into(),
            0,
            0.0,
            0.3,
            TermSpace {
                lemmas: vec!["deliveri".into(), "late".into()],
                idf: vec![1.5, 1.2],
                bridge: Vec::new(),
            },
            Some(SavedProjection {
                dims: 1,
                cols: vec![0, 1],
                matrix: vec![0.8, 0.6],
            }),
            vec![SavedTheme {
                id: 0,
                label: "delivery · late".into(),
                terms: vec![],
                centroid: vec![1.0],
            }],
            TermSpace {
                lemmas: vec!["late".into()],
                idf: vec![1.0],
                bridge: Vec::new(),
            },
            vec![SavedTopic {
                id: 3,
                theme: Some(0),
                label: "late".into(),
                terms: vec![],
                centroids: vec![SavedCentroid {
                    lang: None,
                    vector: CentroidVector::Terms(vec![(0, 1.0)]),
                }],
            }],
        )
    }

    #[test]
    fn round_trips_and_refuses_what_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model");
        let model = tiny();
        model.write(&path).unwrap();
        assert_eq!(TopicModel::read(&path, dir.path()).unwrap(), model);
        assert_eq!(model.next_topic_id(), 4);

        let missing = TopicModel::read(&dir.path().join("none"), dir.path()).unwrap_err();
        assert!(matches!(missing, Error::Missing(_)), "{missing}");

        let mut newer = tiny();
        newer.version = VERSION + 1;
        newer.write(&path).unwrap();
        let err = TopicModel::read(&path, dir.path()).unwrap_err();
        assert!(matches!(err, Error::Version { .. }), "{err}");

        std::fs::write(&path, b"{\"not\": \"cbor\"}").unwrap();
        let err = TopicModel::read(&path, dir.path()).unwrap_err();
        assert!(matches!(err, Error::Format { .. }), "{err}");

        let mut broken = tiny();
        broken.themes[0].centroid = vec![1.0, 0.0];
        broken.write(&path).unwrap();
        let err = TopicModel::read(&path, dir.path()).unwrap_err();
        assert!(err.to_string().contains("centroid"), "{err}");
    }

    #[test]
    fn other_vectors_are_refused() {
        let model = tiny();
        assert!(model.check_vectors("tfidf").is_ok());
        let err = model.check_vectors("embeddings:minilm").unwrap_err();
        assert!(err.to_string().contains("--topic-vectors tfidf"), "{err}");
    }
}
