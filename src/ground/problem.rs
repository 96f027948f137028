//! A problem the user caused: a value that names the file and, where there is
//! one, the line and column, so that it can be printed once with all the others.
//!
//! Content errors never travel as `anyhow` errors: a build collects every
//! problem of every file and reports them together.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line, when the problem sits on one.
    pub line: Option<usize>,
    /// 1-based column, in characters, when known.
    pub col: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            line: None,
            col: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn at(mut self, line: usize, col: usize) -> Self {
        self.line = Some(line);
        self.col = Some(col);
        self
    }

    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self.col = line.map(|_| 1);
        self
    }

    /// On a line, without a column: for findings that belong to a whole line.
    pub fn on_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self.col = None;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same problem, its path shown relative to `root` when it lies inside.
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.path.strip_prefix(root) {
            self.path = rel.to_path_buf();
        }
        self
    }
}

impl Problem {
    fn place(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        match (self.line, self.col) {
            (Some(line), Some(col)) => write!(f, ":{line}:{col}"),
            (Some(line), None) => write!(f, ":{line}"),
            _ => Ok(()),
        }
    }

    fn rest(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "{}", rust_i18n::t!("problem.hint", hint = hint))?;
        }
        Ok(())
    }
}

/// A problem that does not stop a build (the privacy lint's findings),
/// printed `path:line: warning: message`.
pub struct Warning<'a>(pub &'a Problem);

impl fmt::Display for Warning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.place(f)?;
        write!(f, ": {}", rust_i18n::t!("problem.warning"))?;
        self.0.rest(f)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.place(f)?;
        write!(f, ": ")?;
        self.rest(f)
    }
}

/// Problems in the order a reader goes through them: by file, then line
/// and column; each once.
pub(crate) fn sorted(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
    problems.dedup();
    problems
}

/// A user's text as a message quotes it: on one line (a line break shows as
/// `\n`, a control character as `\u{c}`), and cut after 60 characters, so
/// that every problem stays one `path:line:col: message` line.
pub(crate) fn quoted(text: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if crate::ground::text::unpublishable(c) || c == '\r' => {
                out.extend(c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}

/// The number of characters before byte `index` on its line, plus one.
pub(crate) fn column_of(text: &str, index: usize) -> usize {
    let start = text[..index].rfind('\n').map_or(0, |i| i + 1);
    text[start..index].chars().count() + 1
}

/// The 1-based line holding byte `index`.
pub(crate) fn line_of(text: &str, index: usize) -> usize {
    text.as_bytes()[..index]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_prints_path_line_column_and_hint() {
        let p = Problem::new("content/a.md", "unknown key `titel`")
            .at(3, 1)
            .hint("did you mean `title`?");
        assert_eq!(
            p.to_string(),
            "content/a.md:3:1: unknown key `titel` (hint: did you mean `title`?)"
        );
    }

    #[test]
    fn quoted_text_stays_on_one_short_line() {
        assert_eq!(quoted("2021\n六月"), "2021\\n六月");
        assert_eq!(quoted("a\u{c}b"), "a\\u{c}b");
        assert_eq!(quoted(&"长".repeat(100)), format!("{}…", "长".repeat(60)));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "一\n标题：x";
        let index = text.find('x').unwrap();
        assert_eq!(line_of(text, index), 2);
        assert_eq!(column_of(text, index), 4);
    }
}
