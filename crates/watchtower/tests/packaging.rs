//! The systemd unit in `packaging/`: hardened as documented, starting with a
//! config check, and valid for `systemd-analyze verify` where systemd is installed.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn unit() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/watchtower.service");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_unit_is_hardened_and_checks_its_config_first() {
    let unit = unit();
    let lines: Vec<&str> = unit.lines().map(str::trim).collect();
    for directive in [
        "DynamicUser=yes",
        "StateDirectory=watchtower",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "MemoryDenyWriteExecute=yes",
        "ExecStartPre=/usr/local/bin/watchtower check-config",
        "ExecStart=/usr/local/bin/watchtower serve",
    ] {
        assert!(lines.contains(&directive), "{directive} is missing");
    }
}

#[test]
fn systemd_accepts_the_unit() {
    let Ok(analyze) = which("systemd-analyze") else {
        eprintln!("systemd-analyze is not installed: only the directives were checked");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let local = unit().replace(
        "/usr/local/bin/watchtower",
        env!("CARGO_BIN_EXE_watchtower"),
    );
    let path = dir.path().join("watchtower.service");
    std::fs::write(&path, local).unwrap();
    let output = Command::new(analyze)
        .args(["verify", "--man=no"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stderr.contains("watchtower.service:"),
        "{stderr}"
    );
}

fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .ok_or(())
}
