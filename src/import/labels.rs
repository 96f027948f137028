//! The labels that replies and the pages around them put before a value
//! (`签发人：`, `联系人及电话:`, `索引号`), and reading `label: value` pairs out
//! of a line. One table maps every spelling seen in real replies to the field
//! it fills; page furniture (`发布时间`, `浏览次数`) is listed too, so that it is
//! known and skipped rather than mistaken for a value or for the letter.

use std::sync::LazyLock;

use regex::Regex;

use super::text::{compact, is_han, trim};

/// What a label's value fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Label {
    Title,
    DocNumber,
    IndexNumber,
    Session,
    ProposalId,
    ProposalTitle,
    Proposers,
    /// The replying department, from the page rather than the letter; the
    /// number ranks the labels, 0 being the most trustworthy.
    Department(u8),
    Date,
    Result,
    Signer,
    Handler,
    Phone,
    /// 抄送.
    Cc,
    /// 抄报: a list of its own, which a reply keeps under its own label.
    CcReport,
    /// `联系单位及电话`: the department and a phone number in one value.
    ContactUnit,
    /// The day the page put the reply online (发布日期).
    Published,
    /// Whether the reply may be published (公开属性).
    Disclosure,
    /// Known, and of no use to a reply: page furniture and the like.
    Other,
}

const LABELS: &[(&str, Label)] = &[
    ("标题", Label::Title),
    ("名称", Label::Title),
    ("文件名称", Label::Title),
    ("信息名称", Label::Title),
    ("文件标题", Label::Title),
    ("文号", Label::DocNumber),
    ("发文字号", Label::DocNumber),
    ("发文文号", Label::DocNumber),
    ("索引号", Label::IndexNumber),
    ("会议届次", Label::Session),
    ("届次", Label::Session),
    ("会议名称", Label::Session),
    ("建议提案编号", Label::ProposalId),
    ("提案编号", Label::ProposalId),
    ("建议编号", Label::ProposalId),
    ("议案编号", Label::ProposalId),
    ("提案号", Label::ProposalId),
    ("建议号", Label::ProposalId),
    ("案号", Label::ProposalId),
    ("编号", Label::ProposalId),
    ("建议提案标题", Label::ProposalTitle),
    ("提案标题", Label::ProposalTitle),
    ("建议标题", Label::ProposalTitle),
    ("议案标题", Label::ProposalTitle),
    ("提案名称", Label::ProposalTitle),
    ("建议名称", Label::ProposalTitle),
    ("提案题目", Label::ProposalTitle),
    ("建议题目", Label::ProposalTitle),
    ("案由", Label::ProposalTitle),
    ("代表提案者", Label::Proposers),
    ("提案者", Label::Proposers),
    ("提案人", Label::Proposers),
    ("提出人", Label::Proposers),
    ("领衔代表", Label::Proposers),
    ("领衔委员", Label::Proposers),
    ("领衔人", Label::Proposers),
    ("代表姓名", Label::Proposers),
    ("建议人", Label::Proposers),
    ("委员姓名", Label::Proposers),
    ("办理单位", Label::Department(0)),
    // `单位名称:某局` / `答复日期:…`: a signature block set as labels.
    ("单位名称", Label::Department(0)),
    ("联系单位", Label::Department(0)),
    ("联系单位及电话", Label::ContactUnit),
    ("联系单位电话", Label::ContactUnit),
    ("联系单位及联系电话", Label::ContactUnit),
    ("承办单位", Label::Department(1)),
    ("主办单位", Label::Department(1)),
    ("发文机关", Label::Department(2)),
    ("发文单位", Label::Department(2)),
    ("发布机构", Label::Department(2)),
    ("来源", Label::Department(3)),
    ("信息来源", Label::Department(3)),
    ("机构分类", Label::Department(4)),
    ("答复时间", Label::Date),
    ("答复日期", Label::Date),
    ("办复时间", Label::Date),
    ("办复日期", Label::Date),
    ("办结时间", Label::Date),
    ("办结日期", Label::Date),
    ("类别", Label::Result),
    ("办理类型", Label::Result),
    ("办理类别", Label::Result),
    ("办复类别", Label::Result),
    ("办复类型", Label::Result),
    ("答复类别", Label::Result),
    ("答复类型", Label::Result),
    ("办理结果", Label::Result),
    ("签发人", Label::Signer),
    ("签发", Label::Signer),
    ("签发领导", Label::Signer),
    ("领导签字", Label::Signer),
    ("领导签发", Label::Signer),
    ("审签", Label::Signer),
    ("审签人", Label::Signer),
    ("主管领导", Label::Signer),
    ("分管领导", Label::Signer),
    ("经办人", Label::Handler),
    ("承办人", Label::Handler),
    ("联系人", Label::Handler),
    ("办理人", Label::Handler),
    ("经办人及电话", Label::Handler),
    ("经办人及联系电话", Label::Handler),
    ("承办人及电话", Label::Handler),
    ("承办人及联系电话", Label::Handler),
    ("联系人及电话", Label::Handler),
    ("联系人及联系电话", Label::Handler),
    ("联系人电话", Label::Handler),
    // `联系单位及联系人:某镇政府 卓义杰`: the office, then the person.
    ("联系单位及联系人", Label::Handler),
    ("办理单位联系人", Label::Handler),
    ("单位联系人", Label::Handler),
    ("联系电话", Label::Phone),
    ("电话", Label::Phone),
    ("联系方式", Label::Phone),
    ("办公电话", Label::Phone),
    ("单位联系电话", Label::Phone),
    ("单位电话", Label::Phone),
    ("抄送", Label::Cc),
    ("抄报", Label::CcReport),
    ("抄送单位", Label::Cc),
    // The head of the handling office: neither the signer nor the handler.
    ("承办负责人", Label::Other),
    ("负责人", Label::Other),
    ("单位负责人", Label::Other),
    // The office's other ways to be reached: none is the handler's phone.
    ("传真", Label::Other),
    ("邮编", Label::Other),
    ("邮政编码", Label::Other),
    ("地址", Label::Other),
    ("电子邮箱", Label::Other),
    ("邮箱", Label::Other),
    ("责任人", Label::Other),
    ("发布时间", Label::Published),
    ("发布日期", Label::Published),
    ("发文日期", Label::Other),
    ("发文时间", Label::Other),
    // A web page's catalogue gives the day it filed the reply, not the day
    // the letter was signed; that is under the signature.
    ("成文日期", Label::Other),
    ("公开日期", Label::Published),
    ("生成日期", Label::Other),
    ("有效日期", Label::Other),
    ("失效日期", Label::Other),
    ("浏览次数", Label::Other),
    ("点击数", Label::Other),
    ("访问次数", Label::Other),
    ("主题词", Label::Other),
    ("关键词", Label::Other),
    ("主题分类", Label::Other),
    ("题裁分类", Label::Other),
    ("体裁分类", Label::Other),
    ("组配分类", Label::Other),
    ("行业分类", Label::Other),
    ("服务对象", Label::Other),
    ("公文类型", Label::Other),
    ("文种", Label::Other),
    ("有效性", Label::Other),
    ("办理方式", Label::Other),
    ("答复内容", Label::Other),
    ("公开属性", Label::Disclosure),
    ("公开方式", Label::Disclosure),
    ("公开类型", Label::Disclosure),
    ("公开范围", Label::Other),
    ("公开程序", Label::Other),
    ("附件", Label::Other),
    ("信息分类", Label::Other),
    ("是否有效", Label::Other),
    ("作者", Label::Other),
    ("来自", Label::Other),
    ("责任编辑", Label::Other),
    ("字体", Label::Other),
    ("字号", Label::Other),
];

/// The field a label name fills, spaces inside it ignored (`签 发 人`).
pub(super) fn lookup(name: &str) -> Option<Label> {
    let name = compact(name);
    LABELS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, label)| *label)
}

/// A label at the start of a line: Han characters, maybe spread out by
/// spaces (`签 发 人`), then a colon (a semicolon by typo: `联系电话;131…`).
static LEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\p{Han}][\p{Han} \u{3000}]{0,15}?)[ \u{3000}]*[:：;；][ \u{3000}]*")
        .expect("label pattern")
});

/// A further label later in the same line, after a space:
/// `来源:潼关县民政局 发布时间:2024-09-11`.
static FOLLOWING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[ \u{3000}]+)([\p{Han}]{2,8})[ \u{3000}]*[:：]").expect("label pattern")
});

/// Every known `label: value` pair in a line, in order; nothing when the line
/// holds no known label. Text before the first label is not a value and is
/// dropped, and so are brackets around the whole line:
/// `(联系人及联系电话:李洪平 087164871015)`.
pub(super) fn pairs(line: &str) -> Vec<(Label, String)> {
    let line = unwrap_brackets(trim(line));
    let Some((first, start)) = first_label(line) else {
        return row_pairs(line);
    };
    let mut out = Vec::new();
    let mut label = first;
    let mut rest = &line[start..];
    loop {
        match next_label(rest) {
            Some((at, after, next)) => {
                // `联系人:李东晖,联系电话:…`: the comma between two labels is
                // neither's.
                let value = rest[..at].trim_end_matches([' ', ',', '，', ';', '；', '、']);
                out.push((label, value_of(value)));
                label = next;
                rest = &rest[after..];
            }
            None => {
                out.push((label, value_of(rest)));
                return out;
            }
        }
    }
}

/// The next known label in a value, as (where its name starts, where its
/// value starts, the label): after a space, a comma or a semicolon
/// (`联系单位:某局,联系人:李东晖`), or run onto the value before it, as
/// extraction leaves them (`联系人:何峰联系电话:028-83364008`). The longest
/// known name before a colon is the label; a name run onto a value must be
/// three characters or more, or a value's last characters would be taken
/// for one.
fn next_label(rest: &str) -> Option<(usize, usize, Label)> {
    rest.char_indices()
        .filter(|&(at, c)| at > 0 && matches!(c, ':' | '：'))
        .find_map(|(colon, c)| {
            let before = rest[..colon].trim_end_matches([' ', '\u{3000}']);
            let starts: Vec<usize> = before
                .char_indices()
                .rev()
                .take_while(|&(_, ch)| is_han(ch))
                .map(|(i, _)| i)
                .collect();
            starts.iter().rev().find_map(|&start| {
                let name = &before[start..];
                let label = lookup(name)?;
                let apart = before[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|p| p.is_whitespace() || ",，;；、|｜(（".contains(p));
                (apart || name.chars().count() >= 3).then_some((start, colon + c.len_utf8(), label))
            })
        })
}

/// A value without the page chrome glued after it
/// (`文山州教育体育局  【字体:  打印`).
fn value_of(raw: &str) -> String {
    let value = raw.split('【').next().unwrap_or(raw);
    // `公开方式: | 主动公开 |`: a flattened table's cell borders.
    let value = value.trim_matches(|c: char| c.is_whitespace() || super::letter::is_cell_border(c));
    // `来源:交通局 打印`: a page's buttons after the value.
    let value = ["打印", "关闭", "收藏"]
        .iter()
        .fold(value, |v, button| v.strip_suffix(button).map_or(v, trim));
    trim(value).to_string()
}

/// The rows of a page's metadata table flattened without colons, labels and
/// values apart by spaces: `索 引 号  jyjl/2021-00030`, `文  号   发布机构
/// 舟曲县教育局`, `信息名称  关于…的答复  成文日期  2018-12-14`. Read only
/// when the line starts with a label that stands apart: a long one, one
/// followed by two spaces, or one with another label later in the line.
fn row_pairs(line: &str) -> Vec<(Label, String)> {
    // A flattened table keeps its cell borders (`关键词 | 发布机构 | 某局`):
    // they part cells as spaces do.
    let tokens: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || super::letter::is_cell_border(c))
        .filter(|t| !t.is_empty())
        .collect();
    // The label that starts at token `i`, the longest of up to four tokens
    // (`索 引 号`), and the token after it.
    let label_at = |i: usize| {
        (1..=4)
            .rev()
            .filter(|k| i + k <= tokens.len())
            .find_map(|k| {
                let name: String = tokens[i..i + k].concat();
                let han = name.chars().all(|c| c.is_alphabetic() && !c.is_ascii());
                han.then(|| lookup(&name))
                    .flatten()
                    .map(|l| (l, i + k, name))
            })
    };
    let Some((first, mut at, name)) = label_at(0) else {
        return Vec::new();
    };
    let first_value = tokens.get(at).copied().unwrap_or("");
    let mut out = Vec::new();
    let mut label = first;
    let mut value: Vec<&str> = Vec::new();
    while at < tokens.len() {
        if let Some((next, after, _)) = label_at(at) {
            out.push((label, value_of(&value.join(" "))));
            value.clear();
            label = next;
            at = after;
        } else {
            value.push(tokens[at]);
            at += 1;
        }
    }
    out.push((label, value_of(&value.join(" "))));
    let apart = name.chars().count() >= 3
        || out.len() >= 2
        || line.find(first_value).is_some_and(|i| {
            let gap = &line[..i];
            gap.ends_with("  ")
                || gap.ends_with('\u{3000}')
                || gap.contains(super::letter::is_cell_border)
        });
    if apart && tokens.len() >= 2 {
        out
    } else {
        Vec::new()
    }
}

/// The first known label of a line and where its value starts: at the start
/// of the line, or later after a space (`常工信复〔2021〕第28号  签发人：薛庆林`).
fn first_label(line: &str) -> Option<(Label, usize)> {
    if let Some(caps) = LEADING.captures(line)
        && let (Some(label), Some(m)) = (lookup(&caps[1]), caps.get(0))
    {
        return Some((label, m.end()));
    }
    FOLLOWING
        .captures_iter(line)
        .filter(|c| c.get(0).is_some_and(|m| m.start() > 0))
        .find_map(|c| Some((lookup(&c[1])?, c.get(0)?.end())))
}

/// A line made only of a known label, with its value on the next line: the
/// page tables that web pages flatten (`办理类型` / `B`).
pub(super) fn bare(line: &str) -> Option<Label> {
    let line = trim(line);
    if line.is_empty() || line.chars().count() > 12 {
        return None;
    }
    lookup(line)
}

/// True for a line that holds known labels (`签发人：薛庆林`).
pub(super) fn is_label_line(line: &str) -> bool {
    !pairs(line).is_empty() || bare(line).is_some()
}

/// The line without brackets around it, or an opening one whose close was
/// lost (`(联系人:何峰联系电话:028-83364008`).
fn unwrap_brackets(line: &str) -> &str {
    match line.strip_prefix(['(', '（']) {
        Some(inner) => trim(inner.strip_suffix([')', '）']).unwrap_or(inner)),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: &[(Label, &str)]) -> Vec<(Label, String)> {
        pairs.iter().map(|(l, v)| (*l, v.to_string())).collect()
    }

    #[test]
    fn spaced_labels_are_read() {
        assert_eq!(
            pairs("签 发 人：薛庆林"),
            owned(&[(Label::Signer, "薛庆林")])
        );
        assert_eq!(
            pairs("抄  送:县人大代表工作委员会、县政府办公室"),
            owned(&[(Label::Cc, "县人大代表工作委员会、县政府办公室")])
        );
    }

    #[test]
    fn several_labels_on_one_line_are_split() {
        assert_eq!(
            pairs("来源:潼关县民政局 发布时间:2024-09-11 11:23"),
            owned(&[
                (Label::Department(3), "潼关县民政局"),
                (Label::Published, "2024-09-11 11:23")
            ])
        );
        assert_eq!(
            pairs("索引号: 成文日期: 2019-12-04"),
            owned(&[(Label::IndexNumber, ""), (Label::Other, "2019-12-04")])
        );
        assert_eq!(
            pairs("发文字号: 有效日期:"),
            owned(&[(Label::DocNumber, ""), (Label::Other, "")])
        );
    }

    #[test]
    fn labels_after_a_comma_or_run_onto_a_value_are_split() {
        assert_eq!(
            pairs("(联系单位:周村区交通运输局,联系人:李东晖,联系电话:18753330696"),
            owned(&[
                (Label::Department(0), "周村区交通运输局"),
                (Label::Handler, "李东晖"),
                (Label::Phone, "18753330696")
            ])
        );
        assert_eq!(
            pairs("(联系人:何峰联系电话:028-83364008"),
            owned(&[(Label::Handler, "何峰"), (Label::Phone, "028-83364008")])
        );
        // A value's last characters that happen to spell a short label stay.
        assert_eq!(
            pairs("联系人:王电话:123"),
            owned(&[(Label::Handler, "王电话:123")])
        );
    }

    #[test]
    fn a_table_row_with_cell_borders_is_read() {
        assert_eq!(
            pairs("关键词 | 发布机构 | 民乐县农业农村局"),
            owned(&[
                (Label::Other, ""),
                (Label::Department(2), "民乐县农业农村局")
            ])
        );
        assert_eq!(
            pairs("标 题 | 对市政协十三届三次会议第8206号提案的协办意见"),
            owned(&[(Label::Title, "对市政协十三届三次会议第8206号提案的协办意见")])
        );
        assert_eq!(
            pairs("发文字号: | 发文时间:2022-09-09"),
            owned(&[(Label::DocNumber, ""), (Label::Other, "2022-09-09")])
        );
    }

    #[test]
    fn brackets_and_semicolons_are_tolerated() {
        assert_eq!(
            pairs("(联系人及联系电话:李洪平 087164871015)"),
            owned(&[(Label::Handler, "李洪平 087164871015")])
        );
        assert_eq!(
            pairs("联系电话;131******5505"),
            owned(&[(Label::Phone, "131******5505")])
        );
    }

    #[test]
    fn a_label_after_other_text_is_found() {
        assert_eq!(
            pairs("常工信复〔2021〕第28号    签发人：薛庆林"),
            owned(&[(Label::Signer, "薛庆林")])
        );
    }

    #[test]
    fn salutations_and_prose_are_not_labels() {
        assert!(pairs("周国平委员：").is_empty());
        assert!(pairs("马青、周丽等委员:").is_empty());
        assert!(pairs("您提出的建议收悉。现答复如下:").is_empty());
    }

    #[test]
    fn a_metadata_row_without_colons_is_read() {
        assert_eq!(
            pairs(" 索 引 号  jyjl/2021-00030"),
            owned(&[(Label::IndexNumber, "jyjl/2021-00030")])
        );
        assert_eq!(
            pairs(" 文  号   发布机构  舟曲县教育局"),
            owned(&[
                (Label::DocNumber, ""),
                (Label::Department(2), "舟曲县教育局")
            ])
        );
        assert_eq!(
            pairs("联系单位及电话：郑州市上街区城市管理局 68118611"),
            owned(&[(Label::ContactUnit, "郑州市上街区城市管理局 68118611")])
        );
        // Prose that happens to start with a label's word is no row.
        assert!(pairs("来源于群众的意见").is_empty());
    }

    #[test]
    fn bare_labels_are_known() {
        assert_eq!(bare("办理类型"), Some(Label::Result));
        assert_eq!(bare("代表提案者"), Some(Label::Proposers));
        assert_eq!(bare("熊春环"), None);
    }
}
