//! Reading the HTML of a page or a body: where its links are, and what
//! their values say once decoded. Both the Markdown renderer (the links of
//! a body's raw HTML) and the link check (every link of every page) read
//! HTML this way.
//!
//! The pages are dafu's own output, so a small scanner over `<tag attr=…>`
//! suffices: no DOM, no allocation per tag, `<script>`, `<style>` and
//! comments skipped.

use std::borrow::Cow;

/// Calls `found(value, offset)` for the raw value of every `href`, `src` and
/// `action` attribute in `html` (entities not yet decoded; `offset` is where
/// the value starts). Works on bytes: the pages are ours and UTF-8, and
/// validating hundreds of megabytes again would cost more than the scan.
pub(crate) fn for_each_link<'b>(bytes: &'b [u8], mut found: impl FnMut(&'b str, usize)) {
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
        let name_end = name_end(bytes, start);
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

/// `page` without the indentation of its lines and its blank lines, the
/// whitespace templates are written with: about 200 bytes of each page at
/// 10,000 replies, 8 MB in all. A browser shows a run of whitespace between
/// words or tags as one space or none, and a line break stays wherever the
/// template had one, so the page looks and reads the same. Left as written:
/// attribute values, comments, and the raw text of `<pre>`, `<textarea>`,
/// `<script>` and `<style>`, where whitespace is shown or run.
pub(crate) fn compact(page: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len());
    let mut at = 0;
    while let Some(p) = memchr::memchr2(b'\n', b'<', &page[at..]) {
        let found = at + p;
        out.extend_from_slice(&page[at..found]);
        if page[found] == b'\n' {
            out.push(b'\n');
            at = found + 1;
            while page.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
                at += 1;
            }
            continue;
        }
        let start = found + 1;
        let end = if page[start..].starts_with(b"!--") {
            memchr::memmem::find(&page[start..], b"-->").map_or(page.len(), |e| start + e + 3)
        } else {
            let name_end = name_end(page, start);
            let name = &page[start..name_end];
            let end = tag_end(page, name_end);
            match RAW_TAGS.iter().find(|tag| name.eq_ignore_ascii_case(tag)) {
                Some(tag) => find_end_tag(page, end, tag),
                None => end,
            }
        };
        out.extend_from_slice(&page[found..end]);
        at = end;
    }
    out.extend_from_slice(&page[at..]);
    out
}

/// Where the name of the tag that starts at `start` ends.
fn name_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .map_or(bytes.len(), |length| start + length)
}

/// Elements whose text shows or runs with its whitespace as written.
const RAW_TAGS: [&[u8]; 4] = [b"pre", b"textarea", b"script", b"style"];

/// The character references an attribute value may hold: the ones our
/// pages write, numeric ones (`&#106;`, `&#x6A;`, with or without `;`,
/// as browsers read them), and the named ones that spell out a URL's
/// scheme (`javascript&colon;`).
pub(crate) fn decode_entities(value: &str) -> Cow<'_, str> {
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
pub(crate) fn script_scheme(href: &str) -> Option<&'static str> {
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

    fn compacted(html: &str) -> String {
        String::from_utf8(compact(html.as_bytes())).unwrap()
    }

    #[test]
    fn indentation_and_blank_lines_go_and_line_breaks_stay() {
        let html = "<ul>\n  <li>一</li>\n\n    \n  <li>二\n      三</li>\n</ul>\n";
        assert_eq!(
            compacted(html),
            "<ul>\n<li>一</li>\n<li>二\n三</li>\n</ul>\n"
        );
    }

    #[test]
    fn preformatted_text_scripts_values_and_comments_stay_as_written() {
        let kept = [
            "<pre><code>fn a() {\n    b();\n}</code></pre>",
            "<PRE class=x>\n  a\n</PRE>",
            "<textarea>\n  a</textarea>",
            "<script>\n  if (a) {\n    b();\n  }\n</script>",
            "<style>\n  a { b: c }\n</style>",
            "<p title=\"一\n  二\">",
            "<p title='>\n  '>",
            "<!-- a\n   b -->",
        ];
        for html in kept {
            assert_eq!(compacted(html), html);
            assert_eq!(compacted(&format!("{html}\n  <p>")), format!("{html}\n<p>"));
        }
        assert_eq!(compacted("<preface>\n  a"), "<preface>\na");
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
}
