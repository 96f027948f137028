//! dafu (答复) turns a folder of Markdown replies to CPPCC proposals and
//! People's Congress suggestions into a public, static web archive.
//!
//! The pipeline, top to bottom, is [`build`]: config → replies → archive →
//! theme → pages → link check → output (`site`: `Site::each_page`).
//! `serve` runs the same stages and keeps the result; [`check`] runs them
//! all but the output.

mod ground;
mod import;
mod model;
mod scaffold;
mod search;
mod serve;
mod site;
mod stages;
mod store;

#[cfg(test)]
mod fuzz;

// The library's face: what the command line, src/main.rs, uses. All else
// is the crate's own, so the compiler says what nothing uses.
pub use ground::lang::{Lang, choose as choose_language, count, is_chinese};
pub use ground::problem::{Problem, Warning};
pub use import::{ImportOptions, run as import};
pub use model::config::BaseUrl;
pub use scaffold::{init, new_reply};
pub use serve::{ServeOptions, serve};
pub use store::output::lies_in;

use std::path::PathBuf;
use std::time::Instant;

use ground::shelf::Shelf;
use ground::timings::Stages;
use rust_i18n::t;
use site::{Built, Run, Site, write_site};
use store::cache::Cache;
use store::output;

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
    /// What the command was asked to do cannot be done: exit status 2.
    Usage(Problem),
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
    /// What the privacy lint found: published, but to be looked at.
    pub warnings: Vec<Problem>,
}

/// What `dafu check` found. Errors are what would stop `build`.
#[derive(Debug, Default)]
pub struct Findings {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
    pub replies: usize,
    pub files: usize,
}

/// `dafu build`: renders the site and replaces the output folder with it.
pub fn build(options: &BuildOptions) -> Result<Report, BuildError> {
    let started = Instant::now();
    let mut stages = Stages::from_env();
    let output = output_folder(options)?;
    let cache = Cache::open(&output).map_err(BuildError::Io)?;
    // Again, now that no other build can change it: one that held the lock
    // may have made the folder, or changed its mind about it.
    let output = output_folder(options)?;
    let bodies = Shelf::in_cache(cache.dir(), "bodies", t!("spill.bodies").into_owned());
    let bodies = bodies.map_err(BuildError::Io)?;
    let site = Site::load_timed(options, Some(&bodies), &mut stages)?;
    let lines = Shelf::in_cache(cache.dir(), "lines", t!("spill.lines").into_owned());
    let lines = lines.map_err(BuildError::Io)?;
    let staging = output::Staging::open(&output, &cache).map_err(BuildError::Io)?;
    let written = match write_site(&site, &staging, &output, &cache, &lines, &mut stages) {
        Ok(written) => written,
        Err(BuildError::Io(error)) => {
            staging.discard();
            return Err(BuildError::Io(error));
        }
        Err(error) => return Err(error),
    };
    staging.swap().map_err(BuildError::Io)?;
    // The site is built: a shelf that cannot be kept costs only the next
    // build's time, making what it held again.
    let _ = bodies.keep();
    let _ = lines.keep();
    stages.done("commit");
    Ok(Report {
        replies: site.archive.replies().len(),
        pages: written.changed + written.unchanged,
        written,
        output,
        millis: started.elapsed().as_millis(),
        warnings: site.warnings(),
    })
}

/// `dafu check`: everything `build` validates, the links, the privacy lint,
/// and settings that make a poor publication; nothing is written.
pub fn check(options: &BuildOptions) -> Findings {
    let site = match Site::load(options) {
        Ok(site) => site,
        Err(errors) => {
            return Findings {
                errors,
                ..Findings::default()
            };
        }
    };
    let warnings = site.warnings();
    let replies = site.archive.replies().len();
    match site.each_page(&Run::Check, &output::Discard, &mut Stages::off()) {
        Ok(Built { paths, .. }) => Findings {
            errors: Vec::new(),
            warnings,
            replies,
            files: paths.len(),
        },
        Err(BuildError::Content(errors)) => Findings {
            errors,
            warnings,
            replies,
            files: 0,
        },
        Err(BuildError::Usage(problem)) => Findings {
            errors: vec![problem],
            warnings,
            replies,
            files: 0,
        },
        Err(BuildError::Io(error)) => Findings {
            errors: vec![Problem::new("(rendering)", format!("{error:#}"))],
            warnings,
            replies,
            files: 0,
        },
    }
}

fn output_folder(options: &BuildOptions) -> Result<PathBuf, BuildError> {
    let output = match &options.output {
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()
            .map_err(|e| BuildError::Io(e.into()))?
            .join(dir),
        None => options.root.join("public"),
    };
    output::checked(&options.root, &output).map_err(BuildError::Usage)
}

// The message catalogue, `locales/dafu.yml`, compiled in: English, the
// fallback, and Chinese. `lang` picks which one speaks.
rust_i18n::i18n!("locales", fallback = "en");
