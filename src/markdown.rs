//! Markdown into HTML and plain text, in one pass over the events.
//!
//! Headings get `id`s so that the numbered parts of a reply (一、二、…) can be
//! linked to. Raw HTML is shown as text unless the site allows it: a reply is
//! an official document, and a stray `<script>` in one must not run.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// A body rendered once: the HTML for its page, the plain text for search,
/// feeds and data files.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub text: String,
}

pub fn render(markdown: &str, allow_html: bool) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH;
    let mut events: Vec<Event> = Parser::new_ext(markdown, options).collect();
    let mut text = String::with_capacity(markdown.len());
    let mut ids = Ids::default();
    let mut heading_start = None;
    for i in 0..events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { .. }) => heading_start = Some(i),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = heading_start.take() {
                    let id = ids.unique(&heading_text(&events[start + 1..i]));
                    set_heading_id(&mut events[start], id);
                }
                text.push('\n');
            }
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => text.push('\n'),
            Event::Html(raw) | Event::InlineHtml(raw) if !allow_html => {
                events[i] = Event::Text(raw.clone());
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered {
        html: out,
        text: collapse_blank_lines(&text),
    }
}

fn heading_text(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

fn set_heading_id<'a>(event: &mut Event<'a>, new_id: String) {
    if let Event::Start(Tag::Heading { id, .. }) = event
        && id.is_none()
    {
        *id = Some(CowStr::from(new_id));
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
                if c.is_whitespace() || "\"'<>&#%?/\\`".contains(c) {
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

    #[test]
    fn numbered_parts_become_linkable_headings() {
        let r = render("## 一、成立专班\n\n正文。\n", false);
        assert!(
            r.html.contains("<h2 id=\"一、成立专班\">一、成立专班</h2>"),
            "{}",
            r.html
        );
        assert_eq!(r.text, "一、成立专班\n正文。");
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let r = render("a <script>alert(1)</script> b\n", false);
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
        let r = render("<b>x</b>\n", true);
        assert!(r.html.contains("<b>x</b>"));
    }

    #[test]
    fn repeated_headings_get_distinct_ids() {
        let r = render("## 说明\n\n## 说明\n", false);
        assert!(r.html.contains("id=\"说明\""));
        assert!(r.html.contains("id=\"说明-2\""));
    }

    #[test]
    fn tables_render() {
        let r = render("| a | b |\n| --- | --- |\n| 1 | 2 |\n", false);
        assert!(r.html.contains("<table>"));
    }
}
