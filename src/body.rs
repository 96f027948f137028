//! A reply's body between loading and use. It is rendered once, when its
//! file is read, to HTML for its page and plain text for the open data and
//! the search index; each of those reads it once, late in the build. Held
//! in memory, the bodies were two thirds of a build's peak (165 MB at
//! 10,000 replies, 1.6 GB at 100,000), so a build puts each on the shelf,
//! a temporary file on the output's disk (see `spill`), as soon as it is
//! rendered. `serve` and `check` keep theirs in memory.

use std::borrow::Cow;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use anyhow::{Context as _, Result};

use crate::markdown::{self, BodyLink, Rendered};
use crate::spill::{Spill, Spilled};

/// Characters of a reply's text in its description and feed summary.
pub const SUMMARY_CHARS: usize = 120;

#[derive(Debug)]
pub struct Body {
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

impl Body {
    /// Renders a body's Markdown.
    pub fn render(markdown: &str, options: &markdown::Options) -> Body {
        let rendered: Rendered = markdown::render(markdown, options);
        let mut hasher = DefaultHasher::new();
        (markdown, options).hash(&mut hasher);
        Body {
            links: rendered.links,
            summary: markdown::summary(&rendered.text, SUMMARY_CHARS),
            digest: hasher.finish(),
            held: Held::Memory {
                html: rendered.html,
                text: rendered.text,
            },
        }
    }

    /// The HTML its page shows.
    pub fn html(&self) -> Result<Cow<'_, str>> {
        self.part(0)
    }

    /// The plain text, paragraphs separated by `\n`.
    pub fn text(&self) -> Result<Cow<'_, str>> {
        self.part(1)
    }

    /// Moves the HTML and text to `shelf`, out of memory.
    pub fn shelve(&mut self, shelf: &Arc<Spill>) -> Result<()> {
        if let Held::Memory { html, text } = &self.held {
            let spot = shelf.put(&[html, text])?;
            self.held = Held::Shelf(Arc::clone(shelf), spot);
        }
        Ok(())
    }

    fn part(&self, part: usize) -> Result<Cow<'_, str>> {
        match &self.held {
            Held::Memory { html, text } => Ok(Cow::Borrowed([html, text][part])),
            Held::Shelf(shelf, spot) => {
                let bytes = shelf.get(spot, part)?;
                // It went in as a `String`: anything else is a damaged disk.
                String::from_utf8(bytes)
                    .map(Cow::Owned)
                    .context("a body came back damaged from its temporary file")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(markdown: &str) -> Body {
        Body::render(markdown, &markdown::Options::default())
    }

    #[test]
    fn a_shelved_body_reads_back_as_it_was_held() {
        let dir = tempfile::tempdir().unwrap();
        let shelf = Arc::new(Spill::new(dir.path(), "a test's").unwrap());
        let mut a = body("# 答复\n\n关于[第0152号](/2021/ta-0152/)提案。\n\n二段。");
        let mut b = body("另一件。");
        let (html, text) = (
            a.html().unwrap().into_owned(),
            a.text().unwrap().into_owned(),
        );
        assert!(
            html.contains("<a href=\"/2021/ta-0152/\">第0152号</a>"),
            "{html}"
        );
        assert_eq!(text, "答复\n关于第0152号提案。\n二段。");
        a.shelve(&shelf).unwrap();
        b.shelve(&shelf).unwrap();
        assert!(matches!(a.held, Held::Shelf(..)));
        assert_eq!(a.html().unwrap(), html);
        assert_eq!(a.text().unwrap(), text);
        assert_eq!(b.text().unwrap(), "另一件。");
        assert_eq!(a.summary, "答复 关于第0152号提案。 二段。");
        assert_eq!(a.links.len(), 1);
    }
}
