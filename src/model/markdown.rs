//! Markdown into HTML and plain text, in one pass over the events.
//!
//! Headings get `id`s so that the numbered parts of a reply (一、二、…) can be
//! linked to. Raw HTML is shown as text unless the site allows it: a reply is
//! an official document, and a stray `<script>` in one must not run. Where
//! the site allows it, the body's HTML is passed through an allowlist
//! (ammonia) that keeps markup and drops script, event handlers, styles and
//! `javascript:` URLs. A heading's `{…}` attributes keep only an id (made
//! safe as the ids made from a heading's text are) and classes of letters,
//! digits, `-` and `_`: any other attribute (`onfocus=…`, `style=…`) would
//! reach the page as written.
//!
//! A root-relative link written in a body (`[答复](/2021/ta-0152/)`) means a
//! page of the archive, so it gets the base path of `base_url` here, once:
//! under `https://www.example.gov.cn/zxta/` it becomes `/zxta/2021/ta-0152/`.
//! Links inside raw HTML (only with `allow_html`) are left as written; the
//! link check names any that miss the base path. Every link of a body is
//! recorded with its line, so that a broken one can be pointed at.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Options as Extensions, Parser, Tag, TagEnd, html};

use crate::model::config::BodyOptions;

/// A body rendered once: the HTML for its page, the plain text for search,
/// feeds and data files, and the links it makes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rendered {
    pub html: String,
    pub text: String,
    pub links: Vec<BodyLink>,
}

/// A link or image of a body, as its HTML carries it (base path added).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct BodyLink {
    pub href: String,
    /// 1-based line in the Markdown body.
    pub line: usize,
    /// 1-based column, in characters, where the link starts on its line.
    pub col: usize,
}

pub(crate) fn render(markdown: &str, options: &BodyOptions) -> Rendered {
    let extensions = Extensions::ENABLE_TABLES
        | Extensions::ENABLE_FOOTNOTES
        | Extensions::ENABLE_HEADING_ATTRIBUTES
        | Extensions::ENABLE_STRIKETHROUGH;
    let mut events: Vec<(Event, Range<usize>)> = Parser::new_ext(markdown, extensions)
        .into_offset_iter()
        .collect();
    let mut text = String::with_capacity(markdown.len());
    let mut links = Vec::new();
    let mut lines = Lines::new(markdown);
    let mut ids = Ids::default();
    let mut heading_start = None;
    for i in 0..events.len() {
        let cjk_break = matches!(events[i].0, Event::SoftBreak) && joins_chinese(&events, i);
        let (event, range) = &mut events[i];
        match event {
            Event::Start(Tag::Heading { classes, attrs, .. }) => {
                // `{onfocus=…}` or `{style=…}` would be written into the
                // page as given: only an id and classes are kept.
                attrs.clear();
                let kept = classes.iter().filter_map(|class| class_name(class));
                *classes = kept.map(CowStr::from).collect();
                heading_start = Some(i);
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = heading_start.take() {
                    let text = heading_text(&events[start + 1..i]);
                    set_heading_id(&mut events[start].0, &mut ids, &text);
                }
                text.push('\n');
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                if let Some(rebased) = rebase(dest_url, &options.base_path) {
                    *dest_url = CowStr::from(rebased);
                }
                let (line, col) = lines.place(range.start);
                links.push(BodyLink {
                    href: dest_url.to_string(),
                    line,
                    col,
                });
                // A reply with such a link is refused (see `reply`), but
                // its HTML must not carry the link whoever renders it.
                if crate::ground::html::script_scheme(dest_url).is_some() {
                    *dest_url = CowStr::Borrowed("");
                }
            }
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            // A line wrapped in the Markdown is one line of the paragraph:
            // between Chinese characters, which have no spaces, it is nothing.
            Event::SoftBreak if cjk_break => *event = Event::Text(CowStr::Borrowed("")),
            Event::SoftBreak => text.push(' '),
            Event::HardBreak => text.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => text.push('\n'),
            Event::Html(raw) | Event::InlineHtml(raw) if options.allow_html => {
                let start = range.start;
                crate::ground::html::for_each_link(raw.as_bytes(), |href, at| {
                    let (line, col) = lines.place(start + at);
                    links.push(BodyLink {
                        href: crate::ground::html::decode_entities(href).into_owned(),
                        line,
                        col,
                    });
                });
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                // Shown as text, so it is text: searched, in the open data.
                text.push_str(raw);
                *event = Event::Text(raw.clone());
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter().map(|(event, _)| event));
    if options.allow_html {
        out = sanitise(&out);
    }
    // A reply whose file holds a control character is refused (see
    // `reply`), but a character reference (`&#12;`) makes one here; XML
    // cannot carry it, so the feeds would break: it is shown as �, as
    // CommonMark shows `&#0;`.
    let mut out = publishable(out);
    // Every body is held for the whole build; the guess above leaves a third
    // of it unused for Chinese text, where HTML adds little.
    out.shrink_to_fit();
    Rendered {
        html: out,
        text: publishable(collapse_blank_lines(&text)),
        links,
    }
}

/// `text` with every character that HTML and XML cannot carry replaced by �.
fn publishable(text: String) -> String {
    if text.contains(crate::ground::text::unpublishable) {
        text.replace(crate::ground::text::unpublishable, "\u{fffd}")
    } else {
        text
    }
}

/// A body's HTML with raw HTML allowed, through ammonia's allowlist: its
/// tags and URL schemes (no `javascript:`, `vbscript:` or `data:`), no
/// `<script>`, `<style>`, `<iframe>`, event handlers or `style`, and the
/// ids and classes the Markdown's headings and footnotes have.
fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["id", "class"])
        // Links keep their `rel` as written: ammonia would add noopener
        // to every one, which the archive's own links do not need.
        .link_rel(None)
        .clean(html)
        .to_string()
}

/// A heading's class as written, with only letters, digits, `-` and `_`;
/// none if nothing is left.
fn class_name(class: &str) -> Option<String> {
    let kept: String = class
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    (!kept.is_empty()).then_some(kept)
}

/// Whether the soft break at `i` lies within Chinese text: the nearest
/// characters on both sides (looking through emphasis and links) are
/// Chinese, or one is and the other a digit (`共计` / `102个`).
fn joins_chinese(events: &[(Event, std::ops::Range<usize>)], i: usize) -> bool {
    let before = nearest_char(events[..i].iter().rev(), |t| t.chars().next_back());
    let after = nearest_char(events[i + 1..].iter(), |t| t.chars().next());
    before.zip(after).is_some_and(|(a, b)| {
        (is_chinese(a) && (is_chinese(b) || b.is_ascii_digit()))
            || (a.is_ascii_digit() && is_chinese(b))
    })
}

/// The character `end` takes from the first text among `events`, looking
/// through the tags of emphasis and links; none past anything else.
fn nearest_char<'e, 'a: 'e>(
    mut events: impl Iterator<Item = &'e (Event<'a>, std::ops::Range<usize>)>,
    end: impl Fn(&str) -> Option<char>,
) -> Option<char> {
    events
        .find_map(|(event, _)| match event {
            Event::Text(t) | Event::Code(t) => Some(end(t)),
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
            | Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            ) => None,
            _ => Some(None),
        })
        .flatten()
}

/// Han characters and the punctuation written among them: full-width forms,
/// CJK symbols, and the quotes, dashes and ellipsis of General Punctuation.
fn is_chinese(c: char) -> bool {
    matches!(c, '\u{2010}'..='\u{206f}' | '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}

/// `/2021/ta-0152/` under base path `/zxta/` → `/zxta/2021/ta-0152/`; `None`
/// for every other link (relative, `//host/…`, `https://…`), for a base of
/// `/`, and for a link that already starts with the base path.
fn rebase(dest: &str, base_path: &str) -> Option<String> {
    let rest = dest.strip_prefix('/')?;
    if rest.starts_with('/') || base_path == "/" || dest.starts_with(base_path) {
        return None;
    }
    Some(format!("{base_path}{rest}"))
}

/// The first characters of a body's plain text, on one line, for a page's
/// description and a feed's summary: `max` characters, then `…` if cut.
pub(crate) fn summary(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(max * 3 + 3);
    let mut count = 0;
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push(' ');
            count += 1;
        }
        for c in line.chars() {
            if count >= max {
                out.truncate(out.trim_end().len());
                out.push('…');
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// Byte offsets into 1-based lines, walking forward through the text.
struct Lines<'t> {
    text: &'t str,
    at: usize,
    line: usize,
    /// The 1-based column, in characters, of `at`.
    col: usize,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Lines {
            text,
            at: 0,
            line: 1,
            col: 1,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    fn place(&mut self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.at {
            self.at = 0;
            self.line = 1;
            self.col = 1;
        }
        // Only what lies between the last place and this one is counted,
        // so that a long line with many links is read once, not per link.
        let passed = &self.text[self.at..offset];
        self.line += memchr::memchr_iter(b'\n', passed.as_bytes()).count();
        self.col = match memchr::memrchr(b'\n', passed.as_bytes()) {
            Some(last) => passed[last + 1..].chars().count() + 1,
            None => self.col + passed.chars().count(),
        };
        self.at = offset;
        (self.line, self.col)
    }
}

fn heading_text(events: &[(Event, Range<usize>)]) -> String {
    events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

/// The heading's id: the one its `{#…}` gives, else one from its text,
/// made safe and unique either way.
fn set_heading_id<'a>(event: &mut Event<'a>, ids: &mut Ids, text: &str) {
    if let Event::Start(Tag::Heading { id, .. }) = event {
        let made = ids.unique(id.as_deref().unwrap_or(text));
        *id = Some(CowStr::from(made));
    }
}

/// Heading ids from their text: whitespace and characters that need quoting
/// in a URL fragment become `-`; a repeated id gets a number.
#[derive(Default)]
struct Ids(std::collections::HashMap<String, usize>);

impl Ids {
    fn unique(&mut self, text: &str) -> String {
        let mut id: String = text
            .trim()
            .chars()
            .map(|c| {
                if c.is_whitespace() || c.is_control() || "\"'<>&#%?/\\`".contains(c) {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        if id.is_empty() {
            id.push_str("section");
        }
        let seen = self.0.entry(id.clone()).or_insert(0);
        *seen += 1;
        if *seen > 1 {
            id = format!("{id}-{seen}");
        }
        id
    }
}

fn collapse_blank_lines(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowing_html() -> BodyOptions {
        BodyOptions {
            allow_html: true,
            ..BodyOptions::default()
        }
    }

    fn under(base_path: &str) -> BodyOptions {
        BodyOptions {
            base_path: base_path.into(),
            ..BodyOptions::default()
        }
    }

    #[test]
    fn numbered_parts_become_linkable_headings() {
        let r = render("## 一、成立专班\n\n正文。\n", &BodyOptions::default());
        assert!(
            r.html.contains("<h2 id=\"一、成立专班\">一、成立专班</h2>"),
            "{}",
            r.html
        );
        assert_eq!(r.text, "一、成立专班\n正文。");
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let r = render("a <script>alert(1)</script> b\n", &BodyOptions::default());
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
        let r = render("<b>x</b>\n", &allowing_html());
        assert!(r.html.contains("<b>x</b>"));
    }

    #[test]
    fn raw_html_shown_as_text_is_in_the_text_as_shown() {
        let r = render(
            "采用 C++ 与 <b>标签</b> & \"引号\"\n\n<div>块</div>\n",
            &BodyOptions::default(),
        );
        assert!(r.html.contains("&lt;b&gt;标签&lt;/b&gt;"), "{}", r.html);
        assert_eq!(r.text, "采用 C++ 与 <b>标签</b> & \"引号\"\n<div>块</div>");
    }

    #[test]
    fn a_wrapped_line_joins_chinese_without_a_space_and_latin_with_one() {
        let r = render(
            "决策部署，\n加快推动。\nSee\nthis。\n\n第二段。\n",
            &BodyOptions::default(),
        );
        assert_eq!(r.text, "决策部署，加快推动。 See this。\n第二段。");
        let r = render(
            "关于您提出的\n“专精特新”企业\n共计\n102个项目，*重点*\n推进，\n**加快**落实\n",
            &BodyOptions::default(),
        );
        assert_eq!(
            r.text,
            "关于您提出的“专精特新”企业共计102个项目，重点推进，加快落实"
        );
        let r = render(
            "决策部署，\n加快推动。\nSee\nthis。\n\n第二段。\n",
            &BodyOptions::default(),
        );
        assert!(
            r.html.contains("<p>决策部署，加快推动。\nSee\nthis。</p>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn repeated_headings_get_distinct_ids() {
        let r = render("## 说明\n\n## 说明\n", &BodyOptions::default());
        assert!(r.html.contains("id=\"说明\""));
        assert!(r.html.contains("id=\"说明-2\""));
    }

    #[test]
    fn tables_render() {
        let r = render(
            "| a | b |\n| --- | --- |\n| 1 | 2 |\n",
            &BodyOptions::default(),
        );
        assert!(r.html.contains("<table>"));
    }

    #[test]
    fn root_relative_links_get_the_base_path_and_others_stay() {
        let body = "见[另一答复](/2021/ta-0153/)与[已有基础路径](/zxta/years/)。\n\n[上级](../x/) [外站](https://www.gov.cn/) [协议](//cdn.example/a.js) ![图](/files/a.png)\n";
        let r = render(body, &under("/zxta/"));
        assert!(
            r.html.contains("href=\"/zxta/2021/ta-0153/\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("src=\"/zxta/files/a.png\""), "{}", r.html);
        assert!(
            r.html.contains("href=\"/zxta/years/\""),
            "not twice: {}",
            r.html
        );
        assert!(r.html.contains("href=\"../x/\""));
        assert!(r.html.contains("href=\"https://www.gov.cn/\""));
        assert!(r.html.contains("href=\"//cdn.example/a.js\""));
        let root = render(body, &BodyOptions::default());
        assert!(root.html.contains("href=\"/2021/ta-0153/\""));
    }

    #[test]
    fn every_link_is_recorded_with_its_line() {
        let r = render(
            "第一行\n\n[甲](/a/)\n\n<a href=\"/b/\">乙</a>\n",
            &allowing_html(),
        );
        assert_eq!(
            r.links,
            vec![
                BodyLink {
                    href: "/a/".into(),
                    line: 3,
                    col: 1
                },
                BodyLink {
                    href: "/b/".into(),
                    line: 5,
                    col: 10
                }
            ]
        );
    }

    #[test]
    fn a_summary_is_one_line_cut_at_a_length() {
        assert_eq!(summary("一二三\n四五", 10), "一二三 四五");
        assert_eq!(summary("一二三\n四五", 4), "一二三…");
        assert_eq!(summary("一二三四五六", 3), "一二三…");
    }
}
