//! docker/tools, run against a fake `docker` that records its arguments: the
//! options each script passes, the environment overrides, any working directory.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::repo;

/// The variables the scripts take; cleared so that the caller's cannot leak in.
const OVERRIDES: [&str; 5] = [
    "WATCHTOWER_IMAGE",
    "WATCHTOWER_PORT",
    "WATCHTOWER_DATA",
    "WATCHTOWER_CONFIG_DIR",
    "WATCHTOWER_NAME",
];
const END_OF_CALL: &str = "-- end of call --";

/// A directory holding a `docker` that appends the arguments of each call to
/// `$FAKE_DOCKER_LOG`, one a line, then [`END_OF_CALL`].
struct FakeDocker(tempfile::TempDir);

/// What a script printed, and the arguments of each docker call it made.
struct Ran {
    output: Output,
    calls: Vec<Vec<String>>,
}

impl FakeDocker {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let script = format!(
            "#!/bin/sh\nfor arg in \"$@\"; do printf '%s\\n' \"$arg\"; done >> \"$FAKE_DOCKER_LOG\"\n\
             echo '{END_OF_CALL}' >> \"$FAKE_DOCKER_LOG\"\n"
        );
        // Written by a child: written from here, the file could still be open in a
        // child that another test's thread forks meanwhile, and running it would
        // fail with "text file busy".
        let status = Command::new("sh")
            .args(["-c", r#"printf '%s' "$1" > "$2" && chmod 755 "$2""#, "sh"])
            .arg(&script)
            .arg(dir.path().join("docker"))
            .status()
            .unwrap();
        assert!(status.success());
        Self(dir)
    }

    /// Runs `docker/tools/<script> args` in `cwd`, with the fake first on PATH.
    fn run(&self, script: &str, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Ran {
        let log = self.0.path().join("calls");
        let _ = std::fs::remove_file(&log);
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::iter::once(self.0.path().to_owned()).chain(std::env::split_paths(&path));
        let mut command = Command::new(repo().join("docker/tools").join(script));
        for name in OVERRIDES {
            command.env_remove(name);
        }
        let output = command
            .args(args)
            .current_dir(cwd)
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("FAKE_DOCKER_LOG", &log)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let mut calls = vec![Vec::new()];
        for line in std::fs::read_to_string(&log).unwrap_or_default().lines() {
            match line {
                END_OF_CALL => calls.push(Vec::new()),
                arg => calls.last_mut().unwrap().push(arg.to_owned()),
            }
        }
        calls.pop();
        Ran { output, calls }
    }
}

impl Ran {
    /// The arguments of the one docker call a successful script made.
    fn call(&self) -> &[String] {
        let stderr = String::from_utf8_lossy(&self.output.stderr);
        assert!(self.output.status.success(), "{stderr}");
        assert_eq!(self.calls.len(), 1, "{:?}", self.calls);
        &self.calls[0]
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

/// The values that follow each occurrence of `flag`.
fn values<'a>(args: &'a [String], flag: &str) -> Vec<&'a str> {
    args.windows(2)
        .filter(|pair| pair[0] == flag)
        .map(|pair| pair[1].as_str())
        .collect()
}

/// What both run scripts pass: the port, the two mounts, the hardening, the image last.
fn assert_runs(args: &[String], port: &str, config_dir: &Path, data_mount: &str, image: &str) {
    assert_eq!(args[0], "run");
    assert_eq!(values(args, "-p"), [format!("{port}:8080")]);
    let config_mount = format!(
        "type=bind,src={},dst=/config,readonly",
        config_dir.display()
    );
    assert_eq!(values(args, "--mount"), [config_mount.as_str(), data_mount]);
    assert!(args.iter().any(|arg| arg == "--read-only"), "{args:?}");
    assert_eq!(values(args, "--cap-drop"), ["ALL"]);
    assert_eq!(values(args, "--security-opt"), ["no-new-privileges:true"]);
    assert_eq!(args.last().unwrap(), image);
}

#[test]
fn build_script_builds_docker_dockerfile_from_the_repository_root_wherever_it_is_called() {
    let (docker, elsewhere, root) = (FakeDocker::new(), tempfile::tempdir().unwrap(), repo());
    let build = |tag: &str, extra: &[&str]| {
        let dockerfile = root.join("docker/Dockerfile");
        let mut args = vec!["build", "-f", dockerfile.to_str().unwrap(), "-t", tag];
        args.extend(extra);
        args.push(root.to_str().unwrap());
        args.iter().map(ToString::to_string).collect::<Vec<_>>()
    };
    let ran = docker.run("dockerBuild", elsewhere.path(), &[], &[]);
    assert_eq!(ran.call(), build("watchtower:latest", &[]));
    let ran = docker.run("dockerBuild", elsewhere.path(), &["wt:1.2", "--pull"], &[]);
    assert_eq!(ran.call(), build("wt:1.2", &["--pull"]));
    let env = [("WATCHTOWER_IMAGE", "localhost:5000/watchtower:dev")];
    let ran = docker.run("dockerBuild", elsewhere.path(), &[], &env);
    assert_eq!(ran.call(), build("localhost:5000/watchtower:dev", &[]));
}

#[test]
fn run_script_runs_interactively_with_the_config_read_only_and_a_data_volume() {
    let (docker, elsewhere, root) = (FakeDocker::new(), tempfile::tempdir().unwrap(), repo());
    let ran = docker.run("dockerRun", elsewhere.path(), &[], &[]);
    let args = ran.call();
    assert_eq!(args[1..3], ["-it", "--rm"]);
    assert!(!args.iter().any(|arg| arg == "-d"));
    let volume = "type=volume,src=watchtower-data,dst=/data";
    let config_dir = root.join("docker/config");
    assert_runs(args, "8080", &config_dir, volume, "watchtower:latest");
}

#[test]
fn run_script_takes_its_image_port_data_and_config_from_the_environment() {
    let (docker, cwd) = (FakeDocker::new(), tempfile::tempdir().unwrap());
    let cwd = cwd.path().canonicalize().unwrap();
    let config_dir = cwd.join("my-config");
    std::fs::create_dir(&config_dir).unwrap();
    let env = [
        ("WATCHTOWER_IMAGE", "localhost:5000/watchtower:dev"),
        ("WATCHTOWER_PORT", "127.0.0.1:18080"),
        // A path, relative to where the script is called: a host directory, made for it.
        ("WATCHTOWER_DATA", "./state"),
        ("WATCHTOWER_CONFIG_DIR", "my-config"),
    ];
    let ran = docker.run("dockerRun", &cwd, &["-e", "RUST_LOG=debug"], &env);
    let args = ran.call();
    let data = cwd.join("state");
    let bind = format!("type=bind,src={},dst=/data", data.display());
    assert_runs(args, "127.0.0.1:18080", &config_dir, &bind, env[0].1);
    // Extra arguments go to `docker run`, before the image.
    assert_eq!(
        args[args.len() - 3..args.len() - 1],
        ["-e", "RUST_LOG=debug"]
    );
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata(&data).unwrap().uid() != 10001 {
        assert!(
            ran.stderr().contains("chown 10001:10001"),
            "{}",
            ran.stderr()
        );
    }
}

#[test]
fn detached_script_starts_a_named_container_that_restarts_and_says_where_the_password_is() {
    let (docker, elsewhere, root) = (FakeDocker::new(), tempfile::tempdir().unwrap(), repo());
    let config_dir = root.join("docker/config");
    let ran = docker.run("dockerRunDetached", elsewhere.path(), &[], &[]);
    let args = ran.call();
    assert_eq!(args[1], "-d");
    assert!(!args.iter().any(|arg| arg == "-it" || arg == "--rm"));
    assert_eq!(values(args, "--restart"), ["unless-stopped"]);
    assert_eq!(values(args, "--name"), ["watchtower"]);
    let volume = "type=volume,src=watchtower-data,dst=/data";
    assert_runs(args, "8080", &config_dir, volume, "watchtower:latest");
    assert!(
        ran.stdout().contains("docker logs -f watchtower"),
        "{}",
        ran.stdout()
    );
    assert!(ran.stdout().contains("/data/password"), "{}", ran.stdout());

    let env = [
        ("WATCHTOWER_NAME", "wt-test"),
        ("WATCHTOWER_DATA", "wt-test-data"),
    ];
    let ran = docker.run("dockerRunDetached", elsewhere.path(), &[], &env);
    let args = ran.call();
    assert_eq!(values(args, "--name"), ["wt-test"]);
    let volume = "type=volume,src=wt-test-data,dst=/data";
    assert_runs(args, "8080", &config_dir, volume, "watchtower:latest");
}

#[test]
fn scripts_explain_themselves_and_refuse_a_missing_config_dir_without_calling_docker() {
    let (docker, elsewhere) = (FakeDocker::new(), tempfile::tempdir().unwrap());
    for script in ["dockerBuild", "dockerRun", "dockerRunDetached"] {
        let ran = docker.run(script, elsewhere.path(), &["--help"], &[]);
        assert!(ran.output.status.success(), "{script}: {}", ran.stderr());
        assert!(
            ran.stdout().contains("WATCHTOWER_IMAGE"),
            "{script}: {}",
            ran.stdout()
        );
        assert!(ran.calls.is_empty(), "{script}");
    }
    for script in ["dockerRun", "dockerRunDetached"] {
        let env = [("WATCHTOWER_CONFIG_DIR", "/nonexistent/config")];
        let ran = docker.run(script, elsewhere.path(), &[], &env);
        assert!(!ran.output.status.success(), "{script}");
        assert!(
            ran.stderr().contains("WATCHTOWER_CONFIG_DIR"),
            "{}",
            ran.stderr()
        );
        assert!(ran.calls.is_empty(), "{script}");
    }
}

#[test]
fn shellcheck_finds_nothing_in_the_scripts() {
    let output = Command::new("shellcheck")
        .arg("-x") // follows `source common.bash`
        .args([
            "dockerBuild",
            "dockerRun",
            "dockerRunDetached",
            "dockerLocalBases",
            "common.bash",
            "../../scripts/container-test",
        ])
        .current_dir(repo().join("docker/tools"))
        .output()
        .expect("shellcheck is required (scripts/test installs Debian's shellcheck)");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{report}");
}
