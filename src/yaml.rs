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

/// The line and column of the second `key:` in `yaml`.
fn second_line_of(yaml: &str, key: &str) -> Option<(usize, usize)> {
    yaml.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let indent = line.len() - line.trim_start().len();
            let rest = line.trim_start().strip_prefix(key)?;
            rest.trim_start()
                .starts_with(':')
                .then_some((i + 1, indent + 1))
        })
        .nth(1)
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
