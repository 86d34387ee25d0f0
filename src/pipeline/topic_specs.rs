//! Topic settings as a user writes them — vector specs (`tfidf`, `embeddings:use-m3`,
//! `auto`), a model folder to apply, a dictionary path — turned into [`TopicOptions`]
//! once, in one place: what `koe analyze`'s topic flags and the Python package's
//! `koe.fit_topics` mean, with the same defaults and the same fallbacks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Error, read_model};
use crate::Lang;
use crate::text::edict::{self, JaEnDictionary};
use crate::topics::{Period, TopicOptions, Vectors, embedding};

/// The sentence encoder themes use by default (`--theme-vectors auto`), when installed.
const USE_M3: &str = "embeddings:use-m3";

/// Topic settings before they are loaded; [`TopicSpecs::options`] loads them.
#[derive(Debug, Clone)]
pub struct TopicSpecs {
    /// An analysis folder whose fitted topic model is applied (`--topics-from`).
    pub topics_from: Option<PathBuf>,
    /// With a model applied: cluster what it does not cover into candidate topics.
    pub candidates: bool,
    pub themes: Option<usize>,
    pub max_topics: Option<usize>,
    pub min_topic_size: usize,
    /// Most records a fit holds in memory ([`TopicOptions::fit_records`]).
    pub fit_records: usize,
    pub period: Period,
    pub separate_languages: bool,
    pub seed: u64,
    /// Clause vectors: `tfidf` or `embeddings:<model>`.
    pub topic_vectors: String,
    /// The languages `topic_vectors`' embeddings are for (empty: all).
    pub embed_lang: Vec<Lang>,
    /// Whole-record vectors for themes: `auto`, `tfidf` or `embeddings:<model>`.
    pub theme_vectors: String,
    /// `auto` (Debian's edict, when installed), `none`, or a file.
    pub ja_en_dictionary: String,
}

impl Default for TopicSpecs {
    fn default() -> Self {
        let defaults = TopicOptions::default();
        TopicSpecs {
            topics_from: None,
            candidates: true,
            themes: None,
            max_topics: None,
            min_topic_size: defaults.min_topic_size,
            fit_records: defaults.fit_records,
            period: defaults.period,
            separate_languages: false,
            seed: defaults.seed,
            topic_vectors: "tfidf".into(),
            embed_lang: Vec::new(),
            theme_vectors: "auto".into(),
            ja_en_dictionary: "auto".into(),
        }
    }
}

impl TopicSpecs {
    /// Loads what the specs name (encoders, the model to apply, the dictionary).
    /// `warn` hears of a default that is not installed and what is used instead.
    pub fn options(&self, warn: &mut dyn FnMut(&str)) -> Result<TopicOptions, Error> {
        let vectors = Vectors::from_spec(&self.topic_vectors)
            .map_err(|e| option("topic-vectors", &self.topic_vectors, &e))?
            .only_for(&self.embed_lang);
        let model = match &self.topics_from {
            Some(dir) => {
                Some(Arc::new(read_model(dir).map_err(|e| {
                    option("topics-from", &dir.display().to_string(), &e)
                })?))
            }
            None => None,
        };
        let theme_spec = match (self.theme_vectors.as_str(), &model) {
            ("auto", Some(model)) => model.theme_vectors().to_string(),
            (spec, _) => spec.to_string(),
        };
        let theme_vectors = theme_vectors(&theme_spec, &vectors, warn)
            .map_err(|e| option("theme-vectors", &theme_spec, &e))?;
        let ja_en_dictionary = match &model {
            Some(_) => None,
            None => ja_en_dictionary(&self.ja_en_dictionary, warn)?.map(Arc::new),
        };
        let options = TopicOptions {
            vectors,
            theme_vectors,
            ja_en_dictionary,
            themes: self.themes,
            max_topics: self.max_topics,
            min_topic_size: self.min_topic_size,
            fit_records: self.fit_records,
            seed: self.seed,
            separate_languages: self.separate_languages,
            period: self.period,
            model: model.clone(),
            candidates: self.candidates,
            ..TopicOptions::default()
        };
        if let Some(model) = &model {
            model
                .check_vectors(&options.vectors_spec())
                .map_err(|e| Error::Option {
                    option: "topics-from",
                    message: e.to_string(),
                })?;
        }
        Ok(options)
    }
}

/// What the option `option` set to `spec` fails with.
fn option(option: &'static str, spec: &str, e: &dyn std::error::Error) -> Error {
    Error::Option {
        option,
        message: format!("{spec}: {e}"),
    }
}

/// Theme vectors: `auto` is the clauses' encoder when it serves every language, else
/// use-m3, else (not installed) TF-IDF with a warning.
fn theme_vectors(
    spec: &str,
    clauses: &Vectors,
    warn: &mut dyn FnMut(&str),
) -> Result<Vectors, embedding::Error> {
    let spec = match (spec, clauses) {
        // The user's encoder for every clause serves the whole records too.
        ("auto", Vectors::Embeddings { embedder, langs }) if langs.is_empty() => embedder.name(),
        ("auto", _) => USE_M3,
        (spec, _) => spec,
    };
    if let Vectors::Embeddings { embedder, .. } = clauses
        && embedder.name() == spec
    {
        return Ok(Vectors::Embeddings {
            embedder: embedder.clone(),
            langs: Vec::new(),
        });
    }
    match Vectors::from_spec(spec) {
        Err(embedding::Error::Encoder(crate::embed::Error::NotInstalled(dir)))
            if spec == USE_M3 =>
        {
            warn(&format!(
                "the use-m3 sentence encoder is not installed in {} (scripts/setup.sh \
                 installs it): themes come from TF-IDF → LSA alone, which finds themes in \
                 short feedback poorly and splits them by language; --theme-vectors tfidf \
                 silences this",
                dir.display()
            ));
            Ok(Vectors::TfIdf)
        }
        result => result,
    }
}

/// The Japanese–English dictionary that joins themes across languages: `none`, a file,
/// or `auto` (Debian's edict, when installed; a warning when not).
fn ja_en_dictionary(
    spec: &str,
    warn: &mut dyn FnMut(&str),
) -> Result<Option<JaEnDictionary>, Error> {
    let path = match spec {
        "none" => return Ok(None),
        "auto" if !Path::new(edict::DEBIAN_PATH).is_file() => {
            warn(&format!(
                "no Japanese–English dictionary at {} (scripts/setup.sh installs Debian's \
                 edict package): themes of a corpus in both languages split by language \
                 more; --ja-en-dictionary none silences this",
                edict::DEBIAN_PATH
            ));
            return Ok(None);
        }
        "auto" => Path::new(edict::DEBIAN_PATH),
        path => Path::new(path),
    };
    JaEnDictionary::open(path)
        .map(Some)
        .map_err(|e| Error::Option {
            option: "ja-en-dictionary",
            message: format!("{}: {e}", path.display()),
        })
}
