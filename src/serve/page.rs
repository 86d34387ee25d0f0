//! The search page: one self-contained HTML document (its CSS and script inlined at
//! build time from `page.css` and `page.js`), with no fonts, scripts or styles from the
//! network — its Content-Security-Policy allows none.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{Html, IntoResponse};

const HTML: &str = include_str!("page.html");
const CSS: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// Only the page's own inline style and script, and requests back to this server.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
    script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static PAGE: LazyLock<String> = LazyLock::new(|| {
    HTML.replacen("/* page.css */", CSS, 1)
        .replacen("// page.js", SCRIPT, 1)
});

/// `GET /`: the search page (it reads its search from the URL's query string).
pub async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        Html(PAGE.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_inlines_its_style_and_script() {
        assert!(PAGE.contains("--accent"), "CSS inlined");
        assert!(PAGE.contains("function search()"), "script inlined");
        assert!(!PAGE.contains("// page.js") && !PAGE.contains("/* page.css */"));
        for remote in ["http://", "https://", "//cdn"] {
            let outside = PAGE
                .match_indices(remote)
                .all(|(i, _)| PAGE[i..].starts_with("http://www.w3.org/2000/svg"));
            assert!(outside, "no {remote} resources");
        }
    }
}
