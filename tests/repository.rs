//! The repository stands on its own: a clone with nothing beside it builds,
//! tests and benchmarks. No source, test, script or document may name a
//! file outside it. And its code map, docs/ARCHITECTURE.md, names only
//! files and functions that exist, and its layers hold in the code.

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

/// Endings that make a backticked word of the code map a file of the
/// repository, even without a folder in front.
const FILE_ENDINGS: [&str; 14] = [
    ".rs", ".md", ".js", ".mjs", ".html", ".css", ".yml", ".yaml", ".json", ".py", ".sh", ".toml",
    ".xml", ".txt",
];

/// The repository path a backticked word of the code map names, if it names
/// one: it holds a `/` or ends like a file, less a trailing `:line` or
/// `::item`. A URL of the built site (`/atom.xml`) and a command (it has
/// spaces) are not paths.
fn cited_path(word: &str) -> Option<&str> {
    if word.starts_with('/') || word.contains(char::is_whitespace) {
        return None;
    }
    let path = word.split("::").next().unwrap_or(word);
    let path = match path.rsplit_once(':') {
        Some((file, line)) if line.parse::<usize>().is_ok() => file,
        _ => path,
    };
    (path.contains('/') || FILE_ENDINGS.iter().any(|ending| path.ends_with(ending))).then_some(path)
}

/// Whether `text` defines `name`: `fn name`, `struct name`, … or, in
/// JavaScript, `function name`.
fn defines(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let kinds = [
        "fn", "struct", "enum", "trait", "type", "const", "static", "mod", "function",
    ];
    kinds.iter().any(|kind| {
        let definition = format!("{kind} {name}");
        text.match_indices(&definition).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + definition.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        })
    })
}

/// docs/ARCHITECTURE.md names only files that exist, and where it writes
/// `path`: `name`, `Type::item`, every name is defined in that file; its
/// table of questions has at least ten rows, each naming a file.
#[test]
fn the_code_map_names_only_real_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("the code map");
    let mut wrong = Vec::new();
    let mut questions = 0;
    for (n, line) in map.lines().enumerate() {
        let place = format!("docs/ARCHITECTURE.md:{}", n + 1);
        // Between backticks: the odd pieces; what separates them, the even.
        let pieces: Vec<&str> = line.split('`').collect();
        for i in (1..pieces.len()).step_by(2) {
            let Some(path) = cited_path(pieces[i]) else {
                continue;
            };
            if !root.join(path).exists() {
                wrong.push(format!("{place}: no file {path}"));
                continue;
            }
            let text = fs::read_to_string(root.join(path)).unwrap_or_default();
            let mut separator = ": ";
            let mut j = i + 2;
            while j < pieces.len() && pieces[j - 1] == separator && cited_path(pieces[j]).is_none()
            {
                for name in pieces[j].trim_end_matches("()").split("::") {
                    if !defines(&text, name) {
                        wrong.push(format!("{place}: {path} defines no {name}"));
                    }
                }
                separator = ", ";
                j += 2;
            }
        }
        let first_cell = line.strip_prefix('|').and_then(|row| row.split('|').next());
        if first_cell.is_some_and(|cell| cell.trim().ends_with('?')) {
            questions += 1;
            let mut words = pieces.iter().skip(1).step_by(2);
            if !words.any(|word| cited_path(word).is_some()) {
                wrong.push(format!("{place}: a question answered with no file"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the code map is wrong:\n{}",
        wrong.join("\n")
    );
    assert!(
        questions >= 10,
        "the code map answers {questions} questions; at least ten, please"
    );
}

/// The module of `src/` a path of the code map names: `src/stages/render.rs` and
/// `src/search/` are `render` and `search`.
fn module_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("src/")?;
    let name = rest.split('/').next()?;
    Some(name.strip_suffix(".rs").unwrap_or(name))
}

/// The modules `text` reaches through `crate::`, comments aside: `a` of
/// `crate::a::b`, and `a` and `b` of `use crate::{a::x, b};`.
fn crate_uses(text: &str) -> Vec<&str> {
    fn ident(s: &str) -> &str {
        let s = s.trim_start();
        let end = s
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        &s[..end]
    }
    let mut names = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let rest = &line[at + "crate::".len()..];
            names.push(ident(rest));
        }
    }
    // A braced `use` may span lines: each item at the first depth.
    for (at, _) in text.match_indices("use crate::{") {
        let group = &text[at + "use crate::{".len()..];
        let mut depth = 0;
        let mut item = true;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => item = true,
                c if item && !c.is_whitespace() => {
                    names.push(ident(&group[i..]));
                    item = false;
                }
                _ => {}
            }
        }
    }
    names
}

/// The layers of docs/ARCHITECTURE.md hold: every module of `src/` is in
/// one row of its table, and uses (through `crate::`) only modules of its
/// own row or rows above it, which come first, so the data flows one way.
#[test]
fn the_layers_of_the_code_map_hold() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("the code map");
    let table = map
        .split("## The layers")
        .nth(1)
        .and_then(|section| section.split("\n\n").nth(2))
        .expect("the table of layers");
    let mut layer_of = std::collections::HashMap::new();
    for (layer, row) in table.lines().skip(2).enumerate() {
        let modules = row.split('|').nth(2).unwrap_or_default();
        for word in modules.split('`').skip(1).step_by(2) {
            layer_of.extend(module_of(word).map(|module| (module.to_string(), layer)));
        }
    }
    let mut sources = Vec::new();
    files(&root.join("src"), &mut sources);
    let mut wrong = Vec::new();
    for path in sources
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let relative = path.strip_prefix(root).unwrap_or(path).to_string_lossy();
        let Some(&own) = module_of(&relative).and_then(|m| layer_of.get(m)) else {
            wrong.push(format!("{relative}: in no layer"));
            continue;
        };
        let text = fs::read_to_string(path).unwrap_or_default();
        for used in crate_uses(&text) {
            match layer_of.get(used) {
                Some(&layer) if layer > own => {
                    wrong.push(format!("{relative}: uses {used}, a layer above it"));
                }
                _ => {}
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "the layers do not hold:\n{}",
        wrong.join("\n")
    );
}
