//! `dafu import` end to end, through the binary: the eleven sample replies
//! field by field, their bodies, and the edges (encodings, `.docx`, empty and
//! binary input, a 10 MB file, `--dry-run`, `--force`, `--department`, two
//! departments answering one number).

use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

mod common;

/// Real replies kept in the repository (`tests/samples/`, each with its
/// source in a `SOURCES.md`).
fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/samples")
}

fn seed() -> PathBuf {
    samples().join("reply-changzhou-2021-28.txt")
}

fn real(name: &str) -> PathBuf {
    samples().join("real").join(name)
}

fn dafu(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dafu"))
        // English messages, whatever the machine's locale: tests read them.
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .current_dir(dir)
        .arg("import")
        .args(args)
        .output()
        .expect("run dafu")
}

fn import(dir: &Path, inputs: &[&Path], flags: &[&str]) -> Output {
    let mut args: Vec<&str> = inputs
        .iter()
        .map(|p| p.to_str().expect("UTF-8 path"))
        .collect();
    args.extend_from_slice(flags);
    dafu(dir, &args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A written reply split into its front matter (parsed) and its body.
struct Reply {
    raw_front_matter: String,
    front_matter: serde_yaml::Mapping,
    body: String,
}

fn read_reply(path: &Path) -> Reply {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rest = text
        .strip_prefix("---\n")
        .expect("front matter opens the file");
    let (yaml, body) = rest.split_once("---\n").expect("front matter is closed");
    let front_matter =
        serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{}: {e}\n{yaml}", path.display()));
    Reply {
        raw_front_matter: yaml.to_string(),
        front_matter,
        body: body.trim_start_matches('\n').to_string(),
    }
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "doc_number",
    "session",
    "proposal_id",
    "kind",
    "proposal_title",
    "proposers",
    "addressee",
    "department",
    "date",
    "signer",
    "handler",
    "phone",
    "cc",
    "result",
    "index_number",
    "published",
    "year",
];

/// Compares every key: the expected ones with their values, and no others.
fn assert_fields(path: &Path, reply: &Reply, expected_yaml: &str) {
    let expected: serde_yaml::Mapping = serde_yaml::from_str(expected_yaml).expect("expected YAML");
    let mut problems = Vec::new();
    for (key, want) in &expected {
        match reply.front_matter.get(key) {
            Some(got) if got == want => {}
            Some(got) => problems.push(format!("{key:?}: got {got:?}, want {want:?}")),
            None => problems.push(format!("{key:?}: missing, want {want:?}")),
        }
    }
    for (key, got) in &reply.front_matter {
        if !expected.contains_key(key) {
            problems.push(format!("{key:?}: got {got:?}, want it left out"));
        }
        let known = key.as_str().is_some_and(|k| KNOWN_KEYS.contains(&k));
        assert!(known, "{}: unknown key {key:?}", path.display());
    }
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        path.display(),
        problems.join("\n")
    );
    for quoted in ["proposal_id", "phone"] {
        if let Some(line) = reply
            .raw_front_matter
            .lines()
            .find(|l| l.starts_with(&format!("{quoted}:")))
        {
            assert!(
                line.contains(": \""),
                "{}: {quoted} must be a quoted string: {line}",
                path.display()
            );
        }
    }
}

/// The body's paragraphs, headings included.
fn paragraphs(body: &str) -> Vec<&str> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn assert_body_lacks(path: &Path, body: &str, chrome: &[&str]) {
    for c in chrome {
        assert!(
            !body.contains(c),
            "{}: body still holds {c:?}:\n{body}",
            path.display()
        );
    }
}

/// Imports one sample into a fresh folder and returns the written reply.
fn import_sample(input: &Path, expected_path: &str) -> (TempDir, Reply) {
    let dir = TempDir::new().expect("temp dir");
    let out = import(dir.path(), &[input], &[]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}: {}",
        input.display(),
        stderr(&out)
    );
    let path = dir.path().join("content").join(expected_path);
    assert!(
        path.is_file(),
        "{} not written; stdout:\n{}",
        path.display(),
        stdout(&out)
    );
    let reply = read_reply(&path);
    (dir, reply)
}

// ---------------------------------------------------------------- samples

/// The repository's own transcription, content/2021/ta-0152.md, has exactly
/// these fields.
const SEED_FIELDS: &str = r#"
title: 关于对市政协十四届五次会议提案第0152号的答复
doc_number: 常工信复〔2021〕第28号
session: 市政协十四届五次会议
proposal_id: "0152"
kind: 提案
proposal_title: 关于精准精细做好中小企业提质增效服务工作的建议
proposers: [周国平]
department: 常州市工业和信息化局
signer: 薛庆林
handler: 黄文明
phone: "85681230"
cc: [市政府办公室, 市政协提案委]
"#;

#[test]
fn the_seed_reply_imports_to_the_repositorys_fields() {
    let (_dir, reply) = import_sample(&seed(), "2021/ta-0152.md");
    assert_fields(&seed(), &reply, SEED_FIELDS);
}

#[test]
fn the_seed_body_is_joined_across_page_breaks_and_keeps_its_words() {
    let (_dir, reply) = import_sample(&seed(), "2021/ta-0152.md");
    let body = &reply.body;
    assert!(
        body.starts_with("您提出的《关于精准精细做好中小企业提质增效服务工作的建议》收悉，"),
        "{body}"
    );
    assert!(
        body.contains("学习点播量超过1万人次"),
        "a sentence cut by a page break is joined"
    );
    assert!(
        body.contains("两个国家高新区省级众创集聚区"),
        "a sentence cut by a page break is joined"
    );
    assert!(
        body.contains("精准优选项目102个"),
        "stray spaces between Chinese and digits go"
    );
    assert!(body.contains("2020年已为2990人次发放创业担保贷款5.5亿元"));
    assert!(body.contains("3.7万余条（份）。"));
    let headings: Vec<&str> = paragraphs(body)
        .into_iter()
        .filter(|p| p.starts_with("## "))
        .collect();
    assert_eq!(
        headings,
        [
            "## 一、成立全面落实“六保”任务推进专班",
            "## 二、建立和完善中小企业服务机制",
            "## 三、落实各项惠企政策支持中小企业发展",
            "## 四、支持中小企业创新创业发展",
        ]
    );
    assert_eq!(paragraphs(body).len(), 10);
    assert_body_lacks(
        &seed(),
        body,
        &[
            "常州市工业和信息化局文件",
            "常工信复",
            "周国平委员",
            "签 发 人",
            "经 办 人",
            "联系电话",
            "抄 送",
            "\n\n\n",
        ],
    );
}

#[test]
fn sample_01_a_county_suggestion_behind_a_page_table() {
    let (_dir, reply) = import_sample(&real("01.txt"), "2024/jy-2024085.md");
    assert_fields(
        &real("01.txt"),
        &reply,
        r#"
title: 平阴县公安局对县十九届人大三次会议第2024085号代表关于整治学校周边环境建议的答复
session: 济南市平阴县十九届人大三次会议
proposal_id: "2024085"
kind: 建议
proposal_title: 关于整治学校周边环境建议
proposers: [熊春环]
department: 平阴县公安局
date: 2024-11-15
handler: 孙其晓
phone: "0531——85088108"
cc: [县人大代表工作委员会, 县政府办公室]
result: B
published: 2024-11-21
"#,
    );
    let body = &reply.body;
    assert!(
        body.starts_with("您提出的《关于整治学校周边环境的建议》收悉。现答复如下:\n\n一是交警大队"),
        "{body}"
    );
    assert!(
        body.trim_end().ends_with("感谢您对我们工作的关心和支持。"),
        "{body}"
    );
    assert_body_lacks(
        &real("01.txt"),
        body,
        &[
            "发布时间",
            "代表提案者",
            "办理类型",
            "答复内容",
            "熊春环代表",
            "平阴县公安局\n",
            "2024年11月15日",
            "联系人及电话",
            "抄  送",
        ],
    );
}

#[test]
fn sample_03_header_lines_after_the_title_and_square_brackets() {
    let (_dir, reply) = import_sample(&real("03.txt"), "2024/ta-52.md");
    assert_fields(
        &real("03.txt"),
        &reply,
        r#"
title: 潼关县民政局关于对政协十届三次会议第52号提案的答复
doc_number: 潼民发【2024】275号
session: 政协十届三次会议
proposal_id: "52"
kind: 提案
proposal_title: 关于进一步推进城乡居民养老服务体系建设的建议
proposers: [马青, 周丽]
addressee: 马青、周丽等委员
department: 潼关县民政局
date: 2024-06-27
signer: 杨宏亮
published: 2024-09-11
"#,
    );
    assert_eq!(paragraphs(&reply.body).len(), 2);
    assert!(reply.body.trim_end().ends_with("下一步实施动工。"));
    assert_body_lacks(
        &real("03.txt"),
        &reply.body,
        &[
            "来源",
            "类别",
            "签发人",
            "潼民发",
            "马青、周丽等委员",
            "2024年6月27日",
        ],
    );
}

#[test]
fn sample_06_doc_number_fused_to_the_result_and_a_spaced_title() {
    let (_dir, reply) = import_sample(&real("06.txt"), "2020/jy-16.md");
    // The text never names the department ("我客运站"): it is left out.
    assert_fields(
        &real("06.txt"),
        &reply,
        r#"
title: 对君山区第五届人民代表大会第四次会议16号议案《关于君山区钱粮湖镇公交车线路的建设》答复
doc_number: 钱汽发〔2020〕11号
session: 君山区第五届人民代表大会第四次会议
proposal_id: "16"
kind: 建议
proposal_title: 关于开通区钱粮湖镇公交车线路的建议
proposers: [王亚春]
addressee: 尊敬的王亚春区人大代表
date: 2020-07-15
handler: 邓顺锡
phone: "13789037627"
result: A
"#,
    );
    assert_eq!(paragraphs(&reply.body).len(), 3);
    assert_body_lacks(
        &real("06.txt"),
        &reply.body,
        &["钱汽发", "A类", "答 复", "尊敬的", "2020年7月15日", "承办"],
    );
}

#[test]
fn sample_10_a_three_line_title_and_an_empty_signature_label() {
    let (_dir, reply) = import_sample(&real("10.txt"), "2023/jy-71.md");
    assert_fields(
        &real("10.txt"),
        &reply,
        r#"
title: 高平市卫生健康和体育局关于对市七届人大五次会议第71号建议的答复
doc_number: 高卫体发〔2023〕148号
session: 市七届人大五次会议
proposal_id: "71"
kind: 建议
proposal_title: 关于改善神农卫生院就医环境的建议
proposers: [王爱珍]
addressee: 尊敬的王爱珍代表
department: 高平市卫生健康和体育局
date: 2023-06-29
"#,
    );
    let body = &reply.body;
    assert!(
        body.starts_with("您好!您所提的“关于改善神农卫生院就医环境的建议”已收悉"),
        "{body}"
    );
    assert!(
        body.contains("\n\n此致\n\n敬礼"),
        "the closing keeps its two lines: {body}"
    );
    assert!(
        !body.contains("## "),
        "numbered sentences are not headings: {body}"
    );
    assert_body_lacks(
        &real("10.txt"),
        body,
        &[
            "领导签字",
            "高卫体发",
            "2023年6月29日",
            "高平市卫生健康和体育局\n",
        ],
    );
}

#[test]
fn a_doc_number_completed_from_a_damaged_one_is_reported_for_a_look() {
    let dir = TempDir::new().expect("temp dir");
    let out = import(dir.path(), &[&real("12.txt")], &[]);
    assert!(
        stdout(&out).contains(
            "check:   doc_number 湘水提〔2021〕115号 was completed from `湘水提〔2021115`"
        ),
        "{}",
        stdout(&out)
    );
    let out = import(dir.path(), &[&seed()], &["--into", "other"]);
    assert!(!stdout(&out).contains("check:"), "{}", stdout(&out));
}

#[test]
fn sample_12_a_damaged_doc_number_and_a_collapsed_date() {
    let (_dir, reply) = import_sample(&real("12.txt"), "2021/ta-0029.md");
    assert_fields(
        &real("12.txt"),
        &reply,
        r#"
title: 对省政协十二届四次会议第0029号提案的会办意见
doc_number: 湘水提〔2021〕115号
session: 省政协十二届四次会议
proposal_id: "0029"
kind: 提案
proposal_title: 关于尽快规划建设湘桂运河项目的建议
proposers: [吕斌]
addressee: 省交通运输厅
department: 湖南省水利厅
date: 2021-05-14
result: A
index_number: "430S00/2021-0011004977"
"#,
    );
    let body = &reply.body;
    assert!(
        body.contains("支持推进项目前期论证等有关工作\n\n以上意见供贵厅统一答复提案人时参考。"),
        "a last sentence without 。 is not joined to the next paragraph: {body}"
    );
    assert_body_lacks(
        &real("12.txt"),
        body,
        &[
            "索引号",
            "发文日期",
            "同意公开",
            "湘水提",
            "省交通运输厅:",
            "2021514",
        ],
    );
}

#[test]
fn sample_14_a_flattened_metadata_table() {
    let (_dir, reply) = import_sample(&real("14.txt"), "2021/jy-9622.md");
    // No letter date (the text is cut); the year comes from the 文号. The
    // page's 机构分类 is the only department the text names.
    assert_fields(
        &real("14.txt"),
        &reply,
        r#"
title: 关于十三届全国人大四次会议第9622号建议的答复函
doc_number: 交公路建字〔2021〕57号
session: 十三届全国人大四次会议
proposal_id: "9622"
kind: 建议
proposal_title: 关于强化充换电设施建设运营助力新能源汽车产业发展的建议
proposers: [李永莱]
addressee: 李永莱等32名代表
department: 公路局
index_number: "000019713O07/2022-00022"
published: 2021-06-19
"#,
    );
    let body = &reply.body;
    assert!(body.starts_with("你们提出的《关于强化充换电设施"), "{body}");
    assert_eq!(paragraphs(body).len(), 3);
    assert_body_lacks(
        &real("14.txt"),
        body,
        &[
            "文号",
            "索引号",
            "公开日期",
            "主题词",
            "机构分类",
            "公文类型",
            "李永莱等32名代表",
        ],
    );
}

#[test]
fn sample_15_masked_names_and_two_phones() {
    let (_dir, reply) = import_sample(&real("15.txt"), "undated/ta-24.md");
    // The letter has no date of its own: the 成文日期 in the page's catalogue
    // above it is no date of the letter, so the reply is filed undated (and
    // the report says so). The handler's phone is the one after 承办人.
    assert_fields(
        &real("15.txt"),
        &reply,
        r#"
title: 关于对塔城市政协第九届四次会议第24号委员提案办理情况的答复
session: 塔城市政协第九届四次会议
proposal_id: "24"
kind: 提案
proposal_title: 生活垃圾影响市容市貌和居民健康
proposers: [函卓勇]
department: 塔城市住房和城建设局
signer: 刘**
handler: 刘**
phone: "189******6664"
published: 2019-12-04
"#,
    );
    let body = &reply.body;
    assert!(
        body.contains("在完善増加地埋式垃圾箱的基础上,替换地面垃圾箱的使用"),
        "a paragraph broken mid-sentence is joined: {body}"
    );
    assert!(body.trim_end().ends_with("特此说明"), "{body}");
    assert_body_lacks(
        &real("15.txt"),
        body,
        &[
            "索引号",
            "发文机关",
            "浏览次数",
            "字体",
            "函卓勇委员",
            "主管领导",
            "5505",
            "6664",
        ],
    );
}

#[test]
fn sample_17_a_contact_in_brackets() {
    let (_dir, reply) = import_sample(&real("17.txt"), "2021/ta-190.md");
    assert_fields(
        &real("17.txt"),
        &reply,
        r#"
title: 安宁工业园区管理委员会关于对安宁市政协六届五次会议第190号提案的答复
session: 安宁市政协六届五次会议
proposal_id: "190"
kind: 提案
proposal_title: 关于加快工业园区充电桩新基建覆盖的建议
proposers: [保卫宏]
department: 安宁工业园区管理委员会
date: 2021-07-13
handler: 李洪平
phone: "087164871015"
"#,
    );
    assert_eq!(paragraphs(&reply.body).len(), 3);
    assert_body_lacks(
        &real("17.txt"),
        &reply.body,
        &["联系人", "087164871015", "2021年7月13日", "保卫宏委员:"],
    );
}

#[test]
fn sample_18_no_department_and_no_year_needs_an_edit() {
    let dir = TempDir::new().expect("temp dir");
    let out = import(dir.path(), &[&real("18.txt")], &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a reply missing what the build needs exits 1"
    );
    assert!(stdout(&out).contains("needs an edit"), "{}", stdout(&out));
    let path = dir.path().join("content/undated/ta-03154.md");
    let reply = read_reply(&path);
    assert_fields(
        &real("18.txt"),
        &reply,
        r#"
title: 关于政协第十三届全国委员会第五次会议第03154号(经济发展类212号)提案答复的函
session: 政协第十三届全国委员会第五次会议
proposal_id: "03154"
kind: 提案
proposal_title: 关于加快中小企业数字化转型的提案
proposers: [王一鸣]
"#,
    );
    assert!(
        reply
            .body
            .contains("\n\n## 一、关于实施中小企业数字化赋能专项行动\n\n2020年4月"),
        "{}",
        reply.body
    );
}

#[test]
fn sample_20_a_reply_on_one_line() {
    let (_dir, reply) = import_sample(&real("20.txt"), "2018/jy-46.md");
    assert_fields(
        &real("20.txt"),
        &reply,
        r#"
title: 南宫市交通运输局对南宫市第九届人民代表大会第二次会议的第46号建议的答复
session: 南宫市第九届人民代表大会第二次会议
proposal_id: "46"
kind: 建议
proposal_title: 乡间路维护的建议
proposers: [秦振兴]
department: 南宫市交通运输局
date: 2018-06-28
"#,
    );
    assert_eq!(
        paragraphs(&reply.body),
        [
            "您提出的关于“乡间路维护的建议”收悉,现答复如下:",
            "按照“乡道乡建乡养,村道村建村养”的原则,乡镇政府和村委会分别为乡道和村道的养管主体。我局将加大对乡村道路养护的督导力度,督促乡镇政府和村委会做好定期维护,延长农村公路使用寿命。",
            "您对我们的办理和答复有何意见和建议,请填写在“征询意见表”中,并寄回,以便我们进一步改进工作。",
            "感谢您对我们工作的关心和支持。",
        ]
    );
}

#[test]
fn a_folder_of_samples_imports_with_a_summary_and_exit_1_for_the_incomplete() {
    let dir = TempDir::new().expect("temp dir");
    let out = import(dir.path(), &[&samples().join("real"), &seed()], &[]);
    // 15 gives no date of its own: the 成文日期 above it is the page's.
    assert_eq!(out.status.code(), Some(1), "06, 15 and 18 need an edit");
    let report = stdout(&out);
    assert!(
        report.contains(
            "11 files: 8 written complete, 3 written but need an edit, 0 not written, 0 failed"
        ),
        "{report}"
    );
    assert!(
        report.contains("found:") && report.contains("missing:"),
        "{report}"
    );
    let written = fs::read_dir(dir.path().join("content"))
        .expect("content")
        .count();
    assert!(written >= 6, "year folders");
}

#[test]
fn a_phone_number_with_digits_lost_is_written_as_it_stands_and_named() {
    let dir = TempDir::new().expect("temp dir");
    let input = dir.path().join("reply.txt");
    // Two digits of the handler's mobile number were lost on the page.
    fs::write(
        &input,
        "关于对市政协十届二次会议第35号提案的答复\n张三委员:\n您提出的提案收悉,现答复如下:\n正文。\n某市水利局\n2023年7月3日\n承办人及联系电话:苏楠 139073061\n",
    )
    .expect("write");
    let out = import(dir.path(), &[&input], &[]);
    let report = stdout(&out);
    assert!(
        report.contains("check:   phone 139073061 has 9 digits"),
        "{report}"
    );
    let reply = read_reply(&dir.path().join("content/2023/ta-35.md"));
    assert!(
        reply.raw_front_matter.contains("phone: \"139073061\""),
        "{}",
        reply.raw_front_matter
    );
}

#[test]
fn an_undated_reply_is_filed_by_the_year_its_headline_gives_the_session() {
    let dir = TempDir::new().expect("temp dir");
    let input = dir.path().join("reply.txt");
    // The date under the signature lost its year and month.
    fs::write(
        &input,
        "2023年清原满族自治县八届人大二次会议《关于加强小区建设的建议》(72号)的答复\n对县八届人大二次会议\n第72号建议答复\n高松代表\n您提出的建议收悉,现答复如下:\n正文。\n承办单位:清原满族自治县住房和城乡建设局\n0二十六日\n",
    )
    .expect("write");
    let init = common::dafu()
        .current_dir(dir.path())
        .args(["init", "site"])
        .output()
        .expect("run dafu");
    assert!(init.status.success(), "{}", stderr(&init));
    let site = dir.path().join("site");
    let out = import(&site, &[&input], &[]);
    let report = stdout(&out);
    assert!(
        report.contains("date (year 2023 from the session the headline dates)"),
        "{report}"
    );
    let reply = read_reply(&site.join("content/2023/jy-72.md"));
    assert!(
        reply.raw_front_matter.contains("year: 2023"),
        "{}",
        reply.raw_front_matter
    );
    assert!(
        reply
            .raw_front_matter
            .contains("department: 清原满族自治县住房和城乡建设局"),
        "{}",
        reply.raw_front_matter
    );
    let check = common::dafu()
        .current_dir(&site)
        .arg("check")
        .output()
        .expect("run dafu");
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn a_complete_reply_exits_0() {
    let dir = TempDir::new().expect("temp dir");
    let out = import(dir.path(), &[&seed(), &real("01.txt")], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

// ---------------------------------------------------------------- encodings and formats

fn seed_text() -> String {
    fs::read_to_string(seed()).expect("seed")
}

fn assert_imports_like_the_seed(dir: &Path, file: &Path) {
    let out = import(dir, &[file], &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let path = dir.join("content/2021/ta-0152.md");
    assert_fields(file, &read_reply(&path), SEED_FIELDS);
}

#[test]
fn gbk_text_is_detected() {
    let dir = TempDir::new().expect("temp dir");
    let text = seed_text();
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let file = dir.path().join("gbk.txt");
    fs::write(&file, &bytes).expect("write");
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    assert_imports_like_the_seed(dir.path(), &file);
}

#[test]
fn utf16le_with_a_bom_is_detected() {
    let dir = TempDir::new().expect("temp dir");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in seed_text().encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let file = dir.path().join("utf16.txt");
    fs::write(&file, &bytes).expect("write");
    assert_imports_like_the_seed(dir.path(), &file);
}

/// A minimal Word document: one `w:p` per line of `text`, each line split
/// into two runs so that the runs must be joined.
fn docx_of(text: &str) -> Vec<u8> {
    let mut body = String::new();
    for line in text.lines() {
        let escaped = line.replace('&', "&amp;").replace('<', "&lt;");
        let cut = escaped
            .char_indices()
            .nth(3)
            .map_or(escaped.len(), |(i, _)| i);
        let (a, b) = escaped.split_at(cut);
        body.push_str(&format!(r#"<w:p><w:r><w:t xml:space="preserve">{a}</w:t></w:r><w:r><w:t xml:space="preserve">{b}</w:t></w:r></w:p>"#));
    }
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).expect("zip");
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#)
        .expect("zip");
    zip.start_file("word/document.xml", options).expect("zip");
    zip.write_all(xml.as_bytes()).expect("zip");
    zip.finish().expect("zip").into_inner()
}

#[test]
fn a_docx_is_read_paragraph_by_paragraph() {
    let dir = TempDir::new().expect("temp dir");
    let file = dir.path().join("reply.docx");
    fs::write(&file, docx_of(&seed_text())).expect("write");
    assert_imports_like_the_seed(dir.path(), &file);
    let reply = read_reply(&dir.path().join("content/2021/ta-0152.md"));
    assert!(reply.body.contains("学习点播量超过1万人次"));
    assert!(reply.body.contains("## 四、支持中小企业创新创业发展"));
}

#[test]
fn a_broken_docx_is_an_error_that_names_it() {
    let dir = TempDir::new().expect("temp dir");
    let file = dir.path().join("broken.docx");
    fs::write(&file, b"PK\x03\x04 not really a zip").expect("write");
    let out = import(dir.path(), &[&file], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.docx"), "{}", stderr(&out));
}

// ---------------------------------------------------------------- bad input

#[test]
fn empty_input_is_an_error_that_names_the_file() {
    let dir = TempDir::new().expect("temp dir");
    let file = dir.path().join("empty.txt");
    fs::write(&file, "  \n\n").expect("write");
    let out = import(dir.path(), &[&file], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("empty.txt") && stderr(&out).contains("empty"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("content").exists(), "nothing written");
}

#[test]
fn binary_junk_is_an_error_that_names_the_file_and_the_rest_go_on() {
    let dir = TempDir::new().expect("temp dir");
    let junk = dir.path().join("junk.txt");
    let bytes: Vec<u8> = (0u32..65_536)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    fs::write(&junk, &bytes).expect("write");
    let out = import(dir.path(), &[&junk, &seed()], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("junk.txt"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        dir.path().join("content/2021/ta-0152.md").is_file(),
        "the good file is still imported"
    );
    assert!(stdout(&out).contains("1 failed"), "{}", stdout(&out));
}

#[test]
fn a_doc_a_wps_an_rtf_or_an_image_is_refused_by_name_and_nothing_is_written() {
    let dir = TempDir::new().expect("temp dir");
    let kinds: [(&str, &[u8], &str); 4] = [
        (
            "reply.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\xb9\xd8\xd3\xda",
            "old Word (.doc) or WPS document, which import does not read: save it as .docx or PDF",
        ),
        (
            "reply.wps",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\xb9\xd8\xd3\xda",
            "save it as .docx or PDF",
        ),
        (
            "reply.txt",
            b"{\\rtf1\\ansi \\'b9\\'d8\\'d3\\'da}",
            "an RTF document, which import does not read: save it as .docx or PDF",
        ),
        (
            "scan.jpg",
            b"\xff\xd8\xff\xe0\x00\x10JFIF",
            "is an image: run it through text recognition (OCR) first",
        ),
    ];
    for (name, bytes, what) in kinds {
        let file = dir.path().join(name);
        fs::write(&file, bytes).expect("write");
        let out = import(dir.path(), &[&file], &[]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains(what), "{name}: {err}");
        assert!(
            !dir.path().join("content").exists(),
            "{name}: something was written"
        );
    }
}

#[test]
fn a_missing_input_is_an_error_that_names_it() {
    let dir = TempDir::new().expect("temp dir");
    let out = dafu(dir.path(), &["no-such-reply.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no-such-reply.txt"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_10_mb_file_finishes_without_panicking() {
    let dir = TempDir::new().expect("temp dir");
    let file = dir.path().join("huge.txt");
    let text = seed_text();
    let copies = 10 * 1024 * 1024 / text.len() + 1;
    fs::write(&file, text.repeat(copies)).expect("write");
    let out = import(dir.path(), &[&file], &[]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
    assert!(
        dir.path().join("content/2021/ta-0152.md").is_file(),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------- flags

#[test]
fn dry_run_writes_nothing_and_prints_what_it_would_write() {
    let dir = TempDir::new().expect("temp dir");
    let out = import(dir.path(), &[&seed()], &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    let printed = stdout(&out);
    assert!(
        printed.contains("would write content/2021/ta-0152.md"),
        "{printed}"
    );
    assert!(printed.contains("proposal_id: \"0152\""), "{printed}");
    assert!(printed.contains("nothing was written"), "{printed}");
    assert!(!dir.path().join("content").exists());
}

#[test]
fn an_existing_file_is_not_overwritten_without_force() {
    let dir = TempDir::new().expect("temp dir");
    let target = dir.path().join("content/2021/ta-0152.md");
    assert_eq!(import(dir.path(), &[&seed()], &[]).status.code(), Some(0));
    let edited = fs::read_to_string(&target)
        .expect("written")
        .replace("薛庆林", "薛庆林 # edited by hand");
    fs::write(&target, &edited).expect("edit");

    let again = import(dir.path(), &[&seed()], &[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stdout(&again).contains("not overwritten"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        fs::read_to_string(&target).expect("kept"),
        edited,
        "the edit survives"
    );

    let forced = import(dir.path(), &[&seed()], &["--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stdout(&forced));
    assert!(
        !fs::read_to_string(&target)
            .expect("rewritten")
            .contains("edited by hand")
    );
}

#[test]
fn department_fills_a_missing_department_only() {
    let dir = TempDir::new().expect("temp dir");
    let flags = ["--department", "君山区钱粮湖镇汽车客运站"];
    let out = import(dir.path(), &[&real("06.txt"), &seed()], &flags);
    assert_eq!(
        out.status.code(),
        Some(0),
        "06 is complete with the department: {}",
        stdout(&out)
    );
    let filled = read_reply(&dir.path().join("content/2020/jy-16.md"));
    assert_eq!(
        filled
            .front_matter
            .get("department")
            .and_then(|d| d.as_str()),
        Some("君山区钱粮湖镇汽车客运站")
    );
    let kept = read_reply(&dir.path().join("content/2021/ta-0152.md"));
    assert_eq!(
        kept.front_matter.get("department").and_then(|d| d.as_str()),
        Some("常州市工业和信息化局")
    );
}

#[test]
fn into_chooses_the_folder() {
    let dir = TempDir::new().expect("temp dir");
    let out = import(dir.path(), &[&seed()], &["--into", "site/content"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("site/content/2021/ta-0152.md").is_file());
}

// ---------------------------------------------------------------- names

/// The seed text with another department's signature.
fn seed_from(dir: &Path, department: &str) -> PathBuf {
    let text = seed_text().replace("常州市工业和信息化局文件", &format!("{department}文件"));
    let file = dir.join(format!("{department}.txt"));
    fs::write(&file, text).expect("write");
    file
}

#[test]
fn two_departments_answering_one_number_get_two_files() {
    let dir = TempDir::new().expect("temp dir");
    let other = seed_from(dir.path(), "常州市财政局");
    let out = import(dir.path(), &[&seed(), &other], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let year = dir.path().join("content/2021");
    let mut names: Vec<String> = fs::read_dir(&year)
        .expect("year folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"ta-0152.md".to_string()), "{names:?}");
    let tagged = names.iter().find(|n| *n != "ta-0152.md").expect("tagged");
    assert!(
        tagged.starts_with("ta-0152-")
            && tagged.is_ascii()
            && tagged.len() == "ta-0152-abcdef.md".len(),
        "{tagged}"
    );
    let reply = read_reply(&year.join(tagged));
    assert_eq!(
        reply
            .front_matter
            .get("department")
            .and_then(|d| d.as_str()),
        Some("常州市财政局")
    );
}

#[test]
fn a_file_from_another_department_on_disk_is_left_alone() {
    let dir = TempDir::new().expect("temp dir");
    assert_eq!(import(dir.path(), &[&seed()], &[]).status.code(), Some(0));
    let before = fs::read_to_string(dir.path().join("content/2021/ta-0152.md")).expect("first");
    let other = seed_from(dir.path(), "常州市财政局");
    let out = import(dir.path(), &[&other], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        fs::read_to_string(dir.path().join("content/2021/ta-0152.md")).expect("first"),
        before
    );
    assert_eq!(
        fs::read_dir(dir.path().join("content/2021"))
            .expect("year")
            .count(),
        2
    );
}

#[test]
fn the_same_reply_twice_in_one_run_is_written_once() {
    let dir = TempDir::new().expect("temp dir");
    let out = import(dir.path(), &[&seed(), &seed()], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("imported earlier in this run"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        fs::read_dir(dir.path().join("content/2021"))
            .expect("year")
            .count(),
        1
    );
}

#[test]
fn a_reply_without_a_number_is_named_by_a_hash_of_its_title() {
    let dir = TempDir::new().expect("temp dir");
    let file = dir.path().join("unnumbered.txt");
    let text = "某某局文件\n某发〔2022〕5号\n关于市政协委员建议的答复\n张三委员：\n您提出的建议收悉。\n某某局\n2022年3月1日\n";
    fs::write(&file, text).expect("write");
    let out = import(dir.path(), &[&file], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let names: Vec<String> = fs::read_dir(dir.path().join("content/2022"))
        .expect("year folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1);
    assert!(
        names[0].starts_with("ta-") && names[0].ends_with(".md") && names[0].is_ascii(),
        "{names:?}"
    );
}
