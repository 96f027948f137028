//! `dafu serve` end to end: the binary on a free port, fetched over plain
//! HTTP while the test edits the site under it, as an editor would.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{TestSite, reply, seed_reply};

/// How long an edit may take to show before a test gives up. Far above the
/// real latency, so that a loaded machine does not fail a test.
const PATIENCE: Duration = Duration::from_secs(10);

/// The same for a site of 50,000 pages, which the debug binary makes in
/// five seconds on a quiet machine.
const MANY_PAGES: Duration = Duration::from_secs(60);

const SEED: &str = "content/2021/ta-0152.md";
const SEED_PAGE: &str = "/2021/ta-0152/";

/// A running `dafu serve`, killed when dropped so that no server outlives
/// its test.
struct Server {
    child: Child,
    address: SocketAddr,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `dafu --root SITE serve --port 0 ARGS…` and waits for its address.
    fn start(site: &TestSite, args: &[&str]) -> Server {
        Server::start_with_patience(site, args, PATIENCE)
    }

    /// As `start`, waiting for the first build as long as `patience`.
    fn start_with_patience(site: &TestSite, args: &[&str], patience: Duration) -> Server {
        let mut command = common::dafu();
        command
            .arg("--root")
            .arg(site.root())
            .args(["serve", "--port", "0"])
            .args(args);
        Server::run_with_patience(command, patience)
    }

    /// As `start`, with at most `files` open files.
    #[cfg(unix)]
    fn start_with_files(site: &TestSite, files: u32) -> Server {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_dafu"))
            .arg("--root")
            .arg(site.root())
            .args(["serve", "--port", "0"]);
        Server::run(command)
    }

    /// Runs a `dafu serve` command and waits for its address.
    fn run(command: Command) -> Server {
        Server::run_with_patience(command, PATIENCE)
    }

    /// As `run`, waiting as long as `patience`.
    fn run_with_patience(mut command: Command, patience: Duration) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dafu runs");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        collect(child.stdout.take().expect("stdout"), stdout.clone());
        collect(child.stderr.take().expect("stderr"), stderr.clone());
        let mut server = Server {
            child,
            address: "127.0.0.1:1".parse().expect("an address"),
            stdout,
            stderr,
        };
        let found = wait_for(patience, || server.printed_address().is_some());
        assert!(
            found,
            "no address printed; stdout: {}\nstderr: {}",
            server.stdout(),
            server.stderr()
        );
        server.address = server.printed_address().expect("an address");
        server
    }

    /// The address in `serving … at http://127.0.0.1:PORT/…`.
    fn printed_address(&self) -> Option<SocketAddr> {
        let stdout = self.stdout();
        let start = stdout.find("http://")? + "http://".len();
        let rest = &stdout[start..];
        let end = rest.find('/')?;
        rest[..end].parse().ok()
    }

    fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout").clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }

    fn get(&self, path: &str) -> Response {
        get(self.address, path)
    }

    /// Fetches `path` until `check` holds or patience runs out.
    fn poll(&self, path: &str, check: impl Fn(&Response) -> bool) -> Response {
        let started = Instant::now();
        loop {
            let response = self.get(path);
            if check(&response) || started.elapsed() > PATIENCE {
                return response;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut text = into.lock().expect("output");
            text.push_str(&line);
            text.push('\n');
        }
    });
}

fn wait_until(check: impl FnMut() -> bool) -> bool {
    wait_for(PATIENCE, check)
}

fn wait_for(patience: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < patience {
        if check() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    check()
}

#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// One GET over a fresh connection, the path sent exactly as given (no
/// client normalising `..` away first).
fn get(address: SocketAddr, path: &str) -> Response {
    get_with(address, path, "")
}

/// One GET with `headers` (each line ending in CRLF) added.
fn get_with(address: SocketAddr, path: &str, headers: &str) -> Response {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    stream
        .set_read_timeout(Some(PATIENCE))
        .expect("a read timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}\r\n"
    )
    .expect("the request is sent");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("a response");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn seed_site() -> TestSite {
    let site = TestSite::new();
    site.write(SEED, seed_reply());
    site
}

#[test]
fn an_edited_reply_shows_without_a_restart_and_public_is_never_written() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    let page = server.get(SEED_PAGE);
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains("周国平委员"), "{}", page.body);
    assert!(page.body.contains("data-dafu-events=\"/__dafu/events\""));

    site.write(SEED, format!("{}\n本答复已修订。\n", seed_reply()));
    let page = server.poll(SEED_PAGE, |r| r.body.contains("已修订"));
    assert!(page.body.contains("已修订"), "the edit never showed");
    // One line per rebuild: what changed, how many pages, how long.
    assert!(
        wait_until(|| server.stdout().contains("content/2021/ta-0152.md → ")),
        "{}",
        server.stdout()
    );
    assert!(
        server.stdout().contains(" pages in "),
        "{}",
        server.stdout()
    );

    // A new reply appears, and so does its line on the home page.
    site.write(
        "content/2021/new.md",
        reply("新增的答复", "常州市教育局", "2021-07-01"),
    );
    let home = server.poll("/", |r| r.body.contains("新增的答复"));
    assert!(home.body.contains("新增的答复"), "{}", home.body);
    assert_eq!(server.poll("/2021/new/", |r| r.status == 200).status, 200);
    // And a removed one goes.
    std::fs::remove_file(site.path("content/2021/new.md")).expect("removed");
    assert_eq!(server.poll("/2021/new/", |r| r.status == 404).status, 404);

    assert!(!site.path("public").exists(), "serve wrote public/");
}

#[test]
fn a_save_by_renaming_a_temporary_file_is_seen() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    // As editors save: write a hidden temporary file, rename it over the reply.
    site.write(
        "content/2021/.ta-0152.md.tmp",
        format!("{}\n改名保存的修改。\n", seed_reply()),
    );
    std::fs::rename(site.path("content/2021/.ta-0152.md.tmp"), site.path(SEED)).expect("renamed");
    let page = server.poll(SEED_PAGE, |r| r.body.contains("改名保存"));
    assert!(
        page.body.contains("改名保存"),
        "the renamed file never showed"
    );
}

#[test]
fn a_broken_reply_shows_an_overlay_naming_it_until_mended() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    let broken = seed_reply().replacen("title:", "titel: <b>x</b>\ntitle:", 1);
    site.write(SEED, broken);
    let home = server.poll("/", |r| r.body.contains("dafu-problems"));
    assert!(
        home.body.contains("dafu-problems"),
        "no overlay: {}",
        home.body
    );
    assert!(
        home.body
            .contains("content/2021/ta-0152.md:2:1: unknown key `titel`"),
        "{}",
        home.body
    );
    // The last good site is still served, under the overlay.
    let page = server.get(SEED_PAGE);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("周国平委员") && page.body.contains("dafu-problems"));
    assert!(wait_until(|| server.stderr().contains("ta-0152.md:2:1")));

    site.write(SEED, seed_reply());
    let home = server.poll("/", |r| !r.body.contains("dafu-problems"));
    assert!(!home.body.contains("dafu-problems"), "the overlay stayed");
}

#[test]
fn a_static_file_where_a_page_is_made_shows_an_overlay_until_removed() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    let home = server.poll("/", |r| r.body.contains("dafu-problems"));
    assert!(
        home.body.contains("static/robots.txt"),
        "no overlay naming the file: {}",
        home.body
    );
    std::fs::remove_file(site.path("static/robots.txt")).expect("removed");
    let home = server.poll("/", |r| !r.body.contains("dafu-problems"));
    assert!(!home.body.contains("dafu-problems"), "the overlay stayed");
    assert!(server.get("/robots.txt").body.contains("Sitemap:"));
}

#[test]
fn a_problem_in_a_message_is_escaped_in_the_overlay() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    let broken = seed_reply().replacen("title:", "\"<script>alert(1)</script>\": x\ntitle:", 1);
    site.write(SEED, broken);
    let page = server.poll("/", |r| r.body.contains("dafu-problems"));
    let overlay = &page.body[page.body.find("dafu-problems").expect("overlay")..];
    let overlay = &overlay[..overlay.find("</div>").expect("its end")];
    assert!(overlay.contains("&lt;script&gt;alert(1)"), "{overlay}");
    assert!(!overlay.contains("<script"), "{overlay}");
}

#[test]
fn a_template_or_config_edit_renders_every_page_again() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p>另一个404</p>{% endblock content %}",
    );
    let missing = server.poll("/nowhere/", |r| r.body.contains("另一个404"));
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("另一个404"), "{}", missing.body);

    site.write("config.yaml", "title: 某市提案答复\n");
    let page = server.poll(SEED_PAGE, |r| r.body.contains("某市提案答复"));
    assert!(page.body.contains("某市提案答复"), "{}", page.body);
}

#[test]
fn paths_outside_the_site_are_not_found() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    for path in [
        "/../Cargo.toml",
        "/%2e%2e/",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/..%2f..%2fetc/passwd",
        "/%5c..%5c",
        "/..%5c..%5cCargo.toml",
        "/%00",
        "/index.html%00",
        "//etc/passwd",
        "/2021/../../Cargo.toml",
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 404, "{path}: {}", response.head);
        assert!(
            response.body.contains("页面不存在"),
            "{path}: the site's 404.html"
        );
        assert!(!response.body.contains("[package]") && !response.body.contains("root:"));
    }
    let folder = server.get("/2021/ta-0152");
    assert_eq!(folder.status, 302);
    assert_eq!(folder.header("location"), Some("/2021/ta-0152/"));
    let style = server.get("/style.css");
    assert_eq!(
        style.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert!(
        !style.body.contains("dafu-events"),
        "only HTML gets the script"
    );
}

#[test]
fn a_sub_path_base_url_is_served_under_it() {
    let site = seed_site();
    site.write("config.yaml", "base_url: https://x.gov.cn/zxta/\n");
    let server = Server::start(&site, &[]);
    assert!(server.stdout().contains("/zxta/"), "{}", server.stdout());
    let root = server.get("/");
    assert_eq!(root.status, 302);
    assert_eq!(root.header("location"), Some("/zxta/"));
    let page = server.get("/zxta/2021/ta-0152/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("href=\"/zxta/style.css\""));
    assert!(
        page.body
            .contains("data-dafu-events=\"/zxta/__dafu/events\"")
    );
    assert_eq!(server.get("/2021/ta-0152/").status, 404);
    let mut events = Events::open(server.address, "/zxta/__dafu/events");
    site.write(SEED, format!("{}\n追加。\n", seed_reply()));
    assert!(events.wait_for("event: reload"), "{}", events.seen);
}

#[test]
fn the_event_stream_tells_open_pages_to_reload_or_swap_styles() {
    let site = seed_site();
    site.write("static/style.css", "body { color: black }\n");
    let server = Server::start(&site, &[]);
    let mut events = Events::open(server.address, "/__dafu/events");
    site.write("static/style.css", "body { color: navy }\n");
    assert!(events.wait_for("event: styles"), "{}", events.seen);
    let style = server.poll("/style.css", |r| r.body.contains("navy"));
    assert!(style.body.contains("navy"));
    // A script is not swapped in place: the page loads again to run it.
    site.write("static/textsize.js", "window.edited = true;\n");
    assert!(events.wait_for("event: reload"), "{}", events.seen);
    let script = server.poll("/textsize.js", |r| r.body.contains("edited"));
    assert!(script.body.contains("edited"));
    site.write(SEED, format!("{}\n追加。\n", seed_reply()));
    assert!(events.wait_for("event: reload"), "{}", events.seen);
}

#[test]
fn a_served_page_is_the_built_page_plus_the_reload_script() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    let out = tempfile::tempdir().expect("a folder");
    let built = site.run(&["build", "--output", &out.path().display().to_string()]);
    assert!(built.status.success());
    for (path, file) in [
        ("/", "index.html"),
        (SEED_PAGE, "2021/ta-0152/index.html"),
        ("/years/2021/", "years/2021/index.html"),
    ] {
        let served = server.get(path).body;
        let start = served.find("<script data-dafu-events").expect("the script");
        let end = served[start..].find("</script>\n").expect("its end") + start + 10;
        let without = format!("{}{}", &served[..start], &served[end..]);
        let expected = std::fs::read_to_string(out.path().join(file)).expect("built");
        assert_eq!(without, expected, "{path}");
    }
}

#[test]
fn a_range_of_a_file_is_served_as_static_hosts_serve_it_but_a_page_whole() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    let address = server.address;
    let whole = get(address, "/search.js");
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    let part = get_with(address, "/search.js", "Range: bytes=10-29\r\n");
    assert_eq!(part.status, 206, "{}", part.head);
    assert_eq!(part.body, whole.body[10..30]);
    let length = whole.body.len();
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 10-29/{length}").as_str())
    );
    let past = get_with(
        address,
        "/search.js",
        &format!("Range: bytes={length}-\r\n"),
    );
    assert_eq!(past.status, 416);
    // A page carries the reload script, so it is never cut.
    let page = get_with(address, SEED_PAGE, "Range: bytes=0-9\r\n");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-dafu-events"));
}

#[test]
fn a_taken_port_is_an_error_naming_it() {
    let site = seed_site();
    let first = Server::start(&site, &[]);
    let port = first.address.port().to_string();
    let second = common::dafu()
        .arg("--root")
        .arg(site.root())
        .args(["serve", "--port", &port])
        .output()
        .expect("dafu runs");
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains(&format!("port {port}")), "{stderr}");
}

#[test]
fn a_site_with_problems_from_the_start_is_served_with_the_overlay() {
    let site = TestSite::new();
    site.write(SEED, "---\ntitle: 无单位\n---\n正文\n");
    let server = Server::start(&site, &[]);
    let home = server.get("/");
    assert_eq!(home.status, 404);
    assert!(
        home.body.contains("content/2021/ta-0152.md"),
        "{}",
        home.body
    );
    site.write(SEED, seed_reply());
    let home = server.poll("/", |r| r.status == 200);
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("dafu-problems"));
}

#[test]
fn the_network_interface_is_warned_about() {
    let site = seed_site();
    let server = Server::start(&site, &["--interface", "0.0.0.0"]);
    assert!(
        wait_until(|| server.stderr().contains("reachable from the network")),
        "{}",
        server.stderr()
    );
    assert_eq!(server.get("/").status, 200);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = seed_site();
    let mut server = Server::start(&site, &[]);
    // An open event stream must not hold the server up.
    let _events = Events::open(server.address, "/__dafu/events");
    let pid = i32::try_from(server.child.id()).expect("a pid");
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let exited = wait_until(|| matches!(server.child.try_wait(), Ok(Some(_))));
    assert!(exited, "the server did not stop");
    let status = server.child.wait().expect("a status");
    assert!(status.success(), "{status:?}");
    assert!(wait_until(|| server.stdout().contains("stopped")));
}

/// A raw server-sent-events connection.
struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    /// Connects and waits for the server's first comment, so that every
    /// rebuild from now on is heard.
    fn open(address: SocketAddr, path: &str) -> Events {
        let mut stream = TcpStream::connect(address).expect("the server accepts");
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("a read timeout");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").expect("sent");
        let mut events = Events {
            stream,
            seen: String::new(),
        };
        assert!(events.wait_for("listening for rebuilds"), "{}", events.seen);
        assert!(events.seen.contains("text/event-stream"), "{}", events.seen);
        events
    }

    /// Reads until `text` has come, after what was already seen.
    fn wait_for(&mut self, text: &str) -> bool {
        let from = self.seen.len();
        let started = Instant::now();
        let mut buffer = [0; 4096];
        while started.elapsed() < PATIENCE {
            if self.seen[from..].contains(text) {
                return true;
            }
            match self.stream.read(&mut buffer) {
                Ok(0) => return false,
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buffer[..n])),
                Err(_) => {}
            }
        }
        self.seen[from..].contains(text)
    }
}

#[test]
fn search_in_the_preview_follows_an_edit() {
    let site = seed_site();
    let server = Server::start(&site, &[]);
    let manifest = server.poll("/search/index.json", |r| r.status == 200);
    assert_eq!(manifest.status, 200, "the search index is served");
    assert!(manifest.body.contains("\"docs\":1"), "{}", manifest.body);
    site.write(
        "content/2022/ta-0001.md",
        reply("新增的答复", "甲局", "2022-01-05"),
    );
    let updated = server.poll("/search/index.json", |r| r.body.contains("\"docs\":2"));
    assert!(updated.body.contains("\"docs\":2"), "{}", updated.body);
}

#[test]
fn the_overlay_speaks_the_editors_language() {
    let site = TestSite::new();
    site.write(SEED, "---\ntitle: 无单位\ndate: 2021-06-01\n---\n正文\n");
    let server = Server::start(&site, &["--lang", "zh"]);
    let home = server.get("/");
    assert!(home.body.contains("lang=\"zh-CN\""), "{}", home.body);
    assert!(home.body.contains("预览未更新"), "{}", home.body);
    assert!(
        home.body.contains("缺少必填项 `department`"),
        "{}",
        home.body
    );
    assert!(server.stdout().contains("正在预览"), "{}", server.stdout());
}

/// Connections that send half a request and nothing more are closed after
/// a few seconds, so that they cannot take every file the server may open
/// and stall every request after them.
#[cfg(unix)]
#[test]
fn half_sent_requests_do_not_stall_the_server() {
    let site = seed_site();
    let server = Server::start_with_files(&site, 256);
    assert_eq!(server.get("/").status, 200);
    let stalled: Vec<TcpStream> = (0..300)
        .map(|_| {
            let mut stream = TcpStream::connect(server.address).expect("connects");
            write!(stream, "GET / HTTP/1.1\r\nHost: {}\r\n", server.address).expect("sent");
            stream
        })
        .collect();
    let started = Instant::now();
    let response = get(server.address, SEED_PAGE);
    assert_eq!(response.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "answered after {:?}",
        started.elapsed()
    );
    drop(stalled);
}

/// A static file that is a link to outside the site is not served: the
/// overlay names it, as `build` does.
#[cfg(unix)]
#[test]
fn a_link_to_outside_the_site_is_a_problem_and_not_served() {
    let site = seed_site();
    let elsewhere = tempfile::tempdir().expect("a folder");
    let secret = elsewhere.path().join("passwd");
    std::fs::write(&secret, "root:x:0:0:SECRET").expect("written");
    site.write("static/robots-extra.txt", "ok");
    std::os::unix::fs::symlink(&secret, site.path("static/passwd")).expect("a link");
    let server = Server::start(&site, &[]);
    let page = server.get(SEED_PAGE);
    assert!(
        page.body.contains("static/passwd: a symbolic link to"),
        "{}",
        page.body
    );
    let served = server.get("/passwd");
    assert_eq!(served.status, 404);
    assert!(!served.body.contains("SECRET"));
    // A reply linked in while the preview runs is no more read.
    std::fs::remove_file(site.path("static/passwd")).expect("removed");
    let mended = server.poll(SEED_PAGE, |r| {
        r.status == 200 && !r.body.contains("dafu-problems")
    });
    assert_eq!(mended.status, 200, "{}", mended.body);
    let outside = elsewhere.path().join("r.md");
    std::fs::write(&outside, reply("SECRET-REPLY", "甲局", "2021-01-01")).expect("written");
    std::os::unix::fs::symlink(&outside, site.path("content/2021/r.md")).expect("a link");
    let page = server.poll(SEED_PAGE, |r| {
        r.body.contains("content/2021/r.md: a symbolic link to")
    });
    assert!(
        page.body.contains("content/2021/r.md: a symbolic link to"),
        "{}",
        page.body
    );
    let served = server.get("/2021/r/");
    assert_eq!(served.status, 404);
    assert!(!served.body.contains("SECRET-REPLY"));
    assert!(
        server.stderr().contains("static/passwd"),
        "{}",
        server.stderr()
    );
}

/// `serve` neither waits for nor disturbs a build running beside it.
#[test]
fn serve_works_while_a_build_holds_the_output() {
    let site = seed_site();
    let built = site.run(&["build"]);
    assert!(built.status.success(), "{built:?}");
    let before = site.snapshot();
    let lock = std::fs::File::open(site.path(".dafu/public/lock")).expect("the lock file");
    lock.lock().expect("the test holds the lock");
    let server = Server::start(&site, &[]);
    assert_eq!(server.get(SEED_PAGE).status, 200);
    drop(lock);
    assert_eq!(site.snapshot(), before);
}

#[test]
fn a_proposal_page_follows_an_edit_of_any_of_its_replies() {
    let site = TestSite::new();
    let answer = |department: &str, fields: &str| {
        format!(
            "---\ntitle: 关于第0152号提案的答复\ndepartment: {department}\ndate: 2024-06-10\nsession: 市政协十五届三次会议\nproposal_id: \"0152\"\n{fields}\n---\n\n正文。\n"
        )
    };
    site.write("content/lead.md", answer("甲局", "role: 主办"));
    site.write(
        "content/joint.md",
        answer("乙局", "role: 会办\ndoc_number: 乙复〔2024〕1号"),
    );
    let server = Server::start(&site, &[]);
    let proposal = "/sessions/%E5%B8%82%E6%94%BF%E5%8D%8F%E5%8D%81%E4%BA%94%E5%B1%8A%E4%B8%89%E6%AC%A1%E4%BC%9A%E8%AE%AE/0152/";
    assert!(server.get(proposal).body.contains("乙复〔2024〕1号"));
    // An edit in place of the joint reply.
    site.write(
        "content/joint.md",
        answer("乙局", "role: 会办\ndoc_number: 乙复〔2024〕2号"),
    );
    let page = server.poll(proposal, |r| r.body.contains("乙复〔2024〕2号"));
    assert!(page.body.contains("乙复〔2024〕2号"), "{}", page.body);
    // A third answer: the proposal lists it, the lead reply counts it.
    site.write("content/third.md", answer("丙局", "role: 协办单位"));
    let page = server.poll(proposal, |r| r.body.contains("协办：丙局"));
    assert!(page.body.contains("答复（共 3 件）"), "{}", page.body);
    let lead = server.poll("/lead/", |r| r.body.contains("另有 2 件答复"));
    assert!(lead.body.contains("另有 2 件答复"));
    // Moved to another proposal: the old one counts it no more.
    site.write(
        "content/third.md",
        answer("丙局", "role: 协办\nproposal_id: \"0153\"").replace("proposal_id: \"0152\"\n", ""),
    );
    let page = server.poll(proposal, |r| !r.body.contains("丙局"));
    assert!(page.body.contains("答复（共 2 件）"), "{}", page.body);
}

/// A site of `replies` replies, each with 1,000 proposers (a reply's most)
/// of its own, so each with a list page: 1,000 URLs a reply for the
/// sitemap, the cheapest way past its 50,000. In the plain theme, so that
/// the pages cost little to render.
fn site_of_many_pages(replies: usize) -> TestSite {
    let site = TestSite::new();
    site.use_plain_theme();
    site.write(
        "config.yaml",
        "theme: plain\nbase_url: https://www.example.gov.cn/zxta/\n",
    );
    for reply in 0..replies {
        let proposers: Vec<String> = (0..1000).map(|n| format!("委员{reply}之{n}")).collect();
        let month = reply % 12 + 1;
        site.write(
            &format!("content/r{reply}.md"),
            format!(
                "---\ntitle: 答复{reply}\ndepartment: 甲局\ndate: 2021-{month:02}-01\nproposers: [{}]\n---\n\n正文。\n",
                proposers.join(", ")
            ),
        );
    }
    site
}

/// What each `<tag>…</tag>` of an XML file holds, in order.
fn elements<'x>(xml: &'x str, tag: &str) -> Vec<&'x str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .map(|rest| &rest[..rest.find(&close).expect("the element ends")])
        .collect()
}

/// `%E5%A7%94` as the characters it stands for.
fn percent_decoded(url: &str) -> String {
    let mut bytes = Vec::new();
    let mut rest = url.as_bytes();
    while let Some((&byte, after)) = rest.split_first() {
        let hex = after.get(..2).and_then(|hex| std::str::from_utf8(hex).ok());
        match hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
            Some(decoded) if byte == b'%' => {
                bytes.push(decoded);
                rest = &after[2..];
            }
            _ => {
                bytes.push(byte);
                rest = after;
            }
        }
    }
    String::from_utf8(bytes).expect("UTF-8 behind the escapes")
}

/// The sitemap as served: every URL it lists, decoded, in order, and the
/// files it takes (none but `sitemap.xml` while it is one). Each file
/// must be within the protocol's limits, and the index must date each
/// file by its newest page.
fn served_sitemap(server: &Server) -> (Vec<String>, Vec<String>) {
    const HOME: &str = "https://www.example.gov.cn/zxta/";
    const URLSET: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">";
    const INDEX: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">";
    let sitemap = server.get("/zxta/sitemap.xml").body;
    if sitemap.starts_with(URLSET) {
        let urls = elements(&sitemap, "loc").into_iter().map(percent_decoded);
        return (urls.collect(), Vec::new());
    }
    assert!(sitemap.starts_with(INDEX), "{sitemap}");
    let (mut urls, mut files) = (Vec::new(), Vec::new());
    for (number, entry) in (1..).zip(elements(&sitemap, "sitemap")) {
        let file = format!("sitemap-{number}.xml");
        assert_eq!(elements(entry, "loc"), [format!("{HOME}{file}")]);
        let served = server.get(&format!("/zxta/{file}"));
        assert_eq!(served.status, 200, "{file}");
        assert!(served.body.starts_with(URLSET), "{file}");
        let listed = elements(&served.body, "loc");
        assert!(listed.len() <= 50_000, "{file} lists {}", listed.len());
        assert!(served.body.len() <= 52_428_800, "{file}");
        let newest = elements(&served.body, "lastmod").into_iter().max();
        assert_eq!(
            elements(entry, "lastmod").first(),
            newest.as_ref(),
            "{file}"
        );
        urls.extend(listed.into_iter().map(percent_decoded));
        files.push(file);
    }
    (urls, files)
}

#[test]
fn past_50000_urls_the_sitemap_is_an_index_of_files_and_one_file_again_below() {
    let site = site_of_many_pages(50);
    let server = Server::start_with_patience(&site, &[], MANY_PAGES);
    // The background makes the sitemap a moment after the pages.
    let split = || server.get("/zxta/sitemap-2.xml").status == 200;
    assert!(wait_for(MANY_PAGES, split));
    let (urls, files) = served_sitemap(&server);
    assert_eq!(files, ["sitemap-1.xml", "sitemap-2.xml"]);
    // 50 replies, 50,000 members' lists, and 17 pages of the site's own
    // (home, search, stats, five indexes and three lists of three pages).
    assert_eq!(urls.len(), 50_067);
    let unique: HashSet<&String> = urls.iter().collect();
    assert_eq!(unique.len(), urls.len(), "a URL listed twice");
    let home = "https://www.example.gov.cn/zxta/";
    for reply in 0..50 {
        assert!(unique.contains(&format!("{home}r{reply}/")), "r{reply}");
        for member in [0, 999] {
            let list = format!("{home}proposers/委员{reply}之{member}/");
            assert!(unique.contains(&list), "{list}");
        }
    }

    // A reply fewer, 49,066 pages: one file, and no numbered one left.
    std::fs::remove_file(site.path("content/r0.md")).expect("a reply removed");
    let one = || server.get("/zxta/sitemap-1.xml").status == 404;
    assert!(wait_for(MANY_PAGES, one));
    assert_eq!(server.get("/zxta/sitemap-2.xml").status, 404);
    let (urls, files) = served_sitemap(&server);
    assert!(files.is_empty());
    assert_eq!(urls.len(), 49_066);
    assert!(!urls.contains(&format!("{home}r0/")));
    assert!(!urls.contains(&format!("{home}proposers/委员0之999/")));
}
