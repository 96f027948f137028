//! dafu (答复) turns a folder of Markdown replies to CPPCC proposals and
//! People's Congress suggestions into a public, static web archive.
//!
//! The pipeline, top to bottom, is [`build`]: config → replies → archive →
//! theme → pages → link check → output. `serve` runs the same stages and
//! keeps the result; [`check`] runs them all but the output.

mod ground;
mod import;
mod model;
mod scaffold;
mod search;
mod serve;
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

use ground::lang;
use ground::page::{Page, Sink};
use ground::problem::sorted;
use ground::shelf::Shelf;
use ground::timings::Stages;
use model::archive::{self, Archive};
use model::body::Bodies;
use model::config::{CONFIG_FILE, Config};
use model::{content, reply, workdays};
use rayon::prelude::*;
use rust_i18n::t;
use stages::data::{self, DataFile};
use stages::links::{LinkChecker, PageFindings};
use stages::render::Renderer;
use stages::theme::Theme;
use store::cache::Cache;
use store::digest::{self, Digests, Made, Previous};
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

/// What `each_page` made: the path of every file, how many `sink` said
/// changed, and the digest of every templated page, for the next build.
struct Built {
    paths: Vec<String>,
    changed: usize,
    made: Vec<Made>,
}

/// What became of one page.
struct Outcome {
    changed: bool,
    findings: Option<PageFindings>,
    made: Option<Made>,
}

impl Outcome {
    /// The page at `path` left as `previous` holds it, if it was made of
    /// what `digest` says: unchanged, its links as good as when made.
    fn kept(previous: Option<&Previous>, path: &str, digest: Option<u64>) -> Option<Outcome> {
        let (previous, digest) = previous.zip(digest)?;
        if !previous.kept(path, digest) {
            return None;
        }
        Some(Outcome {
            changed: false,
            findings: None,
            made: Some(Made::kept(path.to_string(), digest)),
        })
    }
}

/// Everything loaded and checked, ready to render.
struct Site {
    config: Config,
    base: BaseUrl,
    archive: Archive,
    theme: Theme,
}

impl Site {
    /// Reads config, replies and theme; every problem of every file at once.
    fn load(options: &BuildOptions) -> Result<Site, Vec<Problem>> {
        Site::load_timed(options, None, &mut Stages::off())
    }

    /// With a `shelf`, the replies' bodies wait there, not in memory.
    fn load_timed(
        options: &BuildOptions,
        shelf: Option<&Shelf>,
        stages: &mut Stages,
    ) -> Result<Site, Vec<Problem>> {
        let root = &options.root;
        let mut config = Config::load(root).map_err(|p| vec![p])?;
        lang::adopt(config.message_lang());
        if let Some(base_url) = &options.base_url {
            BaseUrl::parse(base_url).map_err(|m| vec![Problem::new("--base-url", m)])?;
            config.base_url = base_url.clone();
        }
        let base = config.base();
        let mut problems = Vec::new();
        // Problems finding replies too: the theme's are reported with them.
        let files = content::find(root).unwrap_or_else(|found| {
            problems.extend(found);
            Vec::new()
        });
        let body_options = config.body_options();
        let bodies = match shelf {
            Some(shelf) => Bodies::Shelved(&body_options, shelf),
            None => Bodies::Held(&body_options),
        };
        let mut replies = Vec::with_capacity(files.len());
        for result in content::load(root, &files, bodies) {
            match result {
                Ok(reply) => replies.push(reply),
                Err(found) => problems.extend(found),
            }
        }
        problems.extend(archive::doc_number_clashes(replies.iter().map(|r| &**r)));
        replies.retain(|reply| reply.is_published(options.drafts));
        stages.done("load+parse");
        let theme = Theme::load(root, &config, &base);
        stages.done("theme");
        let archive = Archive::from_shared(replies, &config);
        stages.done("archive");
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

    /// Renders every page in parallel and hands each to `sink` as soon as it
    /// is made and its links are checked, so that a build never holds the
    /// whole site in memory; a broken internal link is a problem. A page
    /// that `previous` holds as this build would make it (see `digest`) is
    /// neither rendered nor written.
    fn each_page(
        &self,
        sink: &impl Sink,
        previous: Option<&Previous>,
        lines: Option<&Shelf>,
        stages: &mut Stages,
    ) -> Result<Built, BuildError> {
        let renderer = Renderer::new(&self.archive, &self.theme, &self.config, &self.base);
        let specs = renderer.plan();
        // Every path is known before anything renders, so links can be
        // checked page by page.
        let paths: Vec<String> = specs
            .iter()
            .map(|&spec| renderer.path(spec))
            .chain(DataFile::ALL.map(|file| file.path().to_string()))
            .chain(self.theme.statics.keys().cloned())
            .collect();
        let generated = specs.len() + DataFile::ALL.len();
        let clashes = self.theme.static_clashes(&paths[..generated]);
        if !clashes.is_empty() {
            return Err(BuildError::Content(clashes));
        }
        let checker = LinkChecker::new(&paths, &self.archive, &self.base);
        // Digests only where there is a folder to compare with and record
        // them for: `check` has none.
        let digests = previous.map(|_| {
            let replies = renderer.reply_digests();
            let shared = digest::shared(&self.config, self.theme.digest, renderer.site(), &paths);
            (replies, shared)
        });
        let digest_of = |spec| {
            let (replies, shared) = digests.as_ref()?;
            Some(renderer.digest(spec, replies, *shared))
        };
        let put = |seen: &mut _, page: Page| -> Result<(bool, Option<PageFindings>), BuildError> {
            let findings = checker.page(seen, &page);
            let changed = sink.put(page).map_err(BuildError::Io)?;
            Ok((changed, findings))
        };
        let statics =
            self.theme
                .statics
                .par_iter()
                .map_init(LinkChecker::seen, |seen, (path, bytes)| {
                    let page = Page {
                        path: path.clone(),
                        bytes: bytes.clone(),
                    };
                    let (changed, findings) = put(seen, page)?;
                    Ok(Outcome {
                        changed,
                        findings,
                        made: None,
                    })
                });
        let pages = || -> Vec<Result<Outcome, BuildError>> {
            let templated = specs.par_iter().map_init(LinkChecker::seen, |seen, &spec| {
                let path = renderer.path(spec);
                let digest = digest_of(spec);
                if let Some(outcome) = Outcome::kept(previous, &path, digest) {
                    return Ok(outcome);
                }
                let page = renderer
                    .render(spec)
                    .map_err(|problem| BuildError::Content(vec![problem]))?;
                let (changed, findings) = put(seen, page)?;
                Ok(Outcome {
                    changed,
                    findings,
                    made: digest.map(|digest| Made::new(path, digest)),
                })
            });
            templated.chain(statics).collect()
        };
        // The open data JSON is as big as every text together: the data
        // files are written in parts as they are made, alongside the pages
        // and one another, never held whole.
        let (results, data) = rayon::join(pages, || -> Vec<Result<Outcome, BuildError>> {
            DataFile::ALL
                .into_par_iter()
                .map(|file| {
                    let digest = digests
                        .as_ref()
                        .map(|(_, shared)| data::digest(file, &self.archive, &self.base, *shared));
                    self.stream(file, sink, previous, lines, digest)
                })
                .collect()
        });
        let mut changed = 0;
        let mut problems = Vec::new();
        let mut broken = Vec::new();
        let mut made = Vec::with_capacity(results.len());
        for result in results.into_iter().chain(data) {
            match result {
                Ok(outcome) => {
                    changed += usize::from(outcome.changed);
                    broken.extend(outcome.findings);
                    made.extend(outcome.made);
                }
                Err(BuildError::Content(found)) => problems.extend(found),
                Err(io) => return Err(io),
            }
        }
        problems.extend(checker.report(broken));
        if !problems.is_empty() {
            return Err(BuildError::Content(sorted(problems)));
        }
        stages.done("pages");
        drop(checker);
        drop(renderer);
        give_back_freed_memory();
        let legend = &self.config.result_legend;
        let indexed = search::index(&self.archive, &self.base, legend, previous, sink)
            .map_err(BuildError::Io)?;
        let mut paths = paths;
        paths.extend(indexed.made.iter().map(|made| made.path.clone()));
        made.extend(indexed.made);
        changed += indexed.changed;
        stages.done("search");
        Ok(Built {
            paths,
            changed,
            made,
        })
    }

    /// Writes a data file in parts as they are made (see `data::parts`),
    /// unless `previous` holds it as it would come out.
    fn stream(
        &self,
        file: DataFile,
        sink: &impl Sink,
        previous: Option<&Previous>,
        lines: Option<&Shelf>,
        digest: Option<u64>,
    ) -> Result<Outcome, BuildError> {
        let path = file.path().to_string();
        if let Some(outcome) = Outcome::kept(previous, &path, digest) {
            return Ok(outcome);
        }
        let mut parts = data::parts(file, &self.archive, &self.base, lines);
        let changed = sink.put_parts(&path, &mut parts).map_err(BuildError::Io)?;
        Ok(Outcome {
            changed,
            findings: None,
            made: digest.map(|digest| Made::new(path, digest)),
        })
    }

    /// What `build` and `check` both warn of: a `base_url` without a host,
    /// then the privacy lint's findings in the published replies and
    /// proposals with two lead replies.
    ///
    /// Without a host, sitemap.xml is written all the same, so that a site
    /// tried out before it has an address builds the same set of files;
    /// but a sitemap's `<loc>` must be a full URL, so it is said here, at
    /// every build, until `base_url` names the address.
    fn warnings(&self) -> Vec<Problem> {
        let base_url = self.base.origin.is_empty().then(|| {
            Problem::new(
                CONFIG_FILE,
                t!("build.relative_base_url", url = self.config.base_url),
            )
            .hint(t!("build.relative_base_url_hint"))
        });
        let mut replies: Vec<Problem> = self
            .archive
            .replies()
            .iter()
            .flat_map(|reply| reply.warnings.iter().cloned())
            .collect();
        replies.extend(self.archive.lead_clashes());
        replies.extend(self.late_publications());
        base_url.into_iter().chain(sorted(replies)).collect()
    }

    /// Replies published later than `publish_within_working_days` after
    /// their date, and replies whose `published` is before their date.
    fn late_publications(&self) -> Vec<Problem> {
        let calendar = workdays::Calendar::new(&self.config.holidays);
        let limit = self.config.publish_within_working_days;
        let mut problems = Vec::new();
        for reply in self.archive.replies() {
            let (reply::ReplyDate::Day(day), Some(published)) = (reply.date, reply.published)
            else {
                continue;
            };
            let message = match calendar.working_days(day, published) {
                None => t!(
                    "timing.published_before_date",
                    published = published,
                    date = day
                ),
                Some(days) if days > limit => t!(
                    "timing.published_late",
                    days = days,
                    limit = limit,
                    published = published,
                    date = day
                ),
                Some(_) => continue,
            };
            problems.push(Problem::new(&reply.source, message).at_line(reply.published_line));
        }
        problems
    }
}

/// Returns the heap's free pages to the system. What the pages made and
/// dropped (template data, bytes) lies scattered among what stays; freed,
/// it is holes the search index's larger buffers do not fit, and the
/// build's peak memory grew by a third without this.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory malloc holds free.
    unsafe {
        libc::malloc_trim(0);
    }
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

/// Writes every page of `site` into `staging` and deletes what it does not
/// make, ready to swap in.
fn write_site(
    site: &Site,
    staging: &output::Staging,
    output: &std::path::Path,
    cache: &Cache,
    lines: &Shelf,
    stages: &mut Stages,
) -> Result<output::Written, BuildError> {
    let previous = Previous {
        folder: staging.dir(),
        digests: Digests::take(staging.dir(), cache.dir()).map_err(BuildError::Io)?,
    };
    let Built {
        paths,
        changed,
        made,
    } = site.each_page(staging, Some(&previous), Some(lines), stages)?;
    let (removed, folders) =
        (staging.prune(&paths, &previous.digests.folders)).map_err(BuildError::Io)?;
    // Last, so that a build that fails before leaves no digests.
    (previous.digests)
        .write(staging.dir(), output, cache.dir(), &made, &folders)
        .map_err(BuildError::Io)?;
    Ok(output::Written {
        changed,
        unchanged: paths.len() - changed,
        removed,
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
    match site.each_page(&output::Discard, None, None, &mut Stages::off()) {
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
