//! The client's address: the connection's peer, unless the peer is a trusted
//! proxy (`trustedProxies`), in which case the address that proxy says it
//! forwarded for. From anyone else, forwarding headers are ignored: believing
//! them would let any client pass for any address.

use std::net::IpAddr;

use ipnet::IpNet;

/// Addresses given as CIDRs (`10.0.0.0/8`, `::1/128`) or single addresses
/// (`127.0.0.1`): who may send syslog, which proxies are believed.
#[derive(Clone, Debug, Default)]
pub struct AddressSet(Vec<IpNet>);

impl AddressSet {
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries
            .iter()
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("`{entry}` is not an address or a CIDR such as 10.0.0.0/8")
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// Whether `address` (an IPv4 address mapped into IPv6 as the IPv4 one) is in the set.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(AddressSet);

impl TrustedProxies {
    /// Reads CIDRs (`10.0.0.0/8`, `::1/128`) or single addresses (`127.0.0.1`).
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        AddressSet::parse(entries).map(Self)
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.0.contains(address)
    }

    /// The client behind `peer`, given the addresses the forwarding headers list
    /// (`forwarded`, the client first and the nearest proxy last). Walking from
    /// the nearest, each trusted proxy vouches for the one before it; the first
    /// address no trusted proxy stands for is the client. `None` in the list (a
    /// value that is not an address) stops the walk at the last one vouched for.
    pub fn client(&self, peer: IpAddr, forwarded: &[Option<IpAddr>]) -> IpAddr {
        let mut client = canonical(peer);
        for hop in forwarded.iter().rev() {
            if !self.trusts(client) {
                break;
            }
            match hop {
                Some(address) => client = canonical(*address),
                None => break,
            }
        }
        client
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) as the IPv4 address it is.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).unwrap();
        let hops = [Some(ip("203.0.113.7")), Some(ip("10.1.1.1"))];
        // Through two trusted proxies: the address before them.
        assert_eq!(proxies.client(ip("10.0.0.2"), &hops), ip("203.0.113.7"));
        // From a client that is no proxy: its own address, whatever it claims.
        assert_eq!(
            proxies.client(ip("198.51.100.9"), &hops),
            ip("198.51.100.9")
        );
        // A client's made-up hops before an untrusted address are not believed.
        let spoofed = [Some(ip("1.2.3.4")), Some(ip("198.51.100.9"))];
        assert_eq!(proxies.client(ip("10.0.0.2"), &spoofed), ip("198.51.100.9"));
        // A value that is no address stops the walk at the proxy.
        assert_eq!(proxies.client(ip("::1"), &[None]), ip("::1"));
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.2"), &hops),
            ip("203.0.113.7")
        );
        assert_eq!(proxies.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
    }

    #[test]
    fn entries_are_cidrs_or_addresses() {
        assert!(TrustedProxies::parse(&["fd00::/8".into(), "127.0.0.1".into()]).is_ok());
        let error = TrustedProxies::parse(&["10.0.0.0/33".into()]).unwrap_err();
        assert!(error.contains("10.0.0.0/33"), "{error}");
    }
}
