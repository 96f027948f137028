//! A YAML error as an editor needs it: the message without the parser's own
//! "at line N column M" (the problem carries the place), and for a key
//! written twice, the line of the second one rather than the start of the
//! mapping, where the parser points. And the slip editors make most, a key
//! typed with the full-width colon `：` of a Chinese keyboard, named as such
//! on its own line, where the parser would point at the line after it with
//! "could not find expected ':'".

use rust_i18n::t;

/// A YAML error as it is reported: where, what, and what to do.
pub(crate) struct Diagnosis {
    /// 1-based line and column in the YAML text given.
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// Why `yaml` did not parse, in the messages' language.
pub(crate) fn diagnose(error: &serde_yaml::Error, yaml: &str) -> Diagnosis {
    if let Some(slip) = full_width_colon(yaml) {
        return slip;
    }
    let (line, col) = place(error, yaml).unwrap_or((1, 1));
    let message = message(error);
    let message = match known(&message) {
        Some(key) => t!(key).into_owned(),
        None => message,
    };
    Diagnosis {
        line,
        col,
        message: t!("yaml.invalid", message = message).into_owned(),
        hint: None,
    }
}

/// The first line that starts with a key followed by `：` where YAML wants
/// `:`. Only unindented lines are read: indented ones are a list's items
/// or a block of text, where `：` is the text's own.
pub(crate) fn full_width_colon(yaml: &str) -> Option<Diagnosis> {
    yaml.lines().enumerate().find_map(|(i, line)| {
        let at = line.find('：')?;
        let key = line[..at].trim_end();
        let looks_like_key = !key.is_empty()
            && !line.starts_with([' ', '\t', '-', '#', '"', '\''])
            && !key.contains([':', ' ', '"', '\'', '[', '{', '#', ','])
            && key.chars().count() <= 20;
        looks_like_key.then(|| Diagnosis {
            line: i + 1,
            col: line[..at].chars().count() + 1,
            message: t!("yaml.full_width_colon", key = key).into_owned(),
            hint: Some(t!("yaml.full_width_colon_hint", key = key).into_owned()),
        })
    })
}

/// The catalogue's key for a message of the YAML parser that editors meet.
fn known(message: &str) -> Option<&'static str> {
    const KNOWN: [(&str, &str); 6] = [
        (
            "mapping values are not allowed in this context",
            "yaml.mapping_values",
        ),
        ("did not find expected key", "yaml.expected_key"),
        ("could not find expected ':'", "yaml.expected_colon"),
        (
            "found character that cannot start any token",
            "yaml.bad_character",
        ),
        ("did not find expected node content", "yaml.expected_value"),
        ("found unexpected end of stream", "yaml.unexpected_end"),
    ];
    KNOWN
        .iter()
        .find(|(english, _)| message.starts_with(english))
        .map(|&(_, key)| key)
}

/// How deep lists and maps written in brackets (`[…]`, `{…}`) may nest in
/// front matter or config. A reply's fields nest two deep at most; the YAML
/// parser takes seconds to refuse an unclosed `[[[[…` of 100 KB, so such
/// text is refused before it is parsed.
pub(crate) const MAX_DEPTH: usize = 32;

/// Where the bracket that nests deeper than [`MAX_DEPTH`] is in `yaml`, as
/// (line, column) from 1, if one does. Brackets in quoted text and
/// comments do not count; in plain text they may (`title: a[b`), which
/// only matters for text with dozens of unclosed brackets.
pub(crate) fn too_deep(yaml: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (index, line) in yaml.lines().enumerate() {
        let mut quote: Option<char> = None;
        // Whether a quote here would open a quoted scalar: at a value's
        // start, not inside plain text such as `关于"十四五"规划`.
        let mut at_start = true;
        let mut chars = line.char_indices().peekable();
        let mut col = 0;
        let mut after_space = true;
        while let Some((_, c)) = chars.next() {
            col += 1;
            let comment_may_start = after_space;
            after_space = c == ' ' || c == '\t';
            match quote {
                Some('"') if c == '\\' => {
                    chars.next();
                    col += 1;
                }
                Some(q) if c == q => {
                    // `''` inside single quotes is a quote.
                    if q == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                        chars.next();
                        col += 1;
                    } else {
                        quote = None;
                        at_start = false;
                    }
                }
                Some(_) => {}
                None => match c {
                    '#' if comment_may_start => break,
                    '\'' | '"' if at_start => quote = Some(c),
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Some((index + 1, col));
                        }
                        at_start = true;
                    }
                    ']' | '}' => {
                        depth = depth.saturating_sub(1);
                        at_start = false;
                    }
                    ',' | ':' | '-' | '?' | ' ' | '\t' => at_start = true,
                    _ => at_start = false,
                },
            }
        }
    }
    None
}

/// The first character that cannot be published in any text of `value`,
/// its keys too.
pub(crate) fn unpublishable_in(value: &serde_yaml::Value) -> Option<char> {
    let find = |text: &str| {
        text.chars()
            .find(|&c| crate::ground::text::unpublishable(c))
    };
    match value {
        serde_yaml::Value::String(text) => find(text),
        serde_yaml::Value::Sequence(items) => items.iter().find_map(unpublishable_in),
        serde_yaml::Value::Mapping(map) => map
            .iter()
            .find_map(|(k, v)| unpublishable_in(k).or_else(|| unpublishable_in(v))),
        serde_yaml::Value::Tagged(tagged) => unpublishable_in(&tagged.value),
        serde_yaml::Value::Null | serde_yaml::Value::Bool(_) | serde_yaml::Value::Number(_) => None,
    }
}

/// The line and column of the first character of `text` that cannot be
/// published (see `text::unpublishable`), and the character.
pub(crate) fn first_unpublishable(text: &str) -> Option<(usize, usize, char)> {
    let (at, c) = text
        .char_indices()
        .find(|&(_, c)| crate::ground::text::unpublishable(c))?;
    Some((
        crate::ground::problem::line_of(text, at),
        crate::ground::problem::column_of(text, at),
        c,
    ))
}

/// The error's message without the position it ends with.
pub(crate) fn message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

/// Where `error` lies in `yaml`, as (line, column) from 1, if it says.
pub(crate) fn place(error: &serde_yaml::Error, yaml: &str) -> Option<(usize, usize)> {
    duplicate_key(&error.to_string())
        .and_then(|key| second_line_of(yaml, key))
        .or_else(|| error.location().map(|at| (at.line(), at.column())))
}

/// The key a "duplicate" error names: serde's "duplicate field `title`",
/// or the YAML loader's "duplicate entry with key \"title\"".
fn duplicate_key(message: &str) -> Option<&str> {
    let quoted = |after: &str, close: char| {
        let rest = &message[message.find(after)? + after.len()..];
        rest.find(close).map(|end| &rest[..end])
    };
    quoted("duplicate field `", '`').or_else(|| quoted("duplicate entry with key \"", '"'))
}

/// The line and column of the second `key:` in `yaml`, among the lines
/// that start with it at one indentation: only when one indentation has it
/// twice, so that a `key:` inside another value's text misleads nothing.
fn second_line_of(yaml: &str, key: &str) -> Option<(usize, usize)> {
    let mut seen: Vec<(usize, usize)> = Vec::new();
    let mut twice = Vec::new();
    for (i, line) in yaml.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let Some(rest) = line.trim_start().strip_prefix(key) else {
            continue;
        };
        if !rest.trim_start().starts_with(':') {
            continue;
        }
        if seen.iter().any(|&(_, at)| at == indent) && !twice.iter().any(|&(_, at)| at == indent) {
            twice.push((i + 1, indent));
        }
        seen.push((i + 1, indent));
    }
    match twice.as_slice() {
        [(line, indent)] => Some((*line, indent + 1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(yaml: &str) -> serde_yaml::Error {
        serde_yaml::from_str::<serde_yaml::Value>(yaml).unwrap_err()
    }

    #[test]
    fn a_full_width_colon_is_named_on_its_own_line() {
        let yaml = "title: 关于x的答复\ndepartment：甲局\ndate: 2021-06-01\n";
        let d = diagnose(&error(yaml), yaml);
        assert_eq!((d.line, d.col), (2, 11));
        assert!(d.message.contains("full-width colon"), "{}", d.message);
        assert!(d.hint.is_some_and(|h| h.contains("department:")));
    }

    #[test]
    fn a_full_width_colon_inside_a_value_or_a_block_is_the_texts_own() {
        assert!(full_width_colon("title: 一、说明：x\n").is_none());
        assert!(full_width_colon("body: |\n  二、措施：加强\n").is_none());
        assert!(full_width_colon("- 甲：乙\n").is_none());
    }

    #[test]
    fn a_key_written_twice_is_placed_at_its_second_line() {
        let yaml = "title: a\ndepartment: 甲局\ntitle: b\n";
        let e = error(yaml);
        assert_eq!(place(&e, yaml), Some((3, 1)));
        assert_eq!(message(&e), "duplicate entry with key \"title\"");
    }

    #[test]
    fn a_key_inside_another_values_text_is_not_taken_for_the_duplicate() {
        let yaml = "title: a\nproposal_title: |\n  title: 的建议\ndepartment: 甲局\ntitle: b\n";
        assert_eq!(place(&error(yaml), yaml), Some((5, 1)));
    }

    #[test]
    fn brackets_nested_too_deep_are_found_before_parsing() {
        let deep = format!("title: t\ndepartment: {}", "[".repeat(100_000));
        assert_eq!(too_deep(&deep), Some((2, 12 + MAX_DEPTH + 1)));
        let quoted = format!("title: \"{}\"\n# {}\n", "[".repeat(50), "{".repeat(50));
        assert_eq!(too_deep(&quoted), None);
        let closed = "a: [[1], [2], {b: [3]}]\n".repeat(100);
        assert_eq!(too_deep(&closed), None);
    }

    #[test]
    fn other_errors_keep_the_parsers_place() {
        let yaml = "title: a\ndepartment: [甲局\n";
        let e = error(yaml);
        assert_eq!(
            place(&e, yaml),
            e.location().map(|l| (l.line(), l.column()))
        );
        assert!(!message(&e).contains(" at line "), "{}", message(&e));
    }
}
