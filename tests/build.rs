//! `dafu build` end to end: real site folders in, the files a citizen's
//! browser would fetch out.

mod common;

use common::{TestSite, reply, seed_reply, snapshot};

#[test]
fn the_seed_reply_builds_into_a_page_laid_out_as_the_document() {
    let site = TestSite::new();
    site.write("content/2021/ta-0152.md", seed_reply());
    let summary = site.build();
    assert!(summary.contains("built 1 reply into"), "{summary}");
    let page = site.public("2021/ta-0152/index.html");
    for expected in [
        "<html lang=\"zh-CN\">",
        "常工信复〔2021〕第28号",
        "<h1>关于对市政协十四届五次会议提案第0152号的答复</h1>",
        "周国平委员：",
        "<h2 id=\"一、成立全面落实“六保”任务推进专班\">",
        "签发人</dt><dd>薛庆林",
        "经办人</dt><dd>黄文明",
        "85681230",
        "抄送：市政府办公室、市政协提案委",
        "2021年",
        "提案第0152号",
    ] {
        assert!(page.contains(expected), "the reply page lacks {expected}");
    }
    // The page-break repairs of the transcription: one sentence, no stray spaces.
    assert!(page.contains("学习点播量超过1万人次"));
    assert!(page.contains("精准优选项目102个"));
}

#[test]
fn a_letter_opens_with_its_addressee_as_written_else_its_proposers() {
    let site = TestSite::new();
    site.write(
        "content/2021/jy-9622.md",
        "---\ntitle: 关于加快乡村道路建设的答复\nkind: 建议\nproposers: [李永莱]\naddressee: 李永莱等32名代表\ndepartment: 常州市交通运输局\ndate: 2021-06-19\n---\n正文。\n",
    );
    site.write(
        "content/2021/jy-0001.md",
        "---\ntitle: 关于公交线路的答复\nkind: 建议\nproposers: [王爱珍]\ndepartment: 常州市交通运输局\ndate: 2021-06-20\n---\n正文。\n",
    );
    site.build();
    let addressee = |path: &str| {
        let page = site.public(path);
        let marker = "class=\"addressee\">";
        let start = page.find(marker).expect("an addressee line") + marker.len();
        page[start..start + page[start..].find('<').unwrap()].to_string()
    };
    assert_eq!(addressee("2021/jy-9622/index.html"), "李永莱等32名代表：");
    assert_eq!(addressee("2021/jy-0001/index.html"), "王爱珍代表：");
    let data = site.public("data/replies.json");
    assert!(
        data.contains("\"addressee\":\"李永莱等32名代表\""),
        "{data}"
    );
}

#[test]
fn facets_list_terms_and_paginate_newest_first() {
    let site = TestSite::new();
    site.write("config.yaml", "per_page: 2\n");
    for day in 1..=5 {
        site.write(
            &format!("content/r{day}.md"),
            reply(
                &format!("答复{day}"),
                "常州市教育局",
                &format!("2021-03-0{day}"),
            ),
        );
    }
    site.write(
        "content/old.md",
        reply("旧答复", "常州市民政局", "2019-01-01"),
    );
    site.build();
    let years = site.public("years/index.html");
    assert!(
        years.contains("2021年") && years.contains("5 件"),
        "{years}"
    );
    let first = site.public("years/2021/index.html");
    let (newest, next) = (first.find("答复5").unwrap(), first.find("答复4").unwrap());
    assert!(newest < next, "newest first");
    assert!(!first.contains("答复3"));
    assert!(first.contains("href=\"/years/2021/page/2/\" rel=\"next\""));
    let last = site.public("years/2021/page/3/index.html");
    assert!(last.contains("答复1") && last.contains("rel=\"prev\""));
    assert!(!site.has_public("years/2021/page/4/index.html"));
    let department = site.public("departments/常州市教育局/index.html");
    assert!(department.contains("共 5 件答复"));
    assert!(
        site.public("sessions/未注明/page/3/index.html")
            .contains("旧答复")
    );
    assert!(site.public("proposers/index.html").contains("未注明"));
    assert!(site.public("index.html").contains("答复5"));
    assert!(site.has_public("404.html"));
    assert!(site.has_public("style.css"));
}

#[test]
fn only_public_replies_that_are_not_drafts_reach_the_output() {
    let site = TestSite::new();
    site.write(
        "content/public.md",
        reply("公开的答复", "甲局", "2021-01-01"),
    );
    site.write(
        "content/secret.md",
        "---\ntitle: 不予公开的答复\ndepartment: 乙局\ndate: 2021-01-02\nproposers: [秘密委员]\ndisclosure: 不予公开\n---\n机密。\n",
    );
    site.write(
        "content/request.md",
        "---\ntitle: 依申请公开的答复\ndepartment: 乙局\ndate: 2021-01-03\ndisclosure: 依申请公开\n---\n",
    );
    site.write(
        "content/draft.md",
        "---\ntitle: 草稿答复\ndepartment: 丙局\ndate: 2021-01-04\ndraft: true\n---\n",
    );
    site.build();
    let everything: String = site
        .snapshot()
        .into_iter()
        .map(|(path, bytes)| format!("{path}\n{}", String::from_utf8_lossy(&bytes)))
        .collect();
    for hidden in [
        "不予公开的答复",
        "秘密委员",
        "依申请公开的答复",
        "草稿答复",
        "乙局",
        "丙局",
        "机密",
    ] {
        assert!(!everything.contains(hidden), "{hidden} was published");
    }
    assert!(everything.contains("公开的答复"));
    assert!(site.public("index.html").contains("共 1 件答复"));

    let out = site.run(&["build", "--drafts"]);
    assert!(out.status.success());
    assert!(site.public("index.html").contains("草稿答复"));
}

#[test]
fn front_matter_values_and_raw_html_are_escaped() {
    let site = TestSite::new();
    site.write(
        "content/x.md",
        "---\ntitle: \"<script>alert(1)</script>答复\"\ndepartment: 甲局\ndate: 2021-01-01\n---\n<img src=/favicon.svg onerror=alert(2)>\n",
    );
    site.build();
    let page = site.public("x/index.html");
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&lt;script&gt;alert(1)"));
    assert!(!page.contains("<img src=/favicon.svg"));
    site.write("config.yaml", "allow_html: true\n");
    site.build();
    // Allowed raw HTML keeps its markup, not its script.
    let page = site.public("x/index.html");
    assert!(page.contains("<img src=\"/favicon.svg\">"), "{page}");
    assert!(!page.contains("onerror"), "{page}");
}

#[test]
fn a_site_template_replaces_the_themes_and_another_theme_can_be_chosen() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.write("templates/404.html", "<p>自定义 {{ site.title }}</p>");
    site.write("static/extra.txt", "site static");
    site.build();
    assert!(site.public("404.html").contains("自定义"));
    assert_eq!(site.public("extra.txt"), "site static");
    assert!(
        site.public("a/index.html").contains("答复甲"),
        "other templates stay"
    );

    site.use_plain_theme();
    site.build();
    assert_eq!(site.public("a/index.html"), "plain reply");
    assert!(
        !site.has_public("style.css"),
        "the default theme's files are not mixed in"
    );
}

#[test]
fn base_url_sub_path_reaches_every_link() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    let out = site.run(&["build", "--base-url", "https://www.example.gov.cn/zxta/"]);
    assert!(out.status.success());
    let home = site.public("index.html");
    assert!(home.contains("href=\"/zxta/style.css\""));
    assert!(home.contains("href=\"/zxta/a/\""));
    assert!(home.contains("action=\"/zxta/search/\""));
    assert!(
        !home.contains("href=\"/years/"),
        "no link escapes the sub-path"
    );
}

#[test]
fn init_makes_a_site_that_builds_without_a_theme_folder() {
    let dir = tempfile::tempdir().unwrap();
    let site_dir = dir.path().join("site");
    let dafu = env!("CARGO_BIN_EXE_dafu");
    let out = std::process::Command::new(dafu)
        .arg("init")
        .arg(&site_dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(site_dir.join("config.yaml").is_file());
    assert!(site_dir.join("content/2021/ta-0152.md").is_file());
    assert!(!site_dir.join("themes").exists());
    let ignored = std::fs::read_to_string(site_dir.join(".gitignore")).unwrap();
    assert!(ignored.contains("/public/") && ignored.contains("/.dafu/"));
    let out = std::process::Command::new(dafu)
        .arg("--root")
        .arg(&site_dir)
        .arg("build")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(site_dir.join("public/2021/ta-0152/index.html").is_file());

    let again = std::process::Command::new(dafu)
        .arg("init")
        .arg(&site_dir)
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(1),
        "a non-empty folder is refused"
    );
    let forced = std::process::Command::new(dafu)
        .args(["init", "--force"])
        .arg(&site_dir)
        .output()
        .unwrap();
    assert!(forced.status.success());
}

#[test]
fn new_writes_a_skeleton_that_builds_as_a_draft() {
    let site = TestSite::new();
    let path = site.path("content/2022/jy-0031.md");
    let out = site.run(&["new", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every key is there: see the unit test beside `scaffold::skeleton`.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("date: 2022-") && text.contains("kind: 建议") && text.contains("\"0031\"")
    );
    site.build();
    assert!(
        !site.has_public("2022/jy-0031/index.html"),
        "a draft until edited"
    );
    assert!(site.run(&["build", "--drafts"]).status.success());
    assert!(site.has_public("2022/jy-0031/index.html"));
    assert_eq!(
        site.run(&["new", path.to_str().unwrap()]).status.code(),
        Some(1),
        "never overwrites"
    );
}

#[test]
fn a_bom_and_crlf_line_endings_build_normally() {
    let site = TestSite::new();
    let text = "\u{feff}---\r\ntitle: 答复\r\ndepartment: 甲局\r\ndate: 2021-01-01\r\n---\r\n正文第一段。\r\n";
    site.write("content/a.md", text);
    site.build();
    assert!(site.public("a/index.html").contains("正文第一段。"));
}

#[test]
fn a_gbk_file_is_decoded() {
    let site = TestSite::new();
    let (bytes, _, _) = encoding_rs::GB18030.encode(
        "---\ntitle: 关于提案的答复\ndepartment: 甲局\ndate: 2021-01-01\n---\n国标编码的正文。\n",
    );
    site.write("content/a.md", bytes);
    site.build();
    assert!(site.public("a/index.html").contains("国标编码的正文。"));
}

#[test]
fn output_goes_where_asked() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    let out_dir = site.path("elsewhere/site");
    let out = site.run(&["build", "--output", out_dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out_dir.join("a/index.html").is_file());
    let into_root = site.run(&["build", "--output", site.root().to_str().unwrap()]);
    assert_eq!(
        into_root.status.code(),
        Some(2),
        "the site folder itself is refused, as a usage error"
    );
    assert!(site.path("content/a.md").is_file());
}

#[test]
fn a_second_build_after_an_edit_changes_the_page_and_removes_what_is_gone() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.write("content/b.md", reply("答复乙", "乙局", "2021-01-02"));
    site.build();
    std::fs::remove_file(site.path("content/b.md")).unwrap();
    site.write("content/a.md", reply("答复甲改", "甲局", "2021-01-01"));
    site.build();
    site.build();
    assert!(site.public("a/index.html").contains("答复甲改"));
    assert!(!site.has_public("b/index.html"));
    assert!(!site.has_public("departments/乙局/index.html"));
}

#[test]
fn dafu_timings_prints_one_line_per_stage_for_the_benchmark() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    let build = |timings: &str| {
        common::dafu()
            .arg("--root")
            .arg(site.root())
            .arg("build")
            .env("DAFU_TIMINGS", timings)
            .output()
            .expect("dafu runs")
    };
    let out = build("1");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stages: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("timing "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(
        stages,
        [
            "load+parse",
            "theme",
            "archive",
            "pages",
            "search",
            "commit"
        ]
    );
    let quiet = build("0");
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("timing"));
}

/// Something done to a site between two builds.
type Edit = Box<dyn Fn(&TestSite)>;

/// Each build writes over the build before last, leaving alone the pages
/// whose every input is as it was (see `digest`) and keeping the search
/// index if nothing of it changed; whatever the edits in between, what it
/// leaves is what a build from nothing gives.
#[test]
fn rebuilds_after_any_edit_give_what_a_fresh_build_gives() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    let b = |body: &str, disclosure: &str| {
        format!(
            "---\ntitle: 答复乙\ndepartment: 乙局\ndate: 2021-01-02\ndisclosure: {disclosure}\n---\n{body}\n"
        )
    };
    site.write("content/b.md", b("关于稳岗返还的答复。", "主动公开"));
    let write = |path: &'static str, contents: String| -> Edit {
        Box::new(move |site: &TestSite| {
            site.write(path, &contents);
        })
    };
    let nothing = || -> Edit { Box::new(|_: &TestSite| {}) };
    // Each change: what happened, and how. Each is made after two builds
    // of the same, so that the build it starts writes over pages made of
    // all but the change.
    let changes: Vec<(&str, Edit)> = vec![
        (
            "a template changed",
            write("templates/reply.html", "改版 {{ reply.title }}".to_string()),
        ),
        (
            "a body changed",
            write("content/b.md", b("关于中小企业的答复。", "主动公开")),
        ),
        (
            "a reply withdrawn from disclosure",
            write("content/b.md", b("关于中小企业的答复。", "不予公开")),
        ),
        (
            "a reply added",
            write("content/c.md", reply("答复丙", "丙局", "2021-01-03")),
        ),
        (
            "a title changed, which the lists show",
            write("content/a.md", reply("答复甲之一", "甲局", "2021-01-01")),
        ),
        (
            "the settings changed",
            write(
                "config.yaml",
                "title: 某市政协提案答复\nper_page: 1\n".to_string(),
            ),
        ),
        (
            "files and folders added by hand to the folder to write over",
            Box::new(|site: &TestSite| {
                let folder = site.path(".dafu/public/previous");
                std::fs::write(folder.join("google1234.html"), "x").unwrap();
                std::fs::write(folder.join("a/notes.txt"), "x").unwrap();
                std::fs::create_dir_all(folder.join("old/deep")).unwrap();
                std::fs::write(folder.join("old/deep/index.html"), "x").unwrap();
            }),
        ),
        (
            "a page of the folder to write over edited by hand, its length kept",
            Box::new(|site: &TestSite| {
                let page = site.path(".dafu/public/previous/c/index.html");
                let html = std::fs::read_to_string(&page).unwrap();
                assert!(html.contains("答复丙"));
                std::fs::write(&page, html.replace("答复丙", "答复丁")).unwrap();
            }),
        ),
    ];
    let mut steps: Vec<(&str, Edit)> = vec![("first build", nothing())];
    for change in changes {
        steps.push(("nothing changed", nothing()));
        steps.push(change);
    }
    // What the published text holds after each step: the body's first
    // words until it changed, its second until it was withdrawn.
    let body_changed = 4;
    let withdrawn = 6;
    for (i, (step, edit)) in steps.iter().enumerate() {
        edit(&site);
        site.build();
        let fresh = site.path(&format!("fresh-{i}"));
        let out = site.run(&["build", "--output", &fresh.to_string_lossy()]);
        assert!(out.status.success(), "{step}");
        let rebuilt = site.snapshot();
        let fresh = snapshot(&fresh);
        let differ: Vec<&str> = rebuilt
            .iter()
            .zip(&fresh)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0.as_str())
            .collect();
        assert!(
            rebuilt.len() == fresh.len() && differ.is_empty(),
            "after {step}, the rebuilt site differs from a fresh build: {} files against {}, {differ:?}",
            rebuilt.len(),
            fresh.len()
        );
        let text: String = rebuilt
            .iter()
            .map(|(_, bytes)| String::from_utf8_lossy(bytes))
            .collect();
        assert_eq!(
            text.contains("中小企业"),
            (body_changed..withdrawn).contains(&i),
            "after {step}"
        );
        assert_eq!(text.contains("稳岗返还"), i < body_changed, "after {step}");
        assert!(!text.contains("答复丁"), "after {step}");
    }
}

/// What lets a build leave pages alone is kept in one folder beside the
/// output, `.dafu/public/`: a digests file for each of the two folders it
/// swaps, the shelves and the build before last; nothing else is left
/// beside the output, and none of it is published.
#[test]
fn what_builds_keep_is_in_one_folder_beside_the_output_and_out_of_it() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    for _ in 0..3 {
        site.build();
    }
    let names = |dir: &std::path::Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(site.root()), [".dafu", "content", "public"]);
    assert_eq!(names(&site.path(".dafu")), ["public"]);
    let kept = names(&site.path(".dafu/public"));
    let digests: Vec<&String> = kept.iter().filter(|n| n.ends_with(".digests")).collect();
    assert_eq!(digests.len(), 2, "{kept:?}");
    for entry in [
        "bodies",
        "bodies.index",
        "lines",
        "lines.index",
        "lock",
        "folders",
        "previous",
    ] {
        assert!(kept.iter().any(|name| name == entry), "{kept:?}");
    }
    let published = snapshot(&site.path("public"));
    assert!(
        (published.iter()).all(|(path, _)| !path.contains("digests") && !path.contains(".dafu"))
    );
}

/// A reply withdrawn from disclosure leaves nothing of itself beside the
/// output once both folders have been written since: not in the folders,
/// not in what the builds keep for the next one.
#[test]
fn a_withdrawn_reply_leaves_no_text_anywhere_the_builds_write() {
    let site = TestSite::new();
    let secret = "本段内容XYZZY";
    let text = |disclosure: &str| {
        format!(
            "---\ntitle: 答复甲\ndepartment: 甲局\ndate: 2021-01-01\nphone: \"13912345678\"\n{disclosure}---\n\n{secret}。\n"
        )
    };
    site.write("content/a.md", text(""));
    site.write("content/b.md", reply("答复乙", "乙局", "2021-01-02"));
    site.build();
    site.build();
    site.write("content/a.md", text("disclosure: 不予公开\n"));
    site.build();
    site.build();
    let mut leaks = Vec::new();
    for entry in walkdir::WalkDir::new(site.root()) {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().is_file() && !path.starts_with(site.path("content")) {
            let bytes = std::fs::read(path).unwrap();
            let holds = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            if holds(secret) || holds("13912345678") {
                leaks.push(path.display().to_string());
            }
        }
    }
    assert!(leaks.is_empty(), "{leaks:?}");
}

/// The bodies a build finds on the shelf are those it would render: after
/// a failed build, an edit, a body taken back to what it was.
#[test]
fn bodies_kept_between_builds_are_the_bodies_as_written() {
    let site = TestSite::new();
    let body = |text: &str| {
        format!("---\ntitle: 答复甲\ndepartment: 甲局\ndate: 2021-01-01\n---\n\n{text}\n")
    };
    site.write("content/a.md", body("第一稿。"));
    site.write("content/b.md", reply("答复乙", "乙局", "2021-01-02"));
    site.build();
    site.write("content/a.md", body("第二稿。"));
    site.write("content/b.md", "---\ntitle: [\n---\n");
    site.build_fails();
    site.write("content/b.md", reply("答复乙", "乙局", "2021-01-02"));
    for (text, step) in [
        ("第二稿。", "an edit after a failed build"),
        ("第一稿。", "taken back"),
        ("第二稿。", "again"),
    ] {
        site.write("content/a.md", body(text));
        site.build();
        let page = site.public("a/index.html");
        assert!(page.contains(text), "{step}: {page}");
        let data = site.public("data/replies.json");
        let other = if text == "第一稿。" {
            "第二稿。"
        } else {
            "第一稿。"
        };
        assert!(
            data.contains(text) && !data.contains(other),
            "{step}: {data}"
        );
    }
}

/// A page left alone still links to what it linked to: when that is gone,
/// the build says so, as it would have on rendering the page.
#[test]
fn a_link_to_a_reply_removed_since_is_found_in_a_page_left_alone() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        "---\ntitle: 答复甲\ndepartment: 甲局\ndate: 2021-01-01\n---\n\n见[答复乙](/b/)。\n",
    );
    site.write("content/b.md", reply("答复乙", "乙局", "2021-01-02"));
    site.build();
    site.build();
    std::fs::remove_file(site.path("content/b.md")).unwrap();
    let stderr = site.build_fails();
    assert!(
        stderr.contains("a.md") && stderr.contains("/b/"),
        "{stderr}"
    );
    assert!(
        site.public("b/index.html").contains("答复乙"),
        "public/ as it was"
    );
}

/// The text of a reply page's 公开信息 table row `heading`, if it has one.
fn disclosure_row(page: &str, heading: &str) -> Option<String> {
    let marker = format!("<th scope=\"row\">{heading}</th><td>");
    let start = page.find(&marker)? + marker.len();
    Some(page[start..start + page[start..].find("</td>")?].to_string())
}

#[test]
fn a_reply_shows_only_the_role_and_copy_labels_its_letter_gives() {
    let site = TestSite::new();
    site.write(
        "content/2024/jy-2024085.md",
        "---\ntitle: 关于整治学校周边环境建议的答复\ndepartment: 平阴县公安局\ndate: 2024-11-15\nrole: 分办\ncc_report: [县人大常委会]\ncc: [县人大代表工作委员会, 县政府办公室]\n---\n\n正文。\n",
    );
    site.write(
        "content/2024/jy-2024086.md",
        "---\ntitle: 关于道路照明的答复\ndepartment: 平阴县公安局\ndate: 2024-11-16\n---\n\n正文。\n",
    );
    site.build();
    let shared = site.public("2024/jy-2024085/index.html");
    assert_eq!(disclosure_row(&shared, "办理方式").as_deref(), Some("分办"));
    assert!(
        shared.contains("<p class=\"cc\">抄报：县人大常委会</p>"),
        "{shared}"
    );
    assert!(shared.contains("<p class=\"cc\">抄送：县人大代表工作委员会、县政府办公室</p>"));
    assert!(!shared.contains("主办"));

    let unstated = site.public("2024/jy-2024086/index.html");
    assert_eq!(
        disclosure_row(&unstated, "办理方式"),
        None,
        "no role is assumed"
    );
    assert!(!unstated.contains("主办") && !unstated.contains("抄报") && !unstated.contains("抄送"));

    let data: serde_json::Value = serde_json::from_str(&site.public("data/replies.json")).unwrap();
    let by_title = |title: &str| {
        data.as_array()
            .unwrap()
            .iter()
            .find(|r| r["title"] == title)
            .cloned()
            .unwrap()
    };
    let shared = by_title("关于整治学校周边环境建议的答复");
    assert_eq!(shared["role"], "分办");
    assert_eq!(shared["cc_report"], serde_json::json!(["县人大常委会"]));
    assert_eq!(
        by_title("关于道路照明的答复")["role"],
        serde_json::Value::Null
    );
}

#[test]
fn a_role_the_reply_cannot_have_is_named() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        "---\ntitle: t\ndepartment: d\ndate: 2024-11-15\nrole: 主持\n---\n",
    );
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "content/a.md:5:1: `role` is `主持`, which is not one of 主办 (牵头), 会办, 协办 or 分办"
        ),
        "{stderr}"
    );
}

#[test]
fn a_reply_dated_only_by_its_year_shows_the_year_and_no_made_up_day() {
    let site = TestSite::new();
    site.write(
        "config.yaml",
        "base_url: https://www.example.gov.cn/zxta/\n",
    );
    site.write(
        "content/2025/ta-0007.md",
        "---\ntitle: 关于老旧小区改造的答复\ndepartment: 常州市住房和城乡建设局\ndoc_number: 常建复〔2025〕7号\n---\n\n正文。\n",
    );
    site.write(
        "content/2025/ta-0008.md",
        "---\ntitle: 关于加装电梯的答复\ndepartment: 常州市住房和城乡建设局\ndate: 2025-05-20\n---\n\n正文。\n",
    );
    site.build();
    let page = site.public("2025/ta-0007/index.html");
    assert_eq!(disclosure_row(&page, "年度").as_deref(), Some("2025"));
    assert_eq!(disclosure_row(&page, "成文日期"), None);
    assert!(
        page.contains("<p class=\"signature\">常州市住房和城乡建设局</p>"),
        "no date under the signature: {page}"
    );
    assert!(!page.contains("PubDate"), "no PubDate meta without a day");
    assert!(!page.contains("2025-01-01") && !page.contains("2025年1月1日"));

    let sitemap = site.public("sitemap.xml");
    assert!(
        sitemap.contains("<url><loc>https://www.example.gov.cn/zxta/2025/ta-0007/</loc></url>"),
        "no lastmod for it: {sitemap}"
    );
    assert!(sitemap.contains(
        "<loc>https://www.example.gov.cn/zxta/2025/ta-0008/</loc><lastmod>2025-05-20</lastmod>"
    ));
    // Atom dates every entry to the second: a reply without a day is in
    // no feed, rather than in one under a day it does not give.
    for feed in ["atom.xml", "departments/常州市住房和城乡建设局/atom.xml"] {
        let feed = site.public(feed);
        assert!(!feed.contains("关于老旧小区改造的答复"), "{feed}");
        assert!(feed.contains("关于加装电梯的答复"), "{feed}");
        assert!(!feed.contains("2025-01-01"), "{feed}");
        assert!(feed.contains("<updated>2025-05-20T00:00:00+08:00</updated>"));
    }
    for file in snapshot(&site.path("public")) {
        let text = String::from_utf8_lossy(&file.1);
        assert!(
            !text.contains("2025-01-01"),
            "{} makes up 2025-01-01",
            file.0
        );
    }
}

#[test]
fn a_reply_shows_its_publication_date_when_it_gives_one() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        "---\ntitle: 答复甲\ndepartment: 甲局\ndate: 2021-06-10\npublished: 2021-06-18\n---\n\n正文。\n",
    );
    site.write("content/b.md", reply("答复乙", "甲局", "2021-06-11"));
    site.build();
    let page = site.public("a/index.html");
    assert_eq!(
        disclosure_row(&page, "成文日期").as_deref(),
        Some("2021年6月10日")
    );
    assert_eq!(
        disclosure_row(&page, "发布日期").as_deref(),
        Some("2021年6月18日")
    );
    assert!(page.contains("<meta name=\"PubDate\" content=\"2021-06-18 00:00\">"));
    // Without `published`, the day it went online is not known: not shown.
    assert_eq!(
        disclosure_row(&site.public("b/index.html"), "发布日期"),
        None
    );
}

#[test]
fn a_build_for_a_site_without_a_host_says_its_sitemap_is_not_valid() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-06-10"));
    let out = site.run(&["build"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "config.yaml: warning: base_url `/` has no host, so sitemap.xml is not a valid sitemap"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("https://www.example.gov.cn/zxta/"),
        "{stderr}"
    );

    site.write(
        "config.yaml",
        "base_url: https://www.example.gov.cn/zxta/\n",
    );
    let out = site.run(&["build"]);
    assert!(out.status.success());
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("base_url"),
        "no warning once base_url names the host"
    );
    let out = site.run(&["build", "--base-url", "/zxta/"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("base_url `/zxta/` has no host"));
}
