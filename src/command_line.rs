//! The command line in the language of dafu's messages: clap's help with
//! each text from the catalogue (`help.COMMAND.OPTION`), and in Chinese the
//! words clap prints itself (headings, defaults, the `help` command, its
//! errors), so an office worker never meets English where Chinese was due.

use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use dafu::Lang;
use rust_i18n::t;

/// Parses the command line. Help, the version and mistakes are printed as
/// clap does (help on stdout with status 0, a mistake on stderr with status
/// 2), in the messages' language.
pub(crate) fn matches(command: clap::Command) -> clap::ArgMatches {
    let mut command = localised_command(command);
    if dafu::is_chinese() {
        command = command
            .disable_help_subcommand(true)
            .subcommand(help_command());
    }
    let matches = match command.try_get_matches_from_mut(std::env::args_os()) {
        Ok(matches) => matches,
        Err(error) => exit(error),
    };
    if let Some(("help", asked)) = matches.subcommand() {
        print_help(&mut command, asked.get_one::<String>(HELP_TOPIC));
    }
    matches
}

/// Ends the process for a mistake on the command line, or for the help or
/// version it asked for.
pub(crate) fn exit(error: clap::Error) -> ! {
    let shown_as_is = matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if shown_as_is || !dafu::is_chinese() {
        error.exit()
    }
    error.apply::<InChinese>().exit()
}

/// The argument of `dafu help COMMAND`.
const HELP_TOPIC: &str = "command";

/// clap's own `help` command is worded in English whatever the help around
/// it says; in Chinese this one stands in for it.
fn help_command() -> clap::Command {
    clap::Command::new("help")
        .about(t!("help.help_command").into_owned())
        .help_template(t!("help.template").into_owned())
        .arg(
            clap::Arg::new(HELP_TOPIC)
                .value_name(t!("help.help_topic").into_owned())
                .help(t!("help.help_topic_text").into_owned())
                .help_heading(t!("help.arguments").into_owned()),
        )
}

/// `dafu help [COMMAND]`: the help of that command, else of dafu itself.
fn print_help(command: &mut clap::Command, topic: Option<&String>) -> ! {
    let known = topic.and_then(|name| command.find_subcommand_mut(name).cloned());
    let printed = match (topic, known) {
        (None, _) => command.print_help(),
        (Some(_), Some(mut sub)) => {
            let bin = format!("{} {}", command.get_name(), sub.get_name());
            sub.set_bin_name(bin);
            sub.print_help()
        }
        (Some(name), None) => {
            let message = t!("cli.clap.unknown_command", command = name);
            eprintln!("{}", t!("cli.error", message = message));
            eprintln!("\n{}", t!("cli.clap.more", help = "dafu --help"));
            std::process::exit(2)
        }
    };
    std::process::exit(i32::from(printed.is_err()))
}

/// clap's mistakes told in Chinese: what was wrong, what was probably
/// meant, the usage line, and where the help is.
struct InChinese;

impl ErrorFormatter for InChinese {
    fn format_error(error: &clap::error::Error<Self>) -> clap::builder::StyledStr {
        let mut text = t!("cli.error", message = what_went_wrong(error)).into_owned();
        if let Some(meant) = suggestion(error) {
            text.push_str("\n\n  ");
            text.push_str(&t!("cli.clap.did_you_mean", suggestion = meant));
        }
        let usage = match error.get(ContextKind::Usage) {
            Some(ContextValue::StyledStr(usage)) => Some(usage.to_string()),
            _ => None,
        };
        // clap's line begins with its own English heading.
        let usage = usage
            .as_deref()
            .map(|u| u.split_once(": ").map_or(u, |(_, u)| u).trim_end());
        if let Some(usage) = usage {
            text.push_str("\n\n");
            text.push_str(&t!("cli.clap.usage", usage = usage));
        }
        text.push_str("\n\n");
        let help = format!("{} --help", command_of(usage.unwrap_or("dafu")));
        text.push_str(&t!("cli.clap.more", help = help));
        text.push('\n');
        text.into()
    }
}

/// The command a usage line is of: its words before the first option or
/// argument (`dafu build` of `dafu build --output <OUTPUT>`).
fn command_of(usage: &str) -> String {
    usage
        .split(' ')
        .take_while(|word| !word.starts_with(['-', '[', '<']))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The one-line account of a mistake, from what clap knows of it.
fn what_went_wrong(error: &clap::error::Error<InChinese>) -> String {
    let one = |kind| match error.get(kind) {
        Some(ContextValue::String(text)) => text.clone(),
        Some(ContextValue::Strings(texts)) => texts.join(", "),
        _ => String::new(),
    };
    let arg = one(ContextKind::InvalidArg);
    let value = one(ContextKind::InvalidValue);
    let said = match error.kind() {
        ErrorKind::UnknownArgument => t!("cli.clap.unknown_argument", arg = arg),
        ErrorKind::InvalidSubcommand => t!(
            "cli.clap.unknown_command",
            command = one(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::MissingSubcommand => t!(
            "cli.clap.missing_command",
            commands = one(ContextKind::ValidSubcommand)
        ),
        ErrorKind::MissingRequiredArgument => t!("cli.clap.missing_argument", arg = arg),
        ErrorKind::InvalidValue if value.is_empty() => t!("cli.clap.missing_value", arg = arg),
        ErrorKind::InvalidValue => t!(
            "cli.clap.invalid_value",
            arg = arg,
            value = value,
            valid = one(ContextKind::ValidValue)
        ),
        // The reason is dafu's own, already in the messages' language.
        ErrorKind::ValueValidation => t!(
            "cli.clap.value_not_taken",
            arg = arg,
            value = value,
            reason = std::error::Error::source(error)
                .map(|e| e.to_string())
                .unwrap_or_default()
        ),
        ErrorKind::InvalidUtf8 => t!("cli.clap.not_utf8"),
        _ if !arg.is_empty() => t!("cli.clap.argument_misused", arg = arg),
        _ => t!("cli.clap.misused"),
    };
    said.into_owned()
}

/// What clap guesses was meant: a command or an option spelt nearly so.
fn suggestion(error: &clap::error::Error<InChinese>) -> Option<String> {
    [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg]
        .into_iter()
        .find_map(|kind| match error.get(kind)? {
            ContextValue::String(text) => Some(text.clone()),
            ContextValue::Strings(texts) => texts.first().cloned(),
            _ => None,
        })
}

/// The locale (or `--lang`) is known before clap prints help or an error,
/// so the help is in the language the messages are in.
pub(crate) fn early_language() -> Option<Lang> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().enumerate().find_map(|(i, arg)| {
        let value = match arg.strip_prefix("--lang") {
            Some("") => args.get(i + 1)?.as_str(),
            Some(rest) => rest.strip_prefix('=')?,
            None => return None,
        };
        Lang::parse(value)
    })
}

/// The command line with its help in the messages' language: each
/// command's and option's text is looked up as `help.COMMAND.OPTION`
/// (`help.COMMAND` for the command itself), the English doc comments above
/// being the fallback; in Chinese, the words clap prints around them too.
fn localised_command(command: clap::Command) -> clap::Command {
    let mut command = localise(command, "help");
    if let Some(about) = localised("help.about") {
        command = command.about(about);
    }
    if dafu::is_chinese() {
        let version = own_flag("version", 'V', clap::ArgAction::Version, t!("help.version"));
        command = command.disable_version_flag(true).arg(version);
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(&name, |sub| {
            let sub = localise(sub, &format!("help.{name}"));
            match localised(&format!("help.{name}")) {
                Some(about) => sub.about(about),
                None => sub,
            }
        });
    }
    command
}

/// One command's help texts from the catalogue; in Chinese also its
/// headings, its usage line and its `--help` flag, which clap words itself.
fn localise(command: clap::Command, prefix: &str) -> clap::Command {
    let ids: Vec<String> = command
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .collect();
    let chinese = dafu::is_chinese();
    let command = ids.into_iter().fold(command, |command, id| {
        let text = localised(&format!("{prefix}.{id}"));
        command.mut_arg(&id, |mut arg| {
            if let Some(text) = text {
                arg = arg.help(text);
            }
            if chinese {
                // clap's `[default: .]` is English: the Chinese text says
                // the default itself (a unit test holds it to that).
                if !arg.get_default_values().is_empty() {
                    arg = arg.hide_default_value(true);
                }
                let heading = if arg.is_positional() {
                    "help.arguments"
                } else {
                    "help.options"
                };
                arg = arg.help_heading(t!(heading).into_owned());
            }
            arg
        })
    });
    if !chinese {
        return command;
    }
    command
        .help_template(t!("help.template").into_owned())
        .subcommand_help_heading(t!("help.commands").into_owned())
        .disable_help_flag(true)
        .arg(own_flag(
            "help",
            'h',
            clap::ArgAction::Help,
            t!("help.help"),
        ))
}

/// A flag clap words itself (`-h`, `-V`), worded by the catalogue instead.
fn own_flag(
    name: &'static str,
    short: char,
    action: clap::ArgAction,
    help: std::borrow::Cow<'_, str>,
) -> clap::Arg {
    clap::Arg::new(name)
        .short(short)
        .long(name)
        .action(action)
        .help(help.into_owned())
        .help_heading(t!("help.options").into_owned())
}

/// The catalogue's text for `key` in the current language, if it has one.
fn localised(key: &str) -> Option<String> {
    let text = t!(key);
    (text != key && dafu::is_chinese()).then(|| text.into_owned())
}
