//! What a reply file may say without running script in a reader's browser,
//! breaking a feed or a spreadsheet, or filling the disk (issue #16), end to
//! end: a site folder in, `dafu build` run, the files or problems out.

mod common;

use common::{TestSite, reply};

/// A reply of 甲局 with `fields` after its title and `body` after the front matter.
fn reply_with(fields: &str, body: &str) -> String {
    format!("---\ntitle: 答复\ndepartment: 甲局\ndate: 2021-01-01\n{fields}---\n{body}")
}

/// A site that built once, so that a failed build has something to spare.
fn built_site() -> (TestSite, Vec<(String, Vec<u8>)>) {
    let site = TestSite::new();
    site.write("content/good.md", reply("好的答复", "甲局", "2021-01-01"));
    site.build();
    let before = site.snapshot();
    (site, before)
}

/// Writes `content/bad.md`, builds, and checks the failure: exit 1, each
/// expected text on stderr, public/ untouched. Returns stderr.
fn refused(contents: &str, expected: &[&str]) -> String {
    let (site, before) = built_site();
    site.write("content/bad.md", contents);
    let stderr = site.build_fails();
    for text in expected {
        assert!(stderr.contains(text), "stderr lacks {text:?}:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(site.snapshot(), before, "public/ changed");
    stderr
}

/// Every problem line of a failed build is `path:line:col: message`.
fn every_problem_is_placed(stderr: &str) {
    for line in stderr.lines().filter(|l| l.starts_with("content/")) {
        let mut parts = line.splitn(4, ':');
        let (_, row, col) = (parts.next(), parts.next(), parts.next());
        assert!(
            row.is_some_and(|r| r.parse::<usize>().is_ok())
                && col.is_some_and(|c| c.parse::<usize>().is_ok()),
            "not path:line:col: {line}"
        );
    }
}

#[test]
fn heading_attributes_keep_only_a_safe_id_and_classes() {
    let site = TestSite::new();
    site.write(
        "content/2021/a.md",
        reply_with(
            "",
            "## 一、说明 {#part-1\" .note tabindex=0 autofocus=1 onfocus=window.__pwned=1}\n\n## 二、覆盖 {style=position:fixed;inset:0 .x\"y}\n\n正文。\n",
        ),
    );
    site.build();
    let page = site.public("2021/a/index.html");
    assert!(
        page.contains("<h2 id=\"part-1-\" class=\"note\">一、说明</h2>"),
        "{page}"
    );
    assert!(
        page.contains("<h2 id=\"二、覆盖\" class=\"xy\">二、覆盖</h2>"),
        "{page}"
    );
    for attack in ["onfocus", "autofocus", "position:fixed", "__pwned"] {
        assert!(!page.contains(attack), "{attack} published: {page}");
    }
    assert!(!page.contains("<h2 id=\"part-1-\" class=\"note\" tabindex"));
}

#[test]
fn script_links_are_refused_at_their_line_and_column() {
    let body = "\
[一](javascript:alert(1))
[二](JaVaScRiPt:alert(1)) [三](&#106;avascript:alert(1))
[四](<&#1;javascript:alert(1)>) [五](java&#9;script:alert(1))
<vbscript:msgbox(1)>
![图](data:image/svg+xml;base64,PHN2Zz4=)

| 甲 | 乙 |
| --- | --- |
| [六][ref] | ok |

[ref]: data:text/html,<script>alert(1)</script>
";
    let stderr = refused(
        &reply_with("", body),
        &[
            "content/bad.md:6:1: the link `javascript:alert(1)` is a javascript: link",
            "content/bad.md:7:1: the link `JaVaScRiPt:alert(1)`",
            "content/bad.md:7:26: the link `javascript:alert(1)`",
            "content/bad.md:8:1: the link `\\u{1}javascript:alert(1)`",
            "content/bad.md:8:32: the link `java\\tscript:alert(1)`",
            "content/bad.md:9:1: the link `vbscript:msgbox(1)` is a vbscript: link",
            "content/bad.md:10:1: the link `data:image/svg+xml;base64,PHN2Zz4=` is a data: link",
            "content/bad.md:14:3: the link `data:text/html,<script>alert(1)</script>`",
            "8 problems",
        ],
    );
    every_problem_is_placed(&stderr);
}

#[test]
fn raw_html_when_allowed_is_checked_and_cleaned() {
    let (site, before) = built_site();
    site.write("config.yaml", "allow_html: true\n");
    site.write(
        "content/bad.md",
        reply_with(
            "",
            "<a href=\"&#106;avascript:alert(1)\">甲</a>\n\n<p>\n<img src=\"JAVASCRIPT:x\">\n</p>\n",
        ),
    );
    let stderr = site.build_fails();
    assert!(
        stderr.contains("content/bad.md:6:10: the link `javascript:alert(1)`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/bad.md:9:11: the link `JAVASCRIPT:x`"),
        "{stderr}"
    );
    assert_eq!(site.snapshot(), before);
    // What no scheme check sees is dropped as the page is made.
    site.write(
        "content/bad.md",
        reply_with(
            "",
            "<img src=\"/favicon.svg\" onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>\n\n<svg onload=\"window.__pwned=1\"></svg><iframe srcdoc=\"x\"></iframe>\n\n<div style=\"position:fixed\" onclick=\"x()\">留下</div> <a href=\"https://www.gov.cn/\" title=\"政府\">链接</a>\n",
        ),
    );
    site.build();
    let page = site.public("bad/index.html");
    for attack in [
        "onerror",
        "<script>window",
        "onload",
        "<svg",
        "<iframe",
        "srcdoc",
        "position:fixed",
        "onclick",
    ] {
        assert!(!page.contains(attack), "{attack} published: {page}");
    }
    assert!(page.contains("<img src=\"/favicon.svg\">"), "{page}");
    assert!(page.contains("<div>留下</div>"), "{page}");
    assert!(
        page.contains("<a href=\"https://www.gov.cn/\" title=\"政府\">链接</a>"),
        "{page}"
    );
}

#[test]
fn control_characters_are_named_where_they_are() {
    let stderr = refused(
        &reply_with("proposal_title: 关于\u{c}加快\n", "正文\u{b}。\n"),
        &[
            "content/bad.md:5:19: U+000C form feed cannot be published",
            "content/bad.md:7:3: U+000B vertical tab cannot be published",
        ],
    );
    every_problem_is_placed(&stderr);
    refused(
        &reply_with("signer: \"薛\\f庆林\"\nextra:\n  备注: \"\\x1b[31m\"\n", ""),
        &[
            "content/bad.md:5:1: `signer` holds U+000C form feed, which cannot be published",
            "content/bad.md:6:1: `extra` holds U+001B escape",
        ],
    );
}

#[test]
fn a_character_reference_to_a_control_reaches_no_output_raw() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        reply_with("", "第一页&#12;第二页&#x0B;完。\n"),
    );
    site.build();
    let text_files = site
        .snapshot()
        .into_iter()
        .filter(|(path, _)| !path.ends_with(".bin"));
    for (path, bytes) in text_files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(['\u{b}', '\u{c}']),
            "{path} holds a control character"
        );
    }
    let feed = site.public("atom.xml");
    assert!(feed.contains("第一页\u{fffd}第二页"), "{feed}");
    let mut reader = quick_xml::Reader::from_str(&feed);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("atom.xml is not XML: {e}"),
        }
    }
}

#[test]
fn many_proposers_make_pages_that_name_a_few() {
    let site = TestSite::new();
    let names: Vec<String> = (0..1000).map(|i| format!("代表{i:04}")).collect();
    site.write(
        "content/a.md",
        reply_with(
            &format!("kind: 建议\nproposers: [{}]\n", names.join(", ")),
            "正文。\n",
        ),
    );
    site.build();
    let list = site.public("proposers/代表0500/index.html");
    assert!(
        list.contains("代表0000、代表0001、代表0002等1000名代表"),
        "{list}"
    );
    assert!(!list.contains("代表0999"), "the whole list on a list page");
    let page = site.public("a/index.html");
    assert!(page.contains("代表0999"), "the reply's page names them all");
    // Each of the 1,000 proposer pages is about the size of one page.
    let total: usize = site.snapshot().iter().map(|(_, bytes)| bytes.len()).sum();
    assert!(total < 20 << 20, "{total} bytes for 1,000 proposers");
}

#[test]
fn absurd_values_are_refused_before_anything_is_written() {
    let names: Vec<String> = (0..1001).map(|i| format!("代表{i}")).collect();
    let stderr = refused(
        &reply_with(
            &format!(
                "proposers: [{}]\nproposal_title: {}\n",
                names.join(", "),
                "长".repeat(1001)
            ),
            "",
        ),
        &[
            "content/bad.md:5:1: `proposers` lists 1001 entries; a reply lists at most 1000",
            "content/bad.md:6:1: `proposal_title` is 1001 characters long",
        ],
    );
    every_problem_is_placed(&stderr);
    // A name too long for a folder fails at its line, not when written.
    let stderr = refused(
        &format!(
            "---\ntitle: 答复\ndepartment: {}\ndate: 2021-01-01\n---\n",
            "局".repeat(90)
        ),
        &[
            "content/bad.md:3:1: `department` `局局",
            "is 270 bytes long",
        ],
    );
    assert!(!stderr.contains("File name too long"), "{stderr}");
}

#[test]
fn a_fresh_site_that_fails_leaves_no_output_folder() {
    let site = TestSite::new();
    let names: Vec<String> = (0..4000).map(|i| format!("代表{i}")).collect();
    site.write(
        "content/a.md",
        reply_with(&format!("proposers: [{}]\n", names.join(", ")), ""),
    );
    site.build_fails();
    assert!(!site.path("public").exists());
}

#[test]
fn deeply_nested_front_matter_fails_fast() {
    let started = std::time::Instant::now();
    refused(
        &format!(
            "---\ntitle: 答复\ndepartment: {}\n---\n",
            "[".repeat(100_000)
        ),
        &["content/bad.md:3:45: the front matter nests lists or maps more than 32 deep"],
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn every_front_matter_problem_has_a_line_and_column() {
    let cases: [(&str, &str); 6] = [
        ("", "content/bad.md:1:1: the file is empty"),
        (
            "---\ntitle: 答复\ndepartment: 甲局\nyear: 2021\n1: 一\n---\n",
            "content/bad.md:5:1: a key must be text",
        ),
        (
            "---\ntitle: 答复\ndepartment: 甲局\nyear: 2021\n~: 空\n---\n",
            "content/bad.md:5:1: a key must be text",
        ),
        (
            "---\ntitle: 答复\ndepartment: 甲局\nyear: 2021\n? [a, b]\n: 复杂\n---\n",
            "content/bad.md:5:1: a key must be text",
        ),
        (
            "---\ntitle: 答复\ndepartment: 甲局\nyear: 2021\n\"titel\": 错\n---\n",
            "content/bad.md:5:1: unknown key `titel`",
        ),
        (
            "---\ntitle: 答复\ndepartment: 甲局\ndate: |\n  2021\n  六月\n---\n",
            "content/bad.md:4:1: `date` is `2021\\n六月`, not a date",
        ),
    ];
    for (contents, expected) in cases {
        let stderr = refused(contents, &[expected]);
        every_problem_is_placed(&stderr);
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("content/")).count(),
            1,
            "one problem on one line: {stderr}"
        );
    }
}

#[test]
fn a_broken_link_in_a_body_names_its_column() {
    refused(
        &reply_with("", "\n见[另一答复](/2021/none/)。\n"),
        &["content/bad.md:7:2: the link /2021/none/ goes to no page"],
    );
}

#[test]
fn an_empty_draft_keeps_the_reply_back_as_an_empty_disclosure_does() {
    let site = TestSite::new();
    site.write(
        "content/public.md",
        reply("公开的答复", "甲局", "2021-01-01"),
    );
    site.write(
        "content/draft.md",
        "---\ntitle: 未定稿的答复\ndepartment: 乙局\ndate: 2021-01-02\ndraft:\n---\n",
    );
    site.write(
        "content/disclosure.md",
        "---\ntitle: 未定公开属性的答复\ndepartment: 丙局\ndate: 2021-01-03\ndisclosure:\n---\n",
    );
    site.build();
    for (path, bytes) in site.snapshot() {
        let text = String::from_utf8_lossy(&bytes);
        for hidden in ["未定稿", "乙局", "未定公开属性", "丙局"] {
            assert!(!text.contains(hidden), "{hidden} published in {path}");
        }
    }
    assert!(site.public("index.html").contains("公开的答复"));
}

#[test]
fn spreadsheet_formulas_reach_the_csv_as_text() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        "---\ntitle: \"=HYPERLINK(\\\"http://x/\\\",\\\"点击\\\")\"\ndepartment: \"+cmd|' /C calc'!A0\"\ndate: 2021-01-01\nsigner: \"-2+3\"\nhandler: \"@SUM(A1)\"\nphone: \"\\t=1\"\nresult: A\n---\n",
    );
    site.build();
    let csv = site.public("data/replies.csv");
    let row = csv.lines().nth(1).expect("a row");
    for cell in [
        "\"'=HYPERLINK(\"\"http://x/\"\",\"\"点击\"\")\"",
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        ",'=1,",
        ",A,",
    ] {
        assert!(row.contains(cell), "{cell} not in {row}");
    }
    let json = site.public("data/replies.json");
    assert!(
        json.contains("\"title\":\"=HYPERLINK("),
        "the JSON as written"
    );
}
