//! Servers whose log a test reads: started at a chosen level, with stderr written
//! to a file in their directory instead of the test's own stderr.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{Server, write_config};

/// The file that [`Server::start_logging`] writes the log of a server in `dir` to.
pub fn log_file(dir: &Path) -> PathBuf {
    dir.join("server.log")
}

impl Server {
    /// Starts the server with `config` in `dir`, logging at `level` (`RUST_LOG`)
    /// into [`log_file`], appended to across restarts.
    pub async fn start_logging(dir: &Path, config: Value, level: &str) -> Server {
        let path = write_config(dir, config);
        // A shell that redirects stderr and then becomes the server (`exec`), so
        // that the process the test holds, kills and waits for is the server.
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(r#"RUST_LOG="$WT_TEST_LEVEL" exec "$0" "$@" 2>>"$WT_TEST_LOG""#)
            .arg(env!("CARGO_BIN_EXE_watchtower"))
            .env("WT_TEST_LEVEL", level)
            .env("WT_TEST_LOG", log_file(dir));
        Self::spawn(command, dir, &path).await
    }

    /// Everything the server logged so far (see [`Server::start_logging`]).
    pub fn log(&self) -> String {
        std::fs::read_to_string(log_file(&self.dir)).unwrap_or_default()
    }
}
