//! Internal links: every `href`, `src` and `action` of every rendered page
//! must land on a page or file the same build produces, or the build fails.
//!
//! The pages are our own output, so a small scanner over `<tag attr=…>`
//! suffices: no DOM, no allocation per tag, `<script>`, `<style>` and
//! comments skipped. Pages are scanned in parallel, and each thread keeps the
//! verdict on links it has seen, since most links (navigation, terms) repeat
//! on thousands of pages.
//!
//! Knows nothing of templates: a broken link in a reply's own body is pointed
//! at the reply's file and line; any other came from the theme.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::archive::Archive;
use crate::config::BaseUrl;
use crate::lang;
use crate::problem::Problem;
use crate::render::Page;
use rust_i18n::t;

/// Calls `found(value, offset)` for the raw value of every `href`, `src` and
/// `action` attribute in `html` (entities not yet decoded; `offset` is where
/// the value starts). Works on bytes: the pages are ours and UTF-8, and
/// validating hundreds of megabytes again would cost more than the scan.
pub fn for_each_link<'b>(bytes: &'b [u8], mut found: impl FnMut(&'b str, usize)) {
    // One pass of memchr over every `<`; what lies inside a tag, a comment
    // or a script is stepped over by `skip_to`.
    let mut skip_to = 0;
    for lt in memchr::memchr_iter(b'<', bytes) {
        if lt < skip_to {
            continue;
        }
        let start = lt + 1;
        match bytes.get(start) {
            Some(b'!') if bytes[start..].starts_with(b"!--") => {
                skip_to = memchr::memmem::find(&bytes[start..], b"-->")
                    .map_or(bytes.len(), |e| start + e + 3);
                continue;
            }
            // The first letters of LINK_TAGS and of `style`: a quick way past
            // `p`, `li`, `td`, `div`, `h2`, `meta`…
            Some(c)
                if matches!(
                    c.to_ascii_lowercase(),
                    b'a' | b'l' | b'i' | b's' | b'f' | b'b' | b'v' | b'e' | b't'
                ) => {}
            // `</p>`, `<!DOCTYPE …>`, a lone `<`, a tag without links.
            _ => continue,
        }
        let name_end = start
            + bytes[start..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(bytes.len() - start);
        let name = &bytes[start..name_end];
        let is = |tag: &[u8]| name.len() == tag.len() && name.eq_ignore_ascii_case(tag);
        // Most tags (p, li, td, span…) carry no link: go on to the next `<`.
        // In our pages a `<` inside an attribute value is always escaped.
        if LINK_TAGS.iter().any(|tag| is(tag)) {
            skip_to = attributes(bytes, name_end, &mut found);
        }
        if is(b"script") {
            skip_to = find_end_tag(bytes, skip_to, b"script");
        } else if is(b"style") {
            skip_to = find_end_tag(bytes, tag_end(bytes, name_end), b"style");
        }
    }
}

/// Elements whose `href`, `src` or `action` is a link a browser follows or fetches.
const LINK_TAGS: [&[u8]; 14] = [
    b"a", b"link", b"img", b"script", b"form", b"iframe", b"area", b"source", b"video", b"audio",
    b"embed", b"track", b"input", b"base",
];

/// Where a tag ends: after its `>`, stepping over quoted values.
fn tag_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(p) = memchr::memchr3(b'>', b'"', b'\'', &bytes[at..]) {
        let found = at + p;
        if bytes[found] == b'>' {
            return found + 1;
        }
        at = memchr::memchr(bytes[found], &bytes[found + 1..])
            .map_or(bytes.len(), |e| found + 2 + e);
    }
    bytes.len()
}

/// Reads the attributes of a tag from `at` to its `>`; returns where it ends.
fn attributes<'b>(bytes: &'b [u8], mut at: usize, found: &mut impl FnMut(&'b str, usize)) -> usize {
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= bytes.len() || bytes[at] == b'>' {
            return (at + 1).min(bytes.len());
        }
        let name_start = at;
        while at < bytes.len()
            && !matches!(
                bytes[at],
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>' | b'='
            )
        {
            at += 1;
        }
        let name = &bytes[name_start..at];
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at >= bytes.len() || bytes[at] != b'=' {
            continue;
        }
        at += 1;
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let (value_start, value_end, next) = match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) => {
                let end =
                    memchr::memchr(quote, &bytes[at + 1..]).map_or(bytes.len(), |e| at + 1 + e);
                (at + 1, end, (end + 1).min(bytes.len()))
            }
            _ => {
                let end = bytes[at..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || *b == b'>')
                    .map_or(bytes.len(), |e| at + e);
                (at, end, end)
            }
        };
        if [&b"href"[..], b"src", b"action"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
            && let Ok(value) = std::str::from_utf8(&bytes[value_start..value_end])
        {
            found(value, value_start);
        }
        at = next;
    }
}

/// Where the raw text of a `<script>` or `<style>` ends.
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(p) = memchr::memmem::find(&bytes[at..], b"</") {
        let tag = at + p + 2;
        if bytes.len() >= tag + name.len()
            && bytes[tag..tag + name.len()].eq_ignore_ascii_case(name)
        {
            return tag;
        }
        at = tag;
    }
    bytes.len()
}

/// The character references an attribute value may hold: the ones our
/// pages write, numeric ones (`&#106;`, `&#x6A;`, with or without `;`,
/// as browsers read them), and the named ones that spell out a URL's
/// scheme (`javascript&colon;`).
pub fn decode_entities(value: &str) -> Cow<'_, str> {
    if !value.contains('&') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let named = [
            ("&amp;", '&'),
            ("&quot;", '"'),
            ("&#x27;", '\''),
            ("&#39;", '\''),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&colon;", ':'),
            ("&Tab;", '\t'),
            ("&NewLine;", '\n'),
        ]
        .into_iter()
        .find(|(entity, _)| rest.starts_with(entity));
        if let Some((entity, c)) = named {
            out.push(c);
            rest = &rest[entity.len()..];
        } else if let Some((c, len)) = numeric_reference(rest) {
            out.push(c);
            rest = &rest[len..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `&#106;` or `&#x6a` at the start of `text`: the character and the
/// reference's length; an invalid code point reads as U+FFFD, as in HTML.
fn numeric_reference(text: &str) -> Option<(char, usize)> {
    let digits = text.strip_prefix("&#")?;
    let (radix, digits, skip) = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => (16, hex, 3),
        None => (10, digits, 2),
    };
    let len = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if len == 0 {
        return None;
    }
    // Leading zeros aside, more digits than any code point has.
    let value = u32::from_str_radix(&digits[..len.min(8)], radix).unwrap_or(u32::MAX);
    let c = char::from_u32(value)
        .filter(|&c| c != '\0')
        .unwrap_or('\u{fffd}');
    let semicolon = usize::from(digits[len..].starts_with(';'));
    Some((c, skip + len + semicolon))
}

/// The scheme of a link that runs script or carries a document of its own
/// (`javascript:`, `vbscript:`, `data:`), as a browser reads the link:
/// ignoring case, the spaces and controls around it, and tabs and line
/// breaks anywhere in it.
pub fn script_scheme(href: &str) -> Option<&'static str> {
    let scheme: String = href
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .take_while(|&c| c != ':')
        .take(11)
        .flat_map(char::to_lowercase)
        .collect();
    let rest = href.trim_start_matches(|c: char| c <= ' ');
    ["javascript", "vbscript", "data"]
        .into_iter()
        .find(|&s| scheme == s && rest.contains(':'))
}

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
    let Some(path) = crate::url::decode_path(&absolute) else {
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
pub enum Broken {
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
pub struct PageFindings {
    /// The page's path in the build.
    path: String,
    /// Broken links of a reply's own body, at its file and line.
    body: Vec<Problem>,
    /// Every other broken link: the raw link and what is wrong.
    theme: Vec<(String, Broken)>,
}

/// The verdict on links that mean the same on every page. One per thread:
/// most links (navigation, terms) repeat on thousands of pages.
pub type Seen = HashMap<String, Option<Broken>, FastHash>;

/// Checks pages one at a time as they are rendered, against every path the
/// build will produce, so that a build never holds all its pages at once.
pub struct LinkChecker<'a> {
    files: Files<'a>,
    /// `2021/ta-0152/index.html` → the reply's id.
    reply_pages: HashMap<String, usize>,
    archive: &'a Archive,
    base: &'a BaseUrl,
}

impl<'a> LinkChecker<'a> {
    /// `paths`: every file the build produces.
    pub fn new(paths: &'a [String], archive: &'a Archive, base: &'a BaseUrl) -> Self {
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
    pub fn seen() -> Seen {
        Seen::with_capacity_and_hasher(4096, FastHash::default())
    }

    /// The broken links of one page, if it has any.
    pub fn page(&self, seen: &mut Seen, page: &Page) -> Option<PageFindings> {
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
    pub fn report(&self, found: Vec<PageFindings>) -> Vec<Problem> {
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
                    others = lang::count(n - 1, "count.pages")
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

    fn links(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_link(html.as_bytes(), |v, _| out.push(v.to_string()));
        out
    }

    #[test]
    fn the_scanner_finds_links_and_skips_scripts_and_comments() {
        let html = r#"<!DOCTYPE html><a class=x href="/a/">a</a><IMG SRC='b.png'><form action=/s/ method=get>
<!-- <a href="/c/"> --><script>var s = '<a href="/d/">'; x.src="/e/";</script><link rel="icon" href = "/f.svg" /><p>a < b</p>"#;
        assert_eq!(links(html), ["/a/", "b.png", "/s/", "/f.svg"]);
    }

    #[test]
    fn entities_in_values_decode() {
        assert_eq!(
            decode_entities("/s/?a=1&amp;b=&#x27;x&#39;"),
            "/s/?a=1&b='x'"
        );
        assert_eq!(decode_entities("a&b"), "a&b");
    }

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
    fn numeric_and_scheme_references_decode() {
        assert_eq!(decode_entities("&#106;avascript&colon;x"), "javascript:x");
        assert_eq!(decode_entities("&#x6A&#X61;"), "ja");
        assert_eq!(
            decode_entities("&#0;&#99999999999;&#;"),
            "\u{fffd}\u{fffd}&#;"
        );
    }

    #[test]
    fn script_schemes_are_found_as_a_browser_reads_them() {
        for href in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " \u{1}\tjava\tscript:x",
            "java\nscript:x",
            "vbscript:msgbox",
            "data:text/html,<script>",
            "DATA:image/svg+xml;base64,AAAA",
        ] {
            assert!(script_scheme(href).is_some(), "{href:?}");
        }
        for href in [
            "/javascript:x/",
            "https://a/javascript:x",
            "javascript",
            "data/x.csv",
            "mailto:a@b.cn",
            "./data:x",
        ] {
            assert_eq!(script_scheme(href), None, "{href:?}");
        }
    }

    #[test]
    fn dot_segments_normalise() {
        assert_eq!(normalise("/z/2021/a/../b/./"), "/z/2021/b/");
        assert_eq!(normalise("/z/a/.."), "/z/");
        assert_eq!(normalise("/../../x"), "/x");
    }
}
