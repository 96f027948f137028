//! Publishing to a government website, end to end: a column under a
//! sub-path, the files that make it findable and reusable, the meta tags the
//! page specification asks for, and output that is the same byte for byte
//! wherever and however often it is built.

mod common;

use common::{TestSite, reply, snapshot};

const GOV_BASE: &str = "https://www.example.gov.cn/zxta/";

/// A reply with the fields feeds, data files and meta tags show.
fn full_reply(title: &str, department: &str, date: &str, proposer: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndepartment: {department}\ndate: {date}\nsession: 市政协十四届五次会议\nproposal_id: \"0152\"\nproposers: [{proposer}]\ndoc_number: 常工信复〔2021〕第{date}号\nkeywords: [中小企业, 营商环境]\ncc: [市政府办公室, 市政协提案委]\n---\n\n{body}\n"
    )
}

/// Every `href`, `src` and `action` value of a page.
fn links_of(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attr in [" href=\"", " src=\"", " action=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = &html[at + attr.len()..];
            links.push(value[..value.find('"').unwrap()].to_string());
        }
    }
    links
}

/// What a page shows: the text of its body, without tags.
fn visible_text(html: &str) -> String {
    let body = &html[html.find("<body").unwrap()..];
    regex::Regex::new(r"<[^>]*>")
        .unwrap()
        .replace_all(body, " ")
        .into_owned()
}

/// Every file of the built site that is HTML, as (path, text).
fn html_pages(site: &TestSite) -> Vec<(String, String)> {
    site.snapshot()
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

fn sub_path_site() -> TestSite {
    let site = TestSite::new();
    site.write("config.yaml", format!("base_url: {GOV_BASE}\n"));
    site.write(
        "content/2021/ta-0152.md",
        full_reply(
            "关于中小企业的答复",
            "常州市工业和信息化局",
            "2021-06-10",
            "周国平",
            "正文。",
        ),
    );
    site.write(
        "content/2021/ta-0153.md",
        full_reply(
            "关于营商环境的答复",
            "常州市发展和改革委员会",
            "2021-06-12",
            "王爱珍",
            "参见[第0152号提案的答复](/2021/ta-0152/)与[数据](/data/replies.csv)。",
        ),
    );
    site
}

#[test]
fn under_a_sub_path_every_link_asset_form_feed_and_sitemap_url_carries_it() {
    let site = sub_path_site();
    site.build();
    for (path, html) in html_pages(&site) {
        for link in links_of(&html) {
            assert!(
                link.starts_with("/zxta/") || link.starts_with(GOV_BASE) || link.starts_with('#'),
                "{path} links to {link}, outside the sub-path"
            );
        }
    }
    let body_page = site.public("2021/ta-0153/index.html");
    assert!(
        body_page.contains("href=\"/zxta/2021/ta-0152/\""),
        "a root-relative link in a body gets the base path"
    );
    assert!(body_page.contains("href=\"/zxta/data/replies.csv\""));
    for file in ["atom.xml", "sitemap.xml", "robots.txt"] {
        let text = site.public(file);
        for url in text
            .split(['"', '<', '>', ' ', '\n'])
            .filter(|s| s.starts_with("http"))
        {
            let schema = url.starts_with("http://www.w3.org/")
                || url.starts_with("http://www.sitemaps.org/schemas/");
            assert!(schema || url.starts_with(GOV_BASE), "{file} gives {url}");
            assert!(!url.contains("/zxta/zxta/"), "{url}");
        }
    }
    assert!(site.public("atom.xml").contains(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{GOV_BASE}2021/ta-0153/\"/>"
    )));
}

#[test]
fn base_url_on_the_command_line_replaces_the_configured_one_for_one_build() {
    let site = sub_path_site();
    let out = site.run(&["build", "--base-url", "https://zwgk.example.gov.cn/a/b"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = site.public("2021/ta-0153/index.html");
    assert!(
        page.contains("href=\"/a/b/2021/ta-0152/\""),
        "body links too"
    );
    assert!(page.contains("href=\"/a/b/style.css\""));
    assert!(
        !page.contains("/zxta/"),
        "nothing of config.yaml's base_url is left"
    );
    assert!(
        site.public("sitemap.xml")
            .contains("<loc>https://zwgk.example.gov.cn/a/b/2021/ta-0153/</loc>")
    );
    site.build();
    assert!(
        site.public("2021/ta-0153/index.html")
            .contains("href=\"/zxta/2021/ta-0152/\""),
        "the next build is back on config.yaml's"
    );
}

#[test]
fn the_sitemap_lists_every_page_dated_by_content_and_robots_txt_points_to_it() {
    let site = TestSite::new();
    site.write(
        "config.yaml",
        format!("base_url: {GOV_BASE}\nper_page: 1\n"),
    );
    site.write("content/a.md", reply("答复甲", "甲局", "2021-03-01"));
    site.write(
        "content/b.md",
        "---\ntitle: 答复乙\ndepartment: 甲局\ndate: 2021-03-05\npublished: 2021-04-01\n---\n正文。\n",
    );
    site.write("content/c.md", reply("答复丙", "乙局", "2019-01-01"));
    site.build();
    let sitemap = site.public("sitemap.xml");
    assert!(sitemap.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    let url = |path: &str, lastmod: &str| {
        format!("<url><loc>{GOV_BASE}{path}</loc><lastmod>{lastmod}</lastmod></url>")
    };
    for expected in [
        url("", "2021-04-01"),
        url("a/", "2021-03-01"),
        url("b/", "2021-04-01"),
        url("c/", "2019-01-01"),
        url("years/", "2021-04-01"),
        url("years/2021/", "2021-04-01"),
        url("years/2021/page/2/", "2021-03-01"),
        url("departments/%E4%B9%99%E5%B1%80/", "2019-01-01"),
        url("search/", "2021-04-01"),
    ] {
        assert!(sitemap.contains(&expected), "sitemap lacks {expected}");
    }
    // Every HTML page but 404.html is listed.
    let pages = html_pages(&site).len();
    assert_eq!(sitemap.matches("<url>").count(), pages - 1);
    assert!(!sitemap.contains("404"));
    assert_eq!(
        site.public("robots.txt"),
        format!("User-agent: *\nDisallow:\n\nSitemap: {GOV_BASE}sitemap.xml\n")
    );
}

#[test]
fn the_atom_feed_gives_the_latest_fifty_replies_dated_by_content() {
    let site = TestSite::new();
    site.write("config.yaml", format!("base_url: {GOV_BASE}\n"));
    for n in 1..=55 {
        let date = format!("2021-{:02}-{:02}", 1 + n / 28, 1 + n % 28);
        site.write(
            &format!("content/r{n:02}.md"),
            reply(&format!("答复{n:02}"), "甲局", &date),
        );
    }
    site.build();
    let feed = site.public("atom.xml");
    assert_eq!(feed.matches("<entry>").count(), 50);
    assert!(feed.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""
    ));
    // The newest reply, r55, is dated 2021-02-28: so is the feed.
    assert!(feed.contains("<updated>2021-02-28T00:00:00+08:00</updated>"));
    let first = feed.find("<entry>").unwrap();
    assert!(feed[first..].contains(&format!("<id>{GOV_BASE}r55/</id>")));
    assert!(feed.contains("<title>答复06</title>"));
    assert!(
        !feed.contains("<title>答复05</title>"),
        "only the latest 50"
    );
    assert!(feed.contains(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{GOV_BASE}atom.xml\"/>"
    )));
    assert!(feed.contains("<summary>正文。</summary>"));
    let home = site.public("index.html");
    assert!(
        home.contains(
            "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/zxta/atom.xml\""
        )
    );
}

#[test]
fn each_department_session_and_proposer_has_a_feed_linked_from_its_page() {
    let site = sub_path_site();
    site.write(
        "config.yaml",
        format!("base_url: {GOV_BASE}\nslugs:\n  departments:\n    常州市工业和信息化局: gxj\n"),
    );
    // 王爱珍 has three replies, enough to follow; 周国平 one.
    for (n, date) in [(4, "2021-06-01"), (5, "2021-06-02")] {
        site.write(
            &format!("content/2020/ta-015{n}.md"),
            full_reply(
                &format!("关于物流的答复{n}"),
                "常州市交通运输局",
                date,
                "王爱珍",
                "正文。",
            ),
        );
    }
    site.build();
    let feed = site.public("departments/gxj/atom.xml");
    assert!(feed.contains("<title>关于中小企业的答复</title>"));
    assert!(
        !feed.contains("关于营商环境的答复"),
        "only its department's replies"
    );
    assert!(feed.contains("<updated>2021-06-10T00:00:00+08:00</updated>"));
    assert!(feed.contains(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{GOV_BASE}departments/gxj/\"/>"
    )));
    let page = site.public("departments/gxj/index.html");
    assert!(page.contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\"/zxta/departments/gxj/atom.xml\""));
    assert!(
        page.contains("<a href=\"/zxta/departments/gxj/atom.xml\" type=\"application/atom+xml\">订阅“常州市工业和信息化局”的新答复</a>"),
        "a visible link to follow the department, in words a citizen reads"
    );
    // `Atom` is a format's name, no word of the citizens': no page shows it.
    for (path, html) in html_pages(&site) {
        let text = visible_text(&html);
        assert!(!text.contains("Atom"), "{path} shows Atom: {text}");
    }
    let member = site.public("proposers/王爱珍/atom.xml");
    assert!(member.contains("关于营商环境的答复") && !member.contains("关于中小企业的答复"));
    assert!(
        site.public("proposers/王爱珍/index.html")
            .contains("<a href=\"/zxta/proposers/%E7%8E%8B%E7%88%B1%E7%8F%8D/atom.xml\"")
    );
    assert!(
        !site.has_public("proposers/周国平/atom.xml"),
        "a member with fewer than three replies has no feed"
    );
    assert!(
        !site
            .public("proposers/周国平/index.html")
            .contains("atom.xml\" type"),
        "nor a link to one"
    );
    assert!(
        site.public("sessions/市政协十四届五次会议/atom.xml")
            .matches("<entry>")
            .count()
            == 4
    );
    assert!(
        !site.has_public("years/2021/atom.xml"),
        "a year is not followed"
    );
    assert!(
        !site
            .public("years/2021/index.html")
            .contains("atom.xml\" type")
    );
}

#[test]
fn replies_json_holds_every_published_reply_with_its_metadata_url_and_text() {
    let site = sub_path_site();
    site.write(
        "content/secret.md",
        "---\ntitle: 不予公开\ndepartment: 甲局\ndate: 2021-01-01\ndisclosure: 不予公开\n---\n机密。\n",
    );
    site.write(
        "content/year-only.md",
        "---\ntitle: 只有年度\ndepartment: 乙局\nyear: 2020\nrole: 会办\nkind: 建议\n---\n## 一、标题\n\n第一段。\n",
    );
    site.build();
    let text = site.public("data/replies.json");
    let replies: serde_json::Value = serde_json::from_str(&text).unwrap();
    let replies = replies.as_array().unwrap();
    assert_eq!(replies.len(), 3, "withheld replies are not open data");
    assert_eq!(
        text.lines().count(),
        5,
        "one reply per line between [ and ]"
    );
    let first = &replies[0];
    // serde_json's map sorts keys: read their order from the text.
    let line = text.lines().nth(1).unwrap();
    let mut keys: Vec<(usize, &str)> = first
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (line.find(&format!("\"{k}\":")).unwrap(), k.as_str()))
        .collect();
    keys.sort();
    let keys: Vec<&str> = keys.into_iter().map(|(_, k)| k).collect();
    assert_eq!(
        keys,
        [
            "title",
            "doc_number",
            "session",
            "proposal_id",
            "kind",
            "proposal_title",
            "proposers",
            "department",
            "date",
            "year",
            "role",
            "result",
            "signer",
            "handler",
            "phone",
            "cc",
            "index_number",
            "topic",
            "keywords",
            "published",
            "url",
            "addressee",
            "cc_report",
            "proposal_key",
            "assigned",
            "body_text"
        ]
    );
    assert_eq!(first["title"], "关于营商环境的答复");
    assert_eq!(first["proposal_id"], "0152");
    assert_eq!(first["kind"], "提案");
    assert_eq!(first["proposers"], serde_json::json!(["王爱珍"]));
    assert_eq!(first["date"], "2021-06-12");
    assert_eq!(first["year"], 2021);
    assert_eq!(
        first["role"],
        serde_json::Value::Null,
        "no role the reply does not state"
    );
    assert_eq!(first["result"], serde_json::Value::Null);
    assert_eq!(
        first["cc"],
        serde_json::json!(["市政府办公室", "市政协提案委"])
    );
    assert_eq!(first["published"], "2021-06-12");
    assert_eq!(first["url"], format!("{GOV_BASE}2021/ta-0153/"));
    assert_eq!(first["body_text"], "参见第0152号提案的答复与数据。");
    let year_only = &replies[2];
    assert_eq!(year_only["date"], serde_json::Value::Null);
    assert_eq!(year_only["published"], serde_json::Value::Null);
    assert_eq!(year_only["year"], 2020);
    assert_eq!(year_only["role"], "会办");
    assert_eq!(year_only["kind"], "建议");
    assert_eq!(year_only["body_text"], "一、标题\n第一段。");
    assert!(!text.contains("机密"));
}

#[test]
fn replies_csv_is_utf8_with_a_bom_and_quoted_as_rfc_4180() {
    let site = sub_path_site();
    site.write(
        "content/2021/quoted.md",
        "---\ntitle: '关于\"专精特新\"企业, 融资的答复'\ndepartment: 甲局\ndate: 2021-01-01\nproposers: [张三, 李四]\n---\n正文。\n",
    );
    site.build();
    let bytes = std::fs::read(site.path("public/data/replies.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM, for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    // Office staff open it in Excel: the header is Chinese, each column
    // named as its field is in a reply (the JSON keeps the keys).
    assert!(
        text.starts_with("标题,文号,会议,编号,类型,案由,提案人,办理单位,成文日期,年度,办理方式,办理结果,签发人,经办人,联系电话,抄送,索引号,主题分类,主题词,发布日期,网址,主送,抄报,提案标识,交办日期\r\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "\"关于\"\"专精特新\"\"企业, 融资的答复\",,,,,,张三、李四,甲局,2021-01-01,2021,,"
        ),
        "{text}"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][0], "关于营商环境的答复");
    assert_eq!(&rows[0][3], "0152", "leading zeros kept");
    assert_eq!(&rows[0][15], "市政府办公室、市政协提案委");
    assert_eq!(&rows[0][18], "中小企业、营商环境");
    assert_eq!(&rows[0][20], format!("{GOV_BASE}2021/ta-0153/"));
    assert_eq!(&rows[2][0], "关于\"专精特新\"企业, 融资的答复");
}

#[test]
fn pages_carry_the_government_meta_tags_canonical_and_open_graph() {
    let site = sub_path_site();
    site.write(
        "config.yaml",
        format!("base_url: {GOV_BASE}\ngov:\n  site_name: 常州市人民政府\n  site_domain: www.changzhou.gov.cn\n  site_id_code: \"3204000001\"\n  column_name: 建议提案办理\n  column_type: \"\"\n"),
    );
    let long_body = "您提出的建议收悉。".repeat(30);
    site.write(
        "content/2021/long.md",
        full_reply("长答复", "甲局", "2021-07-01", "周国平", &long_body),
    );
    site.build();
    let page = site.public("2021/long/index.html");
    for expected in [
        "<meta name=\"SiteName\" content=\"常州市人民政府\">",
        "<meta name=\"SiteDomain\" content=\"www.changzhou.gov.cn\">",
        "<meta name=\"SiteIDCode\" content=\"3204000001\">",
        "<meta name=\"ColumnName\" content=\"建议提案办理\">",
        "<meta name=\"ArticleTitle\" content=\"长答复\">",
        "<meta name=\"PubDate\" content=\"2021-07-01 00:00\">",
        "<meta name=\"ContentSource\" content=\"甲局\">",
        "<meta name=\"Keywords\" content=\"中小企业,营商环境\">",
        "<link rel=\"canonical\" href=\"https://www.example.gov.cn/zxta/2021/long/\">",
        "<meta property=\"og:url\" content=\"https://www.example.gov.cn/zxta/2021/long/\">",
        "<meta property=\"og:title\" content=\"长答复\">",
        "<meta property=\"og:type\" content=\"article\">",
    ] {
        assert!(page.contains(expected), "the reply page lacks {expected}");
    }
    assert!(
        !page.contains("ColumnType"),
        "an empty setting gives no tag"
    );
    let description: String = long_body.chars().take(120).collect();
    assert!(page.contains(&format!(
        "<meta name=\"Description\" content=\"{description}…\">"
    )));
    assert!(page.contains(&format!(
        "<meta property=\"og:description\" content=\"{description}…\">"
    )));

    let term = site.public("departments/甲局/index.html");
    assert!(term.contains("<meta name=\"SiteName\" content=\"常州市人民政府\">"));
    assert!(term.contains("<meta name=\"ColumnName\" content=\"建议提案办理\">"));
    assert!(!term.contains("ArticleTitle"), "only a reply is an article");
    assert!(term.contains("<link rel=\"canonical\" href=\"https://www.example.gov.cn/zxta/departments/%E7%94%B2%E5%B1%80/\">"));
    assert!(
        !site.public("404.html").contains("canonical"),
        "404.html is served at any URL"
    );

    // Without a host in base_url, the canonical link is a path and og:url is left out.
    site.write("config.yaml", "base_url: /zxta/\n");
    site.build();
    let page = site.public("2021/long/index.html");
    assert!(page.contains("<link rel=\"canonical\" href=\"/zxta/2021/long/\">"));
    assert!(!page.contains("og:url"));
    assert!(!page.contains("SiteName"), "no gov settings, no gov tags");
}

/// The items of a page's footer list of who runs the site, as text.
fn site_owner(page: &str) -> Vec<String> {
    let Some(start) = page.find("<ul class=\"site-owner\">") else {
        return Vec::new();
    };
    let list = &page[start..start + page[start..].find("</ul>").unwrap()];
    list.split("<li>")
        .skip(1)
        .map(|item| item[..item.find("</li>").unwrap()].trim().to_string())
        .collect()
}

#[test]
fn every_page_names_who_runs_the_site_in_its_footer() {
    let site = sub_path_site();
    site.write(
        "config.yaml",
        format!(
            "base_url: {GOV_BASE}\ngov:\n  site_id_code: \"3204000001\"\n  owner: 常州市人民政府办公室\n  operator: 常州市大数据管理中心\n  icp_record: 苏ICP备05012345号\n  police_record: 苏公网安备32041102000123号\n  contact: 0519-85681234\n"
        ),
    );
    site.build();
    let expected = [
        "主办单位：常州市人民政府办公室",
        "承办单位：常州市大数据管理中心",
        "联系方式：0519-85681234",
        "网站标识码：3204000001",
        "<a href=\"https://beian.miit.gov.cn/\">苏ICP备05012345号</a>",
        "<a href=\"https://beian.mps.gov.cn/\">苏公网安备32041102000123号</a>",
    ];
    for (path, page) in html_pages(&site) {
        assert_eq!(site_owner(&page), expected, "the footer of {path}");
    }

    // Each line only when it is set; none at all when nothing is.
    site.write(
        "config.yaml",
        format!("base_url: {GOV_BASE}\ngov:\n  owner: 常州市人民政府办公室\n"),
    );
    site.build();
    assert_eq!(
        site_owner(&site.public("index.html")),
        ["主办单位：常州市人民政府办公室"]
    );
    site.write("config.yaml", format!("base_url: {GOV_BASE}\n"));
    site.build();
    let home = site.public("index.html");
    assert!(
        !home.contains("site-owner") && !home.contains("主办单位"),
        "{home}"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes_in_any_folder() {
    let site = sub_path_site();
    for n in 0..30 {
        site.write(
            &format!("content/2020/r{n}.md"),
            full_reply(
                &format!("答复{n}"),
                &format!("局{}", n % 7),
                &format!("2020-0{}-1{}", 1 + n % 9, n % 10),
                &format!("委员{}", n % 5),
                "正文[链接](/2021/ta-0152/)。",
            ),
        );
    }
    // A template that walks maps: Tera's own hash maps would order them anew in every run.
    let legend: String = (b'A'..=b'P')
        .map(|c| format!("  {}: 结果{}\n", c as char, c as char))
        .collect();
    site.write(
        "config.yaml",
        format!("base_url: {GOV_BASE}\nresult_legend:\n{legend}"),
    );
    site.write(
        "templates/search.html",
        "{% extends \"base.html\" %}{% block content %}<dl>{% for code, meaning in site.legend %}<dt>{{ code }}</dt><dd>{{ meaning }}</dd>{% endfor %}</dl>{% endblock content %}",
    );
    site.build();
    let first = site.snapshot();
    let elsewhere = site.path("out/second");
    let out = site.run(&["build", "--output", elsewhere.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(
        snapshot(&elsewhere),
        first,
        "a second build into another folder"
    );

    let copy = tempfile::tempdir().unwrap();
    let copied = copy.path().join("another/site");
    for (path, bytes) in snapshot(site.root()) {
        if path.starts_with("content") || path.starts_with("templates") || path == "config.yaml" {
            let to = copied.join(&path);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(to, bytes).unwrap();
        }
    }
    let out = common::dafu()
        .arg("--root")
        .arg(&copied)
        .arg("build")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        snapshot(&copied.join("public")),
        first,
        "a build of a copy elsewhere"
    );
    let search = site.public("search/index.html");
    let order: Vec<usize> = (b'A'..=b'P')
        .map(|c| search.find(&format!("<dt>{}</dt>", c as char)).unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "maps keep their order"
    );
}

#[test]
fn a_theme_without_feed_templates_gets_the_default_ones() {
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    site.use_plain_theme();
    site.build();
    assert!(site.public("atom.xml").contains("<title>答复甲</title>"));
    assert!(site.public("sitemap.xml").contains("<loc>/a/</loc>"));
    assert!(site.has_public("robots.txt"));
    site.write(
        "themes/plain/templates/robots.txt",
        "User-agent: *\nDisallow: /\n",
    );
    site.build();
    assert_eq!(site.public("robots.txt"), "User-agent: *\nDisallow: /\n");
}

/// `dafu build ARGS…` started, not waited for, its output piped.
fn spawn_build(site: &TestSite, args: &[&str]) -> std::process::Child {
    common::dafu()
        .arg("--root")
        .arg(site.root())
        .arg("build")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dafu runs")
}

/// A site of a few dozen replies, so that a build takes a moment.
fn some_replies() -> TestSite {
    let site = TestSite::new();
    for n in 0..40 {
        site.write(
            &format!("content/2021/r{n}.md"),
            reply(&format!("答复{n}"), &format!("局{}", n % 5), "2021-03-01"),
        );
    }
    site
}

/// Builds started together take turns: each exits 0, none trips over
/// another's folders, and what is left is what one build gives.
#[test]
fn builds_started_together_take_turns_and_leave_a_whole_site() {
    let site = some_replies();
    site.build();
    site.write(
        "content/2021/r0.md",
        reply("改过的答复", "局0", "2021-03-01"),
    );
    let builds: Vec<_> = (0..4).map(|_| spawn_build(&site, &[])).collect();
    for build in builds {
        let out = build.wait_with_output().expect("a build ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("cannot"), "{stderr}");
    }
    let fresh = site.path("fresh");
    assert!(
        site.run(&["build", "--output", &fresh.to_string_lossy()])
            .status
            .success()
    );
    assert_eq!(site.snapshot(), snapshot(&fresh));
    assert!(site.public("2021/r0/index.html").contains("改过的答复"));
}

/// While a build holds the output (here the test holds its lock), another
/// says it waits, and goes on when the first is done.
#[test]
fn a_build_waits_for_the_one_running_and_says_so() {
    let site = some_replies();
    site.build();
    let lock = std::fs::File::open(site.path(".dafu/public/lock")).expect("the lock file");
    lock.lock().expect("the test holds the lock");
    let mut waiting = spawn_build(&site, &[]);
    // Its first line, read as it comes: that it waits.
    let stderr = waiting.stderr.take().expect("stderr");
    let (said, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Every line is read, so that the build never writes to a closed pipe.
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
            let _ = said.send(line.unwrap_or_default());
        }
    });
    let first = heard
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the second build says something while it waits");
    let public = site.path("public");
    assert_eq!(
        first,
        format!(
            "waiting for another build of {} to finish",
            public.display()
        )
    );
    assert!(
        waiting.try_wait().expect("a status").is_none(),
        "the second build did not wait"
    );
    drop(lock);
    let out = waiting.wait_with_output().expect("a build ends");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("built "));
}

/// The lock is the system's: a build killed while it holds it leaves none.
#[cfg(unix)]
#[test]
fn a_build_killed_leaves_no_lock_behind() {
    let site = some_replies();
    site.build();
    for pause in [0, 50, 150] {
        let mut build = spawn_build(&site, &[]);
        std::thread::sleep(std::time::Duration::from_millis(pause));
        let pid = i32::try_from(build.id()).expect("a pid");
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        build.wait().expect("a status");
        let next = spawn_build(&site, &[])
            .wait_with_output()
            .expect("a build ends");
        let stderr = String::from_utf8_lossy(&next.stderr);
        assert!(next.status.success(), "{stderr}");
        assert!(!stderr.contains("waiting"), "{stderr}");
    }
}

/// `--output` through a link builds into the folder it leads to, build after
/// build, and the link stays a link.
#[cfg(unix)]
#[test]
fn an_output_through_a_link_is_built_where_it_leads_and_stays_a_link() {
    let site = some_replies();
    let deploy = site.path("deploy");
    std::fs::create_dir(&deploy).unwrap();
    let link = site.path("out");
    std::os::unix::fs::symlink(&deploy, &link).unwrap();
    for _ in 0..3 {
        let out = site.run(&["build", "--output", &link.to_string_lossy()]);
        assert!(out.status.success(), "{out:?}");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(deploy.join("2021/r1/index.html").is_file());
    }
}

/// Only a new or empty folder, or one dafu built, is replaced: a link to a
/// folder of someone's files, a home folder with an index.html, an older
/// dafu's build, a folder made again where a build was.
#[cfg(unix)]
#[test]
fn only_a_folder_dafu_built_is_replaced_and_others_are_left_as_they_were() {
    let site = some_replies();
    let home = site.path("home");
    let everything = || snapshot(site.root());
    site.write("deploy/precious.txt", "我的");
    site.write("deploy/index.html", "<p>另一个网站</p>");
    std::os::unix::fs::symlink(site.path("deploy"), site.path("out")).unwrap();
    site.write("home/.ssh/id_ed25519", "秘密");
    site.write("home/index.html", "<p>我的主页</p>");
    // An older dafu kept the build before last beside its output.
    site.write("old/index.html", "<p>旧版构建</p>");
    site.write(".old.previous/index.html", "<p>更旧的构建</p>");
    let before = everything();
    for output in ["out", "deploy", "home", "old"] {
        let out = site.run(&["build", "--output", &site.path(output).to_string_lossy()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--output {output}: {stderr}");
        assert!(stderr.contains("no record of building"), "{stderr}");
        let chinese = site.run(&[
            "--lang",
            "zh",
            "build",
            "--output",
            &site.path(output).to_string_lossy(),
        ]);
        let chinese = String::from_utf8_lossy(&chinese.stderr);
        assert!(chinese.contains("没有 dafu 生成它的记录"), "{chinese}");
        assert!(stderr.contains("delete the folder"), "{stderr}");
        assert_eq!(
            stderr.contains("and the .old.* files beside it"),
            output == "old",
            "{stderr}"
        );
        assert_eq!(everything(), before, "--output {output} changed something");
        assert!(!site.path(".dafu").exists());
    }
    assert!(home.join(".ssh/id_ed25519").is_file());

    // Emptied, the old build's folder is dafu's from then on.
    std::fs::remove_file(site.path("old/index.html")).unwrap();
    for _ in 0..2 {
        let out = site.run(&["build", "--output", &site.path("old").to_string_lossy()]);
        assert!(out.status.success(), "{out:?}");
    }
    // A folder made again where dafu's build was is not its build.
    std::fs::remove_dir_all(site.path("old")).unwrap();
    site.write("old/notes.txt", "新的笔记");
    let out = site.run(&["build", "--output", &site.path("old").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(site.path("old/notes.txt").is_file());
}

/// A build that fails leaves no folder behind it made: not the output, not
/// the folder it was writing.
#[test]
fn a_first_build_that_fails_leaves_no_folder_it_made() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        "---\ntitle: 答复甲\ndepartment: 甲局\ndate: 2021-01-01\n---\n\n见[答复乙](/b/)。\n",
    );
    let stderr = site.build_fails();
    assert!(stderr.contains("/b/"), "{stderr}");
    let mut left: Vec<String> = walkdir::WalkDir::new(site.root())
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(site.root())
                .unwrap()
                .display()
                .to_string()
        })
        .filter(|path| !path.starts_with("content"))
        .filter(|path| {
            !path.ends_with(".index") && !path.ends_with("bodies") && !path.ends_with("lines")
        })
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            ".dafu",
            ".dafu/public",
            ".dafu/public/folders",
            ".dafu/public/lock"
        ]
    );
}

/// Nothing from outside the site's folder is published: a link to a file
/// or folder outside it, in content/, static/, templates/ or a theme, is a
/// problem naming the link, in `build` and `check` alike, and public/
/// stays as it was. A link that stays inside the site is followed.
#[cfg(unix)]
#[test]
fn links_that_lead_outside_the_site_are_problems_and_links_inside_are_followed() {
    use std::os::unix::fs::symlink;
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("passwd");
    std::fs::write(&secret, "root:x:0:0:SECRET-ROOT").unwrap();
    std::fs::create_dir(elsewhere.path().join("docs")).unwrap();
    std::fs::write(elsewhere.path().join("docs/a.txt"), "SECRET-DOCS").unwrap();
    std::fs::write(
        elsewhere.path().join("r.md"),
        reply("SECRET-REPLY", "甲局", "2021-01-01"),
    )
    .unwrap();
    let site = TestSite::new();
    site.write("content/a.md", reply("答复甲", "甲局", "2021-01-01"));
    // Inside the site: followed.
    site.write("shared/b.md", reply("共享的答复", "乙局", "2021-01-02"));
    symlink(site.path("shared/b.md"), site.path("content/b.md")).unwrap();
    site.write("assets/logo.txt", "标志");
    site.write("static/.keep", "");
    symlink(site.path("assets"), site.path("static/assets")).unwrap();
    site.build();
    assert!(site.public("b/index.html").contains("共享的答复"));
    assert_eq!(site.public("assets/logo.txt"), "标志");
    let before = site.snapshot();

    site.write(".git/config", "[remote] url = https://token@example.com/");
    let links = [
        ("static/passwd", secret.clone()),
        ("static/docs", elsewhere.path().join("docs")),
        ("content/r.md", elsewhere.path().join("r.md")),
        ("templates/footer.html", secret.clone()),
        ("static/config", site.path(".git/config")),
    ];
    for (link, target) in &links {
        std::fs::create_dir_all(site.path(link).parent().unwrap()).unwrap();
        symlink(target, site.path(link)).unwrap();
    }
    for command in ["build", "check"] {
        let out = site.run(&[command]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        for (link, _) in &links {
            assert!(
                stderr.contains(&format!("{link}: a symbolic link to ")),
                "{command} {link}: {stderr}"
            );
        }
        assert!(stderr.contains("outside the site's folder"), "{stderr}");
    }
    let chinese = site.run(&["--lang", "zh", "build"]);
    let stderr = String::from_utf8_lossy(&chinese.stderr);
    assert!(
        stderr.contains("static/passwd：这是指向") || stderr.contains("static/passwd: 这是指向"),
        "{stderr}"
    );
    assert_eq!(site.snapshot(), before);
    let written: String = snapshot(site.root())
        .into_iter()
        .filter(|(path, _)| !path.starts_with(".git"))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    assert!(!written.contains("SECRET") && !written.contains("token@"));

    // A theme folder that is a link to elsewhere is outside too.
    for (link, _) in &links {
        std::fs::remove_file(site.path(link)).unwrap();
    }
    let theme = elsewhere.path().join("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::write(theme.join("templates/index.html"), "SECRET-THEME").unwrap();
    site.write("config.yaml", "theme: linked\n");
    std::fs::create_dir(site.path("themes")).unwrap();
    symlink(&theme, site.path("themes/linked")).unwrap();
    let stderr = site.build_fails();
    assert!(
        stderr.contains("themes/linked/templates: a symbolic link to"),
        "{stderr}"
    );
    assert_eq!(site.snapshot(), before);
}
