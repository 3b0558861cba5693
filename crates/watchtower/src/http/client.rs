//! The client's address as the throttle sees it: the peer, or, behind a trusted
//! proxy, the address its `X-Forwarded-For` (else `Forwarded`, RFC 7239) names.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use crate::auth::TrustedProxies;

/// The client behind `peer`, believing forwarding headers only from `proxies`.
pub fn client_address(headers: &HeaderMap, peer: SocketAddr, proxies: &TrustedProxies) -> IpAddr {
    if !proxies.trusts(peer.ip()) {
        return peer.ip();
    }
    proxies.client(peer.ip(), &forwarded_hops(headers))
}

/// The addresses the forwarding headers list, the client first; a value that is
/// not an address (`unknown`, an obfuscated name) as `None`.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|hop| hop.trim().to_owned())
            .collect()
    };
    let forwarded_for = values("x-forwarded-for");
    if !forwarded_for.is_empty() {
        return forwarded_for.iter().map(|hop| address(hop)).collect();
    }
    values("forwarded")
        .iter()
        .map(|element| {
            let node = element.split(';').find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                name.eq_ignore_ascii_case("for")
                    .then(|| value.trim_matches('"'))
            });
            node.and_then(address)
        })
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:443`, `2001:db8::1` or `[2001:db8::1]:443`.
fn address(node: &str) -> Option<IpAddr> {
    if let Ok(address) = node.parse::<IpAddr>() {
        return Some(address);
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(inner, _)| inner.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn both_headers_and_their_spellings_are_read() {
        let proxies = TrustedProxies::parse(&["127.0.0.1".into()]).unwrap();
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let client = |pairs| client_address(&headers(pairs), peer, &proxies).to_string();
        assert_eq!(
            client(&[("x-forwarded-for", "203.0.113.7, 127.0.0.1")]),
            "203.0.113.7"
        );
        assert_eq!(client(&[("x-forwarded-for", "203.0.113.7")]), "203.0.113.7");
        assert_eq!(
            client(&[("forwarded", "for=\"[2001:db8::1]:443\";proto=https")]),
            "2001:db8::1"
        );
        assert_eq!(
            client(&[("forwarded", "for=198.51.100.2:80, for=unknown")]),
            "127.0.0.1"
        );
        assert_eq!(client(&[("forwarded", "For=198.51.100.2")]), "198.51.100.2");
        assert_eq!(client(&[]), "127.0.0.1");
        let stranger: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        let claimed = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(
            client_address(&claimed, stranger, &proxies).to_string(),
            "192.0.2.1"
        );
    }
}
