//! The data directory's lock. A server holds it for as long as its store is
//! open, and `watchtower restore` for as long as it replaces the database, so
//! that two servers, or a server and a restore, never share the files.
//!
//! It is an advisory `flock` on `watchtower.lock` in the data directory: the
//! kernel drops it when its holder ends, however it ends (`kill -9` included),
//! so a lock file left behind never blocks anything. The file holds the pid of
//! its last holder, for the message that names who is in the way.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "watchtower.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock: a running server, or a restore.
    #[error(
        "data directory {} is in use by another watchtower process{}: a server or a restore \
         holds {}, and only one may use the directory at a time",
        dir.display(),
        holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default(),
        dir.join(LOCK_FILE).display()
    )]
    InUse { dir: PathBuf, holder: Option<u32> },
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct DirLock {
    // Never read: holding the open file is what holds the lock.
    _file: File,
}

impl DirLock {
    /// Takes the lock of `data_dir` (which must exist) without waiting.
    pub fn acquire(data_dir: &Path) -> Result<Self, LockError> {
        let path = data_dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let (mut file, writable) = match options.open(&path) {
            Ok(file) => (file, true),
            // Another user's file (a restore run as root made it): a lock needs
            // only reading; the pid goes unrecorded.
            Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
                (File::open(&path).map_err(io)?, false)
            }
            Err(error) => return Err(io(error)),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::InUse {
                    dir: data_dir.to_owned(),
                    holder: read_pid(&mut file),
                });
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        // The file is never removed: a process that opened it just before the
        // removal would lock a file nobody else sees, beside one who locks a new one.
        if writable {
            file.set_len(0).map_err(io)?;
            file.write_all(format!("{}\n", std::process::id()).as_bytes())
                .map_err(io)?;
        }
        Ok(Self { _file: file })
    }
}

/// The pid the holder wrote, if it has written it yet.
fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(dir.path()).unwrap();
        match DirLock::acquire(dir.path()) {
            Err(LockError::InUse { dir: named, holder }) => {
                assert_eq!(named, dir.path());
                assert_eq!(holder, Some(std::process::id()));
            }
            other => panic!("expected InUse, got {other:?}"),
        }
        drop(first);
        DirLock::acquire(dir.path()).unwrap();
    }
}
