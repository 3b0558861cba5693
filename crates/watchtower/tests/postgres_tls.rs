//! TLS to PostgreSQL: a throw-away PostgreSQL cluster that accepts TCP connections
//! over TLS only, with a certificate from a private CA. The server connects when
//! told to trust that CA, and refuses to start, saying why, when it cannot.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use support::{Server, free_port, run_expecting_failure, stderr, write_config};

/// A PostgreSQL cluster of the test's own, stopped when dropped.
struct TlsPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_owner: Vec<String>,
}

impl TlsPostgres {
    /// `initdb` and `pg_ctl start` in `dir`, with `cert`/`key` as the server's pair and
    /// TCP clients allowed over TLS only (`hostssl`).
    fn start(parent: &Path, cert: &str, key: &str) -> TlsPostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's server binaries (scripts/test installs Debian's postgresql)")
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin"))
            .filter(|bin| bin.join("initdb").exists())
            .max()
            .expect("initdb under /usr/lib/postgresql/*/bin");
        // initdb refuses to run as root: the cluster belongs to `postgres` then.
        let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
        let as_owner: Vec<String> = match root {
            true => vec![
                "runuser".into(),
                "-u".into(),
                "postgres".into(),
                "--".into(),
            ],
            false => Vec::new(),
        };
        // One directory for everything the cluster writes: data, log and socket.
        let dir = parent.join("postgres");
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        let (cert_file, key_file) = (dir.join("pg.crt"), dir.join("pg.key"));
        std::fs::write(&cert_file, cert).unwrap();
        std::fs::write(&key_file, key).unwrap();
        let chmod = |mode: &str, path: &Path| {
            assert!(
                Command::new("chmod")
                    .arg(mode)
                    .arg(path)
                    .status()
                    .unwrap()
                    .success()
            );
        };
        chmod("0755", parent);
        chmod("0700", &data);
        chmod("0600", &key_file);
        if root {
            let chown = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(chown.success());
        }
        let cluster = TlsPostgres {
            bin,
            data,
            port: free_port(),
            as_owner,
        };
        cluster.run(
            "initdb",
            &[
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-D",
            ],
            &[&cluster.data],
        );
        std::fs::write(
            cluster.data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            cluster.port,
            dir.display(),
            cert_file.display(),
            key_file.display()
        );
        cluster.run(
            "pg_ctl",
            &[
                "-w",
                "-l",
                &dir.join("pg.log").to_string_lossy(),
                "-o",
                &options,
                "start",
                "-D",
            ],
            &[&cluster.data],
        );
        cluster
    }

    fn run(&self, tool: &str, args: &[&str], paths: &[&Path]) {
        let output = self.command(tool).args(args).args(paths).output().unwrap();
        assert!(
            output.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn command(&self, tool: &str) -> Command {
        match self.as_owner.split_first() {
            Some((first, rest)) => {
                let mut command = Command::new(first);
                command.args(rest).arg(self.bin.join(tool));
                command
            }
            None => Command::new(self.bin.join(tool)),
        }
    }

    fn url(&self, params: &str) -> String {
        format!(
            "postgres://postgres@localhost:{}/postgres?{params}",
            self.port
        )
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        // Best effort: a panic here would hide the test's own failure.
        let _ = self
            .command("pg_ctl")
            .args(["-m", "immediate", "stop", "-D"])
            .arg(&self.data)
            .output();
    }
}

#[tokio::test]
async fn the_database_is_reached_over_tls_trusting_the_configured_ca_only() {
    let dir = tempfile::tempdir().unwrap();
    let ca = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let postgres = TlsPostgres::start(dir.path(), &ca.cert.pem(), &ca.signing_key.serialize_pem());
    let ca_file = dir.path().join("ca.crt");
    std::fs::write(&ca_file, ca.cert.pem()).unwrap();

    let refused = |name: &str, storage: serde_json::Value| {
        let node = dir.path().join(name);
        std::fs::create_dir(&node).unwrap();
        let path = write_config(&node, json!({"storage": storage}));
        stderr(&run_expecting_failure(
            &node,
            &["serve", "--config", path.to_str().unwrap()],
            &[],
        ))
    };
    let untrusted = refused(
        "untrusted",
        json!({"backend": "postgres", "url": postgres.url("sslmode=require")}),
    );
    assert!(
        untrusted.contains("storage.url") && untrusted.contains("UnknownIssuer"),
        "a certificate that no trusted CA signed is refused: {untrusted}"
    );
    let plain = refused(
        "plain",
        json!({"backend": "postgres", "url": postgres.url("sslmode=disable")}),
    );
    assert!(
        plain.contains("storage.url"),
        "the server takes TLS only: {plain}"
    );

    let node = dir.path().join("trusting");
    std::fs::create_dir(&node).unwrap();
    let storage =
        json!({"backend": "postgres", "url": postgres.url("sslmode=require"), "caCert": ca_file});
    let server = Server::start(
        &node,
        json!({"storage": storage, "webhooks": {"ops": {"url": "http://127.0.0.1:9/"}}}),
    )
    .await;
    let pulsed = server.pulse("over-tls", "webhook", "ops", 60.0).await;
    assert_eq!(pulsed["status"], "up");
    assert_eq!(server.services().await, [pulsed]);
}
