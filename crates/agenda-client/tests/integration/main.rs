//! Integration tests of agenda-client against the real sandbox on loopback, with the real
//! OS keychain. Run them inside a D-Bus session with an unlocked gnome-keyring (see the
//! crate README / the workspace test command); without one the keychain tests fail with
//! instructions.

mod api;
mod application;
mod common;
mod contract11;
mod crash;
mod hostile;
mod hostile_property;
mod keychain;
mod offline;
mod operators;
mod privacy;
mod proxy;
mod retries;
mod tokens;
