//! The preview's HTTP side: the site from memory under its base path, the
//! live-reload event stream, and the problem overlay.
//!
//! A request path is decoded and checked before it is looked up, and it is
//! only ever looked up as a key of the in-memory site: `..`, encoded slashes
//! or backslashes, NUL and absolute paths have no file to reach. The reload
//! script and the overlay are added to the HTML as it is served, never to
//! the pages themselves, so nothing of the preview can leak into a build.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::ops::Range;
use std::pin::pin;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use crate::ground::page::Page;
use crate::ground::problem::Problem;
use rust_i18n::t;

/// Where, under the base path, the reload script listens for rebuilds. A
/// reply in `content/__dafu/` would be hidden behind it while previewing.
const EVENTS: &str = "__dafu/events";

/// The reload script, as data; see the file for what it does.
const LIVE_JS: &str = include_str!("live.js");

/// The overlay that lists problems; `{{lang}}`, `{{heading}}`, `{{problems}}`
/// and `{{footer}}` are filled in, in the messages' language.
const OVERLAY: &str = include_str!("overlay.html");

/// What a page should do after a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reload {
    Page,
    /// Only stylesheets changed: swap them, keep the page and its scroll.
    Styles,
}

/// What the server shares between the rebuilding thread and its requests.
pub(super) struct Shared {
    site: RwLock<Served>,
    reloads: broadcast::Sender<Reload>,
    stop: watch::Sender<bool>,
}

/// The site as it is served now.
pub(super) struct Served {
    base_path: String,
    /// Every file of the last good build by its site path (`2021/ta-0152/index.html`).
    pages: HashMap<String, Bytes>,
    /// The overlay's HTML while the input has problems.
    overlay: Option<String>,
}

impl Shared {
    pub(super) fn new(base_path: &str) -> Shared {
        Shared {
            site: RwLock::new(Served {
                base_path: base_path.to_string(),
                pages: HashMap::new(),
                overlay: None,
            }),
            reloads: broadcast::channel(16).0,
            stop: watch::channel(false).0,
        }
    }

    /// The site, to change. A request that panicked while reading cannot
    /// have left it half-changed, so a poisoned lock is taken as it is.
    pub(super) fn site_mut(&self) -> RwLockWriteGuard<'_, Served> {
        self.site.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> RwLockReadGuard<'_, Served> {
        self.site.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells every open page to reload.
    pub(super) fn reload(&self, reload: Reload) {
        // An error only means that no page is open.
        let _ = self.reloads.send(reload);
    }

    /// Ends the event streams, so that a graceful shutdown need not wait for them.
    pub(super) fn stop(&self) {
        self.stop.send_replace(true);
    }
}

impl Served {
    pub(super) fn set_base_path(&mut self, base_path: &str) {
        base_path.clone_into(&mut self.base_path);
    }

    /// Puts the rebuilt pages in; with `whole`, they are the whole site.
    pub(super) fn update(&mut self, pages: Vec<Page>, removed: &[String], whole: bool) {
        if whole {
            self.pages.clear();
        }
        for path in removed {
            self.pages.remove(path);
        }
        self.pages.extend(
            pages
                .into_iter()
                .map(|page| (page.path, Bytes::from(page.bytes))),
        );
    }

    /// Shows `problems` on every page; none, no overlay.
    pub(super) fn show_problems(&mut self, problems: &[Problem]) {
        self.overlay = (!problems.is_empty()).then(|| overlay(problems));
    }

    pub(super) fn has_problems(&self) -> bool {
        self.overlay.is_some()
    }
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(respond).with_state(shared)
}

/// How long a connection may take to send a request's head, and may sit
/// idle between requests, before it is closed. A browser sends a head at
/// once, and opens a new connection when an idle one was closed; a
/// connection that holds a file of the server's for nothing is let go.
/// An open event stream is a response, and is not timed.
pub(super) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves `app` on the connections `listener` accepts until `stop`, then
/// lets those open finish for a moment. At most `connections()` at once:
/// the rest wait to be accepted, and the rebuilds keep files to read the
/// site with.
pub(super) async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    stop: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(connections()));
    let (closing, _) = watch::channel(false);
    let mut open = JoinSet::new();
    let mut stop = pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = accept(&listener, &slots) => accepted,
        };
        let Some((stream, slot)) = accepted else {
            continue;
        };
        let service = TowerToHyperService::new(app.clone());
        let mut closed = closing.subscribe();
        open.spawn(async move {
            let _slot = slot;
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = pin!(connection);
            tokio::select! {
                // An error is the client's: it went, or sent no head in time.
                _ = connection.as_mut() => return,
                _ = closed.wait_for(|closing| *closing) => {}
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
        // Those done are forgotten as they end, not at the end.
        while open.try_join_next().is_some() {}
    }
    closing.send_replace(true);
    let finished = async { while open.join_next().await.is_some() {} };
    // A client that does not read its response does not hold up the stop.
    let _ = tokio::time::timeout(Duration::from_secs(1), finished).await;
}

/// The next connection, once there is a slot for it; none after an error
/// (a client that went before it was accepted, or no file left for it: a
/// pause lets connections time out and give theirs back).
async fn accept(
    listener: &tokio::net::TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(tokio::net::TcpStream, OwnedSemaphorePermit)> {
    // The semaphore is never closed.
    let slot = slots.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, _)) => Some((stream, slot)),
        Err(e) => {
            if !matches!(
                e.kind(),
                io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
            ) {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            None
        }
    }
}

/// How many connections to serve at once: three quarters of the files the
/// process may open, the rest kept for reading the site.
fn connections() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct it is given, which lives
        // through the call.
        let known = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
        if known && limit.rlim_cur != libc::RLIM_INFINITY {
            let files = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
            return (files / 4 * 3).clamp(8, 10_000);
        }
    }
    1_000
}

async fn respond(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let site = shared.read();
    let raw = uri.path();
    if raw.strip_prefix(site.base_path.as_str()) == Some(EVENTS) {
        drop(site);
        return events(&shared);
    }
    let path = match locate(&site.base_path, raw) {
        Located::Path(path) => path,
        Located::Home => return redirect(&site.base_path),
        Located::Outside => return not_found(&site),
    };
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    if let Some(bytes) = site.pages.get(&key) {
        let range = headers
            .get(header::RANGE)
            .and_then(|value| value.to_str().ok());
        return match range.and_then(|range| byte_range(range, bytes.len())) {
            // A page gets the live-reload script, so its bytes are not the
            // built file's: it is always sent whole.
            Some(_) if content_type(&key).starts_with("text/html") => {
                file(&site, &key, bytes.clone(), StatusCode::OK)
            }
            Some(Ok(part)) => part_of(&key, bytes, part),
            Some(Err(Unsatisfiable)) => unsatisfiable(bytes.len()),
            None => file(&site, &key, bytes.clone(), StatusCode::OK),
        };
    }
    // A folder asked for without its slash, as static hosts answer it.
    if !key.ends_with("index.html") && site.pages.contains_key(&format!("{path}/index.html")) {
        return redirect(&format!("{raw}/"));
    }
    not_found(&site)
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
enum Located {
    /// A path inside the site, decoded: `` (home), `2021/ta-0152/`, `style.css`.
    Path(String),
    /// `/`, or the base path without its slash: the site's home is elsewhere.
    Home,
    /// Outside the site, or not a path a built site could have.
    Outside,
}

fn locate(base_path: &str, raw: &str) -> Located {
    let Some(rest) = raw.strip_prefix(base_path) else {
        let home = raw == "/" || base_path.strip_suffix('/') == Some(raw);
        return if home {
            Located::Home
        } else {
            Located::Outside
        };
    };
    match crate::ground::url::decode_path(rest) {
        Some(path) if is_site_path(&path) => Located::Path(path),
        _ => Located::Outside,
    }
}

/// Whether a decoded path could be a file of the built site: relative,
/// without `.` or `..` segments, empty segments, backslashes or control
/// characters (NUL among them).
fn is_site_path(path: &str) -> bool {
    if path.chars().any(|c| c == '\\' || c.is_control()) {
        return false;
    }
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len() - 1;
    segments
        .iter()
        .enumerate()
        .all(|(i, segment)| match *segment {
            "." | ".." => false,
            "" => i == last,
            _ => true,
        })
}

fn file(site: &Served, key: &str, bytes: Bytes, status: StatusCode) -> Response {
    let content_type = content_type(key);
    let body = if content_type.starts_with("text/html") {
        Bytes::from(inject(&bytes, site))
    } else {
        bytes
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // A preview is always fresh: no browser may keep an old page.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if !content_type.starts_with("text/html") {
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    }
    response
}

/// A range that starts past a file's end.
#[derive(Debug, PartialEq, Eq)]
struct Unsatisfiable;

/// The one range of bytes a `Range` header asks for (`bytes=10-19`,
/// `bytes=10-`, `bytes=-10`), as the search script asks a pack of its
/// index for one shard; `None` where the header is not one such range
/// (several ranges, another unit, nonsense), which is answered with the
/// whole file as a server that ignores ranges does.
fn byte_range(header: &str, len: usize) -> Option<Result<Range<usize>, Unsatisfiable>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        let suffix: usize = last.parse().ok()?;
        len.saturating_sub(suffix)..len
    } else {
        let start: usize = first.parse().ok()?;
        let end = match last {
            "" => len,
            last => last.parse::<usize>().ok()?.saturating_add(1).min(len),
        };
        if end < start {
            return None;
        }
        start..end
    };
    if range.start >= len || range.is_empty() {
        return Some(Err(Unsatisfiable));
    }
    Some(Ok(range))
}

fn part_of(key: &str, bytes: &Bytes, part: Range<usize>) -> Response {
    let content_range = format!("bytes {}-{}/{}", part.start, part.end - 1, bytes.len());
    let mut response = Response::new(Body::from(bytes.slice(part)));
    *response.status_mut() = StatusCode::PARTIAL_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(key)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&content_range) {
        headers.insert(header::CONTENT_RANGE, value);
    }
    response
}

fn unsatisfiable(len: usize) -> Response {
    let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
        response.headers_mut().insert(header::CONTENT_RANGE, value);
    }
    response
}

fn not_found(site: &Served) -> Response {
    let page = site.pages.get("404.html").cloned().unwrap_or_else(|| {
        // Nothing built yet (the first build had problems): the overlay says why.
        Bytes::from_static(b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>dafu serve</title></head><body><p>Nothing is built yet.</p></body></html>\n")
    });
    file(site, "404.html", page, StatusCode::NOT_FOUND)
}

fn redirect(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response()
}

/// The page with the overlay (when there are problems) and the reload
/// script put before `</body>`.
fn inject(html: &[u8], site: &Served) -> Vec<u8> {
    let at = rfind_ignore_case(html, b"</body>").unwrap_or(html.len());
    let events = escape(&format!("{}{EVENTS}", site.base_path));
    let overlay = site.overlay.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(html.len() + overlay.len() + LIVE_JS.len() + 100);
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(overlay.as_bytes());
    out.extend_from_slice(format!("<script data-dafu-events=\"{events}\">\n").as_bytes());
    out.extend_from_slice(LIVE_JS.as_bytes());
    out.extend_from_slice(b"</script>\n");
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window.eq_ignore_ascii_case(needle))
}

/// The overlay listing every problem, each escaped: a message quotes the
/// user's own text, which may hold `<`.
fn overlay(problems: &[Problem]) -> String {
    let summary = crate::ground::lang::count(problems.len(), "count.problems");
    let items: String = problems
        .iter()
        // Tera's reports point at a column with a caret a line below.
        .map(|problem| {
            let text = escape(&problem.to_string());
            format!("<li style=\"white-space:pre-wrap\">{text}</li>\n")
        })
        .collect();
    OVERLAY
        .replace(
            "{{lang}}",
            if crate::ground::lang::is_chinese() {
                "zh-CN"
            } else {
                "en"
            },
        )
        .replace(
            "{{heading}}",
            &escape(&t!("overlay.heading", summary = summary)),
        )
        .replace("{{footer}}", &escape(&t!("overlay.footer")))
        .replace("{{problems}}", &items)
}

pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The server-sent events that tell open pages to reload. The first event
/// is a comment, so that a client knows it is listening.
fn events(shared: &Shared) -> Response {
    let state = (shared.reloads.subscribe(), shared.stop.subscribe(), true);
    let stream = futures_util::stream::unfold(state, |(mut reloads, mut stop, first)| async move {
        if first {
            let hello = Event::default().comment("dafu serve: listening for rebuilds");
            return Some((Ok::<_, Infallible>(hello), (reloads, stop, false)));
        }
        let reload = tokio::select! {
            received = reloads.recv() => match received {
                Ok(reload) => reload,
                // Missed some: one reload covers them all.
                Err(RecvError::Lagged(_)) => Reload::Page,
                Err(RecvError::Closed) => return None,
            },
            _ = stop.wait_for(|stopping| *stopping) => return None,
        };
        let name = match reload {
            Reload::Page => "reload",
            Reload::Styles => "styles",
        };
        Some((
            Ok(Event::default().event(name).data(name)),
            (reloads, stop, false),
        ))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_range_of_bytes_is_read_as_static_hosts_read_it() {
        assert_eq!(byte_range("bytes=0-7", 100), Some(Ok(0..8)));
        assert_eq!(byte_range("bytes=90-", 100), Some(Ok(90..100)));
        assert_eq!(byte_range("bytes=-10", 100), Some(Ok(90..100)));
        assert_eq!(byte_range("bytes=95-200", 100), Some(Ok(95..100)));
        assert_eq!(byte_range("bytes=100-", 100), Some(Err(Unsatisfiable)));
        // Not one range of bytes: the whole file.
        assert_eq!(byte_range("bytes=0-1,5-6", 100), None);
        assert_eq!(byte_range("items=0-1", 100), None);
        assert_eq!(byte_range("bytes=7-3", 100), None);
        assert_eq!(byte_range("bytes=x-", 100), None);
        assert_eq!(
            byte_range("bytes=0-18446744073709551615", 100),
            Some(Ok(0..100))
        );
    }

    #[test]
    fn paths_resolve_inside_the_site_only() {
        let base = "/zxta/";
        assert_eq!(locate(base, "/zxta/"), Located::Path(String::new()));
        assert_eq!(
            locate(base, "/zxta/departments/%E5%B8%B8%E5%B7%9E/"),
            Located::Path("departments/常州/".into())
        );
        assert_eq!(locate(base, "/"), Located::Home);
        assert_eq!(locate(base, "/zxta"), Located::Home);
        for outside in [
            "/zxta/../Cargo.toml",
            "/zxta/%2e%2e/",
            "/zxta/..%2f..%2fetc/passwd",
            "/zxta/%5c..%5c",
            "/zxta/a%5cb",
            "/zxta/%00",
            "/zxta//etc/passwd",
            "/zxta/a//b",
            "/zxta/./index.html",
            "/zxta/%zz",
            "/other/",
        ] {
            assert_eq!(locate(base, outside), Located::Outside, "{outside}");
        }
    }

    #[test]
    fn the_overlay_escapes_what_the_user_wrote() {
        let problem = Problem::new("content/a.md", "unknown key `<script>`").at(2, 1);
        let html = overlay(&[problem]);
        assert!(
            html.contains("content/a.md:2:1: unknown key `&lt;script&gt;`"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn the_overlay_keeps_the_lines_of_a_problem() {
        let report = "Unknown tag\n  |\n5 | {% endblock %}\n  |    ^^^^";
        let html = overlay(&[Problem::new("templates/reply.html", report).at(5, 4)]);
        assert!(
            html.contains("<li style=\"white-space:pre-wrap\">"),
            "{html}"
        );
        assert!(html.contains("{% endblock %}\n  |    ^^^^"), "{html}");
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let mut site = Served {
            base_path: "/zxta/".into(),
            pages: HashMap::new(),
            overlay: None,
        };
        let page = String::from_utf8(inject(b"<html><body><p>x</p></BODY></html>", &site)).unwrap();
        assert!(
            page.starts_with(
                "<html><body><p>x</p><script data-dafu-events=\"/zxta/__dafu/events\">"
            )
        );
        assert!(page.ends_with("</script>\n</BODY></html>"));
        site.show_problems(&[Problem::new("config.yaml", "bad")]);
        let page = String::from_utf8(inject(b"<p>no body</p>", &site)).unwrap();
        assert!(page.contains("config.yaml: bad"));
    }
}
