//! `agenda-sandbox --listen 127.0.0.1:PORT --db PATH [--hold-ttl SECONDS] [--seed demo]`
//!
//! Prints `listening on http://ADDR` as the first line on stdout once the socket is bound
//! (so `--listen 127.0.0.1:0` tells the chosen port), logs to stderr, and on SIGTERM or
//! SIGINT finishes in-flight requests and exits 0.

use std::ffi::OsString;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use agenda_sandbox::{open_state, serve, Config};

const USAGE: &str = "usage: agenda-sandbox --listen 127.0.0.1:PORT --db PATH \
[--hold-ttl SECONDS] [--seed demo] [--access-token-ttl SECONDS] [--public-host NAME]...

  --listen ADDR             address to listen on (default 127.0.0.1:8787; port 0 picks a free one)
  --db PATH                 SQLite database file, created if missing (required)
  --hold-ttl SECONDS        how long a hold lasts before it expires (default 600)
  --seed demo               fill an empty database with demo data (operator demo / demo)
  --access-token-ttl SECONDS  lifetime of access tokens (default 900)
  --public-host NAME        also serve requests whose Host is NAME (repeatable; by default
                            only loopback names and addresses are served)

Logs go to stderr; set AGENDA_SANDBOX_LOG (e.g. debug) to change the level.";

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Args {
    listen: SocketAddr,
    config: Config,
    access_token_ttl: Option<Duration>,
    public_hosts: Vec<String>,
}

/// Why the command line was refused.
#[derive(Debug, PartialEq, Eq)]
enum ArgsError {
    Help,
    Invalid(String),
}

fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Args, ArgsError> {
    let mut listen: SocketAddr = ([127, 0, 0, 1], 8787).into();
    let mut db: Option<PathBuf> = None;
    let mut hold_ttl = Duration::from_secs(agenda_core::appointment::DEFAULT_HOLD_TTL_SECS);
    let mut seed_demo = false;
    let mut access_token_ttl = None;
    let mut public_hosts = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|_| ArgsError::Invalid("arguments must be UTF-8".into()))?;
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.into())),
            _ => (arg, None),
        };
        let mut value = |name: &str| -> Result<OsString, ArgsError> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| ArgsError::Invalid(format!("{name} needs a value")))
        };
        let text = |v: OsString, name: &str| {
            v.into_string()
                .map_err(|_| ArgsError::Invalid(format!("{name}: not UTF-8")))
        };
        match flag.as_str() {
            "-h" | "--help" => return Err(ArgsError::Help),
            "--listen" => {
                let v = text(value("--listen")?, "--listen")?;
                listen = v.parse().map_err(|_| {
                    ArgsError::Invalid(format!(
                        "--listen: `{v}` is not an address like 127.0.0.1:0"
                    ))
                })?;
            }
            "--db" => db = Some(PathBuf::from(value("--db")?)),
            "--public-host" => {
                let name = text(value("--public-host")?, "--public-host")?;
                let valid = !name.is_empty()
                    && name.len() <= 253
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
                if !valid {
                    return Err(ArgsError::Invalid(format!(
                        "--public-host: `{name}` is not a host name"
                    )));
                }
                public_hosts.push(name.to_ascii_lowercase());
            }
            "--hold-ttl" => {
                hold_ttl = seconds(&text(value("--hold-ttl")?, "--hold-ttl")?, "--hold-ttl")?
            }
            "--access-token-ttl" => {
                access_token_ttl = Some(seconds(
                    &text(value("--access-token-ttl")?, "--access-token-ttl")?,
                    "--access-token-ttl",
                )?)
            }
            "--seed" => match text(value("--seed")?, "--seed")?.as_str() {
                "demo" => seed_demo = true,
                other => {
                    return Err(ArgsError::Invalid(format!(
                        "--seed: unknown data set `{other}` (only `demo`)"
                    )))
                }
            },
            other => return Err(ArgsError::Invalid(format!("unknown argument `{other}`"))),
        }
    }
    let db_path = db.ok_or_else(|| ArgsError::Invalid("--db is required".into()))?;
    Ok(Args {
        listen,
        config: Config {
            db_path,
            hold_ttl,
            seed_demo,
            // Run on its own, the sandbox is somebody's service: no acknowledged commit lost.
            durable: true,
        },
        access_token_ttl,
        public_hosts,
    })
}

fn seconds(text: &str, name: &str) -> Result<Duration, ArgsError> {
    text.parse::<u64>()
        .ok()
        .filter(|s| (1..=365 * 24 * 3600).contains(s))
        .map(Duration::from_secs)
        .ok_or_else(|| {
            ArgsError::Invalid(format!("{name}: `{text}` is not a number of seconds ≥ 1"))
        })
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(ArgsError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Invalid(message)) => {
            eprintln!("agenda-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AGENDA_SANDBOX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("agenda-sandbox: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "agenda-sandbox stopped");
            eprintln!("agenda-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), agenda_sandbox::SandboxError> {
    let state = open_state(&args.config).await?;
    if let Some(ttl) = args.access_token_ttl {
        state.set_access_token_ttl(ttl);
    }
    state.set_public_hosts(args.public_hosts);
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{addr}")?;
        stdout.flush()?;
    }
    tracing::info!(%addr, hold_ttl_secs = args.config.hold_ttl.as_secs(), "serving");
    serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str], expected: Result<Args, ArgsError>) {
        let got = parse_args(args.iter().map(OsString::from));
        assert_eq!(got, expected, "args: {args:?}");
    }

    fn args(listen: &str, db: &str, hold: u64, seed: bool, access: Option<u64>) -> Args {
        Args {
            listen: listen.parse().unwrap(),
            config: Config {
                db_path: db.into(),
                hold_ttl: Duration::from_secs(hold),
                seed_demo: seed,
                durable: true,
            },
            access_token_ttl: access.map(Duration::from_secs),
            public_hosts: Vec::new(),
        }
    }

    #[test]
    fn public_hosts_are_names_and_repeatable() {
        let mut expected = args("127.0.0.1:8787", "x.db", 600, false, None);
        expected.public_hosts = vec!["agenda.lan".into(), "desk-1".into()];
        check(
            &[
                "--db",
                "x.db",
                "--public-host",
                "Agenda.LAN",
                "--public-host=desk-1",
            ],
            Ok(expected),
        );
        check(
            &["--db", "x.db", "--public-host", "evil.com/x"],
            Err(ArgsError::Invalid(
                "--public-host: `evil.com/x` is not a host name".into(),
            )),
        );
    }

    #[test]
    fn command_lines_are_parsed_as_the_contract_says() {
        check(
            &["--listen", "127.0.0.1:0", "--db", "x.db"],
            Ok(args("127.0.0.1:0", "x.db", 600, false, None)),
        );
        check(
            &[
                "--db",
                "x.db",
                "--listen",
                "127.0.0.1:9000",
                "--hold-ttl",
                "1",
                "--seed",
                "demo",
            ],
            Ok(args("127.0.0.1:9000", "x.db", 1, true, None)),
        );
        check(
            &["--db=x.db", "--hold-ttl=30", "--access-token-ttl", "5"],
            Ok(args("127.0.0.1:8787", "x.db", 30, false, Some(5))),
        );
        check(&["--help"], Err(ArgsError::Help));
        check(&[], Err(ArgsError::Invalid("--db is required".into())));
        check(
            &["--db"],
            Err(ArgsError::Invalid("--db needs a value".into())),
        );
        check(
            &["--db", "x", "--seed", "prod"],
            Err(ArgsError::Invalid(
                "--seed: unknown data set `prod` (only `demo`)".into(),
            )),
        );
        check(
            &["--db", "x", "--hold-ttl", "0"],
            Err(ArgsError::Invalid(
                "--hold-ttl: `0` is not a number of seconds ≥ 1".into(),
            )),
        );
        check(
            &["--db", "x", "--listen", "localhost"],
            Err(ArgsError::Invalid(
                "--listen: `localhost` is not an address like 127.0.0.1:0".into(),
            )),
        );
        check(
            &["--db", "x", "--verbose"],
            Err(ArgsError::Invalid("unknown argument `--verbose`".into())),
        );
    }
}
