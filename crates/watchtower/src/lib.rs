//! Watchtower: heartbeat monitoring (a dead man's switch) and event aggregation.
//!
//! The binary in `main.rs` is a thin shell over [`app::App`]; tests drive the same
//! `App` through the real binary over HTTP.

pub mod alert;
pub mod app;
pub mod auth;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod errors;
pub mod events;
pub mod field;
pub mod http;
pub mod metrics;
pub mod monitor;
pub mod ops;
pub mod store;
pub mod syslog;
pub mod time;
pub mod usecase;
pub mod workers;
