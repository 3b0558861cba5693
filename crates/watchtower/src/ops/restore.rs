//! `watchtower restore FILE`: puts a backup in the SQLite database's place while
//! the server is stopped. The file is checked first (a whole Watchtower database
//! of a schema version this build can open), the data directory's lock keeps a
//! server from starting meanwhile, and the database it replaces is kept.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail, ensure};

use super::backup::{Scratch, describe};
use crate::config::{Config, StorageConfig};
use crate::store::sqlite::backup::{self as sqlite, Contents};
use crate::store::sqlite::{DATABASE_FILE, DirLock, LOCK_FILE, LockError};

/// What `watchtower restore` answers when the storage is PostgreSQL.
const PG_RESTORE: &str = "storage.backend is postgres, which `watchtower restore` does not replace: \
     stop every node, then run `pg_restore --clean --if-exists --no-owner --dbname=<storage.url> FILE`";

/// Where the restored file is put together and checked: in the data directory,
/// so that it takes the database's place in one rename.
const RESTORING: &str = "watchtower.db.restoring";

/// Replaces the configured database with the backup `input`; answers what was
/// restored and where the database it replaced is kept.
pub fn restore(config: &Config, input: &Path) -> anyhow::Result<String> {
    if let StorageConfig::Postgres(_) = config.storage {
        bail!(PG_RESTORE);
    }
    // A first look before anything in the data directory is touched.
    sqlite::check_header(input).map_err(|unfit| refused(input, unfit))?;
    let data_dir = &config.data_dir;
    crate::app::create_private_dir(data_dir)
        .with_context(|| format!("dataDir: cannot create {}", data_dir.display()))?;
    // Held until the new database is in place: no server starts on half of it.
    let _lock = lock(data_dir)?;
    let scratch = Scratch::create(data_dir.join(RESTORING))?;
    let (contents, log) = assemble(input, &scratch)?;
    scratch.sync()?;
    give_to_owner_of(data_dir, scratch.path());
    give_to_owner_of(data_dir, &data_dir.join(LOCK_FILE));
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let kept = sqlite::replace(data_dir, &scratch.release(), &stamp)
        .with_context(|| format!("cannot put {} in place", input.display()))?;

    let latest = sqlite::latest_version();
    let upgrade = match contents.version < latest {
        true => format!(", upgraded to v{latest} when the server starts"),
        false => String::new(),
    };
    let before = match kept {
        Some(aside) => format!("the database it replaced is kept as {}", aside.display()),
        None => "there was no database before".to_owned(),
    };
    let log = log
        .map(|log| format!(" with its log {}", log.display()))
        .unwrap_or_default();
    Ok(format!(
        "restored {}{log} to {}: {} (schema v{}{upgrade}); {before}",
        input.display(),
        data_dir.join(DATABASE_FILE).display(),
        describe(&contents),
        contents.version,
    ))
}

fn refused(input: &Path, unfit: sqlite::Unfit) -> anyhow::Error {
    anyhow!(unfit).context(format!("cannot restore {}", input.display()))
}

/// Takes the data directory's lock, or says that the server must be stopped.
fn lock(data_dir: &Path) -> anyhow::Result<DirLock> {
    DirLock::acquire(data_dir).map_err(|error| match error {
        LockError::InUse { dir, holder } => anyhow!(
            "a server is running on {}{} (it holds {}): stop it first; nothing was changed",
            dir.display(),
            holder
                .map(|pid| format!(" as pid {pid}"))
                .unwrap_or_default(),
            dir.join(LOCK_FILE).display()
        ),
        other => other.into(),
    })
}

/// Copies `input` into `scratch` and checks the copy; answers what it holds,
/// and the log that came with it, if one did.
fn assemble(input: &Path, scratch: &Scratch) -> anyhow::Result<(Contents, Option<PathBuf>)> {
    copy(input, scratch.path())?;
    // A copy of a database that was open (not one that `watchtower backup`
    // wrote) may keep recent transactions in its log: they come along, as
    // SQLite would take them opening the pair.
    let log = sqlite::sidecar(input, "-wal");
    let with_log = log.metadata().is_ok_and(|meta| meta.len() > 0);
    if with_log {
        copy(&log, &sqlite::sidecar(scratch.path(), "-wal"))?;
        ensure!(
            sqlite::fold_log(scratch.path()),
            "cannot restore {}: its log {} cannot be applied",
            input.display(),
            log.display()
        );
    }
    let contents = sqlite::inspect(scratch.path()).map_err(|unfit| refused(input, unfit))?;
    // Only the file is moved into place: nothing may be left in a log beside it.
    ensure!(
        !sqlite::sidecar(scratch.path(), "-wal").exists(),
        "cannot restore {}: SQLite left a log beside its copy",
        input.display()
    );
    Ok((contents, with_log.then_some(log)))
}

/// Copies `from` into `to`, which is left readable by its owner only (unlike
/// `std::fs::copy`, which gives it the permissions of `from`).
fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    let mut source = File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let copied = options
        .open(to)
        .and_then(|mut target| std::io::copy(&mut source, &mut target));
    copied.with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// Gives `file` the owner of `dir`: run as root (by cron, by sudo), a restore
/// must not leave the server a database it cannot write. SQLite does the same
/// for the files it keeps beside a database.
fn give_to_owner_of(dir: &Path, file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (Ok(owner), Ok(now)) = (std::fs::metadata(dir), std::fs::metadata(file)) else {
            return;
        };
        if (owner.uid(), owner.gid()) == (now.uid(), now.gid()) {
            return;
        }
        if let Err(error) = std::os::unix::fs::chown(file, Some(owner.uid()), Some(owner.gid())) {
            tracing::warn!(file = %file.display(), %error, "cannot give the file to the owner of its directory");
        }
    }
}
