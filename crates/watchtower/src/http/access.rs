//! What each API route does, for the scopes: `read` for every read (the default,
//! the streams and the document included), `ingest` for pulses, runs' starts
//! and failures, and events, `write` for declaring, cancelling, pausing and
//! snoozing, `admin` for the keys and the badge key; any credential may say who
//! it is (`/whoami`, `/sign-in`).

use axum::http::Method;

use crate::auth::Action;

/// The action of `method` on the route pattern `route` (`""` when none matched).
pub fn action(method: &Method, route: &str) -> Action {
    match (method.as_str(), route) {
        (
            "POST",
            "/"
            | "/add-event"
            | "/add-events"
            | "/v1/logs"
            | "/services/{name}/start"
            | "/services/{name}/fail",
        ) => Action::Ingest,
        ("DELETE", "/")
        | (
            "POST",
            "/snooze" | "/services/{name}/pause" | "/services/{name}/resume" | "/test-alert",
        )
        | ("DELETE", "/snooze/{id}")
        | ("PUT", "/services/{name}") => Action::Write,
        (_, "/keys" | "/keys/{name}" | "/badges") => Action::Admin,
        (_, "/whoami" | "/sign-in") => Action::Identify,
        _ => Action::Read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified_by_what_they_do() {
        let cases = [
            (Method::GET, "/", Action::Read),
            (Method::POST, "/", Action::Ingest),
            (Method::DELETE, "/", Action::Write),
            (Method::POST, "/add-events", Action::Ingest),
            (Method::POST, "/v1/logs", Action::Ingest),
            (Method::POST, "/services/{name}/start", Action::Ingest),
            (Method::POST, "/services/{name}/fail", Action::Ingest),
            (Method::GET, "/events/stream", Action::Read),
            (Method::POST, "/snooze", Action::Write),
            (Method::POST, "/services/{name}/pause", Action::Write),
            (Method::POST, "/test-alert", Action::Write),
            (Method::POST, "/services/{name}/resume", Action::Write),
            (Method::PUT, "/services/{name}", Action::Write),
            (Method::GET, "/snoozes", Action::Read),
            (Method::GET, "/keys", Action::Admin),
            (Method::GET, "/badges", Action::Admin),
            (Method::DELETE, "/keys/{name}", Action::Admin),
            (Method::GET, "/whoami", Action::Identify),
            (Method::POST, "/sign-in", Action::Identify),
            (Method::GET, "", Action::Read),
        ];
        for (method, route, action) in cases {
            assert_eq!(super::action(&method, route), action, "{method} {route}");
        }
    }
}
