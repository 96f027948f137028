//! What an imported reply becomes on disk: the YAML front matter with the
//! English keys the README documents, the Markdown body after it, and the file's name
//! (`{year}/ta-{number}.md`, `{year}/jy-{number}.md`). The YAML is written by
//! hand so that `proposal_id` and `phone` are always quoted strings and lists
//! keep the one-line form of the repository's own replies.

use std::fs;
use std::path::{Path, PathBuf};

use super::fields::Fields;
use super::text::fnv1a;
use crate::model::reply::Key;

/// The whole file: front matter, a blank line, the body.
pub(super) fn document(fields: &Fields, body: &str) -> String {
    let mut out = front_matter(fields);
    if !body.is_empty() {
        out.push('\n');
        out.push_str(body);
    }
    out
}

/// The front matter, between `---` lines, with only the keys the text gave.
pub(super) fn front_matter(f: &Fields) -> String {
    let mut out = String::from("---\n");
    let mut key = |name: Key, value: Option<String>| {
        if let Some(value) = value {
            out.push_str(name.as_str());
            out.push_str(": ");
            out.push_str(&value);
            out.push('\n');
        }
    };
    key(Key::Title, f.title.as_deref().map(scalar));
    key(Key::DocNumber, f.doc_number.as_deref().map(scalar));
    key(Key::Session, f.session.as_deref().map(scalar));
    key(Key::ProposalId, f.proposal_id.as_deref().map(quoted));
    key(Key::Kind, f.kind.map(|k| k.as_str().to_string()));
    key(Key::ProposalTitle, f.proposal_title.as_deref().map(scalar));
    key(Key::Proposers, f.proposers.as_deref().map(list));
    key(Key::Addressee, f.addressee.as_deref().map(scalar));
    key(Key::Department, f.department.as_deref().map(scalar));
    key(Key::Date, f.date.map(|d| d.to_string()));
    // Undated, and no 〔YYYY〕 in a 文号 to file it by: the session's year.
    let session_year = f
        .session_year
        .filter(|_| f.date.is_none() && f.doc_number_year().is_none());
    key(Key::Year, session_year.map(|y| y.to_string()));
    key(Key::Signer, f.signer.as_deref().map(scalar));
    key(Key::Handler, f.handler.as_deref().map(scalar));
    key(Key::Phone, f.phone.as_deref().map(quoted));
    key(Key::Cc, f.cc.as_deref().map(list));
    key(Key::CcReport, f.cc_report.as_deref().map(list));
    key(Key::Result, f.result.as_deref().map(scalar));
    key(Key::IndexNumber, f.index_number.as_deref().map(scalar));
    key(Key::Published, f.published.map(|d| d.to_string()));
    key(Key::Disclosure, f.disclosure.as_deref().map(scalar));
    out.push_str("---\n");
    out
}

/// A string as a YAML scalar: plain where YAML reads it back as the same
/// string, double-quoted otherwise.
fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A flow list, `[马青, 周丽]`, as the repository's replies write it.
fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| scalar(s)).collect();
    format!("[{}]", items.join(", "))
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Conservative: anything that could start another YAML node, end a flow
/// list, begin a comment, or read as a number, date, boolean or null is
/// quoted. Chinese text with its own punctuation stays plain.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let special_start = "-?:,[]{}#&*!|>'\"%@`.+~ ".contains(first) || first.is_ascii_digit();
    let lower = s.to_ascii_lowercase();
    let keyword =
        ["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(&lower.as_str());
    !special_start
        && !keyword
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains([',', '[', ']', '{', '}', '#', '"', '\\'])
        && !s.chars().any(|c| c.is_control() || c == '\u{FEFF}')
}

/// Where a reply goes inside `--into`: `{year}/ta-{number}.md` for a 提案,
/// `{year}/jy-{number}.md` for a 建议. Without a number the name is a short
/// hash of the title (of `fallback` when there is no title either); without
/// a year the folder is `undated`.
pub(super) fn relative_path(fields: &Fields, fallback: &str) -> PathBuf {
    let folder = fields
        .year()
        .map_or_else(|| "undated".to_string(), |y| y.to_string());
    let number = fields
        .proposal_id
        .as_deref()
        .map(slug)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            let seed = fields.title.as_deref().unwrap_or(fallback);
            format!("{:08x}", fnv1a(seed) as u32)
        });
    let stem = match fields.kind {
        Some(kind) => format!("{}-{number}", kind.file_prefix()),
        None => number,
    };
    Path::new(&folder).join(format!("{stem}.md"))
}

/// Lowercase ASCII letters and digits, the rest as `-`.
fn slug(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.trim_matches('-').to_string()
}

/// The name with a short tag of the department: `ta-0152.md` →
/// `ta-0152-3f9a2c.md`, for when two departments answered the same number.
/// Pinyin is not at hand, so the tag is a hash of the name.
pub(super) fn with_department_tag(path: &Path, department: Option<&str>) -> PathBuf {
    let tag = format!("{:06x}", fnv1a(department.unwrap_or("")) & 0xFF_FFFF);
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("reply");
    path.with_file_name(format!("{stem}-{tag}.md"))
}

/// The department of a reply already on disk, from its front matter:
/// `Some(None)` when it names none, `None` when the file cannot be read as a
/// reply at all.
pub(super) fn existing_department(path: &Path) -> Option<Option<String>> {
    let text = fs::read_to_string(path).ok()?;
    let rest = text.strip_prefix("---")?.trim_start_matches(['\r', '\n']);
    let end = rest.find("\n---").unwrap_or(rest.len());
    let yaml: serde_yaml::Value = serde_yaml::from_str(&rest[..end]).ok()?;
    Some(
        yaml.get("department")
            .and_then(|d| d.as_str())
            .map(String::from),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::date::Date;
    use crate::model::reply::Kind;

    fn seed() -> Fields {
        Fields {
            title: Some("关于对市政协十四届五次会议提案第0152号的答复".into()),
            doc_number: Some("常工信复〔2021〕第28号".into()),
            session: Some("市政协十四届五次会议".into()),
            proposal_id: Some("0152".into()),
            kind: Some(Kind::Proposal),
            proposal_title: Some("关于精准精细做好中小企业提质增效服务工作的建议".into()),
            proposers: Some(vec!["周国平".into()]),
            department: Some("常州市工业和信息化局".into()),
            signer: Some("薛庆林".into()),
            handler: Some("黄文明".into()),
            phone: Some("85681230".into()),
            cc: Some(vec!["市政府办公室".into(), "市政协提案委".into()]),
            ..Fields::default()
        }
    }

    #[test]
    fn the_seed_front_matter_matches_the_repository() {
        assert_eq!(
            front_matter(&seed()),
            "---\ntitle: 关于对市政协十四届五次会议提案第0152号的答复\ndoc_number: 常工信复〔2021〕第28号\nsession: 市政协十四届五次会议\nproposal_id: \"0152\"\nkind: 提案\nproposal_title: 关于精准精细做好中小企业提质增效服务工作的建议\nproposers: [周国平]\ndepartment: 常州市工业和信息化局\nsigner: 薛庆林\nhandler: 黄文明\nphone: \"85681230\"\ncc: [市政府办公室, 市政协提案委]\n---\n"
        );
    }

    #[test]
    fn copies_reported_up_are_written_under_the_key_the_build_reads() {
        let fields = Fields {
            cc_report: Some(vec!["市人大常委会".into()]),
            ..seed()
        };
        let text = document(&fields, "正文。\n");
        assert!(text.contains("cc: [市政府办公室, 市政协提案委]\ncc_report: [市人大常委会]\n"));
        let reply = crate::model::reply::parse(
            Path::new("content/2021/ta-0152.md"),
            "2021/ta-0152/".into(),
            &text,
            crate::model::body::Bodies::Held(&crate::model::config::BodyOptions::default()),
        )
        .expect("an imported reply builds");
        assert_eq!(reply.stated.cc_report, ["市人大常委会"]);
    }

    #[test]
    fn awkward_values_read_back_unchanged() {
        let awkward = [
            "刘**",
            "*刘",
            "a: b",
            "x #y",
            "[1]",
            "\"q\"",
            "back\\slash",
            "2021-06-10",
            "0152",
            "true",
            "null",
            "关于政协第十三届全国委员会第五次会议第03154号(经济发展类212号)提案答复的函",
            "- dash",
            "tab\there",
            " lead",
        ];
        for value in awkward {
            let fields = Fields {
                title: Some(value.into()),
                proposers: Some(vec![value.into(), "王五".into()]),
                phone: Some(value.into()),
                date: Date::new(2021, 6, 10),
                ..Fields::default()
            };
            let yaml = front_matter(&fields);
            let inner = yaml.trim_start_matches("---\n").trim_end_matches("---\n");
            let parsed: serde_yaml::Value =
                serde_yaml::from_str(inner).unwrap_or_else(|e| panic!("{value}: {e}"));
            assert_eq!(parsed["title"].as_str(), Some(value), "{yaml}");
            assert_eq!(parsed["phone"].as_str(), Some(value), "{yaml}");
            assert_eq!(parsed["proposers"][0].as_str(), Some(value), "{yaml}");
            assert_eq!(parsed["proposers"][1].as_str(), Some("王五"), "{yaml}");
        }
    }

    #[test]
    fn files_are_named_from_year_kind_and_number() {
        assert_eq!(relative_path(&seed(), ""), Path::new("2021/ta-0152.md"));
        let suggestion = Fields {
            kind: Some(Kind::Suggestion),
            proposal_id: Some("DH0271".into()),
            date: Date::new(2024, 11, 15),
            ..Fields::default()
        };
        assert_eq!(
            relative_path(&suggestion, ""),
            Path::new("2024/jy-dh0271.md")
        );
        let unnumbered = Fields {
            title: Some("某答复".into()),
            ..Fields::default()
        };
        let path = relative_path(&unnumbered, "");
        assert!(path.starts_with("undated"));
        assert_eq!(
            path,
            relative_path(&unnumbered, "other text"),
            "named from the title"
        );
    }

    #[test]
    fn a_department_tag_is_short_ascii_and_stable() {
        let tagged =
            with_department_tag(Path::new("2021/ta-0152.md"), Some("常州市工业和信息化局"));
        let name = tagged
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        assert!(
            name.starts_with("ta-0152-") && name.ends_with(".md") && name.is_ascii(),
            "{name}"
        );
        assert_eq!(name.len(), "ta-0152-123456.md".len());
        assert_eq!(
            tagged,
            with_department_tag(Path::new("2021/ta-0152.md"), Some("常州市工业和信息化局"))
        );
    }
}
