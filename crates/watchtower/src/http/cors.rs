//! Cross-origin requests from browsers, for the origins that the config names
//! (none by default). Preflight requests carry no password, so this layer answers
//! them before authentication; the real requests still need the password.

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight answer.
const PREFLIGHT_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// The layer for `origins` (`*`: any origin), or `None` when there are none.
pub fn layer(origins: &[String]) -> anyhow::Result<Option<CorsLayer>> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        let values = origins
            .iter()
            .map(|origin| {
                HeaderValue::from_str(origin)
                    .map_err(|_| anyhow::anyhow!("cors.origins: `{origin}` is not a valid origin"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        AllowOrigin::list(values)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([
                HeaderName::from_static("password"),
                header::CONTENT_TYPE,
                header::ACCEPT,
            ])
            // Pages of `/list-events` are linked through this header.
            .expose_headers([header::LINK])
            .max_age(PREFLIGHT_MAX_AGE),
    ))
}
