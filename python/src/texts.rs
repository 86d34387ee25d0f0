//! Texts as Python hands them over, borrowed where Python keeps them.
//!
//! A list of `str` arrives as [`PyBackedStr`]s: each borrows the str's UTF-8 (CPython
//! keeps it beside the str; an ASCII str *is* its UTF-8), nothing is copied into Rust.
//! pyarrow arrays (an `Array`, a `ChunkedArray`'s chunks, anything with the Arrow
//! PyCapsule interface `__arrow_c_array__`) arrive through the Arrow C data interface:
//! koe reads their buffers in place. Either way [`Texts::with_strs`] lends the texts as
//! `&str`s to work that runs without the GIL.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, make_array};
use arrow_pyarrow::PyArrowType;
use arrow_schema::DataType;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

/// Texts from Python.
pub enum Texts {
    Strs(Vec<PyBackedStr>),
    /// Arrow string arrays (`string`, `large_string`, `string_view`), in order.
    Arrow(Vec<ArrayRef>),
}

impl Texts {
    /// A list or tuple of str, one pyarrow string array, or a list of them (the chunks of a
    /// `ChunkedArray`). A str alone is refused: it is one text, not a list of them.
    pub fn extract(texts: &Bound<'_, PyAny>) -> PyResult<Texts> {
        if texts.is_instance_of::<pyo3::types::PyString>() {
            return Err(PyTypeError::new_err(
                "koe expects a list of texts, not one str: wrap it in [ ]",
            ));
        }
        if let Ok(strs) = texts.extract::<Vec<PyBackedStr>>() {
            return Ok(Texts::Strs(strs));
        }
        let arrays = match texts.extract::<PyArrowType<arrow_data::ArrayData>>() {
            Ok(PyArrowType(data)) => vec![make_array(data)],
            Err(_) => texts
                .extract::<Vec<PyArrowType<arrow_data::ArrayData>>>()
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "expected texts as a list of str or a pyarrow string array, got {}",
                        type_name(texts)
                    ))
                })?
                .into_iter()
                .map(|PyArrowType(data)| make_array(data))
                .collect(),
        };
        let mut offset = 0;
        for array in &arrays {
            check_strings(array.as_ref(), offset)?;
            offset += array.len();
        }
        Ok(Texts::Arrow(arrays))
    }

    pub fn len(&self) -> usize {
        match self {
            Texts::Strs(strs) => strs.len(),
            Texts::Arrow(arrays) => arrays.iter().map(|a| a.len()).sum(),
        }
    }

    /// Runs `work` over the texts as `&str`s, in order (no text is copied).
    pub fn with_strs<T>(&self, work: impl FnOnce(&[&str]) -> T) -> T {
        let strs: Vec<&str> = match self {
            Texts::Strs(strs) => strs.iter().map(|s| &**s).collect(),
            Texts::Arrow(arrays) => {
                let mut strs = Vec::with_capacity(self.len());
                for array in arrays {
                    let array = array.as_ref();
                    match array.data_type() {
                        DataType::Utf8 => strs.extend(array.as_string::<i32>().iter().flatten()),
                        DataType::LargeUtf8 => {
                            strs.extend(array.as_string::<i64>().iter().flatten())
                        }
                        _ => strs.extend(array.as_string_view().iter().flatten()),
                    }
                }
                strs
            }
        };
        work(&strs)
    }
}

fn type_name(object: &Bound<'_, PyAny>) -> String {
    object
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into())
}

/// Strings, and no nulls (a missing text has no analysis; drop or fill it first);
/// `offset` is the position of the array's first text among all the texts.
fn check_strings(array: &dyn Array, offset: usize) -> PyResult<()> {
    match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {}
        other => {
            return Err(PyTypeError::new_err(format!(
                "expected a pyarrow array of strings, got one of {other}"
            )));
        }
    }
    if let Some(nulls) = array.nulls().filter(|n| n.null_count() > 0) {
        let first = (0..array.len()).find(|&i| nulls.is_null(i)).unwrap_or(0);
        return Err(PyValueError::new_err(format!(
            "text {} is null ({} nulls in its chunk): drop or fill missing texts first",
            offset + first,
            nulls.null_count()
        )));
    }
    Ok(())
}
