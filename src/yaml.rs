//! A YAML error as an editor needs it: the message without the parser's own
//! "at line N column M" (the problem carries the place), and for a key
//! written twice, the line of the second one rather than the start of the
//! mapping, where the parser points.

/// The error's message without the position it ends with.
pub fn message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

/// Where `error` lies in `yaml`, as (line, column) from 1, if it says.
pub fn place(error: &serde_yaml::Error, yaml: &str) -> Option<(usize, usize)> {
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
