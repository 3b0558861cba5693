//! Commands for operators, beside `serve`: probing a running server and
//! taking and restoring backups.

pub mod backup;
pub mod healthcheck;
pub mod restore;
