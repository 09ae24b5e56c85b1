//! The release build aborts on panic, so non-test code never calls `unwrap()` or `expect()`
//! on anything derived from input (the network, a file, the UI). This test reads every
//! source file of the app's crates and fails on any call not in the short allow-list
//! below, each entry with the reason it cannot fail. Test code (`#[cfg(test)]` modules,
//! `tests.rs` and `*_tests.rs` files) and the developer tools in `src/bin/` are not shipped and not read.

use std::path::{Path, PathBuf};

/// (file, text of the call, why it cannot panic).
const ALLOWED: &[(&str, &str, &str)] = &[
    ("crates/agenda-client/src/base_url.rs", "a validated base URL has a host",
     "BaseUrl::parse refuses a URL without a host; the value is never mutated"),
    ("crates/agenda-client/src/client.rs", "wire types always serialize",
     "request bodies are our own structs of strings, numbers and dates: serde_json cannot fail on them"),
    ("crates/agenda-client/src/client.rs", "a successful refresh sets the operator",
     "the refresh just stored the operator of a parsed token answer (a required field)"),
    ("crates/agenda-client/src/client.rs", "a fresh or just refreshed session has an access token",
     "checked on the line before: no token means a refresh, which sets one or returns an error"),
    ("crates/agenda-client/src/crypto.rs", "XChaCha20-Poly1305 encryption cannot fail",
     "the AEAD fails only for buffers over 256 GiB; sealed values are bounded far below"),
    ("crates/agenda-client/src/crypto.rs", "HMAC accepts keys of any size",
     "HMAC-SHA-256 takes a key of any length"),
    ("crates/agenda-client/src/store/history.rs", "at least two groups",
     "`groups` has `threads` entries, at least two (checked just above)"),
    ("crates/agenda-client/src/store/history.rs", "midnight exists",
     "00:00:00 is a valid naive time on every date (DST is applied after, in Europe/Rome)"),
    ("crates/agenda-client/src/store/mod.rs", "stored types always serialize",
     "values sealed in the store are our own types of strings, numbers and dates"),
    ("crates/agenda-client/src/store/reference.rs", "wire types always serialize",
     "reference data was parsed from JSON into our own types; writing it back cannot fail"),
    ("crates/agenda-core/src/calendar.rs", "the Easter algorithm yields a date in March or April",
     "the computus gives a day 22 March – 25 April for every year chrono represents"),
    ("crates/agenda-core/src/calendar.rs", "fixed holidays exist every year",
     "1 January … 26 December exist in every year"),
    ("crates/agenda-sandbox/src/seed.rs", "seed",
     "the demo seed is constant data of this repository, checked by the sandbox's tests"),
    ("crates/agenda-sandbox/src/seed.rs", "hours serialise",
     "opening hours built from the constant seed serialise to JSON"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "bin") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                // Test modules in files of their own: `tests.rs`, `<topic>_tests.rs`.
                n != "tests.rs" && !n.ends_with("_tests.rs")
            })
        {
            out.push(path);
        }
    }
}

/// Every `unwrap()` / `expect(` outside test code: (file relative to the root, line, text).
fn calls() -> Vec<(String, usize, String)> {
    let root = root();
    let mut files = Vec::new();
    rust_files(&root.join("src-tauri/src"), &mut files);
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        rust_files(&entry.path().join("src"), &mut files);
    }
    files.sort();
    assert!(files.len() > 40, "found only {} source files", files.len());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let mut lines = text.lines().enumerate().peekable();
        while let Some((n, line)) = lines.next() {
            let code = line.trim_start();
            if code.starts_with("#[cfg(test)]") {
                let next = lines.peek().map_or("", |(_, l)| l.trim_start());
                if next.starts_with("mod ") || next.starts_with("pub(crate) mod ") {
                    // The rest of the file is the test module (the layout of every file here).
                    break;
                }
                // A test-only item: skip to its closing brace at the same indentation.
                let indent = &line[..line.len() - code.len()];
                let end = format!("{indent}}}");
                for (_, skipped) in lines.by_ref() {
                    if skipped == end {
                        break;
                    }
                }
                continue;
            }
            if code.starts_with("//") {
                continue;
            }
            if code.contains(".unwrap()") || code.contains(".expect(") {
                // The message may be on the next line (`.expect(\n "…")`).
                let mut call = code.to_owned();
                if let Some((_, next)) = lines.peek() {
                    call.push(' ');
                    call.push_str(next.trim());
                }
                found.push((relative.clone(), n + 1, call));
            }
        }
    }
    found
}

#[test]
fn non_test_code_unwraps_only_what_cannot_fail() {
    let mut refused = Vec::new();
    for (file, line, call) in calls() {
        let allowed = ALLOWED
            .iter()
            .any(|(f, text, _)| *f == file && call.contains(text));
        if !allowed {
            refused.push(format!("{file}:{line}: {call}"));
        }
    }
    assert!(
        refused.is_empty(),
        "unwrap/expect outside tests (return an error instead, or add it to ALLOWED with the \
         reason it cannot fail):\n{}",
        refused.join("\n")
    );
}

#[test]
fn every_allowed_call_still_exists() {
    let calls = calls();
    for (file, text, reason) in ALLOWED {
        assert!(!reason.is_empty());
        assert!(
            calls
                .iter()
                .any(|(f, _, call)| f == file && call.contains(text)),
            "{file}: no call with {text:?} any more: drop it from ALLOWED"
        );
    }
}
