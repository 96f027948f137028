//! `/stats/` end to end: the counts a citizen reads on the statistics page,
//! as the binary writes them.

mod common;

use common::{TestSite, reply};

fn with_fields(title: &str, department: &str, date: &str, fields: &str) -> String {
    reply(title, department, date).replacen("---\n\n", &format!("{fields}\n---\n\n"), 1)
}

#[test]
fn the_stats_page_counts_replies_by_year_department_result_and_kind() {
    let site = TestSite::new();
    site.write(
        "content/a.md",
        with_fields(
            "答复甲",
            "常州市教育局",
            "2021-03-01",
            "kind: 提案\nresult: A",
        ),
    );
    site.write(
        "content/b.md",
        with_fields(
            "答复乙",
            "常州市教育局",
            "2021-04-01",
            "kind: 建议\nresult: A",
        ),
    );
    site.write(
        "content/c.md",
        with_fields(
            "答复丙",
            "常州市民政局",
            "2020-05-01",
            "kind: 提案\nresult: B",
        ),
    );
    site.build();
    let stats = site.public("stats/index.html");
    let squeezed: String = stats.split_whitespace().collect();
    for expected in [
        "共公开3件答复",
        // years, oldest first, each linked to its list
        "<thscope=\"row\"><ahref=\"/years/2020/\">2020年</a></th><tdclass=\"number\">1</td><tdclass=\"number\">33.3%</td>",
        "<ahref=\"/years/2021/\">2021年</a></th><tdclass=\"number\">2</td><tdclass=\"number\">66.7%</td>",
        // departments, most replies first
        "常州市教育局</a></th><tdclass=\"number\">2</td>",
        "常州市民政局</a></th><tdclass=\"number\">1</td>",
        // result classes with the legend's words, a zero included
        "A类</a><br><spanclass=\"detail\">所提问题已经解决或基本解决</span></th><tdclass=\"number\">2</td>",
        "B类</a><br><spanclass=\"detail\">所提问题正在解决或已列入计划逐步解决</span></th><tdclass=\"number\">1</td>",
        "D类<br><spanclass=\"detail\">所提问题留作参考</span></th><tdclass=\"number\">0</td>",
        // kinds
        "<thscope=\"row\">提案</th><tdclass=\"number\">2</td>",
        "<thscope=\"row\">建议</th><tdclass=\"number\">1</td>",
    ] {
        assert!(squeezed.contains(expected), "/stats/ lacks {expected}");
    }
    assert!(
        squeezed.find("2020年").unwrap() < squeezed.find("2021年").unwrap(),
        "years read as a timeline"
    );
    assert!(
        squeezed.find("常州市教育局").unwrap() < squeezed.find("常州市民政局").unwrap(),
        "the busiest department first"
    );
    // The chart is drawn at build time, a label in text and an SVG bar for
    // each row: the longest bar takes 80 %, the others their share of it,
    // and no script is needed to see it.
    assert_eq!(
        stats.matches("<svg").count(),
        2 + 2 + 4 + 2,
        "a bar per row"
    );
    assert!(squeezed.contains(
        "<li><spanclass=\"bar-label\">2020年</span><svgclass=\"bar\"focusable=\"false\"width=\"100%\"height=\"1.5em\"><rectx=\"0\"y=\"0.25em\"width=\"40.0%\""
    ));
    assert!(squeezed.contains("<spanclass=\"bar-label\">2021年</span>"));
    assert!(stats.contains("<rect x=\"0\" y=\"0.25em\" width=\"80.0%\""));
    assert!(!stats.contains("<script>"));
    assert!(
        site.public("index.html")
            .contains("<a href=\"/stats/\">统计图表</a>"),
        "the home page links to the statistics"
    );
}

#[test]
fn an_empty_archive_has_a_stats_page_of_zeros() {
    let site = TestSite::new();
    site.build();
    let stats = site.public("stats/index.html");
    assert!(stats.contains("共公开 0 件答复"), "{stats}");
    assert!(!stats.contains("NaN"));
}
