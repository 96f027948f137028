//! Fuzzing, for good: front matter, Markdown and config.yaml made of nasty
//! pieces (control characters, brackets, quotes, script, template syntax,
//! the files of `tests/fuzz/corpus/`), through the same code a build runs.
//! Whatever goes in: no panic, output bounded by the input, every problem
//! at `path:line:col`, no script in a page, and feeds that are XML.
//!
//! A few hundred cases, seconds in CI (`PROPTEST_CASES` runs more). A
//! failing case is shrunk and printed; add it to the corpus once fixed.

use std::path::Path;

use proptest::prelude::*;

use crate::BuildOptions;
use crate::ground::page::Kept;
use crate::ground::problem::Problem;
use crate::model::body::Bodies;
use crate::model::config::BodyOptions;
use crate::model::markdown;
use crate::site::{Run, Site};

/// The nasty pieces inputs are made of.
const PIECES: &[&str] = &[
    "\n",
    "\n\n",
    " ",
    "\t",
    "\u{c}",
    "\u{b}",
    "\u{1b}",
    "\u{85}",
    "\u{fffe}",
    "\u{0}",
    "\r",
    "&#12;",
    "&#x0B;",
    "&#0;",
    "&#106;avascript:",
    "javascript:window.__pwned=1",
    "JaVaScRiPt:",
    "vbscript:",
    "data:text/html,",
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    "<svg onload=window.__pwned=1>",
    "\"><",
    "'",
    "\"",
    "</title>",
    "]]>",
    "<![CDATA[",
    "{{ site.title }}",
    "{% raw %}",
    "{#",
    "#}",
    "{",
    "}",
    "[",
    "]",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "(",
    ")",
    "](javascript:x)",
    "[a](",
    "![i](",
    "<",
    ">",
    "<javascript:x>",
    "## 一、说明 {tabindex=0 onfocus=window.__pwned=1}",
    "{style=position:fixed}",
    "| a | b |\n|---|---|\n| ",
    "[^1]",
    "[^1]: ",
    "[1]: ",
    "```",
    "---",
    "- ",
    "> ",
    "? ",
    ": ",
    "&",
    "*",
    "=HYPERLINK(",
    "+cmd|",
    "@",
    "常州市工业和信息化局",
    "答复",
    "关于",
    "〔2021〕",
    "李永莱等32名代表",
    "\u{200b}",
    "\u{3000}",
    "𠀀",
];

/// The front matter keys, real and not.
const KEYS: &[&str] = &[
    "title",
    "标题",
    "department",
    "办理单位",
    "date",
    "year",
    "doc_number",
    "session",
    "proposers",
    "addressee",
    "cc",
    "keywords",
    "kind",
    "disclosure",
    "draft",
    "extra",
    "phone",
    "1",
    "~",
    "\"titel\"",
    "? [a, b]",
    "<<",
];

/// Text made of pieces and the odd random character.
fn nasty(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

/// A reply file: front matter lines of keys and nasty values, and a body.
fn reply_file() -> impl Strategy<Value = String> {
    let line =
        (prop::sample::select(KEYS), nasty(6)).prop_map(|(key, value)| format!("{key}: {value}\n"));
    (prop::collection::vec(line, 0..8), any::<bool>(), nasty(40)).prop_map(
        |(lines, with_basics, body)| {
            let basics = if with_basics {
                "title: 答复\ndepartment: 甲局\ndate: 2021-06-10\n"
            } else {
                ""
            };
            format!("---\n{basics}{}---\n{body}", lines.concat())
        },
    )
}

/// A reply that parses, but for what its title, proposers and body hold:
/// most nasty input reaches the pages this way.
fn published_reply() -> impl Strategy<Value = String> {
    (nasty(4), nasty(4), nasty(60)).prop_map(|(title, proposer, body)| {
        let quoted = |text: &str| serde_json::to_string(text).expect("a string serialises");
        format!(
            "---\ntitle: {}\ndepartment: 甲局\ndate: 2021-06-10\nproposers: [{}, 乙]\n---\n{body}",
            quoted(&format!("答复{title}")),
            quoted(&format!("甲{proposer}")),
        )
    })
}

/// A corpus file with nasty text put in at a few places.
fn mutated_corpus() -> impl Strategy<Value = String> {
    let corpus = corpus();
    (
        prop::sample::select(corpus),
        prop::collection::vec((any::<prop::sample::Index>(), nasty(3)), 0..4),
    )
        .prop_map(|((_, text), insertions)| {
            let mut text = text;
            for (at, piece) in insertions {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, &piece);
            }
            text
        })
}

/// `tests/fuzz/corpus/`: (name, text), in name order.
fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("tests/fuzz/corpus is in the repository")
        .flatten()
        .map(|entry| {
            let text = std::fs::read_to_string(entry.path()).expect("a corpus file is text");
            (entry.file_name().to_string_lossy().into_owned(), text)
        })
        .collect();
    files.sort();
    files
}

/// Every problem names its file, line and column.
fn placed(problems: &[Problem]) -> Result<(), TestCaseError> {
    for problem in problems {
        prop_assert!(
            problem.line.is_some() && problem.col.is_some(),
            "no line and column: {problem}"
        );
        prop_assert!(
            !problem.to_string().contains('\n'),
            "two lines: {problem:?}"
        );
    }
    Ok(())
}

/// Nothing in `html` runs script: no `<script>`, `<iframe>`, `<object>`,
/// `<embed>`, `<svg>` or `<base>` tag, no `on…=` or `style` attribute, no
/// link to a script scheme. The HTML is dafu's own, so a scan of its tags suffices.
fn no_script(html: &str) -> Result<(), TestCaseError> {
    no_script_but_the_themes(html, false)
}

/// [`no_script`], but a page may load the theme's own scripts: a
/// `<script src="….js">` with nothing inside, as dafu's templates write it.
fn no_script_but_the_themes(html: &str, theme: bool) -> Result<(), TestCaseError> {
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(lt) = memchr_lt(&bytes[at..]) {
        let start = at + lt + 1;
        at = start;
        let name_len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = html[start..start + name_len].to_ascii_lowercase();
        let end = tag_end(bytes, start + name_len);
        let tag = &html[start + name_len..end];
        let themes = theme
            && name == "script"
            && html[end..].starts_with("></script>")
            && attributes(tag).iter().any(|(attr, value)| {
                attr == "src" && value.starts_with('/') && value.ends_with(".js")
            });
        // The theme draws the charts of /stats/ as SVG.
        let svg = theme && name == "svg";
        prop_assert!(
            themes
                || svg
                || ![
                    "script", "iframe", "object", "embed", "svg", "style", "base"
                ]
                .contains(&name.as_str()),
            "a <{name}> tag: {html}"
        );
        for (attr, value) in attributes(tag) {
            prop_assert!(!attr.starts_with("on"), "an {attr}= attribute: {html}");
            prop_assert!(attr != "style", "a style attribute: {html}");
            // Attributes a browser follows or fetches as a URL.
            let url = [
                "href",
                "src",
                "action",
                "formaction",
                "xlink:href",
                "data",
                "poster",
            ];
            let value = crate::ground::html::decode_entities(&value);
            prop_assert!(
                !url.contains(&attr.as_str())
                    || crate::ground::html::script_scheme(&value).is_none(),
                "a script link {attr}={value}: {html}"
            );
        }
        at = end;
    }
    Ok(())
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// Where the tag whose attributes start at `at` ends, quotes stepped over.
fn tag_end(bytes: &[u8], mut at: usize) -> usize {
    let mut quote = None;
    while at < bytes.len() {
        match (quote, bytes[at]) {
            (None, b'>') => return at,
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (Some(q), b) if b == q => quote = None,
            _ => {}
        }
        at += 1;
    }
    bytes.len()
}

/// The attributes of a tag's inside, as (lowercase name, raw value).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.trim_start_matches([' ', '\n', '\t', '/']);
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (v, left) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = after[1..].find(q).map_or(after.len(), |i| i + 1);
                    (&after[1..close], after.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = v.to_string();
            rest = left;
        }
        if !name.is_empty() {
            out.push((name, value));
        }
        rest = rest.trim_start_matches([' ', '\n', '\t', '/']);
    }
    out
}

/// Parses a reply file as a build does, with raw HTML allowed or not, and
/// checks what comes out.
fn check_reply(text: &str, allow_html: bool) -> Result<(), TestCaseError> {
    let options = BodyOptions {
        allow_html,
        ..BodyOptions::default()
    };
    let parsed = crate::model::reply::parse(
        Path::new("content/fuzz.md"),
        "fuzz/".into(),
        text,
        Bodies::Held(&options),
    );
    match parsed {
        Ok(reply) => {
            let html = reply.body.html().expect("a held body");
            no_script(&html)?;
            // Markup grows text a few times at most (`>` becomes a
            // `<blockquote>`), never with its square.
            prop_assert!(html.len() <= 32 * text.len() + 4096, "{} bytes", html.len());
            let plain = reply.body.text().expect("a held body");
            prop_assert!(!plain.contains(crate::ground::text::unpublishable));
            prop_assert!(!html.contains(crate::ground::text::unpublishable));
            placed(&reply.warnings)?;
        }
        Err(problems) => {
            prop_assert!(!problems.is_empty());
            placed(&problems)?;
        }
    }
    Ok(())
}

/// Builds a site of one reply (and a config) in memory, and checks every
/// page it makes: HTML without script, feeds and the sitemap as XML, the
/// open data without a formula or a control character.
fn check_site(reply: &str, config: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir(dir.path().join("content")).expect("content/");
    std::fs::write(dir.path().join("content/fuzz.md"), reply).expect("a reply");
    std::fs::write(dir.path().join("config.yaml"), config).expect("a config");
    let options = BuildOptions {
        root: dir.path().to_path_buf(),
        ..BuildOptions::default()
    };
    let site = match Site::load(&options) {
        Ok(site) => site,
        Err(problems) => return placed(&problems),
    };
    let pages = Kept::default();
    let built = site.each_page(
        &Run::Check,
        &pages,
        &mut crate::ground::timings::Stages::off(),
    );
    if let Err(crate::BuildError::Content(problems)) = built {
        // Broken links in a body are problems at their line; a theme's
        // would have no line, but the theme is dafu's own here.
        return placed(&problems);
    }
    prop_assert!(built.is_ok(), "the build failed otherwise");
    let input = reply.len() + config.len();
    let pages = pages.into_pages();
    let total: usize = pages.iter().map(|p| p.bytes.len()).sum();
    prop_assert!(
        total <= 64 * input + (4 << 20),
        "{total} bytes from {input}"
    );
    for page in &pages {
        if page.path.ends_with(".bin") {
            continue;
        }
        let Ok(text) = std::str::from_utf8(&page.bytes) else {
            // The favicon; every page and data file is text.
            prop_assert!(!page.path.ends_with(".html") && !page.path.ends_with(".xml"));
            continue;
        };
        // The CSV's lines end in CRLF, as RFC 4180 has them.
        let csv_line_end = |c: char| c == '\r' && page.path.ends_with(".csv");
        prop_assert!(
            !text.contains(|c: char| crate::ground::text::unpublishable(c) && !csv_line_end(c)),
            "{} holds a control character",
            page.path
        );
        if page.path.ends_with(".html") {
            no_script_but_the_themes(text, true)?;
        } else if page.path.ends_with(".xml") {
            let mut reader = quick_xml::Reader::from_str(text);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => prop_assert!(false, "{} is not XML: {e}", page.path),
                }
            }
        } else if page.path.ends_with(".csv") {
            for cell in csv::Reader::from_reader(text.as_bytes())
                .records()
                .flatten()
                .flat_map(|record| record.iter().map(str::to_string).collect::<Vec<_>>())
            {
                prop_assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "a formula in the CSV: {cell}"
                );
            }
        }
    }
    Ok(())
}

/// Cases to run: `PROPTEST_CASES` if set, else a few for CI.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

#[test]
fn the_corpus_parses_renders_and_builds_safely() {
    for (name, text) in corpus() {
        for allow_html in [false, true] {
            let config = format!("allow_html: {allow_html}\n");
            check_reply(&text, allow_html)
                .and_then(|()| check_site(&text, &config))
                .unwrap_or_else(|e| panic!("{name} (allow_html: {allow_html}): {e}"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_reply_parses_to_a_safe_body_or_placed_problems(
        text in prop_oneof![reply_file(), published_reply(), mutated_corpus(), nasty(60)],
        allow_html in any::<bool>(),
    ) {
        check_reply(&text, allow_html)?;
    }

    #[test]
    fn any_markdown_renders_bounded_and_without_script(
        text in nasty(80),
        allow_html in any::<bool>(),
    ) {
        let rendered = markdown::render(&text, &BodyOptions { allow_html, ..BodyOptions::default() });
        no_script(&rendered.html)?;
        prop_assert!(rendered.html.len() <= 32 * text.len() + 4096);
        for link in &rendered.links {
            prop_assert!(link.line >= 1 && link.col >= 1);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_site_builds_pages_without_script_and_feeds_that_are_xml(
        reply in prop_oneof![1 => reply_file(), 2 => published_reply(), 1 => mutated_corpus()],
        title in nasty(6),
        allow_html in any::<bool>(),
    ) {
        let config = format!(
            "title: {}\nallow_html: {allow_html}\ngov:\n  site_name: {}\n",
            serde_json::to_string(&title).expect("a string serialises"),
            title,
        );
        check_site(&reply, &config)?;
    }
}
