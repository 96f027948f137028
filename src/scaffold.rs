//! `dafu init` and `dafu new`: a new site, and a new reply's skeleton.
//!
//! A new site gets `config.yaml`, one real reply as its example, and a
//! `.gitignore` for what builds write beside the content (the output and
//! what builds keep for the next one), nothing else: the default theme is
//! compiled into the binary.

use std::fs;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use rust_i18n::t;

const CONFIG: &str = include_str!("../config.yaml");
const EXAMPLE_REPLY: &str = include_str!("../content/2021/ta-0152.md");
const EXAMPLE_PATH: &str = "content/2021/ta-0152.md";
/// The output, the build before last and what builds keep beside them.
const GITIGNORE: &str = "/public/\n/.dafu/\n";

/// Creates a site in `dir`, refusing a folder that holds anything unless forced.
pub fn init(dir: &Path, force: bool) -> Result<()> {
    if !force && dir.is_dir() && fs::read_dir(dir)?.next().is_some() {
        bail!(t!("scaffold.not_empty", dir = dir.display()));
    }
    write_new(&dir.join("config.yaml"), CONFIG, force)?;
    // A site already in git keeps its own, --force or not.
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        write_new(&ignore, GITIGNORE, false)?;
    }
    write_new(&dir.join(EXAMPLE_PATH), EXAMPLE_REPLY, force)
}

/// Writes a reply skeleton with every field, guessing what its path tells:
/// `content/2021/ta-0152.md` is proposal 0152 of 2021. The command line
/// has checked that `path` is a `.md` file in the site's content/.
pub fn new_reply(path: &Path, today_year: i16) -> Result<()> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let year = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse::<i16>().ok())
        .unwrap_or(today_year);
    let (kind, number) = match stem.split_once('-') {
        Some(("ta", number)) => ("提案", number),
        Some(("jy", number)) => ("建议", number),
        _ => ("提案", ""),
    };
    write_new(path, &skeleton(year, kind, number), false)
}

fn skeleton(year: i16, kind: &str, number: &str) -> String {
    format!(
        r#"---
# Fill in what the reply gives and delete the lines it does not. Remove
# `draft: true` to publish it.
title: 关于对第{number}号{kind}的答复
department: 办理单位全称
date: {year}-01-01
doc_number: ""
session: ""
proposal_id: "{number}"
kind: {kind}
proposal_title: ""
proposers: []
addressee: ""   # 主送, only if not the proposers: 李永莱等32名代表, 省交通运输厅
role: ""        # 办理方式 as the letter says it: 主办 (牵头), 会办, 协办 or 分办
assigned: ""    # 交办日期: the day the proposal was assigned, 2024-03-15
result: ""
signer: ""
handler: ""
phone: ""
cc: []         # 抄送
cc_report: []  # 抄报, when the letter lists copies under that label
index_number: ""
topic: ""
keywords: []
disclosure: 主动公开
draft: true
---

答复正文。编号的部分写作二级标题：

## 一、
"#
    )
}

fn write_new(path: &Path, text: &str, force: bool) -> Result<()> {
    if path.exists() && !force {
        bail!(t!("scaffold.exists", path = path.display()));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .with_context(|| t!("file.cannot_create", path = parent.display()))?;
    }
    fs::write(path, text).with_context(|| t!("file.cannot_write", path = path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skeleton_has_every_key_a_new_reply_may_fill_in() {
        let text = skeleton(2022, "建议", "0031");
        // The year comes from the date; `published` and `extra` are not
        // the letter's.
        let left_out = ["year", "published", "extra"];
        for field in &crate::model::reply::FIELDS {
            let key = field.key;
            if !left_out.contains(&key) {
                assert!(text.contains(&format!("\n{key}:")), "skeleton lacks {key}");
            }
        }
    }
}
