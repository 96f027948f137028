//! `dafu serve`: a preview that follows every edit.
//!
//! The site is built into memory, never into `public/` (a preview must not
//! clobber what is deployed), and served from there under its base path.
//! A thread waits for the watcher's batches of changed files, has the
//! [`Preview`](preview::Preview) re-read and re-render only what they touch,
//! swaps the new pages in and tells open pages to reload. A problem in the
//! input never stops the server: the last good site stays, with an overlay
//! naming every problem until it is mended.
//!
//! The pages live in memory, so a map lookup serves them and no folder
//! (nor a static-file service such as tower-http's ServeDir) is needed.

mod http;
mod preview;
mod watch;

use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::Instant;

use anyhow::{Context as _, anyhow};
use notify_debouncer_full::DebounceEventResult;

use crate::ground::lang;
use http::{Reload, Shared};
use preview::{Changes, Outcome, Preview, Snapshot};
use rust_i18n::t;

/// The switches of `dafu serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub interface: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Open the preview in the default browser.
    pub open: bool,
    pub drafts: bool,
}

/// Builds the site, serves it and follows every edit until Ctrl-C.
pub fn serve(options: &ServeOptions) -> anyhow::Result<()> {
    let root = options
        .root
        .canonicalize()
        .with_context(|| t!("serve.cannot_open", root = options.root.display()))?;
    // Listen first: a taken port is known before a long first build.
    let listener = listen(SocketAddr::new(options.interface, options.port))?;
    let address = listener.local_addr()?;
    if !options.interface.is_loopback() {
        eprintln!("{}", t!("serve.public_interface", address = address));
    }

    let (sender, batches) = mpsc::channel();
    // Watching starts before the first read, so no edit falls between them.
    let watcher = watch::Watcher::start(&root, sender)
        .with_context(|| t!("serve.cannot_watch", root = root.display()))?;
    let mut preview = Preview::new(&root, options.drafts);
    let started = Instant::now();
    let outcome = preview.apply(&Changes::everything());
    let shared = Arc::new(Shared::new(preview.base_path()));
    let summary = publish(&shared, &preview, outcome, Reload::Page);
    let indexer = index_in_background(shared.clone());
    request_index(&indexer, &preview);
    println!(
        "{}",
        t!(
            "serve.first_build",
            summary = summary,
            ms = started.elapsed().as_millis()
        )
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context(t!("serve.cannot_start"))?;
    // Listening for Ctrl-C from before the address is printed: whoever
    // reads it may stop the server at once.
    let stop = {
        let _context = runtime.enter();
        StopSignal::listen()
    };

    let url = format!("http://{}{}", shown(address), preview.home_link());
    println!("{}", t!("serve.serving", root = root.display(), url = url));
    if options.open {
        open_browser(&url);
    }

    let following = shared.clone();
    std::thread::Builder::new()
        .name("dafu-rebuild".into())
        .spawn(move || follow_edits(&root, preview, watcher, &batches, &following, &indexer))
        .context(t!("serve.cannot_start_thread"))?;

    runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = http::router(shared.clone());
        http::run(listener, app, async move {
            stop.wait().await;
            // Event streams never end by themselves.
            shared.stop();
        })
        .await;
        io::Result::Ok(())
    })?;
    println!("{}", t!("serve.stopped"));
    Ok(())
}

/// Binds the address, naming the port when it is taken.
fn listen(address: SocketAddr) -> anyhow::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(address).map_err(|e| {
        let port = address.port();
        match e.kind() {
            io::ErrorKind::AddrInUse => anyhow!(
                "port {port} is already in use on {}: stop what holds it, or choose another \
                 port with --port (--port 0 picks a free one)",
                address.ip()
            ),
            io::ErrorKind::PermissionDenied => anyhow!(
                "not allowed to listen on port {port}: ports below 1024 need privileges; \
                 choose another with --port"
            ),
            io::ErrorKind::AddrNotAvailable => anyhow!(
                "cannot listen on {address}: {} is not an address of this machine (--interface)",
                address.ip()
            ),
            _ => anyhow!(e).context(t!("serve.cannot_listen", address = address, port = port)),
        }
    })
}

/// The address to print: a browser cannot open 0.0.0.0.
fn shown(address: SocketAddr) -> SocketAddr {
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), address.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), address.port())
        }
        _ => address,
    }
}

/// Rebuilds after every batch of edits, until the watcher goes.
fn follow_edits(
    root: &Path,
    mut preview: Preview,
    mut watcher: watch::Watcher,
    batches: &mpsc::Receiver<DebounceEventResult>,
    shared: &Shared,
    indexer: &mpsc::Sender<Snapshot>,
) {
    while let Ok(first) = batches.recv() {
        let started = Instant::now();
        let mut changes = Changes::default();
        let mut changed: Vec<PathBuf> = Vec::new();
        // Whatever queued up while the last rebuild ran goes into this one.
        for batch in std::iter::once(first).chain(batches.try_iter()) {
            match batch {
                Ok(events) => {
                    for path in watch::sort_events(root, &events, &mut changes) {
                        if !changed.contains(&path) {
                            changed.push(path);
                        }
                    }
                }
                Err(errors) => errors
                    .iter()
                    .for_each(|e| eprintln!("{}", t!("serve.watch_warning", error = e))),
            }
        }
        for error in watcher.follow_folders() {
            eprintln!("{}", t!("serve.warning", message = error));
        }
        if changes.is_empty() {
            continue;
        }
        let reload = if changes.only_stylesheets() {
            Reload::Styles
        } else {
            Reload::Page
        };
        let outcome = preview.apply(&changes);
        let summary = publish(shared, &preview, outcome, reload);
        if !changes.only_statics() {
            request_index(indexer, &preview);
        }
        println!(
            "{}",
            t!(
                "serve.rebuilt",
                changed = describe(&changed),
                summary = summary,
                ms = started.elapsed().as_millis()
            )
        );
    }
}

/// Builds the search index, the open data files and the sitemap on a
/// thread of their own, from the newest site they are sent, and swaps them
/// in when done. At 10,000 replies that takes a second or more: a saved
/// reply must not wait for it, so the page shows at once and search catches
/// up a moment later. One thread, so that the next save's rebuild finds a
/// core free.
fn index_in_background(shared: Arc<Shared>) -> mpsc::Sender<Snapshot> {
    let (sender, jobs) = mpsc::channel::<Snapshot>();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "dafu-background".into())
        .build();
    let pool = match pool {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("{}", t!("serve.no_background", error = e));
            return sender;
        }
    };
    pool.spawn(move || {
        let mut previous: Vec<String> = Vec::new();
        while let Ok(mut job) = jobs.recv() {
            // Edits come in bursts: wait for a pause, then take the newest.
            std::thread::sleep(std::time::Duration::from_millis(200));
            if let Some(newest) = jobs.try_iter().last() {
                job = newest;
            }
            let pages = job.render_background();
            let paths: HashSet<&str> = pages.iter().map(|page| page.path.as_str()).collect();
            let removed: Vec<String> = previous
                .iter()
                .filter(|path| !paths.contains(path.as_str()))
                .cloned()
                .collect();
            let current = pages.iter().map(|page| page.path.clone()).collect();
            shared.site_mut().update(pages, &removed, false);
            previous = current;
        }
    });
    sender
}

/// Asks for the background pages of the preview's last good site.
fn request_index(indexer: &mpsc::Sender<Snapshot>, preview: &Preview) {
    if let Some(input) = preview.snapshot() {
        // An error only means the indexer could not start: said already.
        let _ = indexer.send(input);
    }
}

/// Puts a rebuild's outcome before the browsers; says what it was.
fn publish(shared: &Shared, preview: &Preview, outcome: Outcome, reload: Reload) -> String {
    let mut site = shared.site_mut();
    let had_problems = site.has_problems();
    let summary = match outcome {
        Outcome::Rebuilt {
            pages,
            removed,
            whole,
            replies,
        } => {
            let rendered = pages.len();
            site.set_base_path(preview.base_path());
            site.update(pages, &removed, whole);
            site.show_problems(&[]);
            let pages = lang::count(rendered, "count.pages");
            if whole {
                let replies = lang::count(replies, "count.replies");
                t!("serve.all_pages", replies = replies, pages = pages).into_owned()
            } else {
                pages
            }
        }
        Outcome::Problems(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            site.show_problems(&problems);
            t!(
                "serve.problems",
                problems = lang::count(problems.len(), "count.problems")
            )
            .into_owned()
        }
    };
    // An overlay that comes or goes needs the page itself reloaded.
    let reload = if had_problems || site.has_problems() {
        Reload::Page
    } else {
        reload
    };
    drop(site);
    shared.reload(reload);
    summary
}

/// `content/2021/ta-0152.md`, or the first few of many.
fn describe(changed: &[PathBuf]) -> String {
    let mut shown: Vec<String> = changed
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    if changed.len() > 3 {
        shown.push(t!("serve.more", n = changed.len() - 3).into_owned());
    }
    shown.join(", ")
}

/// Ctrl-C, or on Unix a polite `kill`.
struct StopSignal {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl StopSignal {
    /// Starts listening at once (inside a runtime), so that no signal sent
    /// from now on is missed.
    fn listen() -> StopSignal {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            StopSignal {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignal {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            // A signal that cannot be listened to never comes.
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = next(self.interrupt) => {}
                () = next(self.terminate) => {}
            }
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Opens `url` in the default browser; a failure is only a warning.
fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "windows") {
        let mut command = std::process::Command::new("cmd");
        command.args(["/C", "start", ""]);
        command
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = command.spawn() {
        eprintln!("{}", t!("serve.no_browser", error = e, url = url));
    }
}
