//! How one reply is laid out for indexing: its fields in a fixed order, each
//! normalised, with a break between fields that no gram spans, so a match
//! never joins the end of one field to the start of the next.
//!
//! Every unit (a normalised character, or a break) has an index. Positions
//! stored in the index are those indexes, except that everything after the
//! title and 文号 is moved up by a site-wide `head_span`, larger than any
//! title and 文号 together: a position below `head_span` is then a match in
//! the head, which ranks first, and `search.js` can tell without more data.

use super::SearchDoc;
use super::normalise::normalise_char;

/// How many fields at the start form the head: the title and the 文号.
pub const HEAD_FIELDS: usize = 2;

/// The fields of a reply in index order: title, 文号, department, the other
/// fields as given, the body. `search.js` rebuilds the same order from a
/// reply's data file, so the two must agree.
pub fn fields<'d, 'a>(doc: &'d SearchDoc<'a>) -> impl Iterator<Item = &'a str> + 'd {
    [doc.title, doc.doc_number.unwrap_or(""), doc.department]
        .into_iter()
        .chain(doc.fields.iter().copied())
        .chain(std::iter::once(doc.body))
}

/// The head length `for_each_unit` gives, from the title and 文号 alone.
pub fn head_len(title: &str, doc_number: Option<&str>) -> usize {
    let units = |field: &str| field.chars().filter_map(normalise_char).count();
    units(title) + 1 + units(doc_number.unwrap_or(""))
}

/// Calls `unit` for each unit of the reply in order, `None` for a break
/// between two fields; returns the head length (index of the break after the
/// 文号).
pub fn for_each_unit(doc: &SearchDoc, mut unit: impl FnMut(Option<char>)) -> usize {
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
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_is_as_long_from_its_fields_as_from_the_whole_reply() {
        let doc = SearchDoc {
            url: "/a/",
            title: "关于 稳岗返还 的答复",
            doc_number: Some("常工信复〔2021〕第28号"),
            department: "局",
            date: "2021",
            year: 2021,
            fields: vec!["周国平"],
            body: "正文。",
        };
        let whole = for_each_unit(&doc, |_| {});
        assert_eq!(head_len(doc.title, doc.doc_number), whole);
        assert_eq!(head_len("题", None), 2);
    }

    #[test]
    fn fields_are_separated_by_breaks_and_the_head_is_title_and_doc_number() {
        let doc = SearchDoc {
            url: "/a/",
            title: "标 题",
            doc_number: Some("Ｎ1"),
            department: "局",
            date: "2021",
            year: 2021,
            fields: vec!["x", ""],
            body: "正文\n第二段",
        };
        let mut out = String::new();
        let head = for_each_unit(&doc, |u| out.push(u.unwrap_or('|')));
        assert_eq!(out, "标题|n1|局|x||正文第二段");
        assert_eq!(head, 5);
    }

    #[test]
    fn a_missing_doc_number_is_an_empty_field() {
        let doc = SearchDoc {
            url: "/a/",
            title: "题",
            doc_number: None,
            department: "局",
            date: "2021",
            year: 2021,
            fields: vec![],
            body: "",
        };
        let mut out = String::new();
        assert_eq!(for_each_unit(&doc, |u| out.push(u.unwrap_or('|'))), 2);
        assert_eq!(out, "题||局|");
    }
}
