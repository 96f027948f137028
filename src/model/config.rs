//! `Config`: the site's settings from `config.yaml`, every one with a default,
//! so that a folder holding only `content/` builds.
//!
//! Knows nothing of files other than config.yaml itself, nor of templates.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use std::path::Path;

use rust_i18n::t;
use serde::{Deserialize, Serialize};

use crate::ground::lang::Lang;
use crate::ground::problem::Problem;

pub(crate) const CONFIG_FILE: &str = "config.yaml";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Config {
    /// The archive's name, shown in every page header.
    pub title: String,
    /// One sentence about the archive, for the home page and meta tags.
    pub description: String,
    /// Where the site will live: `/`, or a full URL that may carry a sub-path.
    pub base_url: String,
    pub language: String,
    /// The language of dafu's own messages, `zh` or `en`; unset, the
    /// locale's (see `crate::ground::lang`).
    pub message_language: Option<String>,
    /// A folder under `themes/`; `default` needs none, it is compiled in.
    pub theme: String,
    /// Replies on one page of a term's list.
    pub per_page: usize,
    /// Replies listed on the home page.
    pub latest: usize,
    /// Whether raw HTML in a reply body is passed through; escaped when false.
    pub allow_html: bool,
    /// What each result code (办理结果) means, in the order config.yaml
    /// gives them: the order of every list of classes.
    pub result_legend: IndexMap<String, String>,
    /// How many working days after its date a reply should be published
    /// by: the rules that publish replies say 20.
    pub publish_within_working_days: u32,
    /// Working-day calendars by year, beyond or instead of the built-in
    /// ones (see `workdays`).
    pub holidays: BTreeMap<i16, crate::model::workdays::HolidayYear>,
    /// ASCII slugs for terms, per facet: `departments: {常州市工业和信息化局: gxj}`.
    pub slugs: Slugs,
    /// Who runs the site, for the meta tags of the page specification of
    /// government websites and the footer of every page.
    pub gov: GovMeta,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Slugs {
    pub departments: BTreeMap<String, Slug>,
    pub sessions: BTreeMap<String, Slug>,
    pub proposers: BTreeMap<String, Slug>,
}

/// A term's URL segment as config.yaml gives it: ASCII letters, digits, `-`,
/// `_` and `.`, not first. One folder name under its facet's folder: never a
/// way out of it (`../..`), into another (`a/b`), or onto the facet's own
/// page (an empty slug, `.`), which a build would write over.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = String;

    fn try_from(text: String) -> Result<Slug, String> {
        let segment = |b: u8| b.is_ascii_alphanumeric() || b"-_.".contains(&b);
        // `page` is where a term's second page of replies goes.
        let reserved = text == "page";
        if !text.is_empty() && !text.starts_with('.') && !reserved && text.bytes().all(segment) {
            Ok(Slug(text))
        } else {
            Err(t!("config.bad_slug", slug = text).into_owned())
        }
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> String {
        slug.0
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct GovMeta {
    pub site_name: String,
    pub site_domain: String,
    pub site_id_code: String,
    pub column_name: String,
    pub column_type: String,
    /// 主办单位: the body the site belongs to.
    pub owner: String,
    /// 承办单位: the office that runs it.
    pub operator: String,
    /// ICP 备案号: `苏ICP备05012345号`.
    pub icp_record: String,
    /// 公安机关备案号: `苏公网安备32041102000123号`.
    pub police_record: String,
    /// How to reach the site's office: a phone number, an e-mail address.
    pub contact: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "提案建议办理答复".into(),
            description: "政协委员提案和人大代表建议的办理答复全文公开。".into(),
            base_url: "/".into(),
            language: "zh-CN".into(),
            message_language: None,
            theme: "default".into(),
            per_page: 20,
            latest: 10,
            allow_html: false,
            result_legend: default_legend(),
            publish_within_working_days: 20,
            holidays: BTreeMap::new(),
            slugs: Slugs::default(),
            gov: GovMeta::default(),
        }
    }
}

fn default_legend() -> IndexMap<String, String> {
    [
        ("A", "所提问题已经解决或基本解决"),
        ("B", "所提问题正在解决或已列入计划逐步解决"),
        ("C", "所提问题因条件限制或其他原因暂时不能解决"),
        ("D", "所提问题留作参考"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

impl Config {
    /// Reads `config.yaml` under `root`; a site without one gets the defaults.
    pub(crate) fn load(root: &Path) -> Result<Config, Problem> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(Problem::new(&path, t!("file.cannot_read", error = e))),
        };
        Config::parse(&text).map_err(|(message, line, col)| {
            let problem = Problem::new(&path, message);
            match line {
                Some(line) => problem.at(line, col.unwrap_or(1)),
                None => problem,
            }
        })
    }

    fn parse(text: &str) -> Result<Config, (String, Option<usize>, Option<usize>)> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        // The title and the gov: settings are on every page and in every
        // feed, which a control character would make unreadable as XML.
        let unpublishable = |c| {
            t!(
                "config.unpublishable_char",
                char = crate::ground::text::char_name(c)
            )
            .into_owned()
        };
        if let Some((line, col, c)) = crate::ground::yaml::first_unpublishable(text) {
            return Err((unpublishable(c), Some(line), Some(col)));
        }
        if let Some((line, col)) = crate::ground::yaml::too_deep(text) {
            let message = t!("config.too_deep", max = crate::ground::yaml::MAX_DEPTH).into_owned();
            return Err((message, Some(line), Some(col)));
        }
        let config: Config = serde_yaml::from_str(text).map_err(|e| {
            let d = crate::ground::yaml::diagnose(&e, text);
            let message = match d.hint {
                Some(hint) => format!("{}{}", d.message, t!("problem.hint", hint = hint)),
                None => d.message,
            };
            (message, Some(d.line), Some(d.col))
        })?;
        config.validate().map_err(|(key, message)| {
            // The key's own line; the file's first when it is not written
            // at the start of one.
            let line = text.lines().position(|line| {
                line.strip_prefix(key)
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            });
            (message, Some(line.map_or(1, |l| l + 1)), Some(1))
        })?;
        // One written as an escape (`"\f"`): on the line whose own text
        // makes it, read as YAML alone.
        let value = serde_yaml::to_value(&config).unwrap_or_default();
        if let Some(c) = crate::ground::yaml::unpublishable_in(&value) {
            let line = text.lines().position(|line| {
                serde_yaml::from_str::<serde_yaml::Value>(line.trim())
                    .is_ok_and(|v| crate::ground::yaml::unpublishable_in(&v).is_some())
            });
            return Err((unpublishable(c), Some(line.map_or(1, |l| l + 1)), Some(1)));
        }
        Ok(config)
    }

    /// A setting that no build can use: its key and why.
    fn validate(&self) -> Result<(), (&'static str, String)> {
        if let Some(text) = &self.message_language
            && Lang::parse(text).is_none()
        {
            let message = t!("config.message_language", value = text).into_owned();
            return Err(("message_language", message));
        }
        if self.per_page == 0 {
            return Err(("per_page", t!("config.per_page").into_owned()));
        }
        BaseUrl::parse(&self.base_url)
            .map(|_| ())
            .map_err(|message| ("base_url", message))
    }

    /// The language dafu's messages are to be in, as `message_language:`
    /// asks; the caller adopts it (`lang::adopt`).
    pub(crate) fn message_lang(&self) -> Option<Lang> {
        self.message_language.as_deref().and_then(Lang::parse)
    }

    /// How reply bodies are rendered: raw HTML or not, and the base path
    /// that root-relative links in them get.
    pub(crate) fn body_options(&self) -> BodyOptions {
        BodyOptions {
            allow_html: self.allow_html,
            base_path: self.base().path,
        }
    }

    /// The base URL, parsed; `validate` has already accepted it.
    pub(crate) fn base(&self) -> BaseUrl {
        BaseUrl::parse(&self.base_url).unwrap_or_default()
    }
}

/// How bodies are rendered: the site's settings that change the HTML.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct BodyOptions {
    /// Whether raw HTML passes through; shown as text when false.
    pub allow_html: bool,
    /// The base path of `base_url` (`/` or `/zxta/`), put before root-relative links.
    pub base_path: String,
}

impl Default for BodyOptions {
    fn default() -> Self {
        BodyOptions {
            allow_html: false,
            base_path: "/".into(),
        }
    }
}

/// `base_url` split into the origin (may be empty) and the path every link starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://www.example.gov.cn`, or empty for a site-relative base.
    pub origin: String,
    /// Always starts and ends with `/`: `/` or `/zxta/`.
    pub path: String,
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl {
            origin: String::new(),
            path: "/".into(),
        }
    }
}

impl BaseUrl {
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        let text = text.trim();
        let (origin, path) = if let Some(rest) = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
        {
            let scheme_len = text.len() - rest.len();
            let host_end = rest.find('/').unwrap_or(rest.len());
            if host_end == 0 {
                return Err(t!("config.base_url_no_host", url = text).into_owned());
            }
            (&text[..scheme_len + host_end], &rest[host_end..])
        } else if text.is_empty() || text.starts_with('/') {
            ("", text)
        } else {
            return Err(t!("config.base_url_scheme", url = text).into_owned());
        };
        if path.contains(['?', '#', ' ']) {
            return Err(t!("config.base_url_plain", url = text).into_owned());
        }
        let mut path = path.trim_end_matches('/').to_string();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl {
            origin: origin.to_string(),
            path,
        })
    }

    /// The absolute URL of a site path (`years/2021/`), for feeds and canonical links.
    pub fn absolute(&self, site_path: &str) -> String {
        format!("{}{}", self.origin, self.link(site_path))
    }

    /// The link to a site path from any page: the base path, then the path.
    pub fn link(&self, site_path: &str) -> String {
        let mut link = String::with_capacity(self.path.len() + site_path.len() + 8);
        link.push_str(&self.path);
        crate::ground::url::encode_path_into(site_path.trim_start_matches('/'), &mut link);
        link
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_settings_are_refused_at_their_line() {
        let (message, line, col) =
            Config::parse("title: 档案\ndescription: 一\u{c}二\n").unwrap_err();
        assert_eq!((line, col), (Some(2), Some(15)));
        assert!(
            message.starts_with("U+000C form feed cannot be published"),
            "{message}"
        );
        let (message, line, _) =
            Config::parse("title: 档案\ngov:\n  site_name: \"政府\\v网站\"\n").unwrap_err();
        assert_eq!(line, Some(3));
        assert!(message.starts_with("U+000B vertical tab"), "{message}");
    }

    #[test]
    fn a_missing_config_gives_the_defaults() {
        let config = Config::parse("").unwrap();
        assert_eq!(config.per_page, 20);
        assert_eq!(config.base().path, "/");
    }

    #[test]
    fn an_unknown_setting_names_its_line() {
        let (message, line, _) = Config::parse("title: x\nper_pag: 3\n").unwrap_err();
        assert!(message.contains("per_pag"), "{message}");
        assert_eq!(line, Some(2));
    }

    #[test]
    fn a_slug_that_is_not_one_url_segment_names_its_line() {
        for bad in [
            "\"\"",
            ".",
            "..",
            "../../content",
            "a/b",
            "a\\\\b",
            ".hidden",
            "工信局",
            "a b",
            "page",
        ] {
            let yaml = format!("title: x\nslugs:\n  departments:\n    工信局: {bad}\n");
            let (message, line, _) = Config::parse(&yaml).unwrap_err();
            assert!(message.contains("is not a URL segment"), "{bad}: {message}");
            assert_eq!(line, Some(4), "{bad}");
        }
        let yaml = "slugs:\n  departments:\n    工信局: gxj-2.0_a\n";
        let config = Config::parse(yaml).unwrap();
        assert_eq!(config.slugs.departments["工信局"].as_str(), "gxj-2.0_a");
    }

    #[test]
    fn a_sub_path_base_url_keeps_its_path() {
        let base = BaseUrl::parse("https://www.example.gov.cn/zxta").unwrap();
        assert_eq!(base.origin, "https://www.example.gov.cn");
        assert_eq!(base.path, "/zxta/");
        assert_eq!(base.link("years/2021/"), "/zxta/years/2021/");
        assert_eq!(
            base.absolute("atom.xml"),
            "https://www.example.gov.cn/zxta/atom.xml"
        );
    }

    #[test]
    fn a_base_url_without_scheme_or_slash_is_refused() {
        assert!(BaseUrl::parse("www.example.gov.cn").is_err());
    }
}
