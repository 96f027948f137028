//! The deployment recipes of the README, tried for real: its nginx server
//! block, taken from README.md itself, run by Debian's nginx in front of a
//! build under a sub-path and crawled for broken links; its IIS
//! `web.config`, well-formed and covering every kind of file a build writes.
//! A recipe that breaks the server it is for fails here, not on the
//! webmaster's first day.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestSite, seed_reply};

/// README.md, as a newcomer reads it.
fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("the repository has a README")
}

/// The body of the first fenced block of `language` after the heading
/// `heading` in the README.
fn recipe(heading: &str, language: &str) -> String {
    let text = readme();
    let section = text
        .split_once(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README.md has no heading {heading}"))
        .1;
    let fence = format!("```{language}\n");
    let block = section
        .split_once(&fence)
        .unwrap_or_else(|| panic!("README.md's {heading} has no ```{language} block"))
        .1;
    block
        .split_once("\n```")
        .unwrap_or_else(|| panic!("README.md's {heading} block is never closed"))
        .0
        .to_string()
}

/// The sub-path the README's recipes publish the archive under.
const README_PATH: &str = "/zxta/";
/// The sub-path the tests publish it under: another one, so that a recipe
/// that only works at the README's own path is caught.
const SUB_PATH: &str = "/sub/";

/// A site with what a real archive has: a reply laid out as the document,
/// list pages that go on to a second page, feeds, open data, search.
fn archive_site() -> TestSite {
    let site = TestSite::new();
    site.write("config.yaml", "per_page: 2\n");
    site.write("content/2021/ta-0152.md", seed_reply());
    for (n, department) in ["常州市教育局", "常州市民政局", "常州市教育局"]
        .iter()
        .enumerate()
    {
        site.write(
            &format!("content/2022/ta-{n}.md"),
            format!(
                "---\ntitle: 关于第{n}号提案的答复\ndepartment: {department}\ndate: 2022-05-0{}\nsession: 市政协十四届六次会议\nproposers: [王爱珍]\n---\n\n正文。\n",
                n + 1
            ),
        );
    }
    site
}

/// Builds `site` for `base_url` into `output`.
fn build_into(site: &TestSite, base_url: &str, output: &Path) {
    let out = site.run(&[
        "build",
        "--base-url",
        base_url,
        "--output",
        output.to_str().expect("a UTF-8 temporary path"),
    ]);
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file of a built folder, as paths relative to it with `/`.
fn files_of(dir: &Path) -> Vec<String> {
    common::snapshot(dir)
        .into_iter()
        .map(|(path, _)| path.replace('\\', "/"))
        .collect()
}

/// The extension of a file name, with its dot: `.html`.
fn extension(path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    let dot = name.rfind('.')?;
    Some(name[dot..].to_ascii_lowercase())
}

/// Debian's nginx, if this machine has it. On CI (`CI=true`) it must: a
/// recipe check that quietly skips there proves nothing.
fn nginx() -> Option<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file());
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "nginx is not installed: scripts/setup.sh installs it (apt-get install nginx)"
        );
        eprintln!("skipped: nginx is not installed (scripts/setup.sh installs it)");
    }
    found
}

/// A free port on the loopback interface.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// `text` with `from` replaced by `to`, which must be in it: a recipe the
/// test cannot adapt is a failure, not a silently different test.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "the README's recipe no longer has `{from}`:\n{text}"
    );
    text.replace(from, to)
}

/// The README's server block, made to serve `www` on 127.0.0.1:`port` under
/// `SUB_PATH`, inside the least main configuration Debian's nginx runs
/// with as an ordinary user: everything it writes under `prefix`.
fn nginx_conf(prefix: &Path, www: &Path, port: u16) -> String {
    let block = recipe("### nginx", "nginx");
    let block = replaced(
        &block,
        "root /srv/www;",
        &format!("root {};", www.display()),
    );
    let block = replaced(
        &block,
        "server_name www.example.gov.cn;",
        &format!("listen 127.0.0.1:{port};\n    server_name www.example.gov.cn;"),
    );
    let block = replaced(&block, README_PATH, SUB_PATH);
    let p = prefix.display();
    format!(
        "daemon off;\nmaster_process off;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
         include /etc/nginx/mime.types;\n\
         default_type application/octet-stream;\n\
         access_log {p}/access.log;\n\
         client_body_temp_path {p}/body;\nproxy_temp_path {p}/proxy;\nfastcgi_temp_path {p}/fastcgi;\n\
         uwsgi_temp_path {p}/uwsgi;\nscgi_temp_path {p}/scgi;\n\
         {block}\n}}\n"
    )
}

/// An nginx that is stopped, however the test ends: no daemon is left behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP answer.
struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// `GET target` from 127.0.0.1:`port`, over HTTP/1.0 so that the answer
/// ends with the connection and is never chunked.
fn get(port: u16, target: &str) -> Answer {
    get_with(port, target, "")
}

/// `GET target` with `headers` (each line ending in CRLF) added.
fn get_with(port: u16, target: &str, headers: &str) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("nginx answers");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    write!(
        stream,
        "GET {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n"
    )
    .expect("a request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("an answer");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{target}: no HTTP head in {raw:?}"));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("{target}: no status in {head}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// A site path as a request target: every byte but unreserved ones and `/`
/// percent-encoded, as a browser sends a link to `departments/常州市教育局/`.
fn encoded(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Every `href`, `src` and `action` of a page that stays on `origin` +
/// `SUB_PATH`, as a path, without query or fragment.
fn internal_links(html: &str, origin: &str) -> Vec<String> {
    let pattern = regex::Regex::new(r#"\s(?:href|src|action)="([^"]*)""#).expect("a pattern");
    pattern
        .captures_iter(html)
        .map(|c| c[1].replace("&amp;", "&"))
        .map(|link| link.strip_prefix(origin).map(String::from).unwrap_or(link))
        .filter(|link| link.starts_with(SUB_PATH))
        .map(|link| {
            link.split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// The Content-Type a file must be served with, by its extension: text
/// says UTF-8, or a browser on a Chinese Windows reads it as GBK.
fn expected_type(path: &str) -> &'static str {
    if path.ends_with("atom.xml") {
        return "application/atom+xml; charset=utf-8";
    }
    match extension(path).as_deref() {
        Some(".html") => "text/html; charset=utf-8",
        Some(".css") => "text/css; charset=utf-8",
        Some(".js") => "application/javascript; charset=utf-8",
        Some(".xml") => "text/xml; charset=utf-8",
        Some(".json") => "application/json; charset=utf-8",
        Some(".csv") => "text/csv; charset=utf-8",
        Some(".txt") => "text/plain; charset=utf-8",
        Some(".svg") => "image/svg+xml",
        Some(".ico") => "image/x-icon",
        Some(".bin") => "application/octet-stream",
        _ => panic!("{path}: the build writes a kind of file this test does not know"),
    }
}

#[test]
fn the_readme_nginx_block_serves_a_sub_path_build_with_no_broken_link() {
    let Some(nginx) = nginx() else {
        return;
    };
    let site = archive_site();
    let prefix = tempfile::tempdir().expect("a folder for nginx");
    let www = prefix.path().join("www");
    std::fs::create_dir(&www).expect("the web root");
    let port = free_port();
    let origin = format!("http://127.0.0.1:{port}");
    let output = www.join(SUB_PATH.trim_matches('/'));
    build_into(&site, &format!("{origin}{SUB_PATH}"), &output);

    let conf = prefix.path().join("nginx.conf");
    std::fs::write(&conf, nginx_conf(prefix.path(), &www, port)).expect("nginx.conf");
    let nginx_in = |args: &[&str]| {
        let mut command = Command::new(&nginx);
        // `-e`: the log nginx writes before it has read the configuration,
        // which would otherwise be /var/log/nginx/error.log.
        command
            .arg("-p")
            .arg(prefix.path())
            .arg("-e")
            .arg(prefix.path().join("error.log"))
            .arg("-c")
            .arg(&conf)
            .args(args);
        command
    };
    let test = nginx_in(&["-t"]).output().expect("nginx -t runs");
    assert!(
        test.status.success(),
        "nginx -t refuses the README's block:\n{}",
        String::from_utf8_lossy(&test.stderr)
    );
    let _server = Server(
        nginx_in(&[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts"),
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx did not listen on {port}: {}",
            std::fs::read_to_string(prefix.path().join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // A citizen's crawl: from the archive's home page, every link and asset
    // of every page reached.
    let mut seen = BTreeSet::from([SUB_PATH.to_string()]);
    let mut queue = VecDeque::from([SUB_PATH.to_string()]);
    let mut broken = Vec::new();
    while let Some(target) = queue.pop_front() {
        let answer = get(port, &target);
        if answer.status != 200 {
            broken.push(format!("{target}: {}", answer.status));
            continue;
        }
        if !answer.header("content-type").starts_with("text/html") {
            continue;
        }
        for link in internal_links(&String::from_utf8_lossy(&answer.body), &origin) {
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    assert_eq!(broken, Vec::<String>::new(), "links that lead nowhere");
    let replies = ["2021/ta-0152/", "2022/ta-0/", "2022/ta-1/", "2022/ta-2/"];
    for reply in replies {
        let path = encoded(&format!("{SUB_PATH}{reply}"));
        assert!(seen.contains(&path), "no link leads to {path}: {seen:?}");
    }
    assert!(
        seen.iter().any(|path| path.contains("/page/2/")),
        "the crawl went through a second page of a list: {seen:?}"
    );

    // Every file the build wrote is served, with its type and charset.
    let mut wrong = Vec::new();
    for file in files_of(&output) {
        let answer = get(port, &encoded(&format!("{SUB_PATH}{file}")));
        let want = expected_type(&file);
        if answer.status != 200 || answer.header("content-type") != want {
            wrong.push(format!(
                "{file}: {} {} (want 200 {want})",
                answer.status,
                answer.header("content-type")
            ));
        }
    }
    assert_eq!(wrong, Vec::<String>::new(), "files served wrongly");

    // The search reads one shard of a pack by a range request: the block
    // must not turn ranges off (gzip or a handler would).
    let pack = files_of(&output)
        .into_iter()
        .find(|file| file.starts_with("search/g/"))
        .expect("the search index has a pack of shards");
    let bytes = std::fs::read(output.join(&pack)).expect("the pack");
    let part = get_with(
        port,
        &encoded(&format!("{SUB_PATH}{pack}")),
        "Range: bytes=0-7\r\n",
    );
    assert_eq!(part.status, 206, "{pack}: a range is not answered as one");
    assert_eq!(part.body, bytes[..8], "{pack}: the range's bytes");

    // Pages revalidate; a missing page is the archive's own 404 page.
    let home = get(port, SUB_PATH);
    assert_eq!(home.header("cache-control"), "no-cache");
    let missing = get(port, &format!("{SUB_PATH}2021/ta-9999/"));
    assert_eq!(missing.status, 404);
    assert!(
        String::from_utf8_lossy(&missing.body).contains("页面不存在"),
        "a missing page shows the archive's 404.html"
    );
}

/// Each element of an XML text, as its name and attributes, in order;
/// panics where the text is not well-formed.
fn xml_elements(text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut elements = Vec::new();
    let mut open = Vec::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("web.config is not well-formed XML: {e}\n{text}"));
        let element = match &event {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => e,
            quick_xml::events::Event::End(_) => {
                open.pop();
                continue;
            }
            quick_xml::events::Event::Eof => break,
            _ => continue,
        };
        let name = element.name().as_ref().to_string();
        let attributes = element
            .attributes()
            .map(|a| a.unwrap_or_else(|e| panic!("web.config: a broken attribute: {e}")))
            .map(|a| (a.key.as_ref().to_string(), a.value.to_string()))
            .collect();
        if matches!(event, quick_xml::events::Event::Start(_)) {
            open.push(name.clone());
        }
        elements.push((name, attributes));
    }
    assert!(open.is_empty(), "web.config leaves {open:?} open");
    elements
}

#[test]
fn the_readme_iis_web_config_is_well_formed_and_maps_every_file_the_build_writes() {
    let config = recipe("### IIS", "xml");
    let elements = xml_elements(&config);
    let attribute = |element: &(String, BTreeMap<String, String>), key: &str| {
        element.1.get(key).cloned().unwrap_or_default()
    };
    // IIS refuses a mimeMap for an extension its server already maps
    // (500.19, duplicate collection entry) unless a <remove> comes first.
    let mut removed = BTreeSet::new();
    let mut mapped = BTreeSet::new();
    for element in &elements {
        match element.0.as_str() {
            "remove" if element.1.contains_key("fileExtension") => {
                removed.insert(attribute(element, "fileExtension"));
            }
            "mimeMap" => {
                let extension = attribute(element, "fileExtension");
                assert!(
                    removed.contains(&extension),
                    "web.config maps {extension} without removing the server's mapping first"
                );
                mapped.insert(extension);
            }
            _ => {}
        }
    }

    // IIS answers 404.3 for an extension it has no type for: the recipe
    // must cover every kind of file a build writes.
    let site = archive_site();
    let output = site.path("public");
    build_into(
        &site,
        &format!("https://www.example.gov.cn{README_PATH}"),
        &output,
    );
    let files = files_of(&output);
    let written: BTreeSet<String> = files.iter().filter_map(|f| extension(f)).collect();
    let unmapped: Vec<&String> = written.difference(&mapped).collect();
    assert!(
        unmapped.is_empty(),
        "web.config has no MIME type for {unmapped:?}"
    );
    assert!(
        files.iter().all(|f| extension(f).is_some()),
        "a file without an extension, which IIS will not serve"
    );

    // Its default document and error page are files the build writes.
    let default_documents: Vec<String> = elements
        .iter()
        .filter(|e| e.0 == "add" && e.1.contains_key("value"))
        .map(|e| attribute(e, "value"))
        .collect();
    assert_eq!(default_documents, ["index.html"]);
    let error_pages: Vec<String> = elements
        .iter()
        .filter(|e| e.0 == "error")
        .map(|e| attribute(e, "path"))
        .collect();
    assert_eq!(error_pages, [format!("{README_PATH}404.html")]);
    assert!(files.contains(&"404.html".to_string()));
}
