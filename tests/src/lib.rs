//! End-to-end harness: the real app window, driven the way a person would use it.
//!
//! [`Harness::start`] brings up, each as a child process it owns and stops on drop:
//! a private X server (Xvfb), a private D-Bus session with an unlocked gnome-keyring (so the
//! app's keychain is real), `tauri-driver` in front of WebKitWebDriver, and a WebDriver
//! session that launches the built app. Every part that cannot start is a loud error with
//! what to install: nothing is skipped.

mod desktop;
pub mod flows;
pub mod service;
mod webdriver;

pub use desktop::Desktop;
pub use webdriver::{Element, Session};

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, MutexGuard};

/// Result type of the harness: errors are sentences for the test log.
pub type Result<T> = std::result::Result<T, String>;

/// The workspace root (the folder of the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives inside the workspace")
        .to_path_buf()
}

/// The cargo target folder.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where screenshots of the end-to-end tests are saved.
pub fn artifacts_dir() -> PathBuf {
    target_dir().join("e2e-artifacts")
}

/// Builds the app once per test process (a no-op when it is up to date) and returns the
/// path of its debug binary; `CASSETTO_APP_BINARY` names another build to drive instead (the
/// benchmarks use the release build).
pub fn app_binary() -> Result<PathBuf> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if let Some(binary) = std::env::var_os("CASSETTO_APP_BINARY").map(PathBuf::from) {
                return if binary.is_file() {
                    Ok(binary)
                } else {
                    Err(format!(
                        "CASSETTO_APP_BINARY: no file at {}",
                        binary.display()
                    ))
                };
            }
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "--quiet", "-p", "cassetto-agenda"])
                .current_dir(workspace_root())
                .status()
                .map_err(|e| format!("could not run cargo to build the app: {e}"))?;
            if !status.success() {
                return Err(format!("building the app failed ({status})"));
            }
            let binary = target_dir().join("debug").join("cassetto-agenda");
            if binary.is_file() {
                Ok(binary)
            } else {
                Err(format!("the app binary is not at {}", binary.display()))
            }
        })
        .clone()
}

/// A child process that is killed (and reaped) when dropped.
#[derive(Debug)]
pub struct Guard {
    name: &'static str,
    child: Child,
    group: bool,
}

impl Guard {
    /// Wraps a spawned child.
    pub fn new(name: &'static str, child: Child) -> Self {
        Self {
            name,
            child,
            group: false,
        }
    }

    /// The child leads a process group of its own: stopping it signals the whole group
    /// (tauri-driver, WebKitWebDriver and the app it launched).
    pub fn with_group(mut self) -> Self {
        self.group = true;
        self
    }

    /// Fails if the process has already exited.
    pub fn ensure_running(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("{} exited early ({status})", self.name)),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // SIGTERM first so children like WebKitWebDriver can close their app; then kill.
        let target = if self.group {
            format!("-{}", self.child.id())
        } else {
            self.child.id().to_string()
        };
        let _ = Command::new("kill")
            .args(["--", &target])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if self.group {
            // Whatever of the group outlived its leader (WebKitWebDriver, the app) goes too.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &target])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fails with an install hint unless `program` is on PATH.
pub fn require_program(program: &str, hint: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| format!("`{program}` is not installed: {hint}"))
}

/// Returns a TCP port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Two TCP ports that were free a moment ago on 127.0.0.1, distinct (both listeners are
/// held while the second is chosen).
pub fn free_ports() -> Result<[u16; 2]> {
    let bind =
        || std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"));
    let (a, b) = (bind()?, bind()?);
    let port = |l: &std::net::TcpListener| {
        l.local_addr()
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))
    };
    Ok([port(&a)?, port(&b)?])
}

/// Polls `f` until it returns `Ok(Some(_))` or `timeout` passes.
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut f: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = f()? {
            return Ok(value);
        }
        if Instant::now() >= deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One real window at a time: the tests of a binary run in parallel threads, but two apps
/// and two WebKit processes at once only make each other slow on two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// Everything one end-to-end test needs: the private desktop, tauri-driver, and a
/// WebDriver session with the app's window open.
pub struct Harness {
    /// The WebDriver session driving the app window.
    pub session: Session,
    driver: Driver,
    extra_env: Vec<(String, String)>,
    app: PathBuf,
    /// What the app (and the drivers) wrote to stderr: its log.
    log: PathBuf,
    _echo: EchoOnPanic,
    /// The private desktop (X server, D-Bus, keyring) the app runs in.
    pub desktop: Desktop,
    _turn: MutexGuard<'static, ()>,
}

/// How many times a WebDriver session is tried, each time on a fresh tauri-driver with
/// fresh ports, before the test fails. On a fresh, loaded machine a WebKitWebDriver can be
/// slow to come up or drop the first connection; a fresh driver gets another chance.
const SESSION_ATTEMPTS: usize = 3;

/// A running `tauri-driver` (and the WebKitWebDriver it started) that answered `/status`.
struct Driver {
    guard: Guard,
    url: String,
}

impl Driver {
    /// Starts tauri-driver on two fresh ports, in a process group of its own (so stopping it
    /// also stops WebKitWebDriver and the app), and waits until the native driver behind it
    /// says it is ready.
    async fn start(desktop: &Desktop, extra_env: &[(String, String)], log: &Path) -> Result<Self> {
        let tauri_driver = require_program(
            "tauri-driver",
            "install it with `cargo install tauri-driver --locked`",
        )?;
        require_program(
            "WebKitWebDriver",
            "install it with `apt-get install webkit2gtk-driver`",
        )?;
        let [port, native_port] = free_ports()?;
        let mut command = Command::new(tauri_driver);
        command
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(append_to(log)?);
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        desktop.apply_env(&mut command);
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let mut guard = Guard::new(
            "tauri-driver",
            command
                .spawn()
                .map_err(|e| format!("could not start tauri-driver: {e}"))?,
        )
        .with_group();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last;
        loop {
            guard.ensure_running()?;
            match webdriver::status(&url).await {
                Ok(true) => return Ok(Self { guard, url }),
                Ok(false) => last = "it answered `ready: false`".into(),
                Err(e) => last = e,
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "tauri-driver on port {port} never reported ready within 30 s: {last}"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A fresh log file for this test's app in `target/e2e-artifacts/logs/`, named after the
/// test (the test thread's name).
fn log_file() -> Result<PathBuf> {
    let dir = artifacts_dir().join("logs");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let test = std::thread::current()
        .name()
        .unwrap_or("e2e")
        .replace("::", "-");
    let path = dir.join(format!("{test}-{}.log", std::process::id()));
    std::fs::write(&path, b"").map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// Prints the app's log into the test's output when the test fails (a passing test's log
/// stays in its file only).
struct EchoOnPanic(PathBuf);

impl Drop for EchoOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Ok(log) = std::fs::read(&self.0) {
                eprintln!(
                    "--- the app's log ({}) ---\n{}",
                    self.0.display(),
                    String::from_utf8_lossy(&log)
                );
            }
        }
    }
}

/// `path` opened for appending, as a child's stderr.
fn append_to(path: &Path) -> Result<Stdio> {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map(Stdio::from)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Starts drivers and sessions until one session opens, at most [`SESSION_ATTEMPTS`] times.
async fn open_session(
    desktop: &Desktop,
    extra_env: &[(String, String)],
    app: &Path,
    log: &Path,
) -> Result<(Driver, Session)> {
    let mut errors = Vec::new();
    for attempt in 1..=SESSION_ATTEMPTS {
        let error = match Driver::start(desktop, extra_env, log).await {
            Ok(driver) => match Session::create(&driver.url, app).await {
                Ok(session) => return Ok((driver, session)),
                Err(e) => e,
            },
            Err(e) => e,
        };
        eprintln!("e2e: WebDriver session attempt {attempt} failed: {error}");
        errors.push(format!("attempt {attempt}: {error}"));
    }
    Err(format!(
        "no WebDriver session after {SESSION_ATTEMPTS} attempts: {}",
        errors.join("; ")
    ))
}

impl Harness {
    /// Starts every part and opens the app. `extra_env` is passed to the app.
    pub async fn start(extra_env: &[(&str, &str)]) -> Result<Self> {
        let turn = ONE_AT_A_TIME.lock().await;
        let app = app_binary()?;
        let desktop = Desktop::start()?;
        let extra_env: Vec<(String, String)> = extra_env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let log = log_file()?;
        let (driver, session) = open_session(&desktop, &extra_env, &app, &log).await?;
        Ok(Self {
            session,
            driver,
            extra_env,
            app,
            _echo: EchoOnPanic(log.clone()),
            log,
            desktop,
            _turn: turn,
        })
    }

    /// Closes the app and starts it again on the same desktop: same data folder, same
    /// keychain — what an operator sees after quitting (or a crash) and reopening.
    pub async fn restart_app(&mut self) -> Result<()> {
        self.session.delete().await?;
        // WebKitWebDriver closes the app; give its data files a moment to be released.
        tokio::time::sleep(Duration::from_millis(500)).await;
        match Session::create(&self.driver.url, &self.app).await {
            Ok(session) => self.session = session,
            Err(e) => {
                eprintln!("e2e: reopening the app on the same driver failed ({e}); new driver");
                let (driver, session) =
                    open_session(&self.desktop, &self.extra_env, &self.app, &self.log).await?;
                self.driver = driver;
                self.session = session;
            }
        }
        Ok(())
    }

    /// Saves a screenshot of the window as `target/e2e-artifacts/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        self.session.save_screenshot(name).await
    }

    /// The app's log so far (its stderr, with the drivers').
    pub fn app_log(&self) -> Result<String> {
        std::fs::read(&self.log)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .map_err(|e| format!("{}: {e}", self.log.display()))
    }

    /// Fails if the app's log holds any of `personal` (fiscal codes, phone numbers, notes
    /// the test typed or saw), in any of the ways they are written (phone numbers also
    /// without spaces and in E.164).
    pub fn assert_log_free_of(&self, personal: &[&str]) -> Result<()> {
        let log = self.app_log()?;
        // The app's own line, not only the drivers': the file really holds the app's log.
        if !log.contains("UI ready") {
            return Err(format!(
                "the app's log is not in {}: nothing to check",
                self.log.display()
            ));
        }
        for value in personal {
            let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            let e164 = format!("+39{compact}");
            for form in [value.to_string(), compact, e164] {
                if !form.is_empty() && log.contains(&form) {
                    return Err(format!(
                        "the app's log ({}) holds personal data: {form:?}",
                        self.log.display()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Ends the WebDriver session (closing the app) and stops every part.
    pub async fn stop(self) -> Result<()> {
        let result = self.session.delete().await;
        drop(self.driver.guard);
        drop(self.desktop);
        result
    }
}
