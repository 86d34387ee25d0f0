//! `Analysis`: an analysis folder `koe analyze` wrote, at the generation that was current
//! when it was opened: search it (`koe search --json`'s answer), read its topics,
//! metrics (`koe report`'s figures) and summary.

use std::path::PathBuf;

use pyo3::prelude::*;

use koe::analysis::{AnalysisDir, Generation, Part};
use koe::index::{Filters, SearchIndex, SearchOutput, SearchRequest};
use koe::report::Period;
use koe::Label;

use crate::errors::{os_error, runtime_error, value_error};
use crate::pipelines::{analyzer, parse_lang};

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Analysis>()
}

#[pyclass(module = "koe._native", frozen)]
struct Analysis {
    path: PathBuf,
    generation: Generation,
    index: SearchIndex,
}

fn to_json(value: &impl serde::Serialize) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| runtime_error(&e))
}

#[pymethods]
impl Analysis {
    #[new]
    fn open(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let analyzer = analyzer()?;
        py.detach(|| {
            let generation = AnalysisDir::new(&path)
                .current()
                .map_err(|e| os_error(&e))?;
            let index = generation
                .open_index(&analyzer)
                .map_err(|e| os_error(&e))?;
            Ok(Analysis {
                path,
                generation,
                index,
            })
        })
    }

    /// Hits with snippets, their total and facet counts, as JSON (`koe search --json`).
    #[pyo3(signature = (query, *, limit=10, offset=0, sentiment=None, lang=None, topic=None, theme=None, category=None, channel=None, product=None, stage=None, min_rating=None, max_rating=None))]
    #[allow(clippy::too_many_arguments)]
    fn search_json(
        &self,
        py: Python<'_>,
        query: &str,
        limit: usize,
        offset: usize,
        sentiment: Option<&str>,
        lang: Option<&str>,
        topic: Option<Vec<u32>>,
        theme: Option<Vec<u32>>,
        category: Option<Vec<String>>,
        channel: Option<Vec<String>>,
        product: Option<Vec<String>>,
        stage: Option<Vec<String>>,
        min_rating: Option<u8>,
        max_rating: Option<u8>,
    ) -> PyResult<String> {
        let filters = Filters {
            sentiment: sentiment
                .map(|s| s.parse::<Label>().map_err(value_error))
                .transpose()?,
            lang: parse_lang(lang)?,
            topic: topic.unwrap_or_default(),
            theme: theme.unwrap_or_default(),
            category: category.unwrap_or_default(),
            channel: channel.unwrap_or_default(),
            product: product.unwrap_or_default(),
            stage: stage.unwrap_or_default(),
            min_rating,
            max_rating,
            ..Filters::default()
        };
        filters.check().map_err(value_error)?;
        let request = SearchRequest {
            query: query.to_string(),
            filters,
            limit,
            offset,
            ..SearchRequest::new("")
        };
        py.detach(|| {
            let results = self.index.search(&request).map_err(value_error)?;
            // Labels are a nicety, as in `koe search`: unreadable topics leave them out.
            let topics = self.generation.topics().ok().flatten();
            to_json(&SearchOutput::new(&request, results, topics.as_ref()))
        })
    }

    /// The pain points (`topics.json`), as JSON; `null` when the run fitted none.
    fn topics_json(&self) -> PyResult<String> {
        let topics = self
            .generation
            .topics()
            .map_err(|e| os_error(&e))?;
        to_json(&topics)
    }

    /// NPS, CSAT, CES and sentiment overall, by period and by group, as JSON (`koe
    /// report`'s figures); `period` is day, week, month, quarter or year.
    #[pyo3(signature = (period="month"))]
    fn metrics_json(&self, py: Python<'_>, period: &str) -> PyResult<String> {
        let period: Period = period.parse().map_err(value_error)?;
        py.detach(|| {
            let metrics = koe::report::metrics(self.index.records(), period).map_err(|e| os_error(&e))?;
            to_json(&metrics)
        })
    }

    /// What the run did (`summary.json`), as JSON.
    fn summary_json(&self) -> PyResult<String> {
        let summary = self
            .generation
            .read_json::<serde_json::Value>(Part::Summary)
            .map_err(|e| os_error(&e))?;
        to_json(&summary)
    }

    /// `records.parquet` (`koe analyze --emit parquet`), when the run wrote it.
    fn records_path(&self) -> Option<PathBuf> {
        let path = self.generation.path(Part::Records);
        path.is_file().then_some(path)
    }

    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    #[getter]
    fn generation(&self) -> u64 {
        self.generation.number()
    }
}
