//! koe's errors as Python exceptions: `ValueError` for input the caller can fix (a bad
//! spec, label or language), `OSError` for files and folders, `RuntimeError` for the rest.

use pyo3::PyErr;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};

use koe::pipeline;

/// The error and its causes, as one line: "a: b: c".
fn message(error: &dyn std::error::Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !line.ends_with(&more) {
            line.push_str(": ");
            line.push_str(&more);
        }
        cause = c.source();
    }
    line
}

pub fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// `value` of the argument `name`, which must be at least 1 (`ValueError` otherwise).
pub fn positive(name: &str, value: usize) -> Result<usize, PyErr> {
    match value {
        0 => Err(value_error(format!("{name} must be at least 1"))),
        n => Ok(n),
    }
}

pub fn os_error(e: &dyn std::error::Error) -> PyErr {
    PyOSError::new_err(message(e))
}

pub fn runtime_error(e: &dyn std::error::Error) -> PyErr {
    PyRuntimeError::new_err(message(e))
}

/// A sentiment model that cannot be had: the spec is wrong (`ValueError`) or its files
/// are missing or broken (`OSError`).
pub fn model_error(e: &koe::sentiment::Error) -> PyErr {
    use koe::sentiment::Error;
    match e {
        Error::UnknownModel(_)
        | Error::AutoNeedsRatings
        | Error::TransformerNotBuilt(_)
        | Error::NoLearntModel { .. } => PyValueError::new_err(message(e)),
        _ => os_error(e),
    }
}

/// A run's error as Python's: options the caller gave are `ValueError`s, files and
/// folders `OSError`s, the rest `RuntimeError`s.
pub fn run_error(e: &pipeline::Error) -> PyErr {
    match e {
        pipeline::Error::Option { .. }
        | pipeline::Error::DuplicateId { .. }
        | pipeline::Error::Merge { .. } => value_error(e),
        pipeline::Error::Output { .. }
        | pipeline::Error::Input { .. }
        | pipeline::Error::MissingInput(_)
        | pipeline::Error::Analysis(_) => os_error(e),
        pipeline::Error::Topics(t) if t.is_scratch_file() => os_error(e),
        _ => runtime_error(e),
    }
}
