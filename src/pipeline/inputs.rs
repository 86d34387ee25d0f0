//! The inputs of a run, checked before it begins: each exists, none is inside the output
//! folder (a run replaces what is there), and none is given twice — by two paths to one
//! file, or as two files with the same bytes, or (with `--append`) as a file the folder
//! already holds. Each is named by its BLAKE3 hash in `summary.json`, so the next
//! `--append` knows what was read.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Error;
use crate::analysis::AnalysisDir;

/// One input of an analysis, as `summary.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// The path as it was given.
    pub path: String,
    pub bytes: u64,
    /// BLAKE3 of its bytes (compressed ones, for `.gz`).
    pub blake3: String,
    /// The generation that read it.
    pub generation: u64,
}

/// Checks, cheaply, that each input exists, is not inside `folder`, and is not another
/// path to an input given before it. Nothing is read: a typo touches no output folder.
pub fn check_inputs(inputs: &[PathBuf], folder: &AnalysisDir) -> Result<(), Error> {
    let output = folder.root().canonicalize().ok();
    let mut files: HashMap<(u64, u64), &Path> = HashMap::new();
    for input in inputs {
        let missing = || Error::MissingInput(input.clone());
        let meta = std::fs::metadata(input).map_err(|_| missing())?;
        if !meta.is_file() {
            return Err(missing());
        }
        let canonical = input.canonicalize().map_err(|_| missing())?;
        if let Some(output) = output.as_ref().filter(|o| canonical.starts_with(o)) {
            return Err(Error::InputInOutput {
                input: input.clone(),
                output: output.clone(),
            });
        }
        if let Some(first) = files.insert((meta.dev(), meta.ino()), input) {
            return Err(Error::SameInput {
                first: first.to_path_buf(),
                second: input.clone(),
            });
        }
    }
    Ok(())
}

/// Names each input by its bytes for the generation `generation`: two inputs with the
/// same bytes, or one with the bytes of an input of `earlier` (the generation appended
/// to), are refused.
pub(super) fn identify(
    inputs: &[PathBuf],
    earlier: &[InputFile],
    generation: u64,
) -> Result<Vec<InputFile>, Error> {
    let mut contents: HashMap<String, &Path> = HashMap::new();
    let mut files = Vec::with_capacity(inputs.len());
    for input in inputs {
        let blake3 = hash_file(input)?;
        if let Some(first) = contents.insert(blake3.clone(), input) {
            return Err(Error::SameInput {
                first: first.to_path_buf(),
                second: input.clone(),
            });
        }
        if let Some(before) = earlier.iter().find(|f| f.blake3 == blake3) {
            return Err(Error::AlreadyAnalysed {
                input: input.clone(),
                earlier: before.path.clone(),
                generation: before.generation,
            });
        }
        let bytes = std::fs::metadata(input)
            .map_err(|source| Error::Input {
                path: input.clone(),
                source,
            })?
            .len();
        files.push(InputFile {
            path: input.display().to_string(),
            bytes,
            blake3,
            generation,
        });
    }
    Ok(files)
}

/// The blake3 digest of the file at `path`, in hex, read in a stream.
pub fn hash_file(path: &Path) -> Result<String, Error> {
    let read = |source| Error::Input {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(file).map_err(read)?;
    Ok(hasher.finalize().to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn inputs_given_twice_or_inside_the_output_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let folder = AnalysisDir::new(dir.path().join("out"));
        let a = write(dir.path(), "a.jsonl", "{\"text\":\"a\"}\n");
        let b = write(dir.path(), "b.jsonl", "{\"text\":\"b\"}\n");
        let inputs = [a.clone(), b.clone()];
        check_inputs(&inputs, &folder).unwrap();
        let files = identify(&inputs, &[], 1).unwrap();
        assert_eq!(files.len(), 2);
        assert_ne!(files[0].blake3, files[1].blake3);

        let again = dir.path().join(".").join("a.jsonl");
        let error = check_inputs(&[a.clone(), again], &folder).unwrap_err();
        assert!(matches!(error, Error::SameInput { .. }), "{error}");
        let copy = write(dir.path(), "copy.jsonl", "{\"text\":\"a\"}\n");
        let error = identify(&[a.clone(), copy.clone()], &[], 1).unwrap_err();
        assert!(error.to_string().contains("copy.jsonl"), "{error}");
        let error = identify(&[copy], &files, 2).unwrap_err();
        assert!(
            matches!(error, Error::AlreadyAnalysed { generation: 1, .. }),
            "{error}"
        );

        std::fs::create_dir_all(folder.root().join("gen-000001")).unwrap();
        let inside = write(&folder.root().join("gen-000001"), "rejects.jsonl", "{}\n");
        let error = check_inputs(&[inside], &folder).unwrap_err();
        assert!(matches!(error, Error::InputInOutput { .. }), "{error}");
        let error = check_inputs(&[dir.path().join("nope.csv")], &folder).unwrap_err();
        assert!(matches!(error, Error::MissingInput(_)), "{error}");
    }
}
