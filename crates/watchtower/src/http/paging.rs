//! Pages linked by cursors: `Link: <…>; rel="next"`, as `/list-events` and `GET /` answer.

use axum::http::HeaderValue;

/// The `Link` header of the page after the one that ended at `cursor`: the
/// same parameters as the request's, with a new cursor.
pub fn next_page_link(path: &str, pairs: &[(String, String)], cursor: &str) -> Option<HeaderValue> {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs.iter().filter(|(key, _)| key != "cursor") {
        query.append_pair(key, value);
    }
    query.append_pair("cursor", cursor);
    HeaderValue::from_str(&format!("<{path}?{}>; rel=\"next\"", query.finish())).ok()
}
