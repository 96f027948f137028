//! A reply's body between loading and use: its HTML for its page and plain
//! text for the open data and the search index, each read once, late in
//! the build. Held in memory, the bodies were two thirds of a build's peak
//! (165 MB at 10,000 replies, 1.6 GB at 100,000), so a build keeps them on
//! the shelf, a file on the output's disk (see `shelf`), where the next
//! build finds those it need not render again. `serve` and `check` render
//! each and keep it in memory.

use std::borrow::Cow;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use anyhow::{Result, bail};
use rust_i18n::t;
use serde::{Deserialize, Serialize};

use crate::ground::shelf::Shelf;
use crate::ground::spill::{Spill, Spilled};
use crate::model::config::BodyOptions;
use crate::model::markdown::{self, BodyLink, Rendered};

/// Characters of a reply's text in its description and feed summary.
pub(crate) const SUMMARY_CHARS: usize = 120;

#[derive(Debug)]
pub(crate) struct Body {
    /// Its links and images, to check them against the site's pages.
    pub links: Vec<BodyLink>,
    /// The start of its text on one line, for descriptions and feeds.
    pub summary: String,
    /// Its Markdown and the settings it was rendered with, in 64 bits: all
    /// that its HTML and text are made of, for digests (see `digest`).
    pub digest: u64,
    held: Held,
}

enum Held {
    Memory {
        html: String,
        text: String,
    },
    /// On the shelf: part 0 the HTML, part 1 the text.
    Shelf(Arc<Spill>, Spilled),
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Held::Memory { html, text } => f
                .debug_struct("Memory")
                .field("html", html)
                .field("text", text)
                .finish(),
            Held::Shelf(..) => f.write_str("Shelf"),
        }
    }
}

/// What a body shows besides its HTML and text, kept on the shelf with them.
#[derive(Serialize, Deserialize)]
struct Outline {
    summary: String,
    links: Vec<BodyLink>,
}

/// How a load makes the bodies it reads: each rendered and held in memory,
/// or found on a shelf and rendered only when not there.
#[derive(Clone, Copy)]
pub(crate) enum Bodies<'a> {
    Held(&'a BodyOptions),
    Shelved(&'a BodyOptions, &'a Shelf),
}

impl Bodies<'_> {
    /// The same, but held in memory.
    pub(crate) fn held(self) -> Self {
        match self {
            Bodies::Held(options) | Bodies::Shelved(options, _) => Bodies::Held(options),
        }
    }

    /// The body `markdown` makes.
    pub(crate) fn make(self, markdown: &str) -> Result<Body> {
        match self {
            Bodies::Held(options) => Ok(Body::render(markdown, options)),
            Bodies::Shelved(options, shelf) => Body::shelved(markdown, options, shelf),
        }
    }
}

impl Body {
    /// Renders a body's Markdown.
    pub(crate) fn render(markdown: &str, options: &BodyOptions) -> Body {
        let rendered: Rendered = markdown::render(markdown, options);
        Body {
            summary: markdown::summary(&rendered.text, SUMMARY_CHARS),
            links: rendered.links,
            digest: digest(markdown, options),
            held: Held::Memory {
                html: rendered.html,
                text: rendered.text,
            },
        }
    }

    /// The body on `shelf` with this Markdown and settings, or rendered and
    /// put there.
    fn shelved(markdown: &str, options: &BodyOptions, shelf: &Shelf) -> Result<Body> {
        let digest = digest(markdown, options);
        // One whose outline does not read back is rendered again.
        let found = shelf.find(digest).and_then(|spot| {
            let bytes = shelf.spill().get(&spot, 2).ok()?;
            Some((spot, serde_json::from_slice(&bytes).ok()?))
        });
        let (spot, outline) = match found {
            Some(found) => found,
            None => {
                let rendered = markdown::render(markdown, options);
                let outline = Outline {
                    summary: markdown::summary(&rendered.text, SUMMARY_CHARS),
                    links: rendered.links,
                };
                let (html, text) = (rendered.html.as_bytes(), rendered.text.as_bytes());
                let spot = shelf.put(digest, &[html, text, &serde_json::to_vec(&outline)?])?;
                (spot, outline)
            }
        };
        Ok(Body {
            links: outline.links,
            summary: outline.summary,
            digest,
            held: Held::Shelf(Arc::clone(shelf.spill()), spot),
        })
    }

    /// The HTML its page shows.
    pub(crate) fn html(&self) -> Result<Cow<'_, str>> {
        self.part(0)
    }

    /// The plain text, paragraphs separated by `\n`.
    pub(crate) fn text(&self) -> Result<Cow<'_, str>> {
        self.part(1)
    }

    fn part(&self, part: usize) -> Result<Cow<'_, str>> {
        match &self.held {
            Held::Memory { html, text } => Ok(Cow::Borrowed([html, text][part])),
            Held::Shelf(shelf, spot) => {
                let bytes = shelf.get(spot, part)?;
                // It went in as a `String`: anything else is a damaged disk.
                if simdutf8::basic::from_utf8(&bytes).is_err() {
                    bail!("{}", t!("spill.damaged", file = shelf.name()));
                }
                // SAFETY: validated as UTF-8 just above (with SIMD, since
                // every body is read back this way in a build that renders
                // its pages: std's check took 5% of such a build).
                Ok(Cow::Owned(unsafe { String::from_utf8_unchecked(bytes) }))
            }
        }
    }
}

/// All that a body's HTML and text are made of, in 64 bits.
fn digest(markdown: &str, options: &BodyOptions) -> u64 {
    let mut hasher = DefaultHasher::new();
    (markdown, options).hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shelved_body_reads_back_as_the_body_held() {
        let dir = tempfile::tempdir().unwrap();
        let shelf = Shelf::in_cache(dir.path(), "bodies", "a test's".into()).unwrap();
        let options = BodyOptions::default();
        let markdown = "# 答复\n\n关于[第0152号](/2021/ta-0152/)提案。\n\n二段。";
        let held = Bodies::Held(&options).make(markdown).unwrap();
        let shelved = Bodies::Shelved(&options, &shelf).make(markdown).unwrap();
        let other = Bodies::Shelved(&options, &shelf).make("另一件。").unwrap();
        assert!(matches!(shelved.held, Held::Shelf(..)));
        assert!(
            (held.html().unwrap()).contains("<a href=\"/2021/ta-0152/\">第0152号</a>"),
            "{:?}",
            held.html()
        );
        assert_eq!(held.text().unwrap(), "答复\n关于第0152号提案。\n二段。");
        assert_eq!(shelved.html().unwrap(), held.html().unwrap());
        assert_eq!(shelved.text().unwrap(), held.text().unwrap());
        assert_eq!(other.text().unwrap(), "另一件。");
        assert_eq!(shelved.summary, "答复 关于第0152号提案。 二段。");
        assert_eq!(shelved.summary, held.summary);
        assert_eq!(shelved.links, held.links);
        assert_eq!(shelved.digest, held.digest);
    }

    #[test]
    fn a_shelved_body_that_is_not_utf8_any_more_is_an_error_naming_the_shelf() {
        let dir = tempfile::tempdir().unwrap();
        let shelf = Shelf::in_cache(dir.path(), "bodies", "a test's".into()).unwrap();
        let options = BodyOptions::default();
        let body = Bodies::Shelved(&options, &shelf).make("答复正文").unwrap();
        shelf.keep().unwrap();
        // The HTML comes first in the entry: cut its first character in two.
        let data = dir.path().join("bodies");
        let mut bytes = std::fs::read(&data).unwrap();
        let first = bytes.iter().position(|&b| b >= 0x80).unwrap();
        bytes[first] = 0xff;
        std::fs::write(&data, bytes).unwrap();
        let error = body.html().unwrap_err().to_string();
        assert!(error.starts_with("bodies in "), "{error}");
        assert!(
            error.ends_with(" is damaged: delete it and build again"),
            "{error}"
        );
        assert_eq!(body.text().unwrap(), "答复正文", "the other part is whole");
    }

    #[test]
    fn a_body_whose_outline_is_damaged_is_rendered_again_and_kept_anew() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path();
        let options = BodyOptions::default();
        let markdown = "关于[第0152号](/2021/ta-0152/)提案。";
        let first = Shelf::in_cache(output, "bodies", "a test's".into()).unwrap();
        Bodies::Shelved(&options, &first).make(markdown).unwrap();
        first.keep().unwrap();
        // Damage the outline, the last part of the only entry.
        let data = dir.path().join("bodies");
        let mut bytes = std::fs::read(&data).unwrap();
        let end = bytes.len();
        bytes[end - 2..].copy_from_slice(b"\0\0");
        std::fs::write(&data, bytes).unwrap();
        let mut lens = Vec::new();
        for _ in 0..2 {
            let shelf = Shelf::in_cache(output, "bodies", "a test's".into()).unwrap();
            let body = Bodies::Shelved(&options, &shelf).make(markdown).unwrap();
            assert_eq!(body.summary, "关于第0152号提案。");
            assert_eq!(body.links.len(), 1);
            shelf.keep().unwrap();
            lens.push(std::fs::metadata(&data).unwrap().len());
        }
        assert!(lens[0] > end as u64, "rendered again and put anew");
        assert_eq!(lens[1], lens[0], "found the second time: nothing put");
    }
}
