//! koe's fields (`id`, `text`, `rating`, …) as Python names them: `fields={"text":
//! "comment"}` maps a column to one, for shards and fits alike.

use std::collections::HashMap;

use pyo3::prelude::*;

use koe::ingest::{FieldMap, FieldNames};

use crate::errors::value_error;

/// `fields={"text": "comment", "rating": ["stars", "score"]}` as a [`FieldMap`]: each of
/// koe's fields tries the names given, then its own.
pub fn field_map(given: HashMap<String, Vec<String>>) -> PyResult<FieldMap> {
    let mut map = FieldMap::default();
    for (field, names) in given {
        let slot = match field.as_str() {
            "id" => &mut map.id,
            "text" => &mut map.text,
            "rating" => &mut map.rating,
            "nps" => &mut map.nps,
            "effort" => &mut map.effort,
            "channel" => &mut map.channel,
            "stage" => &mut map.stage,
            "product" => &mut map.product,
            "created_at" => &mut map.created_at,
            "lang" => &mut map.lang,
            other => {
                return Err(value_error(format!(
                    "fields: {other:?} is not one of koe's fields (id, text, rating, nps, \
                     effort, channel, stage, product, created_at, lang)"
                )));
            }
        };
        *slot = FieldNames::preferring(names, &field);
    }
    Ok(map)
}
