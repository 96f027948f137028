//! dafu speaks Chinese to a Chinese locale and English otherwise; `--lang`
//! and config.yaml's `message_language` choose either way. And the slip a
//! Chinese keyboard makes most, a full-width colon after a key, is named on
//! its own line in both.

mod common;

use common::{TestSite, reply};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A site whose one reply types `department：` with a full-width colon.
fn site_with_full_width_colon() -> TestSite {
    let site = TestSite::new();
    let text = reply("好的答复", "甲局", "2021-01-01").replace("department:", "department：");
    site.write("content/bad.md", text);
    site
}

#[test]
fn a_full_width_colon_is_reported_on_its_line_with_a_hint() {
    let site = site_with_full_width_colon();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("content/bad.md:3:11: `department` is followed by a full-width colon"),
        "{err}"
    );
    assert!(err.contains("type `department: `"), "{err}");
    assert!(!site.has_public("index.html"));
}

#[test]
fn a_chinese_locale_gets_chinese_messages() {
    let site = site_with_full_width_colon();
    let out = site.run_in_locale("zh_CN.UTF-8", &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("content/bad.md:3:11: `department` 后面是全角冒号"),
        "{err}"
    );
    assert!(err.contains("错误：共 1 处问题；没有写入任何文件"), "{err}");
}

#[test]
fn lang_on_the_command_line_chooses_either_way() {
    let site = site_with_full_width_colon();
    let english = stderr(&site.run_in_locale("zh_CN.UTF-8", &["--lang", "en", "check"]));
    assert!(english.contains("full-width colon"), "{english}");
    assert!(english.contains("checked 0 replies"), "{english}");
    let chinese = stderr(&site.run(&["check", "--lang", "zh"]));
    assert!(chinese.contains("已检查 0 件答复"), "{chinese}");
}

#[test]
fn config_chooses_unless_the_command_line_does() {
    let site = TestSite::new();
    site.write("config.yaml", "message_language: zh\n");
    site.write("content/a.md", reply("好的答复", "甲局", "2021-01-01"));
    let out = site.run(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("已生成 1 件答复"), "{said}");
    let out = site.run(&["--lang", "en", "build"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("built 1 reply"));
}

#[test]
fn an_unknown_message_language_names_config_yaml() {
    let site = TestSite::new();
    site.write("config.yaml", "message_language: fr\n");
    site.write("content/a.md", reply("好的答复", "甲局", "2021-01-01"));
    let err = stderr(&site.run(&["build"]));
    assert!(err.contains("config.yaml"), "{err}");
    assert!(err.contains("message_language `fr`"), "{err}");
}

#[test]
fn the_help_is_chinese_in_a_chinese_locale() {
    let site = TestSite::new();
    let out = site.run_in_locale("zh_CN.UTF-8", &["build", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("生成网站到输出文件夹"), "{help}");
    assert!(help.contains("网站写到哪里"), "{help}");
    assert!(help.contains("用法：dafu build"), "{help}");
    assert!(
        help.contains("-h, --help") && help.contains("显示帮助"),
        "{help}"
    );
}

/// What clap would word itself: defaults, the `help` command and its line.
#[test]
fn the_help_has_no_english_in_a_chinese_locale() {
    let site = TestSite::new();
    let out = site.run_in_locale("zh_CN.UTF-8", &["help", "serve"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("用法：dafu serve"), "{help}");
    assert!(
        help.contains("默认 1111") && help.contains("默认 127.0.0.1"),
        "{help}"
    );
    assert!(help.contains("默认当前文件夹"), "{help}");
    let top = site.run_in_locale("zh_CN.UTF-8", &["--help"]);
    let top = String::from_utf8_lossy(&top.stdout);
    assert!(top.contains("显示 dafu 或某个命令的帮助"), "{top}");
    for english in ["[default", "Print", "Usage"] {
        assert!(
            !help.contains(english) && !top.contains(english),
            "{help}\n{top}"
        );
    }
}

/// A slip on the command line is told in Chinese, with what was meant and
/// where the help is, and exits 2 as every usage error does.
#[test]
fn a_mistyped_command_line_is_told_in_chinese() {
    let site = TestSite::new();
    let out = site.run_in_locale("zh_CN.UTF-8", &["buidl"]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(said.contains("错误：没有“buidl”这个命令"), "{said}");
    assert!(said.contains("是不是想用“build”"), "{said}");
    let out = site.run_in_locale("zh_CN.UTF-8", &["build", "--outptu", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(said.contains("不认识的参数“--outptu”"), "{said}");
    assert!(said.contains("是不是想用“--output”"), "{said}");
    assert!(said.contains("查看帮助：dafu build --help"), "{said}");
    let out = site.run_in_locale("zh_CN.UTF-8", &["serve", "--port", "八〇"]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(said.contains("端口要写 0 到 65535 之间的整数"), "{said}");
    for english in ["error", "tip", "Usage", "invalid"] {
        assert!(!said.contains(english), "{said}");
    }
    let english = site.run_in_locale("en_US.UTF-8", &["buidl"]);
    assert_eq!(english.status.code(), Some(2));
    assert!(stderr(&english).contains("unrecognized subcommand"));
}
