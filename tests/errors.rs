//! Bad input, end to end: each gets exit 1, the file named with its line,
//! no panic, and public/ left byte for byte as it was.

mod common;

use common::{TestSite, reply};

/// A site that built once, so that a failed build has something to spare.
fn built_site() -> (TestSite, Vec<(String, Vec<u8>)>) {
    let site = TestSite::new();
    site.write("content/good.md", reply("好的答复", "甲局", "2021-01-01"));
    site.build();
    let before = site.snapshot();
    (site, before)
}

/// Adds `file` with `contents`, builds, and checks the failure: exit 1, each
/// expected line on stderr, public/ untouched. Returns stderr.
fn fails_with(file: &str, contents: &[u8], expected: &[&str]) -> String {
    let (site, before) = built_site();
    site.write(file, contents);
    let stderr = site.build_fails();
    for line in expected {
        assert!(stderr.contains(line), "stderr lacks {line:?}:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        site.snapshot(),
        before,
        "public/ changed after a failed build"
    );
    stderr
}

#[test]
fn invalid_yaml_names_file_and_line() {
    fails_with(
        "content/bad.md",
        "---\ntitle: 答复\ndepartment: [甲局\ndate: 2021-01-01\n---\n".as_bytes(),
        &["content/bad.md:", "invalid YAML"],
    );
}

#[test]
fn a_missing_required_field_is_named() {
    fails_with(
        "content/bad.md",
        "---\ntitle: 答复\ndate: 2021-01-01\n---\n".as_bytes(),
        &["content/bad.md:1:1: missing required key `department` (办理单位)"],
    );
}

#[test]
fn an_unknown_key_gets_the_nearest_known_key() {
    fails_with(
        "content/bad.md",
        "---\ntitle: 答复\ndepartment: 甲局\ndate: 2021-01-01\nsesion: 市政协\n---\n".as_bytes(),
        &["content/bad.md:5:1: unknown key `sesion` (hint: did you mean `session`?)"],
    );
}

#[test]
fn a_value_of_the_wrong_type_is_named() {
    fails_with(
        "content/bad.md",
        "---\ntitle: 答复\ndepartment: {a: b}\ndate: 2021-01-01\n---\n".as_bytes(),
        &["content/bad.md:3:1: `department` must be text, not a map"],
    );
}

#[test]
fn an_impossible_date_is_named() {
    fails_with(
        "content/bad.md",
        "---\ntitle: 答复\ndepartment: 甲局\ndate: 2021-02-30\n---\n".as_bytes(),
        &["content/bad.md:4:1: `date` is `2021-02-30`, which is not a day of the calendar"],
    );
}

#[test]
fn no_year_anywhere_is_named() {
    fails_with(
        "content/bad.md",
        "---\ntitle: 答复\ndepartment: 甲局\n---\n".as_bytes(),
        &["content/bad.md:1:1: no date"],
    );
}

#[test]
fn unclosed_missing_and_empty_front_matter_are_named() {
    fails_with(
        "content/bad.md",
        b"---\ntitle: x\n",
        &["content/bad.md:1:1: the front matter is never closed"],
    );
    fails_with(
        "content/bad.md",
        "正文而已。\n".as_bytes(),
        &["content/bad.md:1:1: no front matter"],
    );
    fails_with(
        "content/bad.md",
        b"",
        &["content/bad.md:1:1: the file is empty"],
    );
}

#[test]
fn binary_and_undecodable_files_are_named() {
    fails_with(
        "content/bad.md",
        b"---\ntitle: a\0b\n",
        &["content/bad.md:2:1: holds a NUL byte"],
    );
    fails_with(
        "content/bad.md",
        b"---\n\xff\xfe\xfd\x80\x81\n",
        &["content/bad.md:2:1: is neither UTF-8"],
    );
}

#[test]
fn two_replies_with_one_doc_number_in_one_department() {
    let (site, before) = built_site();
    let dup = "---\ntitle: 答复\ndepartment: 甲局\ndoc_number: 甲复〔2021〕1号\n---\n";
    site.write("content/one.md", dup);
    site.write("content/two.md", dup);
    let stderr = site.build_fails();
    assert!(
        stderr.contains(
            "content/two.md:4:1: 文号 甲复〔2021〕1号 of 甲局 is also the 文号 of content/one.md"
        ),
        "{stderr}"
    );
    assert_eq!(site.snapshot(), before);
}

#[test]
fn two_files_on_one_url_and_reserved_urls() {
    let (site, before) = built_site();
    site.write("content/Good.md", reply("答复", "乙局", "2021-01-01"));
    site.write("content/years/x.md", reply("答复", "乙局", "2021-01-01"));
    let stderr = site.build_fails();
    assert!(stderr.contains("lands on the same URL"), "{stderr}");
    assert!(
        stderr.contains("content/years/x.md: its URL /years/x/ is used by the archive's own pages"),
        "{stderr}"
    );
    assert_eq!(site.snapshot(), before);
}

#[test]
fn every_bad_file_is_reported_in_one_run() {
    let (site, before) = built_site();
    site.write("content/a.md", "---\ntitle: 答复\n---\n");
    site.write("content/b.md", "---\ndepartment: 甲局\nyear: 2021\n---\n");
    site.write(
        "content/c.md",
        "---\ntitle: x\ndepartment: 甲局\ndate: 2021-13-01\n---\n",
    );
    let stderr = site.build_fails();
    assert!(stderr.contains("content/a.md:1:1"), "{stderr}");
    assert!(
        stderr.contains("content/b.md:1:1: missing required key `title`"),
        "{stderr}"
    );
    assert!(stderr.contains("content/c.md:4:1"), "{stderr}");
    assert!(stderr.contains("4 problems"), "{stderr}");
    assert_eq!(site.snapshot(), before);
}

#[test]
fn a_broken_template_names_its_file_and_line() {
    let (site, before) = built_site();
    site.write("templates/404.html", "<p>\n{{ site.title </p>\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("templates/404.html:2:"), "{stderr}");
    assert_eq!(site.snapshot(), before);
}

#[test]
fn unknown_filters_functions_and_parents_name_their_template_and_line() {
    let (site, before) = built_site();
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ site.title | shout }}</p>\n<p>{{ now2() }}</p>\n{% endblock %}\n",
    );
    let stderr = site.build_fails();
    assert!(
        stderr.contains("templates/404.html:3:20: Unknown filter `shout`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("templates/404.html:4:7: Unknown function `now2`"),
        "{stderr}"
    );
    assert_eq!(site.snapshot(), before);
    site.write("templates/404.html", "<p>找不到</p>\n");
    site.write("templates/stats.html", "{% extends \"nobase.html\" %}\n");
    let stderr = site.build_fails();
    assert!(
        stderr.contains("templates/stats.html: extends `nobase.html`"),
        "{stderr}"
    );
    assert_eq!(site.snapshot(), before);
}

#[test]
fn bad_config_names_its_line() {
    let (site, before) = built_site();
    site.write("config.yaml", "title: 档案\nper_pge: 10\n");
    let stderr = site.build_fails();
    assert!(stderr.contains("config.yaml:2:"), "{stderr}");
    assert!(stderr.contains("per_pge"), "{stderr}");
    assert_eq!(site.snapshot(), before);
}

#[test]
fn a_missing_content_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::dafu()
        .arg("--root")
        .arg(dir.path())
        .arg("build")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no content folder"));
}

#[test]
fn a_usage_error_exits_2() {
    let site = TestSite::new();
    assert_eq!(
        site.run(&["build", "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(site.run(&["frobnicate"]).status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_and_an_unreadable_file_are_named() {
    use std::os::unix::fs::PermissionsExt;
    let (site, before) = built_site();
    std::os::unix::fs::symlink(site.path("content"), site.path("content/loop")).unwrap();
    let stderr = site.build_fails();
    assert!(
        stderr.contains("content/loop") && stderr.contains("loops"),
        "{stderr}"
    );
    std::fs::remove_file(site.path("content/loop")).unwrap();

    site.write("content/locked.md", reply("答复", "甲局", "2021-01-01"));
    std::fs::set_permissions(
        site.path("content/locked.md"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    // Root reads any file, so the check only means something for other users.
    if std::fs::read(site.path("content/locked.md")).is_err() {
        let stderr = site.build_fails();
        assert!(
            stderr.contains("content/locked.md: cannot read"),
            "{stderr}"
        );
    }
    assert_eq!(site.snapshot(), before);
}

#[cfg(unix)]
#[test]
fn a_failed_write_leaves_public_as_it_was() {
    let (site, before) = built_site();
    site.write("content/new.md", reply("新答复", "甲局", "2021-02-01"));
    // A link that leads nowhere, where the build makes the folder of the
    // new reply's page, makes the write fail.
    let previous = site.path(".dafu/public/previous");
    std::fs::create_dir_all(&previous).unwrap();
    std::os::unix::fs::symlink(site.path("nowhere"), previous.join("new")).unwrap();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("previous/new"), "{stderr}");
    assert_eq!(site.snapshot(), before);
    assert!(!previous.exists(), "what the failed build wrote is gone");
    site.build();
    assert!(site.has_public("new/index.html"));
}

#[test]
fn a_static_file_where_dafu_makes_a_page_is_named() {
    fails_with(
        "static/robots.txt",
        b"User-agent: *\nDisallow: /private/\n",
        &["static/robots.txt", "takes the place of the page"],
    );
}

#[test]
fn an_output_folder_a_build_would_wipe_is_refused_and_left_alone() {
    let (site, _) = built_site();
    site.write("notes.txt", "备忘");
    site.write("docs/notes.md", "编辑的笔记");
    let everything = || common::snapshot(site.root());
    let before = everything();
    let refused = [
        (".", "holds the site itself"),
        ("content", "in the site's content/"),
        ("content/new", "in the site's content/"),
        ("notes.txt", "is a file, not a folder"),
        ("docs", "holds files that dafu did not make"),
    ];
    for (output, why) in refused {
        let out = site.run(&["build", "--output", &site.path(output).to_string_lossy()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--output {output}: {stderr}");
        assert!(stderr.contains(why), "--output {output}: {stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(everything(), before, "--output {output} changed the site");
    }
    // A new folder, an empty one, and one dafu built are fine.
    std::fs::create_dir(site.path("empty")).unwrap();
    for output in ["new", "empty", "new", "public"] {
        let out = site.run(&["build", "--output", &site.path(output).to_string_lossy()]);
        assert!(out.status.success(), "--output {output}: {out:?}");
    }
    assert!(site.path("empty/index.html").is_file());
}

#[test]
fn a_slug_that_leads_out_of_its_folder_is_refused_before_anything_is_written() {
    let (site, before) = built_site();
    let outside = site.root().parent().unwrap().join("evil");
    let slug = format!(
        "../../../{}",
        outside.file_name().unwrap().to_string_lossy()
    );
    site.write(
        "config.yaml",
        format!("title: 测试\nslugs:\n  departments:\n    甲局: \"{slug}\"\n"),
    );
    let stderr = site.build_fails();
    assert!(stderr.contains("config.yaml:4:"), "{stderr}");
    assert!(stderr.contains("is not a URL segment"), "{stderr}");
    assert_eq!(
        site.snapshot(),
        before,
        "public/ changed after a failed build"
    );
    assert!(!outside.exists(), "{} was written", outside.display());
    assert!(site.path("content/good.md").is_file());
}

#[test]
fn usage_errors_exit_2_name_what_was_wrong_and_write_nothing() {
    let (site, _) = built_site();
    let everything = || common::snapshot(site.root());
    let before = everything();
    let cases: [(&[&str], &str); 5] = [
        (
            &["build", "--base-url", "zxta/"],
            "must start with https://",
        ),
        (
            &["check", "--base-url", "www.example.gov.cn"],
            "must start with https://",
        ),
        (&["new", "content/2022/jy-1"], "a reply file ends in .md"),
        (&["new", "2022/jy-1.md"], "not in"),
        (
            &["--root", "no-such-site", "build"],
            "no-such-site: no such folder",
        ),
    ];
    for (args, message) in cases {
        // `new` takes its path from the current folder: the site's.
        let out = common::dafu()
            .current_dir(site.root())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(everything(), before, "{args:?} wrote something");
    }
}

#[cfg(unix)]
#[test]
fn an_output_in_a_content_folder_reached_through_a_link_is_refused() {
    let site = TestSite::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let real = elsewhere.path().join("content");
    std::fs::create_dir_all(real.join("2021")).unwrap();
    std::fs::write(
        real.join("2021/a.md"),
        reply("答复甲", "甲局", "2021-01-01"),
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(site.path("content"));
    std::os::unix::fs::symlink(&real, site.path("content")).unwrap();
    let out = site.run(&["build", "--output", &real.join("out").to_string_lossy()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("in the site's content/"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&real)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, ["2021"], "nothing written beside the replies");
}
