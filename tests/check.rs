//! `dafu check` end to end, and the link check that `build` shares with it:
//! what an editor sees before publishing, and that nothing is written.

mod common;

use common::{TestSite, reply};

/// A reply whose body is `body`, starting on line 6 of its file.
fn with_body(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndepartment: 甲局\ndate: 2021-01-01\n---\n{body}\n")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_site_without_problems_checks_clean_and_nothing_is_written() {
    let site = TestSite::new();
    site.write(
        "config.yaml",
        "base_url: https://www.example.gov.cn/zxta/\n",
    );
    site.write("content/2021/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.write(
        "content/2021/b.md",
        with_body(
            "答复乙",
            "见[答复甲](/2021/a/)、[同目录](../a/#一)、[无斜杠](/2021/a)、[带参数](/search/?q=甲局)、[本页](#top)、\
             [甲局](/departments/%E7%94%B2%E5%B1%80/)、[年度](/years/2021/)、[源](/departments/甲局/atom.xml)、\
             [数据](/data/replies.json)、[样式](/style.css)、[政府网](https://www.gov.cn/)、[邮件](mailto:a@example.gov.cn)、\
             [全址](https://www.example.gov.cn/zxta/2021/a/)、[上级站点](https://www.example.gov.cn/)。",
        ),
    );
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("checked 2 replies and")
            && stdout.contains("0 errors, 0 warnings; nothing was written"),
        "{stdout}"
    );
    assert!(!site.has_public("index.html"), "check writes nothing");
    assert!(!site.path(".public.previous").exists());
}

#[test]
fn a_broken_link_in_a_body_is_named_at_its_file_and_line() {
    let site = TestSite::new();
    site.write("content/2021/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.write(
        "content/2021/b.md",
        with_body(
            "答复乙",
            "第一段。\n\n见[答复丙](/2021/c/)。\n\n![附件](files/missing.png)",
        ),
    );
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "content/2021/b.md:8:2: the link /2021/c/ goes to no page or file that the build produces"
        ),
        "{err}"
    );
    assert!(
        err.contains("content/2021/b.md:10:1: the link files/missing.png goes to no page"),
        "{err}"
    );
    assert!(err.contains("2 errors"), "{err}");
    assert_eq!(
        err.matches("the link").count(),
        2,
        "each once, not again as a theme link: {err}"
    );
    assert!(!site.has_public("index.html"));
}

#[test]
fn build_stops_on_a_broken_link_and_leaves_public_as_it_was() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.build();
    let before = site.snapshot();
    site.write(
        "content/b.md",
        with_body("答复乙", "见[旧链接](/2019/gone/)。"),
    );
    let err = site.build_fails();
    assert!(
        err.contains("content/b.md:6:2: the link /2019/gone/ goes to no page"),
        "{err}"
    );
    assert!(err.contains("nothing was written"));
    assert_eq!(site.snapshot(), before);
}

#[test]
fn under_a_sub_path_a_body_link_gets_the_base_path_and_still_resolves() {
    let site = TestSite::new();
    site.write(
        "config.yaml",
        "base_url: https://www.example.gov.cn/zxta/\n",
    );
    site.write("content/2021/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.write(
        "content/2021/b.md",
        with_body("答复乙", "见[答复甲](/2021/a/)与[不存在](/2021/z/)。"),
    );
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/2021/b.md:6:18: the link /zxta/2021/z/ goes to no page"),
        "the link is named as published: {err}"
    );
    assert_eq!(err.matches("the link").count(), 1, "{err}");
}

#[test]
fn a_template_link_that_leaves_out_the_base_path_is_one_error_naming_a_page() {
    let site = TestSite::new();
    site.write(
        "config.yaml",
        "base_url: https://www.example.gov.cn/zxta/\n",
    );
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.write("content/b.md", reply("答复乙", "甲局", "2021-01-02"));
    site.write(
        "templates/partials/list.html",
        "<a href=\"/years/\">年度</a><a href=\"/\">政府网站首页</a><a href=\"/other-column/\">其他栏目</a>{% for reply in replies %}<a href=\"{{ reply.url }}\">{{ reply.title }}</a>{% endfor %}",
    );
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("templates: the link /years/ leaves out the base path /zxta/, so it misses the archive (on /zxta/ and "),
        "{err}"
    );
    assert!(
        err.contains("(hint: build links with url(path=…))"),
        "{err}"
    );
    assert_eq!(
        err.matches("the link").count(),
        1,
        "one problem however many pages: {err}"
    );
    assert!(
        !err.contains("other-column"),
        "links to the parent site are not the archive's: {err}"
    );
    let build = site.build_fails();
    assert!(
        build.contains("the link /years/ leaves out the base path"),
        "{build}"
    );
    assert!(!site.has_public("index.html"));
}

#[test]
fn a_broken_link_in_a_template_is_an_error() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<a href=\"{{ url(path='statistics/') }}\">统计</a><img src=\"{{ url(path='logo.png') }}\">{% endblock content %}",
    );
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("templates: the link /statistics/ goes to no page or file that the build produces (on /404.html)"), "{err}");
    assert!(err.contains("the link /logo.png goes to no page"), "{err}");
    assert!(err.contains("a file belongs in static/"), "{err}");
    site.write("static/logo.png", "png");
    site.write("content/statistics.md", reply("统计", "甲局", "2021-01-01"));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn mobile_and_id_numbers_in_published_text_are_warnings_on_their_lines() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        "---\ntitle: 答复\ndepartment: 甲局\ndate: 2021-01-01\nphone: \"13912345678\"\n---\n联系电话：0519-85681230。\n\n周委员手机139-1234-5678，身份证号32040219800101123X。\n",
    );
    site.write(
        "content/withheld.md",
        "---\ntitle: 依申请公开\ndepartment: 甲局\ndate: 2021-01-02\ndisclosure: 依申请公开\n---\n手机13700000000。\n",
    );
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "warnings do not fail: {err}");
    assert!(
        err.contains(
            "content/a.md:5: warning: a mobile phone number 139****5678 would be published"
        ),
        "{err}"
    );
    assert!(
        err.contains("content/a.md:9: warning: a mobile phone number 139****5678"),
        "{err}"
    );
    assert!(
        err.contains("content/a.md:9: warning: a resident ID number (身份证号) 320402********123X"),
        "{err}"
    );
    assert!(!err.contains("85681230"), "an office line is not a finding");
    assert!(
        !err.contains("withheld.md"),
        "what is not published is not linted: {err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The two findings of line 9 and the one of line 5, and the base_url without a host.
    assert!(stdout.contains("0 errors, 4 warnings"), "{stdout}");

    let out = site.run(&["build"]);
    assert!(out.status.success(), "a build publishes, and says so too");
    assert!(stderr(&out).contains("content/a.md:9: warning: a resident ID number"));
}

#[test]
fn check_reports_every_content_problem_a_build_would() {
    let site = TestSite::new();
    site.write("content/a.md", "---\ntitle: 答复\ndate: 2021-01-01\n---\n");
    site.write(
        "content/b.md",
        "---\ntitle: 答复乙\ndepartment: 甲局\ndate: 2021-01-01\ndoc_number: 常工信复〔2021〕第28号\n---\n",
    );
    site.write(
        "content/c.md",
        "---\ntitle: 答复丙\ndepartment: 甲局\ndate: 2021-01-02\ndoc_number: 常工信复〔2021〕第28号\n---\n",
    );
    let out = site.run(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("content/a.md:1:1: missing required key `department` (办理单位)"),
        "{err}"
    );
    assert!(
        err.contains(
            "content/c.md:5:1: 文号 常工信复〔2021〕第28号 of 甲局 is also the 文号 of content/b.md"
        ),
        "{err}"
    );
    assert!(!site.has_public("index.html"));
}

#[test]
fn check_warns_when_base_url_has_no_host() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("config.yaml: warning: base_url `/` has no host"));
    // One of each, said in the singular.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("checked 1 reply and "), "{stdout}");
    assert!(stdout.contains(": 0 errors, 1 warning;"), "{stdout}");
    let out = site.run(&["check", "--base-url", "https://www.example.gov.cn/"]);
    assert!(!stderr(&out).contains("no host"), "{}", stderr(&out));
}
