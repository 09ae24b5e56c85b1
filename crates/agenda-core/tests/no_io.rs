//! The crate stays pure: no I/O dependency, no clock, no randomness, no file or network use.

use std::path::Path;

const ALLOWED_DEPENDENCIES: [&str; 4] = ["chrono", "chrono-tz", "serde", "thiserror"];

/// The names declared in the `[dependencies]` table of a manifest.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut in_dependencies = false;
    let mut names = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies && !line.is_empty() && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                names.push(name.trim().trim_matches('"').to_string());
            }
        }
    }
    names
}

#[test]
fn the_manifest_depends_only_on_pure_crates() {
    let manifest_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let manifest = std::fs::read_to_string(manifest_path).unwrap();
    assert!(
        !manifest.contains("[target."),
        "no platform-specific dependencies"
    );
    let deps = dependencies(&manifest);
    assert!(!deps.is_empty(), "the [dependencies] table was found");
    for dep in &deps {
        assert!(
            ALLOWED_DEPENDENCIES.contains(&dep.as_str()),
            "agenda-core must stay free of I/O: unexpected dependency {dep}"
        );
    }
}

#[test]
fn the_dependency_parser_reads_the_dependencies_table_only() {
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nchrono = { workspace = true }\n\
                    # comment\n\"serde\" = \"1\"\n[dev-dependencies]\nproptest = \"1\"\n";
    assert_eq!(dependencies(manifest), ["chrono", "serde"]);
}

#[test]
fn the_sources_never_read_the_clock_or_touch_the_outside_world() {
    const FORBIDDEN: [&str; 10] = [
        "::now(",
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "std::thread",
        "std::io",
        "SystemTime",
        "time::Instant",
        "println!",
    ];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for word in FORBIDDEN {
                assert!(!text.contains(word), "{} uses {word}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "all modules were checked");
}
