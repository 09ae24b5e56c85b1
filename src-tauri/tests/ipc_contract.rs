//! The IPC contract is written in six places; this test proves they agree, so a command
//! added, renamed or given a new argument in one of them and not the others fails here:
//!
//! - the `#[tauri::command]` signatures in `src/commands/*.rs` (names and arguments),
//! - `generate_handler!` in `src/lib.rs` (what the app registers),
//! - `COMMANDS` in `build.rs` (what the permission manifest declares),
//! - `capabilities/main.json` (what the window may call),
//! - the `COMMANDS` table of `ui/js/api.js` (what the UI sends),
//! - the table of `docs/ipc.md` (what a reader is told).
//!
//! Arguments are compared by their camelCase name (Tauri's mapping of a snake_case
//! parameter) and whether they are optional (`Option<…>` in Rust, `?` elsewhere).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A command's arguments: camelCase name, then `?` when optional.
type Signatures = BTreeMap<String, Vec<String>>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits `text` on commas outside `<…>`, `(…)` and `[…]`.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Parameters Tauri fills in itself rather than from the UI's arguments.
fn injected(ty: &str) -> bool {
    ["State<", "AppHandle", "Window", "WebviewWindow", "tauri::"]
        .iter()
        .any(|prefix| ty.starts_with(prefix))
}

/// Every `#[tauri::command]` in `src/commands/*.rs` with the arguments the UI passes.
fn rust_signatures() -> Signatures {
    let mut signatures = Signatures::new();
    let dir = root().join("src-tauri/src/commands");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (at, attribute) in source.match_indices("#[tauri::command]") {
            let after = at + attribute.len();
            let rest = &source[after..];
            let fn_at = rest
                .find("fn ")
                .expect("a command attribute is followed by a fn");
            let rest = &rest[fn_at + 3..];
            let name_end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap();
            let name = rest[..name_end].to_owned();
            // The parameter list: from the `(` after the name (and its generics) to the
            // matching `)`.
            let open = rest.find('(').unwrap();
            let mut depth = 0;
            let mut close = open;
            for (i, c) in rest[open..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = open + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let mut args = Vec::new();
            for param in split_top_level(&rest[open + 1..close]) {
                let (ident, ty) = param.split_once(':').expect("a parameter has a type");
                let ty = ty.trim();
                if injected(ty) {
                    continue;
                }
                let optional = if ty.starts_with("Option<") { "?" } else { "" };
                args.push(format!("{}{optional}", camel(ident.trim())));
            }
            assert!(
                signatures.insert(name.clone(), args).is_none(),
                "{name} is defined twice"
            );
        }
    }
    signatures
}

/// The paths listed in `generate_handler![…]`, by their last segment.
fn registered() -> Vec<String> {
    let lib = read("src-tauri/src/lib.rs");
    let start = lib
        .find("generate_handler![")
        .expect("lib.rs registers commands");
    let body = &lib[start + "generate_handler![".len()..];
    let body = &body[..body.find(']').unwrap()];
    split_top_level(body)
        .into_iter()
        .map(|path| path.rsplit("::").next().unwrap().to_owned())
        .collect()
}

/// The string literals of `const COMMANDS: &[&str] = &[…];` in build.rs.
fn declared_in_build_rs() -> Vec<String> {
    let build = read("src-tauri/build.rs");
    let start = build
        .find("const COMMANDS")
        .expect("build.rs declares COMMANDS");
    let body = &build[start..];
    let body = &body[body.find("= &[").unwrap() + 4..body.find("];").unwrap()];
    split_top_level(body)
        .into_iter()
        .map(|s| s.trim_matches('"').to_owned())
        .collect()
}

/// The `allow-…` permissions of the main window's capability, as command names.
fn allowed_by_capability() -> Vec<String> {
    let capability: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/main.json")).unwrap();
    capability["permissions"]
        .as_array()
        .expect("the capability lists permissions")
        .iter()
        .map(|p| {
            let p = p.as_str().expect("permissions are identifiers");
            p.strip_prefix("allow-")
                .unwrap_or_else(|| panic!("{p} is not an allow-<command> permission"))
                .replace('-', "_")
        })
        .collect()
}

/// The `COMMANDS` table of `ui/js/api.js`: `name: ["arg", "opt?"],` per line.
fn ui_table() -> Signatures {
    let api = read("ui/js/api.js");
    let start = api
        .find("export const COMMANDS = Object.freeze({")
        .expect("api.js has the COMMANDS table");
    let body = &api[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("});").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, args) = line.split_once(':').unwrap();
            let args = args.trim().trim_end_matches(',');
            let args = args.trim_start_matches('[').trim_end_matches(']');
            let args = split_top_level(args)
                .into_iter()
                .map(|a| a.trim_matches('"').to_owned())
                .collect();
            (name.trim().to_owned(), args)
        })
        .collect()
}

/// The rows of the command table of `docs/ipc.md`: `| `name` | `{a, b?}` or – | … |`.
fn documented() -> Signatures {
    let doc = read("docs/ipc.md");
    doc.lines()
        .filter_map(|line| {
            let line = line.strip_prefix("| `")?;
            let (name, rest) = line.split_once("` | ")?;
            let args = rest.split(" | ").next()?.trim();
            let args = if args == "–" {
                Vec::new()
            } else {
                let inner = args
                    .strip_prefix("`{")
                    .and_then(|a| a.strip_suffix("}`"))
                    .unwrap_or_else(|| panic!("{name}: arguments {args:?} are not `{{…}}` or –"));
                split_top_level(inner)
            };
            Some((name.to_owned(), args))
        })
        .collect()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn every_list_of_commands_names_the_same_commands() {
    let rust: Vec<String> = rust_signatures().into_keys().collect();
    assert!(rust.len() >= 25, "found only {} commands", rust.len());
    assert_eq!(sorted(registered()), rust, "generate_handler! in lib.rs");
    assert_eq!(sorted(declared_in_build_rs()), rust, "COMMANDS in build.rs");
    assert_eq!(
        sorted(allowed_by_capability()),
        rust,
        "capabilities/main.json"
    );
    assert_eq!(
        ui_table().into_keys().collect::<Vec<_>>(),
        rust,
        "COMMANDS in ui/js/api.js"
    );
    assert_eq!(
        documented().into_keys().collect::<Vec<_>>(),
        rust,
        "the table of docs/ipc.md"
    );
}

#[test]
fn the_ui_and_the_documentation_pass_the_arguments_rust_takes() {
    let rust = rust_signatures();
    assert_eq!(ui_table(), rust, "ui/js/api.js against the Rust signatures");
    assert_eq!(
        documented(),
        rust,
        "docs/ipc.md against the Rust signatures"
    );
}

#[test]
fn the_parsers_read_the_shapes_they_are_given() {
    assert_eq!(camel("fiscal_code"), "fiscalCode");
    assert_eq!(
        split_top_level("state: State<'_, AppState>, id: String"),
        ["state: State<'_, AppState>", "id: String"]
    );
    assert!(injected("State<'_, AppState>") && injected("AppHandle<R>"));
    assert!(!injected("Option<String>"));
}

/// The error kinds: core's vocabulary, the list in docs/ipc.md, the UI's `ERROR_KINDS`.
#[test]
fn the_error_kinds_are_cores_in_the_documentation_and_the_ui() {
    let core: Vec<String> = agenda_core::ErrorKind::ALL
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    let words = |text: &str| -> Vec<String> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(str::to_owned)
            .collect()
    };
    let doc = read("docs/ipc.md");
    let errors = doc
        .split("## Errors")
        .nth(1)
        .and_then(|s| s.split("## ").next())
        .expect("docs/ipc.md has an Errors section");
    let listed = errors
        .split("a stable word the UI switches on:")
        .nth(1)
        .expect("the Errors section lists the kinds");
    // Every plain word in backticks there is a kind (`details.…` are not plain words).
    let mut documented = words(listed);
    documented.dedup();
    let i18n = read("ui/js/i18n.js");
    let ui_list = i18n
        .split("export const ERROR_KINDS = [")
        .nth(1)
        .and_then(|s| s.split("];").next())
        .expect("ui/js/i18n.js exports ERROR_KINDS");
    let ui: Vec<String> = ui_list
        .split(',')
        .map(|w| w.trim().trim_matches('"').to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    assert_eq!(ui, core, "ERROR_KINDS in ui/js/i18n.js");
    assert_eq!(documented, core, "the kinds docs/ipc.md lists");
}
