//! The image's command lines, run here with the binary under test in place of
//! the image's: the server that ENTRYPOINT + CMD start, and the HEALTHCHECK.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::{Value, json};

use super::dockerfile::{Image, image};
use super::{read, repo, support};

/// A process killed when dropped, so that a failed assertion leaves no server behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Each file of `dir` with its contents, in order.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| (path.clone(), read(&path)))
        .collect()
}

/// Replaces every string that is a path under /config or /data.
fn remap_paths(value: &mut Value, remap: &impl Fn(&str) -> String) {
    match value {
        Value::String(text) => *text = remap(text),
        Value::Array(items) => items.iter_mut().for_each(|v| remap_paths(v, remap)),
        Value::Object(map) => map.values_mut().for_each(|v| remap_paths(v, remap)),
        _ => {}
    }
}

/// The image's ENTRYPOINT + CMD and its HEALTHCHECK, run as the container would
/// run them, but here: the binary under test stands for `watchtower`; tini, the
/// container's PID 1, is left out (here the test is the parent that reaps); the
/// environment is only the image's ENV and the directory its WORKDIR; /config is
/// a copy of docker/config (what the run scripts mount) and /data an empty
/// directory (a new volume). In the copy of config.json only paths change, and
/// `listen`: 0.0.0.0:8080 becomes port 0 on loopback, since 8080 may be taken and
/// nothing in the tests listens beyond loopback; once the server has said which
/// port it got, the config names that port, for the HEALTHCHECK to find it.
#[tokio::test]
async fn image_entrypoint_serves_and_its_healthcheck_follows_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let container = Container::mount(dir.path());
    let mut config = container.config_on_any_loopback_port();
    let config_before = snapshot(&container.config_dir);

    let (mut server, printed) = container.start();
    let (url, port) = listening_on(&printed);
    // `watchtower healthcheck` reads the port from the same config, and port 0
    // names none: from now on the config names the port, as an operator's would.
    assert_eq!(
        snapshot(&container.config_dir),
        config_before,
        "/config is mounted read-only"
    );
    config["listen"] = json!(format!("127.0.0.1:{port}"));
    container.write_config(&config);
    let config_before = snapshot(&container.config_dir);
    the_printed_password_is_kept_and_opens_the_api(&container, &printed, &url).await;

    let ready = support::wait_for("the HEALTHCHECK command to pass", async || {
        Some(container.healthcheck()).filter(|output| output.status.success())
    })
    .await;
    let said = String::from_utf8_lossy(&ready.stdout);
    assert_eq!(said.trim(), format!("{url}/readyz: ready"));

    // `docker stop`: SIGTERM, a clean exit; then the HEALTHCHECK fails.
    assert!(
        support::terminate(&mut server.0).success(),
        "{}",
        read(&container.log)
    );
    let down = container.healthcheck();
    assert_eq!(down.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&down.stderr).lines().count(), 1);
    assert_eq!(
        snapshot(&container.config_dir),
        config_before,
        "/config is mounted read-only"
    );

    // A new container on the same volume (an upgrade) keeps the password. Port 0
    // again: the port the first one had is no longer the test's.
    config["listen"] = json!("127.0.0.1:0");
    container.write_config(&config);
    let (_server, printed) = container.start();
    let kept = "API password: as kept in the `password` file in the data directory";
    assert!(printed.iter().any(|line| line == kept), "{printed:?}");
}

/// The image and its mounts, here: /config and /data are directories of the
/// test's, and the server's standard error goes to a log file.
struct Container {
    image: Image,
    config_dir: PathBuf,
    data_dir: PathBuf,
    log: PathBuf,
}

impl Container {
    /// Mounts a copy of docker/config as /config and an empty /data, in `dir`.
    fn mount(dir: &Path) -> Container {
        let (config_dir, data_dir) = (dir.join("config"), dir.join("data"));
        std::fs::create_dir(&config_dir).unwrap();
        std::fs::create_dir(&data_dir).unwrap();
        for entry in std::fs::read_dir(repo().join("docker/config")).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, config_dir.join(path.file_name().unwrap())).unwrap();
            }
        }
        Container {
            image: image(),
            config_dir,
            data_dir,
            log: dir.join("server.log"),
        }
    }

    /// The config file the image's ENV names, here.
    fn config_file(&self) -> PathBuf {
        PathBuf::from(self.remap(self.image.env("WATCHTOWER_CONFIG")))
    }

    /// A path under /config or /data as the mounts' directories here; any other
    /// text as it is.
    fn remap(&self, text: &str) -> String {
        for (from, to) in [("/config", &self.config_dir), ("/data", &self.data_dir)] {
            if let Some(rest) = text
                .strip_prefix(from)
                .filter(|r| r.is_empty() || r.starts_with('/'))
            {
                return format!("{}{rest}", to.display());
            }
        }
        text.to_owned()
    }

    /// The mounted config.json with its paths remapped and `listen` on port 0 of
    /// loopback in place of the port the image exposes, written back; answers it.
    fn config_on_any_loopback_port(&self) -> Value {
        let mut config: Value = serde_json::from_str(&read(&self.config_file())).unwrap();
        assert_eq!(
            config["listen"], "0.0.0.0:8080",
            "the port the image exposes"
        );
        config["listen"] = json!("127.0.0.1:0");
        remap_paths(&mut config, &|text| self.remap(text));
        self.write_config(&config);
        config
    }

    fn write_config(&self, config: &Value) {
        support::write_file(&self.config_file(), &config.to_string());
    }

    /// `argv` (after tini) as the container runs it: only the image's ENV, in its WORKDIR.
    fn command(&self, argv: &[String]) -> Command {
        let argv = match argv {
            [tini, separator, rest @ ..] if tini.ends_with("/tini") && separator == "--" => rest,
            _ => argv,
        };
        assert_eq!(argv[0], "watchtower", "{argv:?}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_watchtower"));
        command
            .args(&argv[1..])
            .env_clear()
            .current_dir(self.remap(&self.image.workdir));
        let env = self.image.env.iter();
        command.envs(env.map(|(key, value)| (key, self.remap(value))));
        command
    }

    /// Starts ENTRYPOINT + CMD; answers the server and what it printed up to the
    /// line that says where it listens.
    fn start(&self) -> (Running, Vec<String>) {
        let mut child = self
            .command(&self.image.command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&self.log).unwrap())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("the server exited: {}", read(&self.log)));
            printed.push(line.unwrap());
            if printed
                .last()
                .unwrap()
                .starts_with("watchtower listening on ")
            {
                break;
            }
        }
        std::thread::spawn(move || lines.for_each(drop));
        (Running(child), printed)
    }

    fn healthcheck(&self) -> Output {
        self.command(&self.image.healthcheck)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

/// The URL and the port of the server's last printed line, `watchtower listening on …`.
fn listening_on(printed: &[String]) -> (String, u16) {
    let url = printed
        .last()
        .unwrap()
        .strip_prefix("watchtower listening on ")
        .unwrap()
        .to_owned();
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|port| port.parse().ok())
        .filter(|port| *port != 0)
        .unwrap_or_else(|| panic!("watchtower listening on {url}"));
    (url, port)
}

/// The API password the first start generated and printed is the one kept in
/// /data, and the API takes it.
async fn the_printed_password_is_kept_and_opens_the_api(
    container: &Container,
    printed: &[String],
    url: &str,
) {
    let generated = printed.iter().find_map(|line| {
        let rest = line.strip_prefix("Generated the API password ")?;
        Some(rest.rsplit_once(": ")?.1.to_owned())
    });
    let password = generated.unwrap_or_else(|| panic!("no generated password: {printed:?}"));
    assert_eq!(read(&container.data_dir.join("password")).trim(), password);
    let http = reqwest::Client::new();
    let healthz = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(healthz.status(), 200);
    let services = http
        .get(format!("{url}/"))
        .header("password", &password)
        .send()
        .await
        .unwrap();
    assert_eq!(services.status(), 200, "the printed password is the API's");
}
