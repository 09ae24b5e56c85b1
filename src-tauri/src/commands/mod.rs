//! The app's Tauri commands, one module per area. Each command is thin: it takes owned
//! arguments and the managed state, calls one plain function and maps its error.

pub mod app;
