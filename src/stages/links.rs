//! Internal links: every `href`, `src` and `action` of every rendered page
//! must land on a page or file the same build produces, or the build fails.
//!
//! The links are found by `html::for_each_link`. Pages are scanned in
//! parallel, and each thread keeps the verdict on links it has seen, since
//! most links (navigation, terms) repeat on thousands of pages.
//!
//! Knows nothing of templates: a broken link in a reply's own body is pointed
//! at the reply's file and line; any other came from the theme.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::ground::html::{decode_entities, for_each_link};
use crate::ground::lang;
use crate::ground::page::Page;
use crate::ground::problem::Problem;
use crate::model::archive::Archive;
use crate::model::config::BaseUrl;
use rust_i18n::t;

/// What a link points at, seen from the archive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    /// Another site, the parent site outside the base path, `mailto:`, `#top`…
    Outside,
    /// A path under the base path (decoded, without query or fragment).
    Inside(String),
    /// A root-relative link that left out the base path: `/years/` for `/zxta/years/`.
    MissesBase(String),
    /// `%` escapes that do not decode.
    Malformed,
}

/// Where `href`, found on the page at site path `page_dir` (`2021/ta-0152/`), points.
fn target(href: &str, page_dir: &str, base: &BaseUrl) -> Target {
    let href = href.trim();
    let href = &href[..href.find(['#', '?']).unwrap_or(href.len())];
    if href.is_empty() {
        return Target::Outside;
    }
    let absolute: Cow<str> = if let Some(rest) = strip_origin(href, base) {
        Cow::Borrowed(rest)
    } else if has_scheme(href) || href.starts_with("//") {
        return Target::Outside;
    } else if href.starts_with('/') {
        Cow::Borrowed(href)
    } else {
        Cow::Owned(normalise(&format!("{}{page_dir}{href}", base.path)))
    };
    let Some(path) = crate::ground::url::decode_path(&absolute) else {
        return Target::Malformed;
    };
    if let Some(inside) = path.strip_prefix(base.path.as_str()) {
        Target::Inside(inside.to_string())
    } else if path == base.path.trim_end_matches('/') {
        Target::Inside(String::new())
    } else if base.path != "/" && path != "/" {
        Target::MissesBase(path[1..].to_string())
    } else {
        Target::Outside
    }
}

/// The path of a `https://host/…` (or `//host/…`) link to this site's own host.
fn strip_origin<'h>(href: &'h str, base: &BaseUrl) -> Option<&'h str> {
    let (_, base_host) = base.origin.split_once("//")?;
    let rest = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"))
        .or_else(|| href.strip_prefix("//"))?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    host.eq_ignore_ascii_case(base_host)
        .then_some(if path.is_empty() { "/" } else { path })
}

fn has_scheme(href: &str) -> bool {
    match href.find(':') {
        Some(colon) => {
            let scheme = &href[..colon];
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// `/zxta/2021/a/../b/./` → `/zxta/2021/b/`; `..` above the root stays at it.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." | "" if !last => {}
            ".." => {
                parts.pop();
                if last {
                    parts.push("");
                }
            }
            "." => parts.push(""),
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

type FastHash = rustc_hash::FxBuildHasher;

/// The files of one build, to look links up in.
struct Files<'p>(HashSet<&'p str, FastHash>);

impl Files<'_> {
    /// Whether a site path is served: a file, or a folder with `index.html`
    /// (a host answers `/a` with `/a/` when `a/index.html` exists).
    fn serve(&self, path: &str) -> bool {
        if path.is_empty() || path.ends_with('/') {
            return self.0.contains(format!("{path}index.html").as_str());
        }
        self.0.contains(path) || self.0.contains(format!("{path}/index.html").as_str())
    }

    fn verdict(&self, target: &Target) -> Option<Broken> {
        match target {
            Target::Outside => None,
            Target::Inside(path) if self.serve(path) => None,
            Target::Inside(_) => Some(Broken::Missing),
            Target::MissesBase(path) if self.serve(path) => Some(Broken::MissesBase),
            Target::MissesBase(_) => None,
            Target::Malformed => Some(Broken::Malformed),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Broken {
    Missing,
    MissesBase,
    Malformed,
}

impl Broken {
    fn describe(self, href: &str, base: &BaseUrl) -> String {
        match self {
            Broken::Missing => t!("links.missing", href = href).into_owned(),
            Broken::MissesBase => {
                t!("links.misses_base", href = href, base = base.path).into_owned()
            }
            Broken::Malformed => t!("links.malformed", href = href).into_owned(),
        }
    }

    /// What to do about it, in a template.
    fn hint(self) -> String {
        match self {
            Broken::Missing => t!("links.missing_hint").into_owned(),
            Broken::MissesBase | Broken::Malformed => t!("links.url_hint").into_owned(),
        }
    }
}

/// What one page holds that is broken.
pub(crate) struct PageFindings {
    /// The page's path in the build.
    path: String,
    /// Broken links of a reply's own body, at its file and line.
    body: Vec<Problem>,
    /// Every other broken link: the raw link and what is wrong.
    theme: Vec<(String, Broken)>,
}

/// The verdict on links that mean the same on every page. One per thread:
/// most links (navigation, terms) repeat on thousands of pages.
pub(crate) type Seen = HashMap<String, Option<Broken>, FastHash>;

/// Checks pages one at a time as they are rendered, against every path the
/// build will produce, so that a build never holds all its pages at once.
pub(crate) struct LinkChecker<'a> {
    files: Files<'a>,
    /// `2021/ta-0152/index.html` → the reply's id.
    reply_pages: HashMap<String, usize>,
    archive: &'a Archive,
    base: &'a BaseUrl,
}

impl<'a> LinkChecker<'a> {
    /// `paths`: every file the build produces.
    pub(crate) fn new(paths: &'a [String], archive: &'a Archive, base: &'a BaseUrl) -> Self {
        LinkChecker {
            files: Files(paths.iter().map(String::as_str).collect()),
            reply_pages: archive
                .replies()
                .iter()
                .enumerate()
                .map(|(id, reply)| (format!("{}index.html", reply.path), id))
                .collect(),
            archive,
            base,
        }
    }

    /// A fresh cache of verdicts, for one thread.
    pub(crate) fn seen() -> Seen {
        Seen::with_capacity_and_hasher(4096, FastHash::default())
    }

    /// The broken links of one page, if it has any.
    pub(crate) fn page(&self, seen: &mut Seen, page: &Page) -> Option<PageFindings> {
        if !page.path.ends_with(".html") {
            return None;
        }
        let base = self.base;
        let page_dir = &page.path[..page.path.rfind('/').map_or(0, |i| i + 1)];
        // A reply's own links first, where they can be pointed at.
        let mut body = Vec::new();
        let mut body_targets = HashSet::new();
        if let Some(&id) = self.reply_pages.get(&page.path) {
            let reply = &self.archive.replies()[id];
            for link in &reply.body.links {
                let target = target(&link.href, page_dir, base);
                if let Some(broken) = self.files.verdict(&target) {
                    body.push(
                        Problem::new(&reply.source, broken.describe(&link.href, base))
                            .at(reply.body_line + link.line - 1, link.col),
                    );
                    body_targets.insert(target);
                }
            }
        }
        let mut theme = Vec::new();
        for_each_link(&page.bytes, |raw, _| {
            if raw.starts_with('#') {
                return;
            }
            let href = decode_entities(raw);
            // Relative links mean something else on every page: not cached.
            let relative = !href.starts_with('/') && !has_scheme(&href);
            let verdict = match seen.get(href.as_ref()) {
                Some(verdict) if !relative => *verdict,
                _ => {
                    let verdict = self.files.verdict(&target(&href, page_dir, base));
                    if !relative {
                        seen.insert(href.clone().into_owned(), verdict);
                    }
                    verdict
                }
            };
            let Some(broken) = verdict else { return };
            if !body_targets.is_empty() && body_targets.contains(&target(&href, page_dir, base)) {
                return;
            }
            theme.push((href.into_owned(), broken));
        });
        (!body.is_empty() || !theme.is_empty()).then(|| PageFindings {
            path: page.path.clone(),
            body,
            theme,
        })
    }

    /// The findings as problems: one per link of a reply body (at its file
    /// and line), one per distinct broken link of the theme (with the first
    /// page it is on and how many others). `found` in the build's page order.
    pub(crate) fn report(&self, found: Vec<PageFindings>) -> Vec<Problem> {
        let base = self.base;
        let mut problems = Vec::new();
        let mut theme: BTreeMap<(usize, String), (Broken, usize, String)> = BTreeMap::new();
        let mut first_page: HashMap<String, usize> = HashMap::new();
        for (index, found) in found.into_iter().enumerate() {
            problems.extend(found.body);
            for (href, kind) in found.theme {
                let first = *first_page.entry(href.clone()).or_insert(index);
                theme
                    .entry((first, href))
                    .or_insert((kind, 0, found.path.clone()))
                    .1 += 1;
            }
        }
        for ((_, href), (kind, count, path)) in theme {
            let page = base.link(path.trim_end_matches("index.html"));
            let on = match count {
                1 => t!("links.on_page", page = page),
                n => t!(
                    "links.on_pages",
                    page = page,
                    others = lang::count(n - 1, "count.other_pages")
                ),
            };
            problems.push(
                Problem::new("templates", format!("{}{on}", kind.describe(&href, base)))
                    .hint(kind.hint()),
            );
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_against_the_base_path_and_the_page() {
        let base = BaseUrl::parse("https://www.example.gov.cn/zxta/").unwrap();
        let t = |href| target(href, "2021/a/", &base);
        assert_eq!(t("/zxta/years/"), Target::Inside("years/".into()));
        assert_eq!(t("/zxta"), Target::Inside(String::new()));
        assert_eq!(t("../b/#x"), Target::Inside("2021/b/".into()));
        assert_eq!(t("c.png?v=1"), Target::Inside("2021/a/c.png".into()));
        assert_eq!(
            t("https://www.example.gov.cn/zxta/%E5%B9%B4/"),
            Target::Inside("年/".into())
        );
        assert_eq!(t("/years/"), Target::MissesBase("years/".into()));
        assert_eq!(t("/"), Target::Outside);
        assert_eq!(t("https://www.gov.cn/"), Target::Outside);
        assert_eq!(t("mailto:a@b.cn"), Target::Outside);
        assert_eq!(t("#top"), Target::Outside);
        assert_eq!(t("/zxta/%zz"), Target::Malformed);
    }

    #[test]
    fn dot_segments_normalise() {
        assert_eq!(normalise("/z/2021/a/../b/./"), "/z/2021/b/");
        assert_eq!(normalise("/z/a/.."), "/z/");
        assert_eq!(normalise("/../../x"), "/x");
    }
}
