//! The language dafu speaks to the people who run it: its messages on the
//! command line and in the preview's overlay, Chinese or English. Not the
//! site's pages: their language is config.yaml's `language:` and the theme's.
//!
//! Chosen in this order: `--lang`; else config.yaml's `message_language:`;
//! else the locale the C library would read (`LC_ALL`, `LC_MESSAGES`,
//! `LANG`, the first one set), Chinese for any `zh…`; else English. The
//! texts themselves are in `locales/dafu.yml`, both languages side by side.

use std::sync::atomic::{AtomicBool, Ordering};

/// A language dafu's messages come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Chinese,
    English,
}

impl Lang {
    /// `zh`, `zh-CN`, `zh_CN.UTF-8`, `中文` are Chinese; `en…` English.
    pub fn parse(text: &str) -> Option<Lang> {
        let text = text.trim().to_ascii_lowercase();
        if text.starts_with("zh") || text == "中文" {
            Some(Lang::Chinese)
        } else if text.starts_with("en") {
            Some(Lang::English)
        } else {
            None
        }
    }

    fn code(self) -> &'static str {
        match self {
            Lang::Chinese => "zh-CN",
            Lang::English => "en",
        }
    }
}

/// Set when `--lang` chose: then config.yaml does not choose again.
static FROM_COMMAND_LINE: AtomicBool = AtomicBool::new(false);

/// At start: the command line's choice, or the locale's.
pub fn choose(command_line: Option<Lang>) {
    FROM_COMMAND_LINE.store(command_line.is_some(), Ordering::Relaxed);
    let lang = command_line.unwrap_or_else(|| from_locale(|name| std::env::var(name).ok()));
    rust_i18n::set_locale(lang.code());
}

/// Once config.yaml is read: its `message_language:`, unless `--lang` chose.
pub(crate) fn adopt(setting: Option<Lang>) {
    if let Some(lang) = setting
        && !FROM_COMMAND_LINE.load(Ordering::Relaxed)
    {
        rust_i18n::set_locale(lang.code());
    }
}

/// Whether messages are Chinese now.
pub fn is_chinese() -> bool {
    rust_i18n::locale().starts_with("zh")
}

fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|name| var(name).filter(|value| !value.is_empty()))
        .next()
        .and_then(|value| Lang::parse(&value))
        .unwrap_or(Lang::English)
}

/// "1 reply", "2 replies"; in Chinese "2 件答复". `key` names an entry of
/// the catalogue with `one` and `other` forms.
pub fn count(n: usize, key: &str) -> String {
    let form = if n == 1 { "one" } else { "other" };
    rust_i18n::t!(&format!("{key}.{form}"), n = n).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locale(pairs: &[(&str, &str)]) -> Lang {
        from_locale(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_first_locale_variable_set_decides() {
        assert_eq!(locale(&[("LANG", "zh_CN.UTF-8")]), Lang::Chinese);
        assert_eq!(
            locale(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")]),
            Lang::English
        );
        assert_eq!(
            locale(&[("LC_ALL", ""), ("LANG", "zh_TW.UTF-8")]),
            Lang::Chinese
        );
        assert_eq!(locale(&[]), Lang::English);
        assert_eq!(locale(&[("LANG", "C.UTF-8")]), Lang::English);
    }

    #[test]
    fn every_message_has_both_languages() {
        let catalogue: serde_yaml::Mapping =
            serde_yaml::from_str(include_str!("../../locales/dafu.yml"))
                .expect("locales/dafu.yml is YAML");
        let mut missing = Vec::new();
        for (key, texts) in &catalogue {
            let key = key.as_str().unwrap_or_default();
            if key.starts_with('_') {
                continue;
            }
            for lang in ["en", "zh-CN"] {
                let text = texts.get(lang).and_then(|t| t.as_str()).unwrap_or_default();
                if text.trim().is_empty() {
                    missing.push(format!("{key} ({lang})"));
                }
            }
        }
        assert!(missing.is_empty(), "messages without a text: {missing:?}");
    }

    #[test]
    fn every_key_the_code_asks_for_is_in_the_catalogue() {
        let catalogue = include_str!("../../locales/dafu.yml");
        let asks =
            regex::Regex::new(r#"(?:^|[^A-Za-z_])t!\(\s*"([^"]+)""#).expect("a valid pattern");
        let mut unknown = Vec::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in walkdir::WalkDir::new(src).into_iter().flatten() {
            let Ok(code) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for asked in asks.captures_iter(&code) {
                let key = &asked[1];
                if !catalogue.contains(&format!("\n{key}:")) {
                    unknown.push(format!("{}: {key}", entry.path().display()));
                }
            }
        }
        assert!(
            unknown.is_empty(),
            "keys missing from locales/dafu.yml: {unknown:?}"
        );
    }
}
