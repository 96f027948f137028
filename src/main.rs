//! The `dafu` command: parses the command line, runs one command, prints
//! problems to stderr and turns the outcome into the exit status (0 success,
//! 1 content error, 2 usage error).

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dafu::{BuildError, BuildOptions, problem::Problem};

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
    New { path: PathBuf },
    /// Render the site into the output folder, replacing it atomically.
    Build {
        /// Where to write the site (default: public/ in the root).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override config.yaml's base_url for this build.
        #[arg(long)]
        base_url: Option<String>,
        /// Publish replies marked `draft: true` too.
        #[arg(long)]
        drafts: bool,
    },
    /// Build the site into memory, serve it, and rebuild and reload the
    /// page on every edit. Never writes public/.
    Serve {
        /// The address to listen on; 0.0.0.0 makes the preview reachable
        /// from the network.
        #[arg(long, default_value = "127.0.0.1")]
        interface: IpAddr,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
        /// Show replies marked `draft: true` too.
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir, force } => {
            let dir = dir.unwrap_or_else(|| cli.root.clone());
            finish(dafu::scaffold::init(&dir, force).map(|()| {
                println!(
                    "created a site in {}; build it with `dafu --root {} build`",
                    dir.display(),
                    dir.display()
                );
            }))
        }
        Command::New { path } => {
            let year = jiff::Zoned::now().year();
            finish(dafu::scaffold::new_reply(&path, year).map(|()| {
                println!("wrote {}", path.display());
            }))
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
                    println!(
                        "built {} replies into {} files in {} ms ({} changed, {} removed) → {}",
                        report.replies,
                        report.pages,
                        report.millis,
                        report.written.changed,
                        report.written.removed,
                        report.output.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(BuildError::Content(problems)) => report_problems(&problems),
                Err(BuildError::Io(error)) => finish(Err(error)),
            }
        }
        Command::Serve {
            interface,
            port,
            open,
            drafts,
        } => finish(dafu::serve::serve(&dafu::serve::ServeOptions {
            root: cli.root,
            interface,
            port,
            open,
            drafts,
        })),
    }
}

fn report_problems(problems: &[Problem]) -> ExitCode {
    for problem in problems {
        eprintln!("{problem}");
    }
    eprintln!(
        "error: {} problem{}; nothing was written",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    ExitCode::from(1)
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
