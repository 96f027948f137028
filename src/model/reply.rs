//! `Reply`: one answer to a proposal or suggestion, read from one Markdown
//! file with YAML front matter, typed and validated.
//!
//! Parsing a file yields the reply or every problem in it, each naming the
//! line. A reply knows nothing of the other replies: uniqueness of 文号 and of
//! URLs is the archive's business.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use indexmap::IndexMap;

use jiff::civil::Date;
use rust_i18n::t;
use serde::Serialize;
use serde_yaml::Value;

use crate::ground::problem::Problem;
use crate::model::body::{Bodies, Body};

/// Every front matter field, declared once: its key and its Chinese alias
/// (a reply may write either; the open data's JSON names it by its key,
/// the CSV's header row and the search by its alias), what it holds (how
/// it is read, checked and kept, `Read`), and what the build does with it
/// besides the reply's page: its column in the open data and its place in
/// the search. Parsing, the columns of `data/replies.json` and
/// `data/replies.csv` (`src/stages/data.rs`) and the labelled text the
/// search finds (`src/search/mod.rs`) all follow from this table. Its order
/// is the one a misspelt key's suggestion prefers when two are as near.
///
/// To add a field: give `Stated` a member for it, `Key` a variant (in the
/// row's place) and add its row here:
/// how it is read (`Read`; a new kind of value is a new `Read`), how a
/// reply gives it back (`get`: templates then have it as `reply.<key>`),
/// the next free `column` if the open data carries it (new columns go
/// last, so that a spreadsheet that reads columns by position keeps them)
/// and its place in the searched text if it is searched (`Search`). Show
/// it in `themes/default/templates/reply.html`. The tests that walk this
/// table then prove that it parses by key and by alias and comes back as
/// written, reaches the templates, has its column in the JSON and the CSV,
/// and is in the searched text; a test of its own says what is special
/// about it.
pub(crate) const FIELDS: [Field; Key::COUNT] = [
    Field::new(Key::Title, "title", "标题", Read::Text(|f| &mut f.title))
        .required()
        .get(|r| Given::text(&r.title))
        .column(0),
    Field::new(
        Key::Department,
        "department",
        "办理单位",
        Read::Name(|f| &mut f.department),
    )
    .required()
    .get(|r| Given::text(&r.department))
    .column(7),
    // The open data's `date` is the day: `null` when only the year is known.
    Field::new(Key::Date, "date", "成文日期", Read::Day(|f| &mut f.date))
        .get(|r| Given::day(r.date.day()))
        .column(8),
    // The year the reply is filed under, whichever field gave it.
    Field::new(Key::Year, "year", "年度", Read::Year(|f| &mut f.year))
        .get(|r| Given::Year(r.date.year()))
        .column(9),
    Field::new(
        Key::DocNumber,
        "doc_number",
        "文号",
        Read::Text(|f| &mut f.stated.doc_number),
    )
    .line(|f| &mut f.stated.doc_number_line)
    .get(|r| Given::maybe(&r.stated.doc_number))
    .column(1),
    Field::new(
        Key::Session,
        "session",
        "会议",
        Read::Name(|f| &mut f.stated.session),
    )
    .get(|r| Given::maybe(&r.stated.session))
    .column(2)
    .search(Search::Given(1)),
    Field::new(
        Key::ProposalId,
        "proposal_id",
        "编号",
        Read::Text(|f| &mut f.stated.proposal_id),
    )
    .get(|r| Given::maybe(&r.stated.proposal_id))
    .column(3)
    // As the page shows it: 建议第0152号.
    .search(Search::Shown(2, |alias, r, _| {
        let kind = r.kind.map_or("", Kind::as_str);
        (r.stated.proposal_id.as_deref())
            .map(|id| (alias, format!("{kind}第{id}号").into()))
            .into_iter()
            .collect()
    })),
    Field::new(Key::Kind, "kind", "类型", Read::Kind(|f| &mut f.kind))
        .get(|r| Given::Text(r.kind.map(|kind| kind.as_str().into())))
        .column(4),
    Field::new(
        Key::ProposalTitle,
        "proposal_title",
        "案由",
        Read::Text(|f| &mut f.stated.proposal_title),
    )
    .get(|r| Given::maybe(&r.stated.proposal_title))
    .column(5)
    .search(Search::Given(3)),
    Field::new(
        Key::Proposers,
        "proposers",
        "提案人",
        Read::Names(|f| &mut f.stated.proposers),
    )
    .get(|r| Given::List(&r.stated.proposers))
    .column(6)
    // Under the word the page heads them with: 代表 for a suggestion's.
    .search(Search::Shown(4, |alias, r, _| {
        let label = match r.kind {
            Some(Kind::Suggestion) => "代表",
            _ => alias,
        };
        (r.stated.proposers.iter())
            .map(|name| (label, name.as_str().into()))
            .collect()
    })),
    Field::new(
        Key::Addressee,
        "addressee",
        "主送",
        Read::Text(|f| &mut f.stated.addressee),
    )
    .get(|r| Given::maybe(&r.stated.addressee))
    .column(21)
    // The line the letter opens with: given, or made of the proposers.
    .search(Search::Shown(0, |alias, r, _| {
        (r.addressee_line())
            .map(|line| (alias, line.into()))
            .into_iter()
            .collect()
    })),
    Field::new(
        Key::Role,
        "role",
        "办理方式",
        Read::Role(|f| &mut f.stated.role),
    )
    .line(|f| &mut f.stated.role_line)
    .get(|r| Given::Text(r.stated.role.map(|role| role.as_str().into())))
    .column(10)
    .search(Search::Given(5)),
    Field::new(
        Key::Result,
        "result",
        "办理结果",
        Read::Text(|f| &mut f.stated.result),
    )
    .get(|r| Given::maybe(&r.stated.result))
    .column(11)
    // As the page shows it: A类（所提问题已经解决或基本解决）.
    .search(Search::Shown(6, |alias, r, legend| {
        let shown = |result: &str| match legend.get(result) {
            Some(meaning) => format!("{result}类（{meaning}）"),
            None => format!("{result}类"),
        };
        (r.stated.result.as_deref())
            .map(|result| (alias, shown(result).into()))
            .into_iter()
            .collect()
    })),
    Field::new(
        Key::Signer,
        "signer",
        "签发人",
        Read::Text(|f| &mut f.stated.signer),
    )
    .get(|r| Given::maybe(&r.stated.signer))
    .column(12)
    .search(Search::Given(7)),
    Field::new(
        Key::Handler,
        "handler",
        "经办人",
        Read::Text(|f| &mut f.stated.handler),
    )
    .get(|r| Given::maybe(&r.stated.handler))
    .column(13)
    .search(Search::Given(8)),
    Field::new(
        Key::Phone,
        "phone",
        "联系电话",
        Read::Text(|f| &mut f.stated.phone),
    )
    .get(|r| Given::maybe(&r.stated.phone))
    .column(14)
    .search(Search::Given(9)),
    Field::new(Key::Cc, "cc", "抄送", Read::List(|f| &mut f.stated.cc))
        .get(|r| Given::List(&r.stated.cc))
        .column(15)
        .search(Search::Given(11)),
    Field::new(
        Key::CcReport,
        "cc_report",
        "抄报",
        Read::List(|f| &mut f.stated.cc_report),
    )
    .get(|r| Given::List(&r.stated.cc_report))
    .column(22)
    .search(Search::Given(10)),
    Field::new(
        Key::IndexNumber,
        "index_number",
        "索引号",
        Read::Text(|f| &mut f.stated.index_number),
    )
    .get(|r| Given::maybe(&r.stated.index_number))
    .column(16)
    .search(Search::Given(12)),
    Field::new(
        Key::Topic,
        "topic",
        "主题分类",
        Read::Text(|f| &mut f.stated.topic),
    )
    .get(|r| Given::maybe(&r.stated.topic))
    .column(17)
    .search(Search::Given(13)),
    Field::new(
        Key::Keywords,
        "keywords",
        "主题词",
        Read::List(|f| &mut f.stated.keywords),
    )
    .get(|r| Given::List(&r.stated.keywords))
    .column(18)
    .search(Search::Given(14)),
    // `published`, else the day it was written (`Reply::published_date`).
    Field::new(
        Key::Published,
        "published",
        "发布日期",
        Read::Day(|f| &mut f.stated.published),
    )
    .line(|f| &mut f.stated.published_line)
    .get(|r| Given::Text(r.published_date().map(Cow::Owned)))
    .column(19),
    Field::new(
        Key::Assigned,
        "assigned",
        "交办日期",
        Read::Day(|f| &mut f.stated.assigned),
    )
    .get(|r| Given::day(r.stated.assigned))
    .column(24),
    Field::new(
        Key::Disclosure,
        "disclosure",
        "公开属性",
        Read::Disclosure(|f| &mut f.stated.disclosure),
    ),
    Field::new(
        Key::Draft,
        "draft",
        "草稿",
        Read::Flag(|f| &mut f.stated.draft),
    ),
    Field::new(
        Key::Extra,
        "extra",
        "其他",
        Read::Map(|f| &mut f.stated.extra),
    ),
];

/// A field of `FIELDS` by name, for code that writes or counts front
/// matter keys (`dafu import`) rather than reading them: `Key::Signer.as_str()`
/// is `"signer"`. Its variants are the rows' keys, in the rows' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Title,
    Department,
    Date,
    Year,
    DocNumber,
    Session,
    ProposalId,
    Kind,
    ProposalTitle,
    Proposers,
    Addressee,
    Role,
    Result,
    Signer,
    Handler,
    Phone,
    Cc,
    CcReport,
    IndexNumber,
    Topic,
    Keywords,
    Published,
    Assigned,
    Disclosure,
    Draft,
    Extra,
}

impl Key {
    /// As many as there are rows: a key without a row does not compile.
    const COUNT: usize = Key::Extra as usize + 1;

    /// Its row in `FIELDS`.
    pub(crate) fn field(self) -> &'static Field {
        let row = &FIELDS[self as usize];
        debug_assert_eq!(row.name, self, "FIELDS is in Key's order");
        row
    }

    /// The key as the front matter writes it.
    pub(crate) fn as_str(self) -> &'static str {
        self.field().key
    }
}

/// One front matter field: see `FIELDS`.
pub(crate) struct Field {
    /// Its name in code, which names its place in `FIELDS`.
    pub name: Key,
    /// The key, as the front matter and the open data's JSON write it.
    pub key: &'static str,
    /// The Chinese name: the key's alias, the CSV's header and the search's label.
    pub alias: &'static str,
    pub read: Read,
    /// Whether a reply without it is refused.
    pub required: bool,
    /// Where `Fields` keeps the line it was written on, for a later message.
    pub line: Option<Slot<Option<usize>>>,
    /// Its value as the open data and the search take it from a reply.
    pub get: Option<Get>,
    /// Its place among the columns of `data/replies.json` and `data/replies.csv`.
    pub column: Option<usize>,
    pub search: Search,
}

impl Field {
    /// A field that a reply may leave out, shown on its page only.
    const fn new(name: Key, key: &'static str, alias: &'static str, read: Read) -> Field {
        Field {
            name,
            key,
            alias,
            read,
            required: false,
            line: None,
            get: None,
            column: None,
            search: Search::No,
        }
    }

    const fn required(self) -> Field {
        Field {
            required: true,
            ..self
        }
    }

    const fn line(self, line: Slot<Option<usize>>) -> Field {
        Field {
            line: Some(line),
            ..self
        }
    }

    const fn get(self, get: Get) -> Field {
        Field {
            get: Some(get),
            ..self
        }
    }

    const fn column(self, column: usize) -> Field {
        Field {
            column: Some(column),
            ..self
        }
    }

    const fn search(self, search: Search) -> Field {
        Field { search, ..self }
    }

    /// The field a key names, as written: English or Chinese.
    pub(crate) fn named(written: &str) -> Option<&'static Field> {
        FIELDS
            .iter()
            .find(|field| field.key == written || field.alias == written)
    }
}

/// How a reply gives a field back.
pub(crate) type Get = for<'r> fn(&'r Reply) -> Given<'r>;

/// Where `Fields` keeps a field's value.
pub(crate) type Slot<T> = fn(&mut Fields) -> &mut T;

/// What a field holds, so how its value is read and checked, and where
/// `Fields` keeps it.
pub(crate) enum Read {
    /// A line of text (a number as written: `0152` keeps its zero).
    Text(Slot<Option<String>>),
    /// A text that also names the folder of a list page: a department, a session.
    Name(Slot<Option<String>>),
    /// A list, or one text of items separated by 、 or commas.
    List(Slot<Vec<String>>),
    /// A list of names, each also naming a folder: the proposers.
    Names(Slot<Vec<String>>),
    /// A day, `2021-06-10`.
    Day(Slot<Option<Date>>),
    /// A year, `2021` or `2021年`.
    Year(Slot<Option<i16>>),
    Kind(Slot<Option<Kind>>),
    Role(Slot<Option<Role>>),
    /// One of the disclosure attributes; what cannot be read withholds.
    Disclosure(Slot<Disclosure>),
    /// `true` or `false`; empty is `true`.
    Flag(Slot<bool>),
    /// Keys and values of the site's own.
    Map(Slot<BTreeMap<String, Value>>),
}

/// A field's value as a reply gives it to the open data and the search.
pub(crate) enum Given<'r> {
    /// A text, `None` when the reply does not give it.
    Text(Option<Cow<'r, str>>),
    List(&'r [String]),
    Year(i16),
}

impl<'r> Given<'r> {
    fn text(text: &'r str) -> Given<'r> {
        Given::Text(Some(text.into()))
    }

    fn maybe(text: &'r Option<String>) -> Given<'r> {
        Given::Text(text.as_deref().map(Cow::Borrowed))
    }

    fn day(day: Option<Date>) -> Given<'r> {
        Given::Text(day.map(|day| day.to_string().into()))
    }
}

/// As the open data's JSON and the templates take it: a text or `null`,
/// a list of texts, a number.
impl Serialize for Given<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Given::Text(text) => text.serialize(serializer),
            Given::List(items) => items.serialize(serializer),
            Given::Year(year) => year.serialize(serializer),
        }
    }
}

/// The labels and texts of a field as the reply page shows it, given its
/// alias and the result classes' legend.
pub(crate) type Show = for<'r> fn(
    &'static str,
    &'r Reply,
    &IndexMap<String, String>,
) -> Vec<(&'static str, Cow<'r, str>)>;

/// Whether and how the search finds a field. The number is its place in
/// the searched text, which is the order a result lists the matched fields in.
pub(crate) enum Search {
    No,
    /// Under its alias, as `get` gives it (each item of a list apart).
    Given(usize),
    /// As the reply page shows it.
    Shown(usize, Show),
}

/// The searched fields, in their order in the searched text.
pub(crate) static SEARCHED: LazyLock<Vec<&'static Field>> = LazyLock::new(|| {
    let mut searched: Vec<(usize, &Field)> = (FIELDS.iter())
        .filter_map(|field| match field.search {
            Search::No => None,
            Search::Given(place) | Search::Shown(place, _) => Some((place, field)),
        })
        .collect();
    searched.sort_by_key(|(place, _)| *place);
    searched.into_iter().map(|(_, field)| field).collect()
});

/// The most characters a text field may hold: a title, a 文号 or a name is
/// at most a few dozen, and each reply's fields are shown on as many list
/// pages as it has terms, so an absurd value is refused, not published.
const MAX_TEXT_CHARS: usize = 1000;

/// The most entries a list field (proposers, cc, keywords) may hold: each
/// proposer gets a page of their own.
const MAX_LIST: usize = 1000;

/// The most bytes a department's, session's or proposer's name may take as
/// the folder name of its page: most file systems hold 255.
const MAX_NAME_BYTES: usize = 255;

/// The most problems reported for characters that cannot be published in
/// one file: a PDF pasted whole has a form feed on every page.
const MAX_CHAR_PROBLEMS: usize = 20;

/// 提案 (to a CPPCC member) or 建议 (to a People's Congress deputy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub(crate) enum Kind {
    #[serde(rename = "提案")]
    Proposal,
    #[serde(rename = "建议")]
    Suggestion,
}

impl Kind {
    /// The word the letter and the front matter use.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Proposal => "提案",
            Kind::Suggestion => "建议",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        match text {
            "提案" => Some(Kind::Proposal),
            "建议" => Some(Kind::Suggestion),
            _ => None,
        }
    }

    /// The start of a file name: `ta-0152.md`, `jy-71.md`.
    pub(crate) fn file_prefix(self) -> &'static str {
        match self {
            Kind::Proposal => "ta",
            Kind::Suggestion => "jy",
        }
    }

    /// 政协 sessions answer 提案, 人大 sessions 建议.
    pub(crate) fn from_session(session: &str) -> Option<Kind> {
        if session.contains("政协") {
            Some(Kind::Proposal)
        } else if session.contains("人大") || session.contains("人民代表大会") {
            Some(Kind::Suggestion)
        } else {
            None
        }
    }
}

/// How the department took part in answering (办理方式), as the letter
/// says: it led the answer, joined or assisted another's, or answered its
/// own part of a proposal shared out among departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Role {
    #[serde(rename = "主办")]
    Lead,
    #[serde(rename = "会办")]
    Joint,
    #[serde(rename = "协办")]
    Assisting,
    #[serde(rename = "分办")]
    Separate,
}

impl Role {
    const ALL: [Role; 4] = [Role::Lead, Role::Joint, Role::Assisting, Role::Separate];

    /// The word the letter and the front matter use.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Role::Lead => "主办",
            Role::Joint => "会办",
            Role::Assisting => "协办",
            Role::Separate => "分办",
        }
    }

    /// The role a letter's wording names. Besides the four words, the
    /// forms letters and 交办 lists commonly use: 牵头 (the lead
    /// department, as provincial rules call it) and each word with
    /// 单位 after it (主办单位, 会办单位, …). 联办 and 配合 are not
    /// taken: places use them for both 会办 and 协办, and a role is never
    /// guessed.
    fn parse(text: &str) -> Option<Role> {
        let word = text.strip_suffix("单位").unwrap_or(text);
        match word {
            "牵头" | "牵头办理" => Some(Role::Lead),
            _ => Role::ALL.into_iter().find(|role| role.as_str() == word),
        }
    }
}

/// The disclosure attribute (公开属性). Only `Public` replies are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub(crate) enum Disclosure {
    #[default]
    #[serde(rename = "主动公开")]
    Public,
    #[serde(rename = "依申请公开")]
    OnRequest,
    #[serde(rename = "不予公开")]
    Withheld,
}

impl Disclosure {
    fn parse(text: &str) -> Option<Disclosure> {
        match text {
            "主动公开" => Some(Disclosure::Public),
            "依申请公开" => Some(Disclosure::OnRequest),
            "不予公开" => Some(Disclosure::Withheld),
            _ => None,
        }
    }
}

/// When a reply was written: a day, or only the year when the text gives no day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplyDate {
    Day(Date),
    Year(i16),
}

impl ReplyDate {
    pub(crate) fn year(self) -> i16 {
        match self {
            ReplyDate::Day(d) => d.year(),
            ReplyDate::Year(y) => y,
        }
    }

    /// The day, when it is known.
    pub(crate) fn day(self) -> Option<Date> {
        match self {
            ReplyDate::Day(d) => Some(d),
            ReplyDate::Year(_) => None,
        }
    }

    /// Orders replies: by day, a year-only reply before the dated ones of its year.
    pub(crate) fn sort_key(self) -> (i16, i8, i8) {
        match self {
            ReplyDate::Day(d) => (d.year(), d.month(), d.day()),
            ReplyDate::Year(y) => (y, 0, 0),
        }
    }

    /// `2021-06-10`, or `2021` when only the year is known.
    pub(crate) fn iso(self) -> String {
        match self {
            ReplyDate::Day(d) => d.to_string(),
            ReplyDate::Year(y) => y.to_string(),
        }
    }

    /// `2021年6月10日`, or `2021年`.
    pub(crate) fn chinese(self) -> String {
        match self {
            ReplyDate::Day(d) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            ReplyDate::Year(y) => format!("{y}年"),
        }
    }
}

/// What a reply's front matter states besides its title, department and
/// date, as written: each member is kept by a row of `FIELDS`, which says
/// how it is read and where the build shows, exports and searches it.
#[derive(Debug, Default)]
pub(crate) struct Stated {
    pub doc_number: Option<String>,
    /// The line of `doc_number`, to point at a duplicate.
    pub doc_number_line: Option<usize>,
    pub session: Option<String>,
    pub proposal_id: Option<String>,
    pub proposal_title: Option<String>,
    pub proposers: Vec<String>,
    /// Whom the letter addresses (`李永莱等32名代表`, `省交通运输厅`), when
    /// that is not simply its proposers.
    pub addressee: Option<String>,
    /// 办理方式, only when the reply states it: nothing is assumed.
    pub role: Option<Role>,
    /// The line of `role`, to point at a second lead reply.
    pub role_line: Option<usize>,
    pub result: Option<String>,
    pub signer: Option<String>,
    pub handler: Option<String>,
    pub phone: Option<String>,
    /// 抄送: the copies' recipients, under the label 抄送.
    pub cc: Vec<String>,
    /// 抄报: copies reported to higher bodies, which a letter lists under
    /// its own label.
    pub cc_report: Vec<String>,
    pub index_number: Option<String>,
    pub topic: Option<String>,
    pub keywords: Vec<String>,
    pub published: Option<Date>,
    /// The line of `published`, to point at a late publication.
    pub published_line: Option<usize>,
    /// 交办日期: the day the proposal was assigned to the department.
    pub assigned: Option<Date>,
    pub disclosure: Disclosure,
    pub draft: bool,
    pub extra: BTreeMap<String, Value>,
}

/// One reply, as the archive publishes it.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The file it came from, as the user names it (for messages).
    pub source: PathBuf,
    /// Its site path: the path under `content/` without `.md`, ending in `/`.
    pub path: String,
    pub title: String,
    pub department: String,
    pub date: ReplyDate,
    /// 提案 or 建议: as given, else as its session tells (`Kind::from_session`).
    pub kind: Option<Kind>,
    /// The rest of what its front matter states.
    pub stated: Stated,
    pub body: Body,
    /// The file line where the body starts, to point at a line of it.
    pub body_line: usize,
    /// What the privacy lint found in the published text: warnings.
    pub warnings: Vec<Problem>,
}

impl Reply {
    /// Whether the reply may appear anywhere in the output.
    pub(crate) fn is_published(&self, with_drafts: bool) -> bool {
        self.stated.disclosure == Disclosure::Public && (with_drafts || !self.stated.draft)
    }

    /// The line the letter opens with, as its page shows it: `addressee` as
    /// the letter has it, else its proposers as such letters name them
    /// (`周国平委员`, `陈海军、王爱珍代表`).
    pub(crate) fn addressee_line(&self) -> Option<String> {
        self.stated.addressee.clone().or_else(|| {
            (!self.stated.proposers.is_empty()).then(|| {
                let title = match self.kind {
                    Some(Kind::Suggestion) => "代表",
                    Some(Kind::Proposal) => "委员",
                    None => "",
                };
                format!("{}{title}", self.stated.proposers.join("、"))
            })
        })
    }

    /// The day a feed, the sitemap and the `PubDate` meta give:
    /// `published`, else the day it was written; `None` when only the year
    /// is known, since a day is never made up.
    pub(crate) fn published_date(&self) -> Option<String> {
        match (self.stated.published, self.date) {
            (Some(day), _) | (None, ReplyDate::Day(day)) => Some(day.to_string()),
            (None, ReplyDate::Year(_)) => None,
        }
    }
}

/// Parses one file's text. `source` names the file in problems; `site_path` is
/// the URL path it will be published at.
pub(crate) fn parse(
    source: &Path,
    site_path: String,
    text: &str,
    bodies: Bodies,
) -> Result<Reply, Vec<Problem>> {
    if text.trim().is_empty() {
        return Err(vec![Problem::new(source, t!("reply.empty")).at(1, 1)]);
    }
    let unpublishable = unpublishable_chars(source, text);
    if !unpublishable.is_empty() {
        return Err(unpublishable);
    }
    let Some(split) = split_front_matter(text) else {
        return Err(vec![
            Problem::new(source, t!("reply.no_front_matter"))
                .at(1, 1)
                .hint(t!("reply.no_front_matter_hint")),
        ]);
    };
    let Some((yaml, body)) = split else {
        return Err(vec![
            Problem::new(source, t!("reply.unclosed"))
                .at(1, 1)
                .hint(t!("reply.unclosed_hint")),
        ]);
    };
    let fields = FrontMatter {
        source,
        yaml,
        lines: yaml.lines().collect(),
        problems: Vec::new(),
    };
    let mut reply = fields.into_reply(site_path, body, bodies)?;
    reply.body_line = crate::ground::problem::line_of(text, offset_in(text, body));
    let refused = script_links(&reply);
    if !refused.is_empty() {
        return Err(refused);
    }
    reply.warnings = privacy_warnings(source, text, yaml, body);
    Ok(reply)
}

/// Every character of the file that HTML and XML cannot carry (a form feed
/// pasted from a PDF, a vertical tab), at its line and column.
fn unpublishable_chars(source: &Path, text: &str) -> Vec<Problem> {
    let found: Vec<(usize, char)> = text
        .char_indices()
        .filter(|&(_, c)| crate::ground::text::unpublishable(c))
        .collect();
    let mut problems: Vec<Problem> = found
        .iter()
        .take(MAX_CHAR_PROBLEMS)
        .map(|&(at, c)| {
            Problem::new(
                source,
                t!(
                    "reply.unpublishable_char",
                    char = crate::ground::text::char_name(c)
                ),
            )
            .at(
                crate::ground::problem::line_of(text, at),
                crate::ground::problem::column_of(text, at),
            )
            .hint(t!("reply.unpublishable_char_hint"))
        })
        .collect();
    if let Some(&(at, _)) = found.get(MAX_CHAR_PROBLEMS) {
        problems.push(
            Problem::new(
                source,
                t!(
                    "reply.more_unpublishable",
                    n = found.len() - MAX_CHAR_PROBLEMS
                ),
            )
            .at(
                crate::ground::problem::line_of(text, at),
                crate::ground::problem::column_of(text, at),
            ),
        );
    }
    problems
}

/// Every link or image of the body that would run script (`javascript:`,
/// `vbscript:`) or show a document of its own (`data:`) in a citizen's
/// browser, at its line and column.
fn script_links(reply: &Reply) -> Vec<Problem> {
    reply
        .body
        .links
        .iter()
        .filter_map(|link| {
            let scheme = crate::ground::html::script_scheme(&link.href)?;
            Some(
                Problem::new(
                    &reply.source,
                    t!(
                        "reply.script_link",
                        href = crate::ground::problem::quoted(&link.href),
                        scheme = scheme
                    ),
                )
                .at(reply.body_line + link.line - 1, link.col)
                .hint(t!("reply.script_link_hint")),
            )
        })
        .collect()
}

/// Where `part`, a slice of `text`, starts in it.
fn offset_in(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}

/// The privacy lint over what is published: the front matter's values (its
/// comment lines are not published) and the body.
fn privacy_warnings(source: &Path, text: &str, yaml: &str, body: &str) -> Vec<Problem> {
    let mut warnings = Vec::new();
    for part in [yaml, body] {
        let start = offset_in(text, part);
        for finding in crate::ground::privacy::scan(part) {
            let line_start = part[..finding.offset].rfind('\n').map_or(0, |i| i + 1);
            if part.as_ptr() == yaml.as_ptr() && part[line_start..].trim_start().starts_with('#') {
                continue;
            }
            let line = crate::ground::problem::line_of(text, start + finding.offset);
            warnings.push(Problem::new(source, finding.message()).on_line(line));
        }
    }
    warnings
}

/// `None` when the text does not open with `---`; `Some(None)` when the
/// front matter is never closed; else the YAML and the body.
fn split_front_matter(text: &str) -> Option<Option<(&str, &str)>> {
    let rest = text.strip_prefix("---")?;
    let rest = rest
        .strip_prefix('\n')
        .or_else(|| rest.trim_start_matches([' ', '\t']).strip_prefix('\n'))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some(Some((yaml, body)));
        }
        offset += line.len();
    }
    Some(None)
}

/// The front matter being read: the YAML text (which starts on line 2 of the
/// file) and the problems found so far.
struct FrontMatter<'a> {
    source: &'a Path,
    yaml: &'a str,
    /// The YAML's lines, to look one up by number: a front matter of many
    /// keys must not be read again for each.
    lines: Vec<&'a str>,
    problems: Vec<Problem>,
}

/// The fields as written, before defaults and derivations.
#[derive(Default)]
pub(crate) struct Fields {
    title: Option<String>,
    department: Option<String>,
    date: Option<Date>,
    year: Option<i16>,
    kind: Option<Kind>,
    stated: Stated,
}

/// A YAML diagnosis of the front matter as a problem of `source`: the
/// front matter starts on the line after `---`.
fn diagnosed(source: &Path, d: crate::ground::yaml::Diagnosis) -> Problem {
    let problem = Problem::new(source, d.message).at(d.line + 1, d.col);
    match d.hint {
        Some(hint) => problem.hint(hint),
        None => problem,
    }
}

impl<'a> FrontMatter<'a> {
    fn into_reply(
        mut self,
        site_path: String,
        body: &str,
        bodies: Bodies,
    ) -> Result<Reply, Vec<Problem>> {
        if let Some((line, col)) = crate::ground::yaml::too_deep(self.yaml) {
            return Err(vec![
                Problem::new(
                    self.source,
                    t!("reply.too_deep", max = crate::ground::yaml::MAX_DEPTH),
                )
                .at(line + 1, col)
                .hint(t!("reply.too_deep_hint")),
            ]);
        }
        let mapping = match serde_yaml::from_str::<Value>(self.yaml) {
            Ok(Value::Mapping(m)) => m,
            Ok(Value::Null) => serde_yaml::Mapping::new(),
            Ok(_) => {
                let problem = match crate::ground::yaml::full_width_colon(self.yaml) {
                    Some(d) => diagnosed(self.source, d),
                    None => Problem::new(self.source, t!("reply.not_a_mapping")).at(2, 1),
                };
                return Err(vec![problem]);
            }
            Err(e) => {
                return Err(vec![diagnosed(
                    self.source,
                    crate::ground::yaml::diagnose(&e, self.yaml),
                )]);
            }
        };
        let mut fields = Fields::default();
        let mut seen: BTreeMap<&'static str, String> = BTreeMap::new();
        let key_lines = top_level_lines(self.yaml);
        for (index, (key, value)) in mapping.iter().enumerate() {
            // The mapping keeps the file's order, so its n-th key is on the
            // n-th line that starts a key, when the two counts agree.
            let placed = (key_lines.len() == mapping.len()).then(|| key_lines[index]);
            let Some(name) = key.as_str() else {
                let line = placed.unwrap_or(2);
                self.problem(Some(line), t!("reply.key_not_text").into(), None);
                continue;
            };
            // The front matter's first line when nothing better is known.
            let line = placed
                .filter(|&line| self.starts_with_key(line, name))
                .or_else(|| self.line_of(name))
                .or(Some(2));
            let Some(field) = Field::named(name) else {
                self.problem(
                    line,
                    t!(
                        "reply.unknown_key",
                        key = crate::ground::problem::quoted(name)
                    )
                    .into(),
                    nearest_key(name),
                );
                continue;
            };
            if let Some(first) = seen.insert(field.key, name.to_string()) {
                self.problem(
                    line,
                    t!("reply.repeated_key", key = name, first = first).into(),
                    None,
                );
                continue;
            }
            self.set(&mut fields, field, name, value, line);
        }
        let date = self.date_or_year(&fields);
        for field in FIELDS.iter().filter(|field| field.required) {
            if !seen.contains_key(field.key) {
                self.problem(
                    Some(1),
                    t!("reply.missing_key", key = field.key, alias = field.alias).into(),
                    None,
                );
            }
        }
        let (Some(title), Some(department), Some(date), true) = (
            fields.title.take(),
            fields.department.take(),
            date,
            self.problems.is_empty(),
        ) else {
            return Err(self.problems);
        };
        // What is not for disclosure, or not yet, is never kept on disk.
        let bodies = match (fields.stated.disclosure, fields.stated.draft) {
            (Disclosure::Public, false) => bodies,
            _ => bodies.held(),
        };
        let body = bodies
            .make(body)
            .map_err(|e| vec![Problem::new(self.source, format!("{e:#}"))])?;
        let kind = fields.kind.or_else(|| {
            fields
                .stated
                .session
                .as_deref()
                .and_then(Kind::from_session)
        });
        Ok(Reply {
            source: self.source.to_path_buf(),
            path: site_path,
            title,
            department,
            date,
            kind,
            stated: fields.stated,
            body,
            body_line: 1,
            warnings: Vec::new(),
        })
    }

    /// Stores one field, or records why it cannot be.
    fn set(
        &mut self,
        fields: &mut Fields,
        field: &Field,
        written: &str,
        value: &Value,
        line: Option<usize>,
    ) {
        if let Some(slot) = field.line {
            *slot(fields) = line;
        }
        match field.read {
            Read::Text(slot) => *slot(fields) = self.text(written, value, line),
            Read::Name(slot) => {
                let name = self.text(written, value, line);
                self.name(written, name.as_deref(), line);
                *slot(fields) = name;
            }
            Read::List(slot) => *slot(fields) = self.list(written, value, line),
            Read::Names(slot) => {
                let names = self.list(written, value, line);
                for name in &names {
                    self.name(written, Some(name), line);
                }
                *slot(fields) = names;
            }
            Read::Day(slot) => *slot(fields) = self.day(written, value, line),
            Read::Year(slot) => *slot(fields) = self.year(written, value, line),
            Read::Kind(slot) => {
                *slot(fields) = self.choice(written, value, line, Kind::parse, "提案 or 建议");
            }
            Read::Role(slot) => {
                *slot(fields) = self.choice(
                    written,
                    value,
                    line,
                    Role::parse,
                    "主办 (牵头), 会办, 协办 or 分办",
                );
            }
            Read::Disclosure(slot) => {
                // An unreadable disclosure must never default to public.
                *slot(fields) = self
                    .choice(
                        written,
                        value,
                        line,
                        Disclosure::parse,
                        "主动公开, 依申请公开 or 不予公开",
                    )
                    .unwrap_or(Disclosure::Withheld);
            }
            Read::Flag(slot) => match value {
                Value::Bool(b) => *slot(fields) = *b,
                // As an empty `disclosure:` withholds, an empty `draft:`
                // keeps the reply back: neither publishes by default.
                Value::Null => *slot(fields) = true,
                _ => self.wrong_type(written, "kind.true_or_false", value, line),
            },
            Read::Map(slot) => match value {
                Value::Mapping(_) if let Some(c) = crate::ground::yaml::unpublishable_in(value) => {
                    self.problem(
                        line,
                        t!(
                            "reply.field_unpublishable",
                            key = written,
                            char = crate::ground::text::char_name(c)
                        )
                        .into(),
                        Some(t!("reply.field_unpublishable_hint").into()),
                    );
                }
                Value::Mapping(m) => {
                    *slot(fields) = m
                        .iter()
                        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
                        .collect();
                }
                Value::Null => {}
                _ => self.wrong_type(written, "kind.key_values", value, line),
            },
        }
    }

    /// A text field. A number is taken as written, so `proposal_id: 0152`
    /// keeps its leading zero; an empty value counts as absent.
    fn text(&mut self, key: &str, value: &Value, line: Option<usize>) -> Option<String> {
        match value {
            Value::String(s) => self.checked(key, s.trim(), line),
            Value::Number(n) => Some(self.raw_value(line).unwrap_or_else(|| n.to_string())),
            Value::Null => None,
            _ => {
                self.wrong_type(key, "kind.text", value, line);
                None
            }
        }
    }

    /// A list field: a YAML list, or one string that may hold several names
    /// separated by 、 or commas.
    fn list(&mut self, key: &str, value: &Value, line: Option<usize>) -> Vec<String> {
        let items = match value {
            Value::Sequence(items) => items
                .iter()
                .filter_map(|item| self.text(key, item, line))
                .collect(),
            Value::String(s) => s
                .split(['、', '，', ',', '；', ';'])
                .filter_map(|s| self.checked(key, s.trim(), line))
                .collect(),
            Value::Null => Vec::new(),
            _ => {
                self.wrong_type(key, "kind.list", value, line);
                Vec::new()
            }
        };
        if items.len() > MAX_LIST {
            self.problem(
                line,
                t!("reply.too_many", key = key, n = items.len(), max = MAX_LIST).into(),
                Some(t!("reply.too_many_hint").into()),
            );
        }
        items
    }

    /// A text as a field holds it: none when empty; a problem when it
    /// holds a character that cannot be published (written as an escape,
    /// `\f`) or is longer than any real one.
    fn checked(&mut self, key: &str, text: &str, line: Option<usize>) -> Option<String> {
        if text.is_empty() {
            return None;
        }
        if let Some(c) = text
            .chars()
            .find(|&c| crate::ground::text::unpublishable(c))
        {
            self.problem(
                line,
                t!(
                    "reply.field_unpublishable",
                    key = key,
                    char = crate::ground::text::char_name(c)
                )
                .into(),
                Some(t!("reply.field_unpublishable_hint").into()),
            );
            return None;
        }
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            self.problem(
                line,
                t!(
                    "reply.too_long",
                    key = key,
                    chars = chars,
                    max = MAX_TEXT_CHARS
                )
                .into(),
                Some(t!("reply.too_long_hint").into()),
            );
            return None;
        }
        Some(text.to_string())
    }

    /// A department's, session's or proposer's name, which names the folder
    /// of its list: a problem if no file system would take it.
    fn name(&mut self, key: &str, name: Option<&str>, line: Option<usize>) {
        let Some(name) = name else { return };
        let bytes = crate::ground::url::slugify(name).len();
        if bytes > MAX_NAME_BYTES {
            self.problem(
                line,
                t!(
                    "reply.name_too_long",
                    key = key,
                    name = crate::ground::problem::quoted(name),
                    bytes = bytes,
                    max = MAX_NAME_BYTES
                )
                .into(),
                Some(t!("reply.name_too_long_hint").into()),
            );
        }
    }

    fn choice<T>(
        &mut self,
        key: &str,
        value: &Value,
        line: Option<usize>,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Option<T> {
        let text = self.text(key, value, line)?;
        let choice = parse(&text);
        if choice.is_none() {
            self.problem(
                line,
                t!(
                    "reply.not_one_of",
                    key = key,
                    text = crate::ground::problem::quoted(&text),
                    allowed = allowed
                )
                .into(),
                None,
            );
        }
        choice
    }

    fn day(&mut self, key: &str, value: &Value, line: Option<usize>) -> Option<Date> {
        let text = self.text(key, value, line)?;
        match text.parse::<Date>() {
            Ok(date) if text.len() == 10 => Some(date),
            Ok(_) | Err(_) if !looks_like_iso_date(&text) => {
                self.problem(
                    line,
                    t!(
                        "reply.not_a_date",
                        key = key,
                        text = crate::ground::problem::quoted(&text)
                    )
                    .into(),
                    Some(t!("reply.not_a_date_hint").into()),
                );
                None
            }
            _ => {
                self.problem(
                    line,
                    t!(
                        "reply.no_such_day",
                        key = key,
                        text = crate::ground::problem::quoted(&text)
                    )
                    .into(),
                    None,
                );
                None
            }
        }
    }

    fn year(&mut self, key: &str, value: &Value, line: Option<usize>) -> Option<i16> {
        let year = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().trim_end_matches('年').parse().ok(),
            _ => None,
        };
        match year {
            Some(y @ 1949..=2200) => i16::try_from(y).ok(),
            _ => {
                self.wrong_type(key, "kind.year", value, line);
                None
            }
        }
    }

    /// The date, else `year`, else the year in the 文号's 〔2021〕.
    fn date_or_year(&mut self, fields: &Fields) -> Option<ReplyDate> {
        if let Some(date) = fields.date {
            return Some(ReplyDate::Day(date));
        }
        if let Some(year) = fields.year {
            return Some(ReplyDate::Year(year));
        }
        if let Some(year) = fields
            .stated
            .doc_number
            .as_deref()
            .and_then(year_of_doc_number)
        {
            return Some(ReplyDate::Year(year));
        }
        if self.problems.is_empty() {
            self.problem(Some(1), t!("reply.no_date").into(), None);
        }
        None
    }

    /// `expected` names the catalogue's words for it: `kind.text`, ….
    fn wrong_type(&mut self, key: &str, expected: &str, value: &Value, line: Option<usize>) {
        let found = match value {
            Value::Null => "kind.nothing",
            Value::Bool(_) => "kind.bool",
            Value::Number(_) => "kind.number",
            Value::String(_) => "kind.text",
            Value::Sequence(_) => "kind.list",
            Value::Mapping(_) => "kind.map",
            Value::Tagged(_) => "kind.tagged",
        };
        let message = t!(
            "reply.wrong_type",
            key = key,
            expected = t!(expected),
            found = t!(found)
        );
        self.problem(line, message.into(), None);
    }

    fn problem(&mut self, line: Option<usize>, message: String, hint: Option<String>) {
        let mut problem = Problem::new(self.source, message).at_line(line);
        problem.hint = hint;
        self.problems.push(problem);
    }

    /// The file line (1-based) where a top-level key is written.
    fn line_of(&self, key: &str) -> Option<usize> {
        self.yaml
            .lines()
            .position(|line| {
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
            .map(|index| index + 2)
    }

    /// Whether file line `line` starts with `key`, bare or quoted.
    fn starts_with_key(&self, line: usize, key: &str) -> bool {
        let Some(text) = self.lines.get(line.saturating_sub(2)) else {
            return false;
        };
        let text = text.trim_start_matches(['"', '\'']);
        text.starts_with(key) || key.is_empty()
    }

    /// The value on a key's line exactly as written, without quotes or comment.
    fn raw_value(&self, line: Option<usize>) -> Option<String> {
        let text = self.lines.get(line?.checked_sub(2)?)?;
        let value = text.split_once(':')?.1;
        let value = value.split(" #").next().unwrap_or(value).trim();
        Some(value.to_string()).filter(|v| !v.is_empty())
    }
}

/// The file lines (counting `---` as line 1) where the front matter's
/// top-level keys start: each line at no indentation that is not a comment,
/// the `: value` line of a `? key`, or the end of a bracket opened above.
fn top_level_lines(yaml: &str) -> Vec<usize> {
    let starts_a_key = |line: &str| match line.chars().next() {
        None | Some(' ' | '\t' | '#' | ']' | '}') => false,
        Some(':') => !(line == ":" || line[1..].starts_with([' ', '\t'])),
        Some(_) => true,
    };
    yaml.lines()
        .enumerate()
        .filter(|(_, line)| starts_a_key(line))
        .map(|(index, _)| index + 2)
        .collect()
}

fn looks_like_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A suggestion for an unknown key: the closest known key, English or Chinese.
fn nearest_key(written: &str) -> Option<String> {
    let lower = written.to_lowercase();
    FIELDS
        .iter()
        .flat_map(|field| [(field.key, field.key), (field.alias, field.key)])
        .map(|(candidate, key)| (strsim::levenshtein(&lower, candidate), candidate, key))
        .filter(|(distance, candidate, _)| *distance <= candidate.chars().count().max(2) / 2)
        .min_by_key(|(distance, _, _)| *distance)
        .map(|(_, candidate, key)| {
            if candidate == key {
                t!("reply.did_you_mean", key = key).into_owned()
            } else {
                t!("reply.did_you_mean_alias", key = key, alias = candidate).into_owned()
            }
        })
}

/// The year written in a 文号's brackets: 常工信复〔2021〕第28号 → 2021.
pub(crate) fn year_of_doc_number(doc_number: &str) -> Option<i16> {
    let open = doc_number.find(['〔', '【', '[', '［', '（', '('])?;
    let rest = &doc_number[open..];
    let rest = &rest[rest.chars().next()?.len_utf8()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let year: i16 = digits.parse().ok().filter(|_| digits.len() == 4)?;
    (1949..=2200).contains(&year).then_some(year)
}

/// A reply made of a few front matter lines after its title, for the tests
/// of the modules that take replies.
#[cfg(test)]
pub(crate) fn sample(path: &str, fields: &str) -> Reply {
    let text = format!("---\ntitle: t\n{fields}\n---\n");
    parse(
        Path::new(path),
        format!("{path}/"),
        &text,
        Bodies::Held(&crate::model::config::BodyOptions::default()),
    )
    .expect("a sample reply parses")
}

/// A value of the kind `field` holds, as front matter writes it, for the
/// tests that walk `FIELDS`.
#[cfg(test)]
pub(crate) fn sample_value(field: &Field) -> &'static str {
    match field.read {
        Read::Text(_) => "样例",
        Read::Name(_) => "甲局",
        Read::List(_) | Read::Names(_) => "[甲, 乙]",
        Read::Day(_) => "2021-06-10",
        Read::Year(_) => "2021",
        Read::Kind(_) => "建议",
        Read::Role(_) => "会办",
        Read::Disclosure(_) => "主动公开",
        Read::Flag(_) => "false",
        Read::Map(_) => "{来源: 网站}",
    }
}

/// A reply that gives every field of `FIELDS` its `sample_value`.
#[cfg(test)]
pub(crate) fn sample_of_every_field() -> Reply {
    let lines: Vec<String> = (FIELDS.iter())
        .map(|field| format!("{}: {}", field.key, sample_value(field)))
        .collect();
    let text = format!("---\n{}\n---\n正文。\n", lines.join("\n"));
    parse(
        Path::new("every.md"),
        "every/".into(),
        &text,
        Bodies::Held(&crate::model::config::BodyOptions::default()),
    )
    .expect("every field's sample parses")
}

/// A field's value as one line of text: a list's items joined with 、.
#[cfg(test)]
pub(crate) fn given_text(given: Given) -> Option<String> {
    match given {
        Given::Text(text) => text.map(Cow::into_owned),
        Given::List(items) => Some(items.join("、")),
        Given::Year(year) => Some(year.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Key::Signer` is the row of `signer`: each row's name says where it
    /// is in the table and spells its key.
    #[test]
    fn each_key_names_its_own_row() {
        for (place, field) in FIELDS.iter().enumerate() {
            assert_eq!(field.name as usize, place, "{} is out of place", field.key);
            let spelt: String = format!("{:?}", field.name)
                .chars()
                .enumerate()
                .flat_map(|(at, c)| match (at, c.is_uppercase()) {
                    (0, _) | (_, false) => vec![c.to_ascii_lowercase()],
                    (_, true) => vec!['_', c.to_ascii_lowercase()],
                })
                .collect();
            assert_eq!(spelt, field.key);
            assert_eq!(field.name.as_str(), field.key);
        }
    }

    /// Adding a field to `FIELDS` is proved here: it is read by its key
    /// and by its alias, alone beside the required fields, and what `get`
    /// gives back is what was written.
    #[test]
    fn every_field_of_the_table_parses_by_key_and_alias() {
        for field in &FIELDS {
            for name in [field.key, field.alias] {
                let mut lines: Vec<String> = (FIELDS.iter())
                    .filter(|other| other.required && other.key != field.key)
                    .map(|other| format!("{}: {}", other.key, sample_value(other)))
                    .collect();
                if !matches!(field.read, Read::Year(_)) {
                    lines.push("year: 2021".into());
                }
                lines.push(format!("{name}: {}", sample_value(field)));
                let text = format!("---\n{}\n---\n", lines.join("\n"));
                let reply =
                    parse_text(&text).unwrap_or_else(|problems| panic!("{name}: {problems:?}"));
                if let Some(get) = field.get {
                    let written = sample_value(field).trim_matches(['[', ']']);
                    assert_eq!(
                        given_text(get(&reply)),
                        Some(written.replace(", ", "、")),
                        "{name} is not read back"
                    );
                }
            }
        }
    }

    #[test]
    fn keys_and_aliases_name_one_field_each_and_the_places_do_not_clash() {
        let mut names: Vec<&str> = FIELDS.iter().flat_map(|f| [f.key, f.alias]).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            2 * FIELDS.len(),
            "a key or alias is used twice"
        );
        let places: Vec<usize> = (SEARCHED.iter())
            .map(|field| match field.search {
                Search::Given(place) | Search::Shown(place, _) => place,
                Search::No => unreachable!("only searched fields are in SEARCHED"),
            })
            .collect();
        assert_eq!(places, (0..places.len()).collect::<Vec<_>>());
        for field in &FIELDS {
            let read_back = field.column.is_some() || matches!(field.search, Search::Given(_));
            assert!(
                !read_back || field.get.is_some(),
                "{} has no get",
                field.key
            );
        }
    }

    fn parse_text(text: &str) -> Result<Reply, Vec<Problem>> {
        parse(
            Path::new("content/a.md"),
            "a/".into(),
            text,
            Bodies::Held(&crate::model::config::BodyOptions::default()),
        )
    }

    fn messages(text: &str) -> Vec<String> {
        parse_text(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const GOOD: &str = "---\ntitle: 关于第0152号提案的答复\ndepartment: 常州市工业和信息化局\ndoc_number: 常工信复〔2021〕第28号\nsession: 市政协十四届五次会议\nproposal_id: 0152\nproposers: 周国平\n---\n正文。\n";

    #[test]
    fn a_reply_without_date_takes_the_year_of_its_doc_number() {
        let reply = parse_text(GOOD).unwrap();
        assert_eq!(reply.date, ReplyDate::Year(2021));
        assert_eq!(reply.kind, Some(Kind::Proposal));
        assert_eq!(reply.stated.proposal_id.as_deref(), Some("0152"));
        assert_eq!(reply.stated.proposers, vec!["周国平"]);
        assert_eq!(reply.body.text().unwrap(), "正文。");
    }

    #[test]
    fn year_from_doc_number_reads_the_brackets() {
        assert_eq!(year_of_doc_number("常工信复〔2021〕第28号"), Some(2021));
        assert_eq!(year_of_doc_number("潼民发【2024】275号"), Some(2024));
        assert_eq!(year_of_doc_number("湘水提〔2021115"), None);
        assert_eq!(year_of_doc_number("第28号"), None);
    }

    #[test]
    fn a_missing_title_names_the_file_and_line() {
        let m = messages("---\ndepartment: 局\ndate: 2021-06-10\n---\n");
        assert_eq!(
            m,
            vec!["content/a.md:1:1: missing required key `title` (标题)"]
        );
    }

    #[test]
    fn an_unknown_key_names_its_line_and_the_nearest_key() {
        let m = messages("---\ntitle: t\ndepartment: d\ndate: 2021-06-10\nproposer: x\n---\n");
        assert_eq!(
            m,
            vec!["content/a.md:5:1: unknown key `proposer` (hint: did you mean `proposers`?)"]
        );
    }

    #[test]
    fn chinese_keys_are_aliases() {
        let reply = parse_text("---\n标题: t\n办理单位: d\n成文日期: 2021-06-10\n---\n").unwrap();
        assert_eq!(reply.title, "t");
        assert_eq!(reply.date.iso(), "2021-06-10");
    }

    #[test]
    fn roles_take_their_usual_synonyms_and_no_guess() {
        let role = |text: &str| Role::parse(text);
        assert_eq!(role("主办单位"), Some(Role::Lead));
        assert_eq!(role("牵头"), Some(Role::Lead));
        assert_eq!(role("协办单位"), Some(Role::Assisting));
        assert_eq!(role("会办"), Some(Role::Joint));
        assert_eq!(role("配合"), None);
        let reply =
            parse_text("---\ntitle: t\ndepartment: d\nyear: 2021\n交办日期: 2021-03-01\n---\n")
                .unwrap();
        assert_eq!(
            reply.stated.assigned.map(|d| d.to_string()).as_deref(),
            Some("2021-03-01")
        );
        assert_eq!(reply.stated.role, None);
    }

    #[test]
    fn an_impossible_date_is_refused_with_its_line() {
        let m = messages("---\ntitle: t\ndepartment: d\ndate: 2021-02-30\n---\n");
        assert_eq!(m.len(), 1);
        assert!(
            m[0].starts_with("content/a.md:4:1: `date` is `2021-02-30`"),
            "{m:?}"
        );
    }

    #[test]
    fn every_problem_in_a_file_is_reported() {
        let m = messages("---\ntitle: [a]\ndepartment: d\ndate: 10 June\nkind: 议案\n---\n");
        assert_eq!(m.len(), 3, "{m:?}");
    }

    #[test]
    fn invalid_yaml_names_the_line() {
        let m = messages("---\ntitle: t\ndepartment: : :\n  - x\n---\n");
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("content/a.md:3:"), "{m:?}");
    }

    #[test]
    fn unclosed_and_missing_front_matter_are_named() {
        assert!(messages("---\ntitle: t\n")[0].contains("never closed"));
        assert!(messages("title: t\n")[0].contains("no front matter"));
        assert!(messages("  \n")[0].contains("empty"));
    }

    #[test]
    fn an_unknown_disclosure_is_an_error_not_public() {
        let m = messages("---\ntitle: t\ndepartment: d\nyear: 2021\ndisclosure: 公开\n---\n");
        assert!(m[0].contains("disclosure"), "{m:?}");
        let reply =
            parse_text("---\ntitle: t\ndepartment: d\nyear: 2021\ndisclosure: 不予公开\n---\n")
                .unwrap();
        assert!(!reply.is_published(true));
    }

    #[test]
    fn a_mobile_number_in_published_text_is_a_warning_on_its_line() {
        let reply = parse_text(
            "---\ntitle: t\ndepartment: d\nyear: 2021\n# 备注 13800000000\nphone: \"13912345678\"\n---\n\n正文。\n\n委员手机13712345678。\n",
        )
        .unwrap();
        let warnings: Vec<String> = reply.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("content/a.md:6: a mobile phone number 139****5678"));
        assert!(warnings[1].starts_with("content/a.md:11: a mobile phone number 137****5678"));
        assert_eq!(reply.body_line, 8);
    }
}
