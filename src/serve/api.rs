//! The JSON API: `/api/search`, `/api/topics`, `/api/metrics`.
//!
//! Every answer is JSON. A request the server cannot answer as asked — a query Tantivy
//! cannot parse, a date that is not one, a rating outside 1–5, an unknown sentiment or
//! parameter, a page too large — is a 400 with `{"error": "...", "parameter": "..."}`
//! naming the parameter, never a 500; a 500 means the index itself failed.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::Served;
use crate::analysis::Part;
use crate::index::{self, SearchOutput, SearchRequest};
use crate::ingest::{parse_since, parse_until};
use crate::lang::Lang;
use crate::sentiment::Label;

/// Hits per page unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: usize = 20;
/// The largest `per_page`.
pub const MAX_PER_PAGE: usize = 100;
/// How deep paging goes: `page × per_page` at most this (Tantivy ranks offset + limit).
pub const MAX_DEPTH: usize = 10_000;
/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// The parameters of `/api/search`.
pub const SEARCH_PARAMETERS: [&str; 16] = [
    "q",
    "sentiment",
    "theme",
    "topic",
    "category",
    "channel",
    "stage",
    "product",
    "lang",
    "since",
    "until",
    "min_rating",
    "max_rating",
    "page",
    "per_page",
    "snippet_chars",
];

/// An answer other than 200: its status and a message for people, as JSON.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// The request parameter at fault, if one is.
    pub parameter: Option<&'static str>,
    pub message: String,
}

impl ApiError {
    /// An answer about the request as a whole, not one parameter.
    pub fn new(status: StatusCode, message: String) -> Self {
        ApiError {
            status,
            parameter: None,
            message,
        }
    }

    fn bad(parameter: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            parameter: Some(parameter),
            message: format!("{parameter}: {}", message.into()),
        }
    }

    fn internal(message: String) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: &self.message,
            parameter: self.parameter,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<index::Error> for ApiError {
    fn from(e: index::Error) -> Self {
        match e {
            index::Error::Query { message, .. } => ApiError::bad("q", message),
            index::Error::Filter { filter, message } => ApiError::bad(filter, message),
            other => ApiError::internal(other.to_string()),
        }
    }
}

/// `GET /api/search`: hits with snippets, the total and facet counts over all matches.
pub async fn search(
    State(served): State<Arc<Served>>,
    params: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<SearchOutput>, ApiError> {
    let Query(params) =
        params.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let request = search_request(&params)?;
    let analysis = served.current();
    let output = tokio::task::spawn_blocking(move || {
        let results = analysis.index.search(&request)?;
        Ok::<_, index::Error>(SearchOutput::new(
            &request,
            results,
            analysis.topics.as_ref(),
        ))
    })
    .await
    .map_err(|e| ApiError::internal(format!("the search failed: {e}")))??;
    Ok(Json(output))
}

/// The request that `/api/search`'s parameters ask for; repeated `channel`, `stage`,
/// `product`, `theme`, `topic` and `category` mean any of them. Empty values are no filter.
pub fn search_request(params: &[(String, String)]) -> Result<SearchRequest, ApiError> {
    let mut request = SearchRequest::new("");
    request.limit = DEFAULT_PER_PAGE;
    let mut page = 1;
    for (name, value) in params {
        let value = value.trim();
        let filters = &mut request.filters;
        match name.as_str() {
            "q" if value.chars().count() > MAX_QUERY_CHARS => {
                return Err(ApiError::bad(
                    "q",
                    format!("longer than {MAX_QUERY_CHARS} characters"),
                ));
            }
            "q" => request.query = value.to_string(),
            known if value.is_empty() && SEARCH_PARAMETERS.contains(&known) => {}
            "sentiment" => {
                filters.sentiment = Some(parse("sentiment", value, str::parse::<Label>)?)
            }
            "lang" => filters.lang = Some(parse("lang", value, str::parse::<Lang>)?),
            "channel" => filters.channel.push(value.to_string()),
            "stage" => filters.stage.push(value.to_string()),
            "product" => filters.product.push(value.to_string()),
            "theme" => filters.theme.push(parse("theme", value, |v| {
                v.parse()
                    .map_err(|_| format!("{v:?} is not a theme id (see /api/topics)"))
            })?),
            "category" => filters.category.push(value.to_string()),
            "topic" => filters.topic.push(parse("topic", value, |v| {
                v.parse()
                    .map_err(|_| format!("{v:?} is not a topic id (see /api/topics)"))
            })?),
            "since" => filters.since = Some(parse("since", value, parse_since)?),
            "until" => filters.until = Some(parse("until", value, parse_until)?),
            "min_rating" => filters.min_rating = Some(parse("min_rating", value, rating)?),
            "max_rating" => filters.max_rating = Some(parse("max_rating", value, rating)?),
            "page" => page = parse("page", value, |v| count(v, 1, usize::MAX))?,
            "per_page" => request.limit = parse("per_page", value, |v| count(v, 1, MAX_PER_PAGE))?,
            "snippet_chars" => {
                request.snippet_chars = parse("snippet_chars", value, |v| count(v, 20, 1_000))?;
            }
            other => {
                return Err(ApiError::bad(
                    "query",
                    format!(
                        "unknown parameter {other:?} (known: {})",
                        SEARCH_PARAMETERS.join(", ")
                    ),
                ));
            }
        }
    }
    request.offset = (page - 1).saturating_mul(request.limit);
    if request.offset.saturating_add(request.limit) > MAX_DEPTH {
        return Err(ApiError::bad(
            "page",
            format!(
                "page {page} of {} goes past the first {MAX_DEPTH} results; narrow the search",
                request.limit
            ),
        ));
    }
    Ok(request)
}

fn parse<T>(
    parameter: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, ApiError> {
    parse(value).map_err(|message| ApiError::bad(parameter, message))
}

fn rating(value: &str) -> Result<u8, String> {
    value
        .parse::<u8>()
        .ok()
        .filter(|r| index::search::RATINGS.contains(r))
        .ok_or_else(|| format!("{value:?} is not a rating (1–5)"))
}

fn count(value: &str, min: usize, max: usize) -> Result<usize, String> {
    let range = if max == usize::MAX {
        format!("{min} or more")
    } else {
        format!("{min}–{max}")
    };
    value
        .parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("{value:?} is not a number {range}"))
}

/// `GET /api/topics`: topics.json as the topics stage wrote it, ranked by impact; 404
/// when the analysis ran with `--no-topics`.
pub async fn topics(State(served): State<Arc<Served>>) -> Response {
    let analysis = served.current();
    match &analysis.topics {
        Some(topics) => json(topics),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "{} has no {}: it was analysed with --no-topics; \
                 run koe analyze without it to find pain points",
                analysis.dir.display(),
                Part::Topics.file_name()
            ),
        )
        .into_response(),
    }
}

/// `GET /api/metrics`: NPS, CSAT, CES and sentiment, overall and by channel, stage,
/// product and month — `koe report`'s figures.
pub async fn metrics(State(served): State<Arc<Served>>) -> Response {
    json(&served.current().metrics)
}

/// Anything else: a JSON 404.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no such page: {} (try /, /api/search, /api/topics, /api/metrics)",
            uri.path()
        ),
    )
}

/// A known page asked for with another method than GET (or HEAD): a JSON 405.
pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let error = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} answers GET only, not {method}", uri.path()),
    );
    ([(header::ALLOW, "GET, HEAD")], error).into_response()
}

/// Serialises a value the state owns (no clone for `Json`'s sake).
fn json(value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => ApiError::internal(format!("cannot write JSON: {e}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn error(pairs: &[(&str, &str)]) -> ApiError {
        search_request(&params(pairs)).expect_err("should be refused")
    }

    #[test]
    fn parameters_become_a_request() {
        let request = search_request(&params(&[
            ("q", " 配送 遅い "),
            ("sentiment", "negative"),
            ("channel", "app"),
            ("channel", "web"),
            ("topic", "3"),
            ("category", "配送遅延"),
            ("category", "アプリ"),
            ("lang", "ja"),
            ("until", "2026-06-30"),
            ("min_rating", "1"),
            ("max_rating", "2"),
            ("page", "3"),
            ("per_page", "10"),
            ("stage", ""),
        ]))
        .unwrap();
        assert_eq!(request.query, "配送 遅い");
        let f = &request.filters;
        assert_eq!(f.sentiment, Some(Label::Negative));
        assert_eq!(f.channel, ["app", "web"]);
        assert!(f.stage.is_empty(), "an empty value is no filter");
        assert_eq!(f.topic, [3]);
        assert_eq!(f.category, ["配送遅延", "アプリ"]);
        assert_eq!(f.lang, Some(Lang::Ja));
        assert_eq!(
            f.until.unwrap().to_rfc3339(),
            "2026-07-01T00:00:00+00:00",
            "a bare date covers its whole day"
        );
        assert_eq!((request.offset, request.limit), (20, 10));
    }

    #[test]
    fn bad_parameters_are_named() {
        for (pairs, parameter) in [
            (&[("sentiment", "angry")][..], "sentiment"),
            (&[("since", "last Tuesday")], "since"),
            (&[("until", "2026-13-01")], "until"),
            (&[("min_rating", "0")], "min_rating"),
            (&[("max_rating", "6")], "max_rating"),
            (&[("topic", "delivery")], "topic"),
            (&[("lang", "fr")], "lang"),
            (&[("per_page", "1000")], "per_page"),
            (&[("page", "0")], "page"),
            (&[("page", "600")], "page"),
            (&[("colour", "red")], "query"),
        ] {
            let e = error(pairs);
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert_eq!(e.parameter, Some(parameter), "{pairs:?}: {}", e.message);
            assert!(e.message.starts_with(parameter), "{}", e.message);
        }
    }
}
