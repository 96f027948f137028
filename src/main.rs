//! The `dafu` command: parses the command line, runs one command, prints
//! problems to stderr and turns the outcome into the exit status (0 success,
//! 1 content error, 2 usage error).

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod command_line;
use dafu::{BuildError, BuildOptions, Lang, Problem, Warning};
use rust_i18n::t;

// The same catalogue as the library's: this binary asks it for the command
// line's own words.
rust_i18n::i18n!("locales", fallback = "en");

#[derive(Parser)]
#[command(
    name = "dafu",
    version,
    about = "A static archive of replies to proposals and suggestions"
)]
struct Cli {
    /// The site's folder (holding config.yaml and content/).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    /// The language of dafu's messages: zh (Chinese) or en (English);
    /// by default config.yaml's message_language, else the locale (LANG).
    #[arg(long, global = true, value_parser = language)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new site in DIR (default: the current folder).
    Init {
        dir: Option<PathBuf>,
        /// Write into a folder that is not empty.
        #[arg(long)]
        force: bool,
    },
    /// Write a reply skeleton at PATH, e.g. content/2021/ta-0152.md.
    New {
        #[arg(value_parser = reply_file)]
        path: PathBuf,
    },
    /// Turn replies as they come (.pdf, .ofd, .docx, .txt in UTF-8, UTF-16 or GBK) into Markdown files.
    Import {
        /// Files or folders to import; folders are searched for .pdf, .ofd, .docx and .txt.
        #[arg(required = true, value_name = "FILE|DIR")]
        inputs: Vec<PathBuf>,
        /// Where the Markdown files go (default: content/ in the root).
        #[arg(long, value_name = "DIR")]
        into: Option<PathBuf>,
        /// The replying department, for files that do not name it.
        #[arg(long, value_name = "NAME")]
        department: Option<String>,
        /// Print what would be written and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Render the site into the output folder, replacing it atomically.
    Build {
        /// Where to write the site (default: public/ in the root).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override config.yaml's base_url for this build.
        #[arg(long, value_parser = base_url)]
        base_url: Option<String>,
        /// Publish replies marked `draft: true` too.
        #[arg(long)]
        drafts: bool,
    },
    /// Check what a build would publish, writing nothing: every problem a
    /// build stops on, broken internal links, and (as warnings) mobile and
    /// ID numbers in published text.
    Check {
        /// Check as if config.yaml's base_url were this.
        #[arg(long, value_parser = base_url)]
        base_url: Option<String>,
        /// Check replies marked `draft: true` too.
        #[arg(long)]
        drafts: bool,
    },
    /// Build the site into memory, serve it, and rebuild and reload the
    /// page on every edit. Never writes public/.
    Serve {
        /// The address to listen on; 0.0.0.0 makes the preview reachable
        /// from the network.
        #[arg(long, default_value = "127.0.0.1", value_parser = interface)]
        interface: IpAddr,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111, value_parser = port)]
        port: u16,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
        /// Show replies marked `draft: true` too.
        #[arg(long)]
        drafts: bool,
    },
}

/// `--lang`: a language dafu's messages come in.
fn language(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| t!("cli.lang_unknown", value = text).into_owned())
}

/// `--interface`: an IP address of this machine (or 0.0.0.0 for all).
fn interface(text: &str) -> Result<IpAddr, String> {
    text.parse()
        .map_err(|_| t!("cli.interface_not_ip", value = text).into_owned())
}

/// `--port`: 0 to 65535, as TCP has.
fn port(text: &str) -> Result<u16, String> {
    text.parse()
        .map_err(|_| t!("cli.port_not_number", value = text).into_owned())
}

/// `--base-url`, checked as config.yaml's is, so that a wrong one is a
/// usage error.
fn base_url(text: &str) -> Result<String, String> {
    dafu::BaseUrl::parse(text).map(|_| text.to_string())
}

/// The path of a new reply: a Markdown file.
fn reply_file(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match path.extension() {
        Some(ending) if ending == "md" => Ok(path),
        _ => Err(t!("cli.new_not_md").into_owned()),
    }
}

/// What a command was asked that cannot be: exit status 2, as clap's own.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("{}", t!("cli.error", message = message));
    ExitCode::from(2)
}

fn main() -> ExitCode {
    dafu::choose_language(command_line::early_language());
    let matches = command_line::matches(Cli::command());
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => command_line::exit(error),
    };
    let makes_root = matches!(cli.command, Command::Init { .. });
    if !makes_root && !cli.root.is_dir() {
        return usage_error(&t!("cli.no_root", root = cli.root.display()));
    }
    match cli.command {
        Command::Init { dir, force } => {
            let dir = dir.unwrap_or_else(|| cli.root.clone());
            finish(dafu::init(&dir, force).map(|()| {
                println!("{}", t!("cli.init_done", dir = dir.display()));
            }))
        }
        Command::New { path } => {
            let content = site_folder(&cli.root, "content");
            if !content.is_dir() {
                return usage_error(&t!("cli.new_no_content", content = content.display()));
            }
            if !dafu::lies_in(&path, &content) {
                return usage_error(&t!(
                    "cli.new_outside_content",
                    path = path.display(),
                    content = content.display()
                ));
            }
            let year = jiff::Zoned::now().year();
            finish(dafu::new_reply(&path, year).map(|()| {
                println!("{}", t!("cli.wrote", path = path.display()));
            }))
        }
        Command::Import {
            inputs,
            into,
            department,
            dry_run,
            force,
        } => {
            let options = dafu::ImportOptions {
                inputs,
                into: into.unwrap_or_else(|| site_folder(&cli.root, "content")),
                department,
                dry_run,
                force,
            };
            match dafu::import(&options) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::from(1),
                Err(error) => finish(Err(error)),
            }
        }
        Command::Build {
            output,
            base_url,
            drafts,
        } => {
            let options = BuildOptions {
                root: cli.root,
                output,
                base_url,
                drafts,
            };
            match dafu::build(&options) {
                Ok(report) => {
                    print_warnings(&report.warnings);
                    println!(
                        "{}",
                        t!(
                            "cli.built",
                            replies = dafu::count(report.replies, "count.replies"),
                            files = dafu::count(report.pages, "count.files"),
                            ms = report.millis,
                            changed = report.written.changed,
                            removed = report.written.removed,
                            output = report.output.display()
                        )
                    );
                    ExitCode::SUCCESS
                }
                Err(BuildError::Content(problems)) => report_problems(&problems),
                Err(BuildError::Usage(problem)) => {
                    eprintln!("{problem}");
                    eprintln!("{}", t!("cli.nothing_written"));
                    ExitCode::from(2)
                }
                Err(BuildError::Io(error)) => finish(Err(error)),
            }
        }
        Command::Check { base_url, drafts } => {
            let options = BuildOptions {
                root: cli.root,
                output: None,
                base_url,
                drafts,
            };
            let findings = dafu::check(&options);
            for problem in &findings.errors {
                eprintln!("{problem}");
            }
            print_warnings(&findings.warnings);
            let summary = t!(
                "cli.checked",
                replies = dafu::count(findings.replies, "count.replies"),
                files = dafu::count(findings.files, "count.files"),
                errors = dafu::count(findings.errors.len(), "count.errors"),
                warnings = dafu::count(findings.warnings.len(), "count.warnings"),
            );
            if findings.errors.is_empty() {
                println!("{summary}");
                ExitCode::SUCCESS
            } else {
                eprintln!("{summary}");
                ExitCode::from(1)
            }
        }
        Command::Serve {
            interface,
            port,
            open,
            drafts,
        } => finish(dafu::serve(&dafu::ServeOptions {
            root: cli.root,
            interface,
            port,
            open,
            drafts,
        })),
    }
}

fn print_warnings(warnings: &[Problem]) {
    for warning in warnings {
        eprintln!("{}", Warning(warning));
    }
}

/// A folder of the site, named as the user would write it: `content`, not
/// `./content`, when the root is the current folder.
fn site_folder(root: &std::path::Path, name: &str) -> PathBuf {
    if root == std::path::Path::new(".") {
        PathBuf::from(name)
    } else {
        root.join(name)
    }
}

fn report_problems(problems: &[Problem]) -> ExitCode {
    for problem in problems {
        eprintln!("{problem}");
    }
    eprintln!(
        "{}",
        t!(
            "cli.problems",
            problems = dafu::count(problems.len(), "count.problems")
        )
    );
    ExitCode::from(1)
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", t!("cli.error", message = format!("{error:#}")));
            ExitCode::from(1)
        }
    }
}
