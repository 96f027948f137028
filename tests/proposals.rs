//! Proposals through the binary: one proposal answered by a lead reply, two
//! joint replies and one withheld; its page, the links to it, the session's
//! list, the result classes, the publication timing, the warnings of
//! `dafu check` and the open data.

mod common;

use common::{TestSite, snapshot};

const SESSION: &str = "session: 市政协十五届三次会议\nproposal_id: \"0152\"\nproposal_title: 关于加快老旧小区改造的提案\nproposers: [周国平, 李红]";

fn answer(title: &str, department: &str, fields: &str) -> String {
    format!("---\ntitle: {title}\ndepartment: {department}\n{SESSION}\n{fields}\n---\n\n正文。\n")
}

/// The proposal 0152 with a lead reply, two joint replies (one written
/// 会办单位) and a withheld one, and proposal 0007 with one reply.
fn site() -> TestSite {
    let site = TestSite::new();
    site.write(
        "content/2024/lead.md",
        answer(
            "关于第0152号提案的答复",
            "市住房和城乡建设局",
            "date: 2024-06-10\ndoc_number: 住建复〔2024〕12号\nrole: 主办\nresult: A\nassigned: 2024-03-01\npublished: 2024-07-30",
        ),
    );
    site.write(
        "content/2024/joint-finance.md",
        answer(
            "关于第0152号提案的会办意见",
            "市财政局",
            "date: 2024-05-20\ndoc_number: 财复〔2024〕3号\nrole: 会办单位\nresult: B\npublished: 2024-05-10",
        ),
    );
    site.write(
        "content/2024/joint-planning.md",
        answer(
            "关于第0152号提案的会办意见",
            "市自然资源和规划局",
            "date: 2024-05-25\nrole: 会办\npublished: 2024-06-03",
        ),
    );
    site.write(
        "content/2024/withheld.md",
        answer(
            "关于第0152号提案的会办意见",
            "市城管局",
            "date: 2024-05-26\nrole: 会办\nresult: C\ndisclosure: 不予公开",
        ),
    );
    site.write(
        "content/2024/other.md",
        "---\ntitle: 关于第0007号提案的答复\ndepartment: 市财政局\ndate: 2024-06-01\nsession: 市政协十五届三次会议\nproposal_id: \"0007\"\nresult: C\n---\n\n正文。\n",
    );
    site.write(
        "content/2024/loose.md",
        "---\ntitle: 没有会议的答复\ndepartment: 市财政局\ndate: 2024-06-02\nproposal_id: \"0152\"\n---\n\n正文。\n",
    );
    site
}

const PROPOSAL: &str = "sessions/市政协十五届三次会议/0152/index.html";

/// Markup without white space, to find text across lines.
fn squeeze(html: &str) -> String {
    html.split_whitespace().collect()
}

#[test]
fn a_proposal_page_shows_every_published_answer_lead_first() {
    let site = site();
    site.build();
    let page = squeeze(&site.public(PROPOSAL));
    for expected in [
        "<h1>提案第0152号：关于加快老旧小区改造的提案</h1>",
        "周国平</a>、<ahref=\"/proposers/%E6%9D%8E%E7%BA%A2/\">李红</a>",
        "<ahref=\"/results/A/\">A类</a>（所提问题已经解决或基本解决）",
        "答复（共3件）",
    ] {
        assert!(
            page.contains(expected),
            "the proposal page lacks {expected}:\n{page}"
        );
    }
    let lead = page
        .find("主办：市住房和城乡建设局")
        .expect("the lead reply");
    let finance = page
        .find("会办：市财政局")
        .expect("a joint reply, 会办单位 read as 会办");
    let planning = page
        .find("会办：市自然资源和规划局")
        .expect("the other joint reply");
    assert!(
        lead < finance && finance < planning,
        "lead first, then by role and date"
    );
    assert!(!page.contains("市城管局"), "a withheld reply is not shown");
    assert!(site.has_public("sessions/市政协十五届三次会议/0007/index.html"));
    assert!(
        !site.public("2024/loose/index.html").contains("/0152/"),
        "a reply without a session is grouped with nothing"
    );
}

#[test]
fn each_reply_links_its_number_to_its_proposal_and_counts_the_others() {
    let site = site();
    site.build();
    for (reply, others) in [
        ("lead", "另有 2 件答复"),
        ("joint-finance", "另有 2 件答复"),
    ] {
        let page = site.public(&format!("2024/{reply}/index.html"));
        assert!(
            page.contains("<a href=\"/sessions/%E5%B8%82%E6%94%BF%E5%8D%8F%E5%8D%81%E4%BA%94%E5%B1%8A%E4%B8%89%E6%AC%A1%E4%BC%9A%E8%AE%AE/0152/\">提案第0152号</a>"),
            "{reply} links its 编号"
        );
        assert!(page.contains(others), "{reply} counts the other answers");
    }
    let other = site.public("2024/other/index.html");
    assert!(other.contains("提案第0007号</a>") && !other.contains("另有"));
    let lead = site.public("2024/lead/index.html");
    assert!(lead.contains(
        "<th scope=\"row\">交办日期</th><td><time datetime=\"2024-03-01\">2024年3月1日</time>"
    ));
    assert!(lead.contains("<th scope=\"row\">办理方式</th><td>主办</td>"));
    let planning = site.public("2024/joint-planning/index.html");
    assert!(
        !planning.contains("交办日期"),
        "only the dates a reply gives"
    );
}

#[test]
fn the_session_lists_its_proposals_by_number_and_counts_classes() {
    let site = site();
    site.build();
    let page = squeeze(&site.public("sessions/市政协十五届三次会议/index.html"));
    let seven = page.find("提案第0007号</a>").expect("0007 listed");
    let one_five_two = page.find("提案第0152号</a>").expect("0152 listed");
    assert!(seven < one_five_two, "by number");
    assert!(page.contains("关于加快老旧小区改造的提案</td><tdclass=\"number\">3件</td><td><ahref=\"/results/A/\">A类</a>"));
    assert!(page.contains("<ahref=\"/results/A/\">A类</a>1件</span><span><ahref=\"/results/B/\">B类</a>1件</span><span><ahref=\"/results/C/\">C类</a>1件</span>"));
    let department = squeeze(&site.public("departments/市财政局/index.html"));
    assert!(department.contains("B类</a>1件") && department.contains("C类</a>1件"));
}

#[test]
fn each_result_class_has_its_list_and_stats_count_it() {
    let site = site();
    site.write("config.yaml", "per_page: 1\n");
    site.write(
        "content/2024/second-a.md",
        "---\ntitle: 另一件A类\ndepartment: 市教育局\ndate: 2024-04-01\nresult: A\n---\n\n正文。\n",
    );
    site.build();
    let a = site.public("results/A/index.html");
    assert!(a.contains("<h1>A类</h1>") && a.contains("共 2 件答复"));
    assert!(site.has_public("results/A/page/2/index.html"), "paginated");
    assert!(
        !site.has_public("results/D/index.html"),
        "a class without replies has no list"
    );
    assert!(
        !site.public("results/C/index.html").contains("市城管局"),
        "withheld is not counted"
    );
    let stats = squeeze(&site.public("stats/index.html"));
    assert!(stats.contains("<ahref=\"/results/A/\">A类</a><br><spanclass=\"detail\">所提问题已经解决或基本解决</span></th><tdclass=\"number\">2</td>"));
    // Each class can be followed, as a department can.
    assert!(a.contains(
        "<a href=\"/results/A/atom.xml\" type=\"application/atom+xml\">订阅“A类”的新答复</a>"
    ));
    let feed = site.public("results/A/atom.xml");
    assert!(feed.contains("<title>A类 - "), "{feed}");
    let entries: Vec<&str> = feed
        .split("<entry>")
        .skip(1)
        .map(|entry| entry.split("</title>").next().unwrap_or_default())
        .collect();
    assert_eq!(
        entries,
        [
            "\n    <title>关于第0152号提案的答复",
            "\n    <title>另一件A类"
        ],
        "{feed}"
    );
    assert!(
        !site.public("results/C/atom.xml").contains("市城管局"),
        "withheld is not in the feed"
    );
}

#[test]
fn stats_show_how_soon_replies_were_published_in_working_days() {
    let site = site();
    site.write(
        "content/2023/late-year.md",
        "---\ntitle: 跨年的答复\ndepartment: 市教育局\ndate: 2023-12-29\npublished: 2024-01-05\n---\n\n正文。\n",
    );
    site.build();
    let stats = squeeze(&site.public("stats/index.html"));
    // 2024: the lead reply took 36 working days, the planning one 6 (Saturday
    // 25 May to Monday 3 June); the finance one, published before its date,
    // is not counted. 2023's replies count weekends only: 4 over New Year.
    for expected in [
        "规定时限为20个工作日。2023年没有内置的节假日安排，只按周末计算。",
        "<thscope=\"row\">2023年</th><tdclass=\"number\">1</td><tdclass=\"number\">1</td><tdclass=\"number\">100.0%</td><tdclass=\"number\">4</td>",
        "<thscope=\"row\">2024年</th><tdclass=\"number\">2</td><tdclass=\"number\">1</td><tdclass=\"number\">50.0%</td><tdclass=\"number\">21</td>",
        "<thscope=\"row\">市住房和城乡建设局</th><tdclass=\"number\">1</td><tdclass=\"number\">0</td><tdclass=\"number\">0.0%</td><tdclass=\"number\">36</td>",
    ] {
        assert!(
            stats.contains(expected),
            "/stats/ lacks {expected}:\n{stats}"
        );
    }
    site.write(
        "config.yaml",
        "publish_within_working_days: 40\nholidays:\n  2023:\n    rest: [2023-12-30..2024-01-01]\n    work: []\n",
    );
    site.build();
    let stats = squeeze(&site.public("stats/index.html"));
    assert!(stats.contains("规定时限为40个工作日。</p>"), "{stats}");
}

#[test]
fn check_warns_of_two_leads_and_of_late_or_early_publication() {
    let site = site();
    site.write(
        "content/2024/second-lead.md",
        answer(
            "关于第0152号提案的答复",
            "市财政局",
            "date: 2024-06-11\nrole: 牵头",
        ),
    );
    let out = site.run(&["check"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let leads: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("主办 (lead)"))
        .collect();
    assert_eq!(leads.len(), 1, "{stderr}");
    assert!(
        leads[0].contains("content/2024/lead.md")
            && leads[0].contains("content/2024/second-lead.md"),
        "both files named: {stderr}"
    );
    // Each at the line of the key it is about: `role` is on line 9 of
    // second-lead.md, `published` on lines 13 and 12 of the others.
    assert!(
        leads[0].starts_with("content/2024/second-lead.md:9:1: warning: "),
        "{stderr}"
    );
    assert!(stderr.contains(
        "content/2024/lead.md:13:1: warning: published 2024-07-30, 36 working days after its date 2024-06-10"
    ));
    assert!(stderr.contains(
        "content/2024/joint-finance.md:12:1: warning: `published` 2024-05-10 is before the reply's own date 2024-05-20"
    ));
    assert!(!stderr.contains("withheld.md"), "{stderr}");
}

#[test]
fn open_data_carries_the_proposal_key_role_and_assigned_date() {
    let site = site();
    site.build();
    let replies: serde_json::Value =
        serde_json::from_str(&site.public("data/replies.json")).unwrap();
    let lead = replies
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department"] == "市住房和城乡建设局")
        .unwrap();
    assert_eq!(lead["proposal_key"], "市政协十五届三次会议/提案/0152");
    assert_eq!(lead["role"], "主办");
    assert_eq!(lead["assigned"], "2024-03-01");
    let csv = site.public("data/replies.csv");
    assert!(csv.lines().next().unwrap().ends_with(",提案标识,交办日期"));
    assert!(csv.contains(",市政协十五届三次会议/提案/0152,2024-03-01\r\n"));

    let proposals: serde_json::Value =
        serde_json::from_str(&site.public("data/proposals.json")).unwrap();
    let proposals = proposals.as_array().unwrap();
    assert_eq!(
        proposals.len(),
        2,
        "0007 and 0152; the loose reply is in none"
    );
    let p = &proposals[1];
    assert_eq!(p["proposal_key"], "市政协十五届三次会议/提案/0152");
    assert_eq!(p["result"], "A");
    assert_eq!(p["proposal_title"], "关于加快老旧小区改造的提案");
    let urls: Vec<&str> = p["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "/2024/lead/",
            "/2024/joint-finance/",
            "/2024/joint-planning/"
        ]
    );
}

#[test]
fn a_proposal_withheld_whole_has_no_page_and_rebuilds_match_fresh_builds() {
    let site = site();
    site.build();
    let fresh_matches = |step: &str, n: usize| {
        site.build();
        let fresh = site.path(&format!("fresh-{n}"));
        let out = site.run(&["build", "--output", &fresh.to_string_lossy()]);
        assert!(out.status.success());
        let (rebuilt, fresh) = (site.snapshot(), snapshot(&fresh));
        let differ: Vec<&str> = (rebuilt.iter().zip(&fresh))
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.0.as_str())
            .collect();
        assert!(
            rebuilt.len() == fresh.len() && differ.is_empty(),
            "after {step}: {} files against {}, {differ:?}",
            rebuilt.len(),
            fresh.len()
        );
    };
    // A joint reply's class changes: the proposal, its session, its
    // department and both classes' lists change with it.
    site.write(
        "content/2024/joint-planning.md",
        answer(
            "关于第0152号提案的会办意见",
            "市自然资源和规划局",
            "date: 2024-05-25\nrole: 会办\nresult: C",
        ),
    );
    fresh_matches("a class given", 0);
    assert!(site.public(PROPOSAL).contains("办理结果：C类"));
    // The lead reply words the 案由 anew: the proposal's page and its
    // session's list take it from there, though no joint reply changed.
    site.write(
        "content/2024/lead.md",
        std::fs::read_to_string(site.path("content/2024/lead.md"))
            .unwrap()
            .replace(
                "关于加快老旧小区改造的提案",
                "关于加快老旧小区改造和加装电梯的提案",
            ),
    );
    fresh_matches("the lead's 案由 reworded", 3);
    assert!(
        site.public(PROPOSAL)
            .contains("关于加快老旧小区改造和加装电梯的提案")
    );
    assert!(
        site.public("sessions/市政协十五届三次会议/index.html")
            .contains("关于加快老旧小区改造和加装电梯的提案")
    );
    // The withheld reply published: the proposal has four answers.
    site.write(
        "content/2024/withheld.md",
        answer(
            "关于第0152号提案的会办意见",
            "市城管局",
            "date: 2024-05-26\nrole: 会办",
        ),
    );
    fresh_matches("a reply published", 1);
    assert!(
        site.public("2024/lead/index.html")
            .contains("另有 3 件答复")
    );
    // 0007's only reply withheld: its page goes.
    site.write(
        "content/2024/other.md",
        "---\ntitle: 关于第0007号提案的答复\ndepartment: 市财政局\ndate: 2024-06-01\nsession: 市政协十五届三次会议\nproposal_id: \"0007\"\ndisclosure: 不予公开\n---\n\n正文。\n",
    );
    fresh_matches("a proposal's every reply withheld", 2);
    assert!(!site.has_public("sessions/市政协十五届三次会议/0007/index.html"));
    assert!(
        !site
            .public("sessions/市政协十五届三次会议/index.html")
            .contains("0007")
    );
}

#[test]
fn the_search_filter_lists_classes_in_the_legends_order() {
    let site = site();
    let classes = |site: &TestSite| {
        let manifest: serde_json::Value =
            serde_json::from_str(&site.public("search/index.json")).unwrap();
        manifest["results"].clone()
    };
    site.write(
        "config.yaml",
        "result_legend:\n  C: 暂不能解决\n  A: 已解决\n  B: 正在解决\n",
    );
    site.build();
    assert_eq!(classes(&site), serde_json::json!(["C", "A", "B"]));
    // The same classes meaning the same, in another order: the index
    // follows, though no reply changed.
    site.write(
        "config.yaml",
        "result_legend:\n  B: 正在解决\n  C: 暂不能解决\n  A: 已解决\n",
    );
    site.build();
    assert_eq!(classes(&site), serde_json::json!(["B", "C", "A"]));
}
