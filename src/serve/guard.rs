//! What every request passes and every answer carries.
//!
//! * **Host names** ([`Hosts`]): a web page elsewhere can point its own domain name at
//!   127.0.0.1 (DNS rebinding) and read the API from the user's browser; the browser
//!   then sends that name in `Host`. The server answers only Hosts that name it: the
//!   address it listens on (any address of the machine when it listens on all of them),
//!   the loopback forms (`localhost`, `*.localhost`, `127.0.0.1`, `[::1]`), and the names
//!   `--allow-host` adds (`*` for any). Others get a 403.
//! * **Headers** ([`secure_headers`]): `X-Content-Type-Options: nosniff` (a JSON answer
//!   is never run as a script), `frame-ancestors 'none'` and `X-Frame-Options: DENY` (no
//!   page may frame the search page), `Referrer-Policy: no-referrer`.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::api::ApiError;

/// The Host names a server answers.
#[derive(Debug, Clone)]
pub struct Hosts {
    bound: IpAddr,
    names: Vec<String>,
    any: bool,
}

impl Hosts {
    /// For a server listening on `bound`, with the extra names of `--allow-host`.
    pub fn new(bound: IpAddr, allowed: &[String]) -> Self {
        Hosts {
            bound,
            names: allowed.iter().map(|n| n.to_ascii_lowercase()).collect(),
            any: allowed.iter().any(|n| n == "*"),
        }
    }

    /// Whether a `Host` header (`name`, `name:port`, `[v6]:port`) names this server.
    pub fn allows(&self, host: &str) -> bool {
        if self.any {
            return true;
        }
        let name = match host.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or(""),
            None => host.rsplit_once(':').map_or(host, |(name, port)| {
                if port.bytes().all(|b| b.is_ascii_digit()) {
                    name
                } else {
                    host
                }
            }),
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            return ip.is_loopback() || ip == self.bound || self.bound.is_unspecified();
        }
        self.names.contains(&name)
    }
}

/// Refuses requests whose `Host` does not name this server.
pub async fn check_host(State(hosts): State<Arc<Hosts>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    match host {
        Some(host) if hosts.allows(host) => next.run(request).await,
        Some(host) => ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "this server does not answer to the Host {host:?}: use its address or \
                 localhost, or start it with --allow-host {host}"
            ),
        )
        .into_response(),
        None => {
            ApiError::new(StatusCode::BAD_REQUEST, "the request has no Host".into()).into_response()
        }
    }
}

/// The headers every answer carries (a page's own Content-Security-Policy is kept).
pub async fn secure_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hosts_that_name_the_server() {
        let local = Hosts::new("127.0.0.1".parse().unwrap(), &[]);
        for host in [
            "127.0.0.1:7878",
            "localhost:7878",
            "LOCALHOST",
            "app.localhost:80",
            "[::1]:7878",
            "127.0.0.1",
        ] {
            assert!(local.allows(host), "{host}");
        }
        for host in ["evil.example:7878", "evil.example", "192.168.1.5:7878", ""] {
            assert!(!local.allows(host), "{host}");
        }
        let named = Hosts::new("127.0.0.1".parse().unwrap(), &["koe.lan".into()]);
        assert!(named.allows("KOE.lan:8080") && !named.allows("other.lan"));
        let everywhere = Hosts::new("0.0.0.0".parse().unwrap(), &[]);
        assert!(everywhere.allows("192.168.1.5:8080") && !everywhere.allows("evil.example"));
        assert!(Hosts::new("127.0.0.1".parse().unwrap(), &["*".into()]).allows("x.y"));
    }
}
