//! How one reply is laid out for indexing: its fields in a fixed order, each
//! normalised, with a break between fields that no gram spans, so a match
//! never joins the end of one field to the start of the next. The body is cut
//! the same way into the pieces its page shows apart: its plain text ends
//! each paragraph, list item, table cell and heading with `\n` (see
//! `markdown`), and each `\n` is a break, so `8753` is not found in two
//! cells `6387` and `53.3%`.
//!
//! Every unit (a normalised character, or a break) has an index. Positions
//! stored in the index are those indexes, except that everything after the
//! title and 文号 is moved up by a site-wide `head_span`, larger than any
//! title and 文号 together: a position below `head_span` is then a match in
//! the head, which ranks first, and `search.js` can tell without more data.

use super::SearchDoc;
use super::normalise::normalise_char;

/// How many fields at the start form the head: the title and the 文号.
pub(super) const HEAD_FIELDS: usize = 2;

/// The fields of a reply in index order but the body: title, 文号,
/// department, the other fields as given. `search.js` rebuilds the same
/// order from a reply's data file, so the two must agree.
pub(super) fn fields<'d>(doc: &'d SearchDoc) -> impl Iterator<Item = &'d str> + 'd {
    [doc.title, doc.doc_number.unwrap_or(""), doc.department]
        .into_iter()
        .chain(doc.fields.iter().map(|field| field.text.as_ref()))
}

/// What a character of the body is: `Some(Some(c))` a unit of text,
/// `Some(None)` a break (the end of a piece), `None` nothing (whitespace).
/// `docs` cuts the body by the same units.
pub(super) fn body_unit(c: char) -> Option<Option<char>> {
    if c == '\n' {
        Some(None)
    } else {
        normalise_char(c).map(Some)
    }
}

/// The head length `for_each_unit` gives, from the title and 文号 alone.
pub(super) fn head_len(title: &str, doc_number: Option<&str>) -> usize {
    let units = |field: &str| field.chars().filter_map(normalise_char).count();
    units(title) + 1 + units(doc_number.unwrap_or(""))
}

/// Calls `unit` for each unit of the reply in order, `None` for a break
/// between two fields or two pieces of the body; returns the head length
/// (index of the break after the 文号).
pub(super) fn for_each_unit(doc: &SearchDoc, mut unit: impl FnMut(Option<char>)) -> usize {
    let mut head = 0;
    let mut count = 0;
    for (i, field) in fields(doc).enumerate() {
        if i > 0 {
            if i == HEAD_FIELDS {
                head = count;
            }
            unit(None);
            count += 1;
        }
        for c in field.chars() {
            if let Some(n) = normalise_char(c) {
                unit(Some(n));
                count += 1;
            }
        }
    }
    // The break before the body, then the body's units and breaks.
    unit(None);
    for u in doc.body.chars().filter_map(body_unit) {
        unit(u);
    }
    head
}

#[cfg(test)]
mod tests {
    use super::super::Field;
    use super::*;

    #[test]
    fn the_head_is_as_long_from_its_fields_as_from_the_whole_reply() {
        let doc = SearchDoc {
            doc_number: Some("常工信复〔2021〕第28号"),
            fields: vec![Field::new("提案人", "周国平")],
            ..SearchDoc::sample("/a/", "关于 稳岗返还 的答复", "正文。")
        };
        let whole = for_each_unit(&doc, |_| {});
        assert_eq!(head_len(doc.title, doc.doc_number), whole);
        assert_eq!(head_len("题", None), 2);
    }

    #[test]
    fn fields_are_separated_by_breaks_and_the_head_is_title_and_doc_number() {
        let doc = SearchDoc {
            doc_number: Some("Ｎ1"),
            fields: vec![Field::new("会议", "x"), Field::new("案由", "")],
            ..SearchDoc::sample("/a/", "标 题", "正文\n第二段\n6387\n53.3%\n")
        };
        let mut out = String::new();
        let head = for_each_unit(&doc, |u| out.push(u.unwrap_or('|')));
        assert_eq!(out, "标题|n1|局|x||正文|第二段|6387|53.3%|");
        assert_eq!(head, 5);
    }

    #[test]
    fn a_missing_doc_number_is_an_empty_field() {
        let doc = SearchDoc::sample("/a/", "题", "");
        let mut out = String::new();
        assert_eq!(for_each_unit(&doc, |u| out.push(u.unwrap_or('|'))), 2);
        assert_eq!(out, "题||局|");
    }
}
