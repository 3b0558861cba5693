//! A PostgreSQL cluster of a test's own (initdb, pg_ctl), for what the shared test
//! server cannot show: TLS only, or a database that goes away and comes back.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::ReservedPort;

/// Stopped (immediately) when dropped.
pub struct OwnPostgres {
    bin: PathBuf,
    dir: PathBuf,
    data: PathBuf,
    /// PostgreSQL cannot listen on port 0 (its `port` is 1 to 65535), so the test
    /// holds a port for it, and holds it across [`OwnPostgres::stop`]: the cluster
    /// comes back on the same port, which no one else could take in the meantime.
    port: ReservedPort,
    options: String,
    /// `runuser -u postgres --` when running as root: initdb refuses root.
    as_owner: Vec<String>,
}

impl OwnPostgres {
    /// `initdb` and `pg_ctl start` under `parent`. With `tls` (PEM certificate and
    /// key), TCP clients are allowed over TLS only (`hostssl`).
    pub fn start(parent: &Path, tls: Option<(&str, &str)>) -> OwnPostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's server binaries (scripts/test installs Debian's postgresql)")
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin"))
            .filter(|bin| bin.join("initdb").exists())
            .max()
            .expect("initdb under /usr/lib/postgresql/*/bin");
        let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
        let as_owner = match root {
            true => ["runuser", "-u", "postgres", "--"]
                .map(String::from)
                .to_vec(),
            false => Vec::new(),
        };
        // One directory for everything the cluster writes: data, log, socket, keys.
        let dir = parent.join("postgres");
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        // PostgreSQL sets SO_REUSEADDR on its sockets, so it may listen on the held port.
        let port = ReservedPort::hold();
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=on",
            port.port(),
            dir.display()
        );
        let mut hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n";
        if let Some((cert, key)) = tls {
            let (cert_file, key_file) = (dir.join("pg.crt"), dir.join("pg.key"));
            std::fs::write(&cert_file, cert).unwrap();
            std::fs::write(&key_file, key).unwrap();
            chmod("0600", &key_file);
            options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                cert_file.display(),
                key_file.display()
            ));
            hba = "local all all trust\nhostssl all all 127.0.0.1/32 trust\n";
        }
        chmod("0755", parent);
        chmod("0700", &data);
        if root {
            let chown = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(chown.success());
        }
        let cluster = OwnPostgres {
            bin,
            dir,
            data,
            port,
            options,
            as_owner,
        };
        let init = [
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-D",
        ];
        cluster.run("initdb", &init);
        std::fs::write(cluster.data.join("pg_hba.conf"), hba).unwrap();
        cluster.start_again();
        cluster
    }

    /// Starts the cluster after [`OwnPostgres::stop`], on the same port.
    pub fn start_again(&self) {
        let log = self.dir.join("pg.log");
        let log = log.to_string_lossy();
        self.run(
            "pg_ctl",
            &["-w", "-l", &log, "-o", &self.options, "start", "-D"],
        );
    }

    /// Stops the cluster at once, as a crash would.
    pub fn stop(&self) {
        self.run("pg_ctl", &["-w", "-m", "immediate", "stop", "-D"]);
    }

    /// Runs `tool` with `args` and the data directory last.
    fn run(&self, tool: &str, args: &[&str]) {
        let output = self
            .command(tool)
            .args(args)
            .arg(&self.data)
            .output()
            .unwrap();
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

    pub fn url(&self, params: &str) -> String {
        format!(
            "postgres://postgres@localhost:{}/postgres?{params}",
            self.port.port()
        )
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        // Best effort: a panic here would hide the test's own failure.
        let _ = self
            .command("pg_ctl")
            .args(["-m", "immediate", "stop", "-D"])
            .arg(&self.data)
            .output();
    }
}

fn chmod(mode: &str, path: &Path) {
    let status = Command::new("chmod").arg(mode).arg(path).status().unwrap();
    assert!(status.success(), "chmod {mode} {}", path.display());
}
