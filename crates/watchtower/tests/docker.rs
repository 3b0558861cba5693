//! The Docker image and its scripts, tested without a Docker engine: the scripts
//! in docker/tools run against a fake `docker` that records its arguments;
//! docker/Dockerfile is read for the properties the image must have and linted
//! by hadolint, the scripts by shellcheck (`scripts/test` installs both); and the
//! image's own command lines (ENTRYPOINT + CMD, HEALTHCHECK) run here, with the
//! binary under test in place of the image's. The parts live in tests/docker/.
#![allow(clippy::unwrap_used)]

mod support;

#[path = "docker/dockerfile.rs"]
mod dockerfile;
#[path = "docker/entrypoint.rs"]
mod entrypoint;
#[path = "docker/scripts.rs"]
mod scripts;

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
