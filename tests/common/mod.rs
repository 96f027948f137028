//! A site folder for end-to-end tests: write files into a temporary site,
//! run the `dafu` binary on it, read what it wrote.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The dafu binary in an English locale, whatever the machine's, so that
/// tests can read its messages.
pub(crate) fn dafu() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dafu"));
    command
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    command
}

pub(crate) struct TestSite {
    dir: tempfile::TempDir,
}

/// A reply that builds, for tests to vary.
pub(crate) fn reply(title: &str, department: &str, date: &str) -> String {
    format!("---\ntitle: {title}\ndepartment: {department}\ndate: {date}\n---\n\n正文。\n")
}

/// The repository's own real reply.
pub(crate) fn seed_reply() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/content/2021/ta-0152.md"
    ))
    .expect("the repository holds its seed reply")
}

impl TestSite {
    /// An empty site with a `content/` folder.
    pub(crate) fn new() -> TestSite {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(dir.path().join("content")).expect("content/");
        TestSite { dir }
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file, creating its folders.
    pub(crate) fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, contents).expect("a file");
        self
    }

    /// Switches the site to `themes/plain`, whose every page template only
    /// says `plain {name}`, and which has no static files.
    pub(crate) fn use_plain_theme(&self) -> &Self {
        self.write("config.yaml", "theme: plain\n");
        for name in ["index", "reply", "facet", "term", "404", "search", "stats"] {
            self.write(
                &format!("themes/plain/templates/{name}.html"),
                format!("plain {name}"),
            );
        }
        self
    }

    /// Runs `dafu --root SITE ARGS…` in an English locale, whatever the
    /// machine's, so that messages can be compared.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_in_locale("en_US.UTF-8", args)
    }

    /// Runs `dafu --root SITE ARGS…` with `LANG` set to `locale`.
    pub(crate) fn run_in_locale(&self, locale: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_dafu"))
            .env("LANG", locale)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .arg("--root")
            .arg(self.root())
            .args(args)
            .output()
            .expect("dafu runs")
    }

    /// Builds, asserting success, and returns stdout.
    pub(crate) fn build(&self) -> String {
        let out = self.run(&["build"]);
        assert!(
            out.status.success(),
            "build failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Builds, asserting exit status 1, and returns stderr.
    pub(crate) fn build_fails(&self) -> String {
        let out = self.run(&["build"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "expected exit 1; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// A file of the built site, as text.
    pub(crate) fn public(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path("public").join(relative))
            .unwrap_or_else(|e| panic!("public/{relative}: {e}"))
    }

    pub(crate) fn has_public(&self, relative: &str) -> bool {
        self.path("public").join(relative).exists()
    }

    /// Every file under public/, as (relative path, bytes), sorted.
    pub(crate) fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        snapshot(&self.path("public"))
    }
}

pub(crate) fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).expect("readable"))
        })
        .collect();
    files.sort();
    files
}
