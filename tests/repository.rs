//! The repository stands on its own: a clone with nothing beside it builds,
//! tests and benchmarks. No source, test, script or document may name a
//! file outside it.

use std::fs;
use std::path::{Path, PathBuf};

/// Every text file of ours under `dir`, skipping what tools install or
/// build (node_modules, target) and the kept samples themselves, whose
/// SOURCES.md quote where they came from.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if matches!(
            name.as_ref(),
            "node_modules" | "target" | "samples" | "screenshots"
        ) {
            continue;
        }
        if path.is_dir() {
            files(&path, out);
        } else if fs::read_to_string(&path).is_ok_and(|text| !text.is_empty()) {
            out.push(path);
        }
    }
}

#[test]
fn nothing_names_a_file_beside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [
        "src", "tests", "scripts", "benches", ".ci", "themes", "docs",
    ] {
        files(&root.join(dir), &mut paths);
    }
    paths.extend(["README.md", "BENCHMARKS.md", "config.yaml"].map(|f| root.join(f)));
    let mut outside = Vec::new();
    for path in &paths {
        let text = fs::read_to_string(path).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            // Spelled in pieces so that this file does not match itself.
            let shared = ["../", "shared"].concat();
            let design = ["DESIGN", ".md"].concat();
            if line.contains(&shared) || line.contains(&design) {
                outside.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "lines that reach outside the repository:\n{}",
        outside.join("\n")
    );
}

#[test]
fn the_kept_samples_say_where_they_came_from() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples");
    for dir in ["real", "ofd"] {
        let sources = fs::read_to_string(samples.join(dir).join("SOURCES.md")).unwrap_or_default();
        for entry in fs::read_dir(samples.join(dir))
            .expect("tests/samples is in the repository")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != "SOURCES.md" {
                assert!(
                    sources.contains(&name),
                    "{dir}/SOURCES.md does not name {name}"
                );
            }
        }
    }
}
