//! Ports that the tests hold for servers which cannot bind port 0 and say which
//! port they got, and for addresses where nothing may listen yet.

use std::net::Ipv4Addr;

use tokio::net::{TcpListener, TcpSocket};

/// A loopback port that this test holds while nothing listens on it: a socket
/// bound with `SO_REUSEADDR` that does not listen. Every connection to the port
/// is refused, and Linux gives the port to no one else: binding port 0 never
/// picks it, and binding it without `SO_REUSEADDR` fails. A listener that binds
/// it with `SO_REUSEADDR` (as PostgreSQL's, Go's and Python asyncio's do) may
/// share it, since nothing else on the port listens. So a program told the port
/// before it starts binds it without a moment in which another could take it,
/// and the port is still this test's after the program stops: unlike a port
/// found free and let go, it cannot be taken by another process in between.
pub struct ReservedPort {
    socket: TcpSocket,
    port: u16,
}

impl ReservedPort {
    pub fn hold() -> ReservedPort {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind((Ipv4Addr::LOCALHOST, 0).into()).unwrap();
        let port = socket.local_addr().unwrap().port();
        ReservedPort { socket, port }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`: an address that refuses connections while held.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts listening on the port itself: from now on connections are accepted.
    pub fn listen(self) -> TcpListener {
        self.socket.listen(1024).unwrap()
    }
}
