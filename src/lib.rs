//! dafu (答复) turns a folder of Markdown replies to CPPCC proposals and
//! People's Congress suggestions into a public, static web archive.
//!
//! The pipeline, top to bottom, is [`build`]: config → replies → archive →
//! theme → pages → output. `serve` runs the same stages and keeps the result.

pub mod archive;
pub mod config;
pub mod content;
pub mod markdown;
pub mod output;
pub mod problem;
pub mod render;
pub mod reply;
pub mod scaffold;
pub mod serve;
pub mod text;
pub mod theme;
pub mod url;

use std::path::{Path, PathBuf};
use std::time::Instant;

use archive::Archive;
use config::{BaseUrl, Config};
use problem::Problem;
use render::{Page, Renderer};
use theme::Theme;

/// How to build: the switches of `dafu build`.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `public/` under the root.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
}

/// Why a build stopped: the user's input (every problem), or the machine.
#[derive(Debug)]
pub enum BuildError {
    Content(Vec<Problem>),
    Io(anyhow::Error),
}

impl From<Vec<Problem>> for BuildError {
    fn from(problems: Vec<Problem>) -> Self {
        BuildError::Content(problems)
    }
}

/// What a finished build did, for its summary line.
#[derive(Debug)]
pub struct Report {
    pub replies: usize,
    pub pages: usize,
    pub written: output::Written,
    pub output: PathBuf,
    pub millis: u128,
}

/// Everything loaded and checked, ready to render.
pub struct Site {
    pub config: Config,
    pub base: BaseUrl,
    pub archive: Archive,
    pub theme: Theme,
}

impl Site {
    /// Reads config, replies and theme; every problem of every file at once.
    pub fn load(options: &BuildOptions) -> Result<Site, Vec<Problem>> {
        let root = &options.root;
        let mut config = Config::load(root).map_err(|p| vec![p])?;
        if let Some(base_url) = &options.base_url {
            BaseUrl::parse(base_url).map_err(|m| vec![Problem::new("--base-url", m)])?;
            config.base_url = base_url.clone();
        }
        let base = config.base();
        let mut problems = Vec::new();
        let files = content::find(root)?;
        let mut replies = Vec::with_capacity(files.len());
        for result in content::load(root, &files, config.allow_html) {
            match result {
                Ok(reply) => replies.push(reply),
                Err(found) => problems.extend(found),
            }
        }
        problems.extend(archive::doc_number_clashes(&replies));
        replies.retain(|reply| reply.is_published(options.drafts));
        let theme = Theme::load(root, &config, &base);
        let archive = Archive::new(replies, &config);
        match (theme, archive) {
            (Ok(theme), Ok(archive)) if problems.is_empty() => Ok(Site {
                config,
                base,
                archive,
                theme,
            }),
            (theme, archive) => {
                problems.extend(theme.err().unwrap_or_default());
                problems.extend(archive.err().unwrap_or_default());
                Err(sorted(problems))
            }
        }
    }

    /// Every page and static file of the site.
    pub fn render(&self) -> Result<Vec<Page>, Vec<Problem>> {
        let renderer = Renderer::new(&self.archive, &self.theme, &self.config, &self.base);
        let mut pages = renderer.render_all(&renderer.plan())?;
        pages.extend(self.theme.statics.iter().map(|(path, bytes)| Page {
            path: path.clone(),
            bytes: bytes.clone(),
        }));
        Ok(pages)
    }
}

/// `dafu build`: renders the site and replaces the output folder with it.
pub fn build(options: &BuildOptions) -> Result<Report, BuildError> {
    let started = Instant::now();
    let site = Site::load(options)?;
    let pages = site.render()?;
    let output = output_folder(options)?;
    let written = output::write(&output, &pages).map_err(BuildError::Io)?;
    Ok(Report {
        replies: site.archive.replies().len(),
        pages: pages.len(),
        written,
        output,
        millis: started.elapsed().as_millis(),
    })
}

fn output_folder(options: &BuildOptions) -> Result<PathBuf, BuildError> {
    let output = match &options.output {
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()
            .map_err(|e| BuildError::Io(e.into()))?
            .join(dir),
        None => options.root.join("public"),
    };
    // Replacing a folder that holds the site itself would lose the site.
    if is_inside(&options.root, &output) {
        return Err(BuildError::Content(vec![Problem::new(
            &output,
            "the output folder holds the site itself; choose a folder of its own",
        )]));
    }
    Ok(output)
}

/// Whether `root` lies inside `dir` (or is it).
fn is_inside(root: &Path, dir: &Path) -> bool {
    match (root.canonicalize(), dir.canonicalize()) {
        (Ok(root), Ok(dir)) => root.starts_with(dir),
        _ => false,
    }
}

fn sorted(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    problems.dedup();
    problems
}
