//! Model specs as users write them (`--sentiment`, `--model`, Python's `model=`), parsed
//! once into a [`ModelSpec`] that the CLI and the Python package both load from.
//!
//! `lexicon` is the embedded default; `auto` learns a linear model per language from a
//! dump's own star ratings (only `koe analyze` has a dump to learn from: see
//! [`crate::sentiment::auto`]); `linear:<dir>` is a model of `koe train sentiment`, a
//! folder of one model per language, or an analysis folder whose run of `auto` saved
//! models ([`ModelSpec::resolve`]); `transformer:<dir-or-id>` a fine-tuned classifier.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use super::{Error, SentimentModel, by_lang, lexicon, linear};
use crate::analysis::{AnalysisDir, Part};

/// A sentiment model, named.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelSpec {
    Lexicon,
    /// Learnt from the ratings of the dump being analysed (`koe analyze --sentiment auto`).
    Auto,
    Linear(PathBuf),
    Transformer(String),
}

impl FromStr for ModelSpec {
    type Err = Error;

    fn from_str(spec: &str) -> Result<Self, Error> {
        match spec.split_once(':') {
            None if spec == "lexicon" => Ok(ModelSpec::Lexicon),
            None if spec == "auto" => Ok(ModelSpec::Auto),
            Some(("linear", dir)) if !dir.is_empty() => Ok(ModelSpec::Linear(dir.into())),
            Some(("transformer", model)) if !model.is_empty() => {
                Ok(ModelSpec::Transformer(model.to_string()))
            }
            _ => Err(Error::UnknownModel(spec.to_string())),
        }
    }
}

impl fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelSpec::Lexicon => f.write_str("lexicon"),
            ModelSpec::Auto => f.write_str("auto"),
            ModelSpec::Linear(dir) => write!(f, "linear:{}", dir.display()),
            ModelSpec::Transformer(model) => write!(f, "transformer:{model}"),
        }
    }
}

impl ModelSpec {
    /// The spec made loadable: `linear:<analysis folder>` becomes the models that
    /// `--sentiment auto` saved in that folder's current generation (an error when it
    /// saved none: the lexicon won for every language).
    pub fn resolve(self) -> Result<ModelSpec, Error> {
        let ModelSpec::Linear(dir) = &self else {
            return Ok(self);
        };
        let folder = AnalysisDir::new(dir);
        if !folder.is_analysis() {
            return Ok(self);
        }
        let generation = folder.current()?;
        let models = generation.path(Part::SentimentModel);
        if !models.is_dir() {
            return Err(Error::NoLearntModel {
                folder: dir.clone(),
                generation: generation.number(),
            });
        }
        Ok(ModelSpec::Linear(models))
    }

    /// Loads the model. `auto` cannot be loaded: it is learnt during a run.
    pub fn load(&self) -> Result<Box<dyn SentimentModel>, Error> {
        match self {
            ModelSpec::Lexicon => Ok(Box::new(lexicon::LexiconModel::embedded()?)),
            ModelSpec::Auto => Err(Error::AutoNeedsRatings),
            ModelSpec::Linear(dir) => {
                if let Some(per_language) = by_lang::PerLanguage::load_linear(dir)? {
                    return Ok(Box::new(per_language));
                }
                Ok(Box::new(linear::LinearModel::load(dir)?))
            }
            #[cfg(feature = "transformer")]
            ModelSpec::Transformer(model) => {
                Ok(Box::new(super::transformer::TransformerModel::load(model)?))
            }
            #[cfg(not(feature = "transformer"))]
            ModelSpec::Transformer(_) => Err(Error::TransformerNotBuilt(self.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ModelSpec;

    #[test]
    fn specs_parse_into_their_kind_and_print_back() {
        for (raw, spec) in [
            ("lexicon", ModelSpec::Lexicon),
            ("auto", ModelSpec::Auto),
            ("linear:models/ja", ModelSpec::Linear("models/ja".into())),
            ("transformer:a:b", ModelSpec::Transformer("a:b".into())),
        ] {
            assert_eq!(raw.parse::<ModelSpec>().unwrap(), spec);
            assert_eq!(spec.to_string(), raw);
        }
        for bad in ["", "bert", "linear:", "transformer:", "lexicon:x"] {
            assert!(bad.parse::<ModelSpec>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn auto_is_learnt_not_loaded() {
        let err = ModelSpec::Auto.load().err().unwrap();
        assert!(err.to_string().contains("--sentiment auto"), "{err}");
    }

    #[test]
    fn an_analysis_folder_without_learnt_models_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let folder = crate::analysis::AnalysisDir::new(dir.path());
        let run = folder.begin_run(None).unwrap();
        run.publish().unwrap();
        let spec = ModelSpec::Linear(dir.path().to_path_buf());
        let err = spec.resolve().err().unwrap();
        assert!(
            err.to_string().contains("trained no sentiment model"),
            "{err}"
        );
    }
}
