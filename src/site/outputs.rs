//! Everything a build writes, one way. A templated page or feed
//! (`Templated`), a static file of the theme (`Static`), an open data file
//! (`Data`) and the search index (`Index`) are each an [`Output`]: its
//! path, what it is made of in 64 bits, and how it is made into a sink.
//! `dafu build`, `dafu check` and `dafu serve` make them alike (see
//! `Site::each_page` and `in_memory`); how each kind is made stays where
//! it was (`Renderer::render`, `data::parts`, `search::index`). A new kind
//! of output is one more type here.

use std::borrow::Cow;

use indexmap::IndexMap;
use rayon::prelude::*;

use crate::BuildError;
use crate::ground::page::{Kept, Page, Sink};
use crate::ground::problem::Problem;
use crate::ground::shelf::Shelf;
use crate::model::archive::Archive;
use crate::model::config::BaseUrl;
use crate::search;
use crate::stages::data::{self, DataFile};
use crate::stages::render::{PageSpec, Renderer};
use crate::store::digest::{Made, Previous};

/// One thing a build writes.
pub(crate) trait Output: Sync {
    /// What it is called: its path under the output folder. The search
    /// index, many files, goes by the one that names the rest.
    fn path(&self) -> Cow<'_, str>;

    /// What it is made of, in 64 bits, given what every file of the site
    /// shares (`inputs`): a build leaves it alone where the folder it
    /// overwrites holds it made of the same (`Outcome::kept`). `None` for
    /// what is made every time: a static file, only copied, and the search
    /// index, which keeps what it can of that folder itself, file by file.
    fn digest(&self, inputs: &Inputs) -> Option<u64>;

    /// Makes it into `sink`.
    fn make(&self, sink: &dyn Sink) -> Result<Wrote, BuildError>;
}

/// What every page and data file is made of, in a build: each reply's
/// template data (`Renderer::reply_digests`), and what every file shares
/// (`digest::shared`).
pub(crate) struct Inputs {
    pub replies: Vec<u64>,
    pub shared: u64,
}

/// What making an output wrote.
#[derive(Default)]
pub(crate) struct Wrote {
    /// How many files the sink said changed.
    pub changed: usize,
    /// The files an output of many made or kept itself (the search index),
    /// each with its digest, for the next build. An output of one file has
    /// none here: its `digest` is its file's.
    pub files: Vec<Made>,
}

impl Wrote {
    fn one(changed: bool) -> Wrote {
        Wrote {
            changed: usize::from(changed),
            files: Vec::new(),
        }
    }
}

/// A page or feed made through the theme's templates.
pub(crate) struct Templated<'r> {
    pub renderer: &'r Renderer<'r>,
    pub spec: PageSpec,
}

impl Output for Templated<'_> {
    fn path(&self) -> Cow<'_, str> {
        Cow::Owned(self.renderer.path(self.spec))
    }

    fn digest(&self, inputs: &Inputs) -> Option<u64> {
        Some(
            self.renderer
                .digest(self.spec, &inputs.replies, inputs.shared),
        )
    }

    fn make(&self, sink: &dyn Sink) -> Result<Wrote, BuildError> {
        let page = (self.renderer.render(self.spec))
            .map_err(|problem| BuildError::Content(vec![problem]))?;
        Ok(Wrote::one(sink.put(page).map_err(BuildError::Io)?))
    }
}

/// A file of the theme's `static/`, copied as it is.
pub(crate) struct Static<'t> {
    pub path: &'t str,
    pub bytes: &'t [u8],
}

impl Output for Static<'_> {
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.path)
    }

    fn digest(&self, _: &Inputs) -> Option<u64> {
        None
    }

    fn make(&self, sink: &dyn Sink) -> Result<Wrote, BuildError> {
        let page = Page {
            path: self.path.to_string(),
            bytes: self.bytes.to_vec(),
        };
        Ok(Wrote::one(sink.put(page).map_err(BuildError::Io)?))
    }
}

/// A file of open data, written in parts as they are made (`data::parts`):
/// the JSON is as big as every text together. With `lines`, the JSON's
/// lines wait on that shelf from one build to the next.
pub(crate) struct Data<'s> {
    pub file: DataFile,
    pub archive: &'s Archive,
    pub base: &'s BaseUrl,
    pub lines: Option<&'s Shelf>,
}

impl<'s> Data<'s> {
    /// Every data file of `archive`.
    pub(crate) fn all(
        archive: &'s Archive,
        base: &'s BaseUrl,
        lines: Option<&'s Shelf>,
    ) -> [Data<'s>; 3] {
        DataFile::ALL.map(|file| Data {
            file,
            archive,
            base,
            lines,
        })
    }
}

impl Output for Data<'_> {
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.file.path())
    }

    fn digest(&self, inputs: &Inputs) -> Option<u64> {
        Some(data::digest(
            self.file,
            self.archive,
            self.base,
            inputs.shared,
        ))
    }

    fn make(&self, sink: &dyn Sink) -> Result<Wrote, BuildError> {
        let mut parts = data::parts(self.file, self.archive, self.base, self.lines);
        let changed = (sink.put_parts(self.file.path(), &mut parts)).map_err(BuildError::Io)?;
        Ok(Wrote::one(changed))
    }
}

/// The search index, made of every published reply. Over a `previous`
/// folder it keeps, patches or makes its files as that folder holds them
/// (see `search::index`).
pub(crate) struct Index<'s> {
    pub archive: &'s Archive,
    pub base: &'s BaseUrl,
    /// What each result of `办理结果` means, as the reply pages show it.
    pub legend: &'s IndexMap<String, String>,
    pub previous: Option<&'s Previous<'s>>,
}

impl Output for Index<'_> {
    fn path(&self) -> Cow<'_, str> {
        Cow::Borrowed("search/index.json")
    }

    fn digest(&self, _: &Inputs) -> Option<u64> {
        None
    }

    fn make(&self, sink: &dyn Sink) -> Result<Wrote, BuildError> {
        let indexed = search::index(self.archive, self.base, self.legend, self.previous, sink)
            .map_err(BuildError::Io)?;
        Ok(Wrote {
            changed: indexed.changed,
            files: indexed.made,
        })
    }
}

/// Makes `outputs` in memory, in parallel, for the preview: every file, in
/// the order of `outputs`, or every problem.
pub(crate) fn in_memory<O: Output + Send>(outputs: Vec<O>) -> Result<Vec<Page>, Vec<Problem>> {
    let made: Vec<Result<Vec<Page>, Vec<Problem>>> = (outputs.into_par_iter())
        .map(|output| {
            let kept = Kept::default();
            match output.make(&kept) {
                Ok(_) => Ok(kept.into_pages()),
                Err(BuildError::Content(problems)) => Err(problems),
                Err(BuildError::Usage(problem)) => Err(vec![problem]),
                Err(BuildError::Io(error)) => {
                    Err(vec![Problem::new(&*output.path(), format!("{error:#}"))])
                }
            }
        })
        .collect();
    let mut pages = Vec::with_capacity(made.len());
    let mut problems = Vec::new();
    for result in made {
        match result {
            Ok(made) => pages.extend(made),
            Err(found) => {
                for problem in found {
                    // A template's problem comes with every page it renders.
                    if !problems.contains(&problem) {
                        problems.push(problem);
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(pages)
    } else {
        Err(problems)
    }
}
