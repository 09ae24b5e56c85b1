//! A private desktop session: Xvfb, a D-Bus session bus and an unlocked gnome-keyring.

use crate::{require_program, wait_for, Guard, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The processes of a private desktop session, stopped on drop (in reverse order).
pub struct Desktop {
    /// Started in order: Xvfb, dbus-daemon, gnome-keyring-daemon; stopped in reverse.
    processes: Vec<Guard>,
    display: String,
    bus_address: String,
    home: PathBuf,
}

impl Desktop {
    /// Starts Xvfb on a free display, a D-Bus session bus, and gnome-keyring's secret
    /// service unlocked with a throw-away password in a fresh data folder.
    pub fn start() -> Result<Self> {
        let xvfb_path = require_program("Xvfb", "install it with `apt-get install xvfb`")?;
        let dbus_path = require_program(
            "dbus-daemon",
            "install it with `apt-get install dbus dbus-x11`",
        )?;
        let keyring_path = require_program(
            "gnome-keyring-daemon",
            "install it with `apt-get install gnome-keyring`",
        )?;

        let number = (90..190)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })
            .ok_or("no free X display number between :90 and :189")?;
        let display = format!(":{number}");
        let mut xvfb = Guard::new(
            "Xvfb",
            Command::new(xvfb_path)
                .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("could not start Xvfb: {e}"))?,
        );
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        wait_for("Xvfb to open its socket", Duration::from_secs(10), || {
            xvfb.ensure_running()?;
            Ok(socket.exists().then_some(()))
        })?;

        let home =
            std::env::temp_dir().join(format!("cassetto-e2e-{}-{number}", std::process::id()));
        for sub in ["data", "config", "cache", "runtime"] {
            std::fs::create_dir_all(home.join(sub))
                .map_err(|e| format!("could not create {}: {e}", home.display()))?;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(
                home.join("runtime"),
                std::fs::Permissions::from_mode(0o700),
            );
        }

        let mut dbus_child = Command::new(dbus_path)
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            // Services it activates (portals, accessibility) inherit this; they only chatter.
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start dbus-daemon: {e}"))?;
        let stdout = dbus_child
            .stdout
            .take()
            .ok_or("dbus-daemon has no stdout")?;
        let dbus = Guard::new("dbus-daemon", dbus_child);
        let mut bus_address = String::new();
        BufReader::new(stdout)
            .read_line(&mut bus_address)
            .map_err(|e| format!("could not read the D-Bus address: {e}"))?;
        let bus_address = bus_address.trim().to_owned();
        if bus_address.is_empty() {
            return Err("dbus-daemon printed no address".into());
        }

        let mut keyring_child = Command::new(keyring_path)
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", home.join("runtime"))
            .env("DISPLAY", &display)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start gnome-keyring-daemon: {e}"))?;
        if let Some(mut stdin) = keyring_child.stdin.take() {
            stdin
                .write_all(b"e2e-keyring-pass")
                .map_err(|e| format!("could not unlock the keyring: {e}"))?;
        }
        let mut keyring = Guard::new("gnome-keyring-daemon", keyring_child);
        let desktop_env = |command: &mut Command| {
            command
                .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
                .env("DISPLAY", &display);
        };
        wait_for(
            "the secret service on the private bus",
            Duration::from_secs(10),
            || {
                keyring.ensure_running()?;
                let mut probe = Command::new("dbus-send");
                desktop_env(&mut probe);
                let owned = probe
                    .args([
                        "--session",
                        "--print-reply",
                        "--dest=org.freedesktop.DBus",
                        "/org/freedesktop/DBus",
                        "org.freedesktop.DBus.NameHasOwner",
                        "string:org.freedesktop.secrets",
                    ])
                    .output()
                    .map_err(|e| format!("could not run dbus-send: {e}"))?;
                Ok(String::from_utf8_lossy(&owned.stdout)
                    .contains("boolean true")
                    .then_some(()))
            },
        )?;

        Ok(Self {
            processes: vec![xvfb, dbus, keyring],
            display,
            bus_address,
            home,
        })
    }

    /// Points `command` at this desktop: display, session bus, and private XDG folders.
    pub fn apply_env(&self, command: &mut Command) {
        command
            .env("DISPLAY", &self.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_CACHE_HOME", self.home.join("cache"))
            .env("XDG_RUNTIME_DIR", self.home.join("runtime"))
            .env("NO_AT_BRIDGE", "1")
            .env_remove("WAYLAND_DISPLAY");
    }

    /// The X display, e.g. `:90`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The private XDG data folder (the app's data lives below it).
    pub fn data_home(&self) -> PathBuf {
        self.home.join("data")
    }

    /// The private XDG cache folder (the receipts opened for printing live below it).
    pub fn cache_home(&self) -> PathBuf {
        self.home.join("cache")
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        while let Some(process) = self.processes.pop() {
            drop(process);
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}
