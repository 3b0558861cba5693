//! `watchtower backup FILE`: a copy of the SQLite database as it was at one
//! moment, taken while the server runs, written beside FILE and renamed over it
//! only once it is checked and on disk. PostgreSQL has its own tools: the command
//! says which.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};

use crate::config::{Config, StorageConfig};
use crate::store::sqlite::DATABASE_FILE;
use crate::store::sqlite::backup::{self as sqlite, Contents};

/// What `watchtower backup` answers when the storage is PostgreSQL.
const PG_DUMP: &str = "storage.backend is postgres, which `watchtower backup` does not copy: \
     `pg_dump --format=custom --file=FILE <storage.url>` takes a consistent dump while the servers run";

/// How hard the copy may compete with the server for the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// SCHED_IDLE: only the CPU time nothing else wants. On a busy server the
    /// copy takes longer, and the writes beside it keep their pace.
    Idle,
    Normal,
}

/// Writes a checked copy of the configured database to `out`, replacing it if
/// it exists; answers what was written.
pub fn backup(config: &Config, out: &Path, priority: Priority) -> anyhow::Result<String> {
    if let StorageConfig::Postgres(_) = config.storage {
        bail!(PG_DUMP);
    }
    let database = config.data_dir.join(DATABASE_FILE);
    ensure!(
        database.is_file(),
        "no database at {} (dataDir is {}; has a server run with this config?)",
        database.display(),
        config.data_dir.display()
    );
    let dir = parent_of(out);
    ensure!(
        dir.is_dir(),
        "cannot write {}: there is no directory {}",
        out.display(),
        dir.display()
    );
    ensure!(
        !out.is_dir(),
        "{} is a directory: name the backup file",
        out.display()
    );
    ensure!(
        !same_file(out, &database),
        "{} is the database itself: name another file",
        out.display()
    );
    if priority == Priority::Idle
        && let Err(error) = sqlite::yield_cpu()
    {
        tracing::warn!(
            ?error,
            "cannot lower the backup's CPU priority; copying at normal priority"
        );
    }
    let scratch = Scratch::create(sqlite::sidecar(
        out,
        &format!(".{}.tmp", std::process::id()),
    ))?;
    sqlite::snapshot(&database, scratch.path())
        .with_context(|| format!("cannot copy {}", database.display()))?;
    let contents = sqlite::inspect(scratch.path())
        .with_context(|| format!("the copy of {} fails its check", database.display()))?;
    let size = scratch.sync()?;
    let replace = || -> std::io::Result<()> {
        sqlite::remove_sidecars(out)?;
        std::fs::rename(scratch.path(), out)
    };
    replace().with_context(|| format!("cannot replace {}", out.display()))?;
    scratch.release();
    sqlite::sync_dir(dir).with_context(|| format!("cannot sync {}", dir.display()))?;
    Ok(format!(
        "backed up {} to {}: {}, {}",
        database.display(),
        out.display(),
        describe(&contents),
        human_size(size)
    ))
}

/// The directory `path` is in (`.` for a bare file name).
pub(super) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A file being written, removed (with whatever SQLite left beside it) unless
/// it is released to its final name.
pub(super) struct Scratch {
    path: PathBuf,
    released: bool,
}

impl Scratch {
    /// Creates `path` afresh, readable and writable by its owner only: like the
    /// database it copies, it holds every event.
    pub(super) fn create(path: PathBuf) -> anyhow::Result<Self> {
        let create = || -> std::io::Result<File> {
            // What a run that crashed may have left.
            sqlite::remove_with_sidecars(&path)?;
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&path)
        };
        create().with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self {
            path,
            released: false,
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file to disk; answers its size.
    pub(super) fn sync(&self) -> anyhow::Result<u64> {
        let sync = || -> std::io::Result<u64> {
            let file = File::open(&self.path)?;
            file.sync_all()?;
            Ok(file.metadata()?.len())
        };
        sync().with_context(|| format!("cannot sync {}", self.path.display()))
    }

    /// Leaves the file alone from now on: it has been renamed, or is about to be.
    pub(super) fn release(mut self) -> PathBuf {
        self.released = true;
        std::mem::take(&mut self.path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.released
            && let Err(error) = sqlite::remove_with_sidecars(&self.path)
        {
            tracing::warn!(path = %self.path.display(), %error, "cannot remove a partial file");
        }
    }
}

/// `3 services, 1,234 events`.
pub(super) fn describe(contents: &Contents) -> String {
    let count = |n: u64, one: &str, many: &str| {
        format!("{} {}", thousands(n), if n == 1 { one } else { many })
    };
    format!(
        "{}, {}",
        count(contents.services, "service", "services"),
        count(contents.events, "event", "events")
    )
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// A size in decimal units, as `ls -lh --si` and `df -H` give it: `8.1 MB`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_sizes_read_as_people_write_them() {
        let cases = [(0, "0"), (999, "999"), (1000, "1,000"), (34_567, "34,567")];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
        assert_eq!(thousands(1_234_567), "1,234,567");
        let sizes = [
            (512, "512 bytes"),
            (8_100_000, "8.1 MB"),
            (999_960, "1.0 MB"),
            (4_096, "4.1 kB"),
            (2_500_000_000, "2.5 GB"),
        ];
        for (bytes, text) in sizes {
            assert_eq!(human_size(bytes), text);
        }
        let one = Contents {
            version: 1,
            services: 1,
            events: 1,
        };
        assert_eq!(describe(&one), "1 service, 1 event");
    }

    #[test]
    fn a_bare_file_name_is_in_the_current_directory() {
        assert_eq!(parent_of(Path::new("nightly.db")), Path::new("."));
        assert_eq!(parent_of(Path::new("/b/nightly.db")), Path::new("/b"));
    }
}
