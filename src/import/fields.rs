//! The front matter fields a reply's text gives, read out of a [`Letter`]:
//! labelled values first (`签发人：`, `办理类型` / `B`), then what the wording
//! says (the session and number in the title, the proposers in the
//! salutation, the department in the signature). A field the text does not
//! give is `None`: nothing here guesses.

use std::sync::LazyLock;

use regex::Regex;

use super::date::{self, Date};
use super::labels::{self, Label};
use super::letter::{Letter, SIGNED_IN_SENTENCE};
use super::text::{compact, is_han, looks_like_department, tidy_spaces, trim};
use crate::model::reply::{Key, Kind};

/// What a reply's text gives for each front matter key.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Fields {
    pub title: Option<String>,
    pub doc_number: Option<String>,
    /// The damaged 文号 as the text has it, when `doc_number` was completed
    /// from it: the report asks for a look.
    pub doc_number_completed_from: Option<String>,
    pub session: Option<String>,
    pub proposal_id: Option<String>,
    pub kind: Option<Kind>,
    pub proposal_title: Option<String>,
    pub proposers: Option<Vec<String>>,
    /// The salutation, when the page would not give it from the proposers.
    pub addressee: Option<String>,
    pub department: Option<String>,
    pub date: Option<Date>,
    /// The year a headline gives the session (`2023年…八届人大二次会议…的答复`):
    /// where an undated reply is filed, and its `year`.
    pub session_year: Option<u16>,
    pub signer: Option<String>,
    pub handler: Option<String>,
    pub phone: Option<String>,
    pub cc: Option<Vec<String>>,
    pub cc_report: Option<Vec<String>>,
    pub result: Option<String>,
    pub index_number: Option<String>,
    /// The day the page around the letter says it was put online.
    pub published: Option<Date>,
    /// Whether `title` is the conventional one, made because the text has
    /// none: the report asks for a look.
    pub title_derived: bool,
    /// The disclosure marking (公开属性) as the document states it.
    pub disclosure: Option<String>,
}

impl Fields {
    /// The reply's year: from its date, else from the 〔YYYY〕 of its 文号,
    /// which is how the build finds it too, else the session's year.
    pub(crate) fn year(&self) -> Option<u16> {
        self.date
            .map(|d| d.year)
            .or_else(|| self.doc_number_year())
            .or(self.session_year)
    }

    pub(crate) fn doc_number_year(&self) -> Option<u16> {
        let caps = DOC_NUMBER_YEAR.captures(self.doc_number.as_deref()?)?;
        caps[1].parse().ok()
    }

    /// The keys the text gave, in front matter order, and those it did not.
    pub(crate) fn found_and_missing(&self) -> (Vec<&'static str>, Vec<&'static str>) {
        let present = [
            (Key::Title, self.title.is_some()),
            (Key::DocNumber, self.doc_number.is_some()),
            (Key::Session, self.session.is_some()),
            (Key::ProposalId, self.proposal_id.is_some()),
            (Key::Kind, self.kind.is_some()),
            (Key::ProposalTitle, self.proposal_title.is_some()),
            (Key::Proposers, self.proposers.is_some()),
            (Key::Department, self.department.is_some()),
            (Key::Date, self.date.is_some()),
            (Key::Signer, self.signer.is_some()),
            (Key::Handler, self.handler.is_some()),
            (Key::Phone, self.phone.is_some()),
            (Key::Cc, self.cc.is_some()),
            (Key::CcReport, self.cc_report.is_some()),
            (Key::Result, self.result.is_some()),
            (Key::IndexNumber, self.index_number.is_some()),
        ];
        let found = present
            .iter()
            .filter(|(_, p)| *p)
            .map(|(key, _)| key.as_str())
            .collect();
        let missing = present
            .iter()
            .filter(|(_, p)| !*p)
            .map(|(key, _)| key.as_str())
            .collect();
        (found, missing)
    }
}

static DOC_NUMBER_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[〔【\[［(（]((?:19|20)\d{2})[〕】\]］)）]").expect("year pattern")
});

/// Reads every field the letter gives.
pub(super) fn extract(letter: &Letter) -> Fields {
    let labelled = Labelled::read(letter);
    let title = letter
        .title()
        .or_else(|| labelled.first(Label::Title).map(|t| tidy_spaces(&t)));
    let session = session(&labelled, title.as_deref(), letter);
    let kind = kind(session.as_deref(), title.as_deref(), letter.salutation())
        .or_else(|| kind_in_opening(&letter.opening(2)));
    let (handler_line, handler) = handler(&labelled);
    let proposers = proposers(&labelled, letter);
    let doc_number = doc_number(&labelled, letter);
    let mut fields = Fields {
        doc_number_completed_from: completed_from(&labelled, letter, doc_number.as_deref()),
        addressee: addressee(letter, proposers.as_deref(), kind),
        doc_number,
        proposal_id: proposal_id(&labelled, title.as_deref(), letter),
        proposal_title: proposal_title(&labelled, letter, title.as_deref()),
        proposers,
        department: department(&labelled, letter, title.as_deref()),
        date: reply_date(&labelled, letter),
        session_year: session_year(letter),
        signer: signer(&labelled, letter),
        phone: phone(&labelled, handler_line),
        cc: copies(&labelled, Label::Cc),
        cc_report: copies(&labelled, Label::CcReport),
        result: result(&labelled, letter),
        index_number: index_number(&labelled, letter),
        disclosure: disclosure(&labelled, letter),
        published: labelled
            .values(Label::Published)
            .find_map(|(_, v)| date::find(v)),
        title,
        session,
        kind,
        handler,
        title_derived: false,
    };
    if fields.title.is_none() {
        fields.title = conventional_title(&fields);
        fields.title_derived = fields.title.is_some();
    }
    fields
}

/// The title a reply without one conventionally has:
/// `关于对{会议}{提案/建议}第{编号}号的答复`, or `关于《{案由}》的答复` when
/// only the 案由 is known.
fn conventional_title(fields: &Fields) -> Option<String> {
    match (
        &fields.session,
        fields.kind,
        &fields.proposal_id,
        &fields.proposal_title,
    ) {
        (Some(session), Some(kind), Some(id), _) => {
            Some(format!("关于对{session}{}第{id}号的答复", kind.as_str()))
        }
        (_, _, _, Some(proposal_title)) => {
            let proposal_title = proposal_title.trim_matches(['《', '》']);
            Some(format!("关于《{proposal_title}》的答复"))
        }
        _ => None,
    }
}

/// A marking that limits publication, standing alone in the header or the
/// footer (`A类 不予公开`): a reply must never be published because the
/// marking was missed.
static DISCLOSURE_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s类])(不予公开|依申请公开|不公开|部分公开)(?:$|\s)")
        .expect("disclosure pattern")
});

/// The disclosure marking: a `公开属性` / `公开方式` label's value, else a
/// restricting marking on a line of its own in the header or footer.
fn disclosure(labelled: &Labelled, letter: &Letter) -> Option<String> {
    let stated = labelled
        .first(Label::Disclosure)
        .map(|v| compact(&v))
        .or_else(|| {
            letter
                .header()
                .chain(letter.footer())
                .find_map(|(_, line)| Some(DISCLOSURE_MARK.captures(trim(line))?[1].to_string()))
        })?;
    // The three markings the build knows, in the words it knows them by;
    // anything else is kept as stated, and import refuses to write it.
    let known = if stated.contains("不予") || stated.contains("不公开") || stated.contains("不同意")
    {
        "不予公开"
    } else if stated.contains("依申请") {
        "依申请公开"
    } else if stated == "主动公开" || stated == "公开" || stated == "同意公开" {
        "主动公开"
    } else {
        return Some(stated);
    };
    Some(known.to_string())
}

/// Whether the build can read a disclosure marking.
pub(super) fn is_known_disclosure(marking: &str) -> bool {
    ["主动公开", "依申请公开", "不予公开"].contains(&marking)
}

/// The `label: value` pairs of the header and footer, with their lines.
/// The body is not read for labels: its prose may quote anything.
struct Labelled {
    pairs: Vec<(usize, Label, String)>,
}

impl Labelled {
    fn read(letter: &Letter) -> Labelled {
        let header: Vec<(usize, &str)> = letter.header().collect();
        let mut pairs = Vec::new();
        for (k, &(line, text)) in header.iter().enumerate() {
            for (label, value) in labels::pairs(text) {
                pairs.push((line, label, value));
            }
            if let Some(label) = labels::bare(text)
                && let Some(value) = bare_value(&header[k + 1..])
            {
                pairs.push((line, label, value.to_string()));
            }
        }
        let footer: Vec<(usize, &str)> = letter.footer().collect();
        for (k, &(line, text)) in footer.iter().enumerate() {
            for (label, mut value) in labels::pairs(text) {
                // A list cut by a wrap (`抄送：市政府办公室、` / `市政协提案委`)
                // goes on on the next line.
                if value.ends_with(['、', '，', ',']) {
                    value.push_str(continuation(&footer[k + 1..]).unwrap_or_default());
                }
                pairs.push((line, label, value));
            }
        }
        Labelled { pairs }
    }

    /// The non-empty values of a label, with their lines, in text order.
    fn values(&self, wanted: Label) -> impl Iterator<Item = (usize, &str)> {
        self.pairs
            .iter()
            .filter(move |(_, label, value)| *label == wanted && !value.is_empty())
            .map(|(line, _, value)| (*line, value.as_str()))
    }

    fn first(&self, wanted: Label) -> Option<String> {
        self.values(wanted).next().map(|(_, v)| v.to_string())
    }
}

/// The value under a bare label (`办理类型` / `B`): the next non-blank line,
/// unless that is itself a label or the salutation.
fn bare_value<'a>(rest: &[(usize, &'a str)]) -> Option<&'a str> {
    let (_, next) = rest.iter().find(|(_, l)| !l.is_empty())?;
    let is_value = !labels::is_label_line(next) && !next.ends_with([':', '：']);
    is_value.then_some(*next)
}

/// The line after a value that ended in a comma, unless it is a label line.
fn continuation<'a>(rest: &[(usize, &'a str)]) -> Option<&'a str> {
    let (_, next) = rest.iter().find(|(_, l)| !l.is_empty())?;
    (!labels::is_label_line(next) && date::whole_line(next).is_none()).then_some(*next)
}

/// A 文号 with its brackets as written: `常工信复〔2021〕第28号`.
static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\p{Han}{1,12})\s*[:：]?\s*([〔【\[［(（])\s*((?:19|20)\d{2})\s*([〕】\]］)）])\s*(第?)\s*(\d{1,6})\s*号")
        .expect("doc number pattern")
});

/// A 文号 whose closing bracket and 号 were lost: `湘水提〔2021115` is
/// `湘水提〔2021〕115号`, the year being four digits. Spaces, a result code
/// (`临水字〔202313B1类`) or the line's end follow it.
static DAMAGED_DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\p{Han}{1,12})〔((?:19|20)\d{2})(\d{1,4})(?:[A-D]\d?类?)?(?:[ \t\u{3000}]|$)")
        .expect("doc number pattern")
});

fn doc_number(labelled: &Labelled, letter: &Letter) -> Option<String> {
    labelled
        .values(Label::DocNumber)
        .find_map(|(_, v)| doc_number_in(v).or_else(|| Some(compact(v))))
        .or_else(|| letter.header().find_map(|(_, line)| doc_number_in(line)))
}

/// The damaged 文号 as the text has it, if `read` was completed from one.
fn completed_from(labelled: &Labelled, letter: &Letter, read: Option<&str>) -> Option<String> {
    let read = read?;
    let labels = labelled.values(Label::DocNumber).map(|(_, v)| compact(v));
    let header = letter.header().map(|(_, line)| trim(line).to_string());
    labels.chain(header).find_map(|line| {
        let damaged = DAMAGED_DOC_NUMBER.find(&line)?;
        let damaged = trim(damaged.as_str()).to_string();
        (doc_number_in(&line).as_deref() == Some(read)).then_some(damaged)
    })
}

fn doc_number_in(line: &str) -> Option<String> {
    if let Some(caps) = DOC_NUMBER.captures(line) {
        let issuer = caps[1]
            .trim_start_matches("发文字号")
            .trim_start_matches("文号");
        let issuer = if issuer.is_empty() { &caps[1] } else { issuer };
        // ASCII square brackets stand in for 〔〕 where a keyboard lacks them;
        // 【】 and （） are kept as the department writes them.
        let (open, close) = match (&caps[2], &caps[4]) {
            ("[" | "［", "]" | "］") => ("〔", "〕"),
            (open, close) => (open, close),
        };
        return Some(format!(
            "{issuer}{open}{}{close}{}{}号",
            &caps[3], &caps[5], &caps[6]
        ));
    }
    let caps = DAMAGED_DOC_NUMBER.captures(trim(line))?;
    Some(format!("{}〔{}〕{}号", &caps[1], &caps[2], &caps[3]))
}

/// The session as a title names it: what stands between 关于/对 (or the
/// title's start, `县政协十届二次会议第82号提案的复函`) and 会议.
static SESSION_IN_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^(?:\d{4}年)?|关于对|关于|对|在)([^对关于在，,。：:\s《》“”]{2,40}?会议)")
        .expect("session pattern")
});

/// The session as the letter tells it: `您在君山区第五届人民代表大会第四次会议提出`,
/// `你(们)在区十六届人大二次会议期间`, `丁君怡代表在区十届人大四次会议期间所提`.
static SESSION_IN_BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:您|你|代表|委员)(?:们|[(（]们[)）])?在([^，,。：:\s《》“”]{2,40}?会议)")
        .expect("session pattern")
});

/// The session: a labelled 届次, else as the title names it, else as the
/// letter's opening tells it. A session whose ordinals were lost
/// (`县第十八届人大次会议`) gives way to a whole one from the page's
/// headline above the letter, or from the opening.
fn session(labelled: &Labelled, title: Option<&str>, letter: &Letter) -> Option<String> {
    let is_session = |s: &String| {
        ["届", "次", "政协", "人大", "人民代表大会"]
            .iter()
            .any(|w| s.contains(w))
    };
    let in_title = |t: &str| Some(SESSION_IN_TITLE.captures(t)?[1].to_string());
    let in_body = || Some(compact(&SESSION_IN_BODY.captures(&letter.opening(4))?[1]));
    let first = labelled
        .first(Label::Session)
        .map(|s| compact(&s))
        .or_else(|| in_title(title?))
        .or_else(in_body)
        .filter(is_session)?;
    if is_whole_session(&first) {
        return Some(first);
    }
    let headlines = letter
        .header()
        .filter_map(|(_, line)| in_title(&compact(line)));
    let whole = headlines
        .chain(in_body())
        .find(|s| is_session(s) && is_whole_session(s));
    Some(whole.unwrap_or(first))
}

/// A headline that puts the session's year before it:
/// `2023年清原满族自治县八届人大二次会议《…》(72号)的答复`.
static YEAR_OF_SESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^((?:19|20)\d{2})年[^，,。；;：:]{2,40}?会议").expect("session year pattern")
});

fn session_year(letter: &Letter) -> Option<u16> {
    letter
        .header()
        .find_map(|(_, line)| YEAR_OF_SESSION.captures(&compact(line))?[1].parse().ok())
}

/// Whether every 届 and 次 of a session has its ordinal: `县第十八届人大次会议`
/// and `新乐市第届人民代表大会第次会议` lost theirs.
fn is_whole_session(session: &str) -> bool {
    let chars: Vec<char> = session.chars().collect();
    chars.iter().enumerate().all(|(i, c)| {
        !matches!(c, '届' | '次')
            || i.checked_sub(1).is_some_and(|p| {
                chars[p].is_ascii_digit() || "一二三四五六七八九十百零〇两".contains(chars[p])
            })
    })
}

/// The number of a proposal or suggestion: `第0152号`, `16号议案`. A prefix
/// before the digits (`DH0271号`, the delegation's `温36号`) is the
/// register's, not the number's.
static PROPOSAL_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"第?\s*[A-Za-z]{0,4}(\d{1,8})\s*号").expect("number pattern"));

static BARE_PROPOSAL_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:第\s*)?[A-Za-z]{0,4}(\d{1,8})(?:\s*号)?$").expect("number pattern")
});

/// The number as the letter's opening gives it: `您…提出的第18号“…”建议`.
static PROPOSAL_NUMBER_IN_BODY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"第\s*[A-Za-z]{0,4}(\d{1,8})\s*号").expect("number pattern"));

/// The number: labelled, else in the title, else in a headline above it
/// (the letter's own title may have lost its 号: `…会议第30` / `代表建议的答复`),
/// else in the letter's opening.
fn proposal_id(labelled: &Labelled, title: Option<&str>, letter: &Letter) -> Option<String> {
    let in_headline = || {
        letter
            .headlines()
            .find_map(|line| Some(PROPOSAL_NUMBER.captures(&line)?[1].to_string()))
    };
    labelled
        .values(Label::ProposalId)
        .find_map(|(_, v)| Some(BARE_PROPOSAL_NUMBER.captures(trim(v))?[1].to_string()))
        .or_else(|| Some(PROPOSAL_NUMBER.captures(title?)?[1].to_string()))
        .or_else(in_headline)
        .or_else(|| Some(PROPOSAL_NUMBER_IN_BODY.captures(&letter.opening(2))?[1].to_string()))
}

/// 政协 and 委员 make a 提案; 人大 (人民代表大会) and 代表 make a 建议. The
/// assembly named in the session, title or salutation decides first; then
/// the person addressed, 代表 before 委员 because a national CPPCC session is
/// called 全国委员会; then the document the title names (提案, 建议, 议案).
/// A letter's prose is not asked: replies to 提案 often call them 建议.
fn kind(session: Option<&str>, title: Option<&str>, salutation: Option<&str>) -> Option<Kind> {
    let texts = [session, title, salutation];
    let by_assembly = Kind::from_session;
    let by_person = |s: &str| {
        if s.contains("代表") {
            Some(Kind::Suggestion)
        } else if s.contains("委员") {
            Some(Kind::Proposal)
        } else {
            None
        }
    };
    let by_document = |s: &str| {
        if s.contains("提案") {
            Some(Kind::Proposal)
        } else if s.contains("建议") || s.contains("议案") {
            Some(Kind::Suggestion)
        } else {
            None
        }
    };
    texts
        .iter()
        .flatten()
        .find_map(|s| by_assembly(s))
        .or_else(|| {
            [salutation, title]
                .iter()
                .flatten()
                .find_map(|s| by_person(s))
        })
        .or_else(|| title.and_then(by_document))
}

/// When nothing else tells: a letter whose opening speaks of a 提案 answers
/// one (`您提出的“…的提案”收悉,现将提案办理情况答复如下`); a reply to a 建议 never
/// calls it so, though replies to 提案 often call them 建议.
fn kind_in_opening(opening: &str) -> Option<Kind> {
    opening.contains("提案").then_some(Kind::Proposal)
}

/// The proposal's own title, quoted where the letter acknowledges it:
/// `您提出的《…》收悉`, `您所提的“…”`, `您提出的关于“…”`.
static QUOTED_PROPOSAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:提出|所提|提)的?\s*(?:关于)?\s*[《“「\x22]([^》”」\x22]{2,100})[》”」\x22]")
        .expect("proposal pattern")
});

/// The same without quotes: `您提出的关于进一步推进…的建议,现答复如下`.
static UNQUOTED_PROPOSAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:提出|所提)的\s*(关于[^，,。；;！!：:]{2,100}?(?:建议|提案|议案|意见))")
        .expect("proposal pattern")
});

static QUOTED_IN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《([^》]{2,100})》").expect("quote pattern"));

fn proposal_title(labelled: &Labelled, letter: &Letter, title: Option<&str>) -> Option<String> {
    let in_body = || {
        let opening = letter.opening(4);
        let caps = QUOTED_PROPOSAL
            .captures(&opening)
            .or_else(|| UNQUOTED_PROPOSAL.captures(&opening))?;
        Some(caps[1].to_string())
    };
    labelled
        .first(Label::ProposalTitle)
        .or_else(in_body)
        .or_else(|| Some(QUOTED_IN_TITLE.captures(title?)?[1].to_string()))
        .map(|t| tidy_spaces(&t))
}

/// Whom a salutation names, and how: `马青、周丽等委员`, `李雨等23位委员`,
/// `尊敬的王亚春区人大代表`.
static ADDRESSED_PEOPLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.+?)(?:[(（]?等\s*[\d一二三四五六七八九十]*\s*[名位个人]?[)）]?)?(?:全国|省|市|县|区|州|旗|镇|乡)?(?:人大|政协)?(?:代表|委员|同志|先生|女士|主席)们?$")
        .expect("addressee pattern")
});

/// Members named at the start of the letter when it is addressed to a
/// department: `吕斌委员提出的《…》收悉`, `丁君怡代表在区十届人大四次会议期间所提的…`.
static PROPOSERS_IN_BODY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\p{Han}、*]{2,30}?)(?:等\s*\d*\s*[名位]?)?(?:委员|代表)(?:们)?(?:在[^，,。]{2,40}?)?(?:提出|所提)")
        .expect("proposer pattern")
});

fn proposers(labelled: &Labelled, letter: &Letter) -> Option<Vec<String>> {
    let labelled = labelled.values(Label::Proposers).find_map(|(_, v)| {
        let v = compact(v);
        let people = ADDRESSED_PEOPLE
            .captures(&v)
            .map_or(v.clone(), |c| c[1].to_string());
        names(&people)
    });
    let saluted = || {
        let who = spaced_names(letter.salutation()?);
        // `尊敬袁大金代表`: the greeting with its 的 lost is still no name.
        let who = ["尊敬的", "敬爱的", "亲爱的", "尊敬"]
            .iter()
            .fold(who.as_str(), |w, p| w.trim_start_matches(p));
        names(&ADDRESSED_PEOPLE.captures(who)?[1])
    };
    let in_body = || names(&PROPOSERS_IN_BODY.captures(&letter.opening(1))?[1]);
    labelled.or_else(saluted).or_else(in_body)
}

/// The letter's salutation as written, unless it is what a reply page
/// shows without it: the proposers, then 委员 or 代表. `李永莱等32名代表`,
/// `省交通运输厅` and `马青、周丽等委员` are kept, or the page would name
/// one deputy of 32, the wrong recipient, or drop 等.
fn addressee(letter: &Letter, proposers: Option<&[String]>, kind: Option<Kind>) -> Option<String> {
    let written = compact(letter.salutation()?);
    let title = match kind {
        Some(Kind::Proposal) => "委员",
        Some(Kind::Suggestion) => "代表",
        None => "",
    };
    let shown = proposers.map(|names| format!("{}{title}", names.join("、")));
    (shown.as_deref() != Some(written.as_str()) && !written.is_empty()).then_some(written)
}

/// A salutation with its names apart by spaces, `刘俊华 徐航吉 魏 娜 赵玉芳委员`,
/// as names apart by 、; a two-character name spread out (`魏 娜`) is one
/// name, not two. Spaces elsewhere are dropped.
fn spaced_names(salutation: &str) -> String {
    let mut tokens: Vec<&str> = salutation.split_whitespace().collect();
    // `张 雷 代表`: the title belongs to the last name.
    let title = match tokens.last() {
        Some(&t) if ["委员", "代表", "同志"].contains(&t) => {
            tokens.pop();
            t
        }
        _ => "",
    };
    if tokens.len() < 3 {
        return compact(salutation);
    }
    let mut names: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let single = |t: &str| t.chars().count() == 1;
        if single(tokens[i])
            && tokens
                .get(i + 1)
                .is_some_and(|t| single(t) || i + 2 == tokens.len())
        {
            names.push(format!("{}{}", tokens[i], tokens[i + 1]));
            i += 2;
        } else {
            names.push(tokens[i].to_string());
            i += 1;
        }
    }
    names.join("、") + title
}

/// Names split at 、 and commas (not at 和, which names contain); `None`
/// unless every part looks like a name (2 to 6 characters, masks like `刘**`
/// included).
fn names(text: &str) -> Option<Vec<String>> {
    let names: Vec<String> = text
        .split(['、', '，', ',', ' '])
        .map(trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    let plausible = |n: &String| {
        let count = n.chars().count();
        (2..=6).contains(&count)
            && n.chars().all(|c| is_han(c) || "*＊·•".contains(c))
            && !["各位", "诸位", "全体", "你们", "您们"].contains(&n.as_str())
    };
    (!names.is_empty() && names.iter().all(plausible)).then_some(names)
}

/// `…局关于…` / `…局对…`: the issuer at the head of a title.
static ISSUER_IN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.{3,30}?)(?:关于|对)").expect("issuer pattern"));

/// The department: the signature above the date, else the red header
/// (`…局文件`), else the issuer at the head of the title, else what the page
/// says (办理单位, 发布机构, 来源…, best first). A web site (`…政府网`) is
/// not a department.
fn department(labelled: &Labelled, letter: &Letter, title: Option<&str>) -> Option<String> {
    let signature = || signature(letter);
    let red_header = || {
        letter.header().find_map(|(_, line)| {
            let c = compact(line);
            let name = c.strip_suffix("文件")?;
            looks_like_department(name).then(|| name.to_string())
        })
    };
    let issuer = || {
        let caps = ISSUER_IN_TITLE.captures(title?)?;
        looks_like_department(&caps[1]).then(|| caps[1].to_string())
    };
    let page = || {
        let mut candidates: Vec<(u8, String)> = labelled
            .pairs
            .iter()
            .filter_map(|(_, label, value)| match label {
                Label::Department(rank) => Some((*rank, compact(value))),
                // `联系单位及电话：郑州市上街区城市管理局 68118611`
                Label::ContactUnit => Some((0, compact(&PHONE.replace_all(value, "")))),
                _ => None,
            })
            .filter(|(_, v)| v.chars().count() >= 2 && !v.ends_with('网') && !v.ends_with("网站"))
            // A site's user (`铁岭县管理员`) is who typed the page in.
            .filter(|(_, v)| !v.ends_with("管理员") && !v.ends_with("编辑"))
            // A page's 来源 as short as `交通局` names no department.
            .filter(|(rank, v)| *rank != 3 || v.chars().count() >= 4)
            .filter(|(_, v)| !v.chars().any(|c| c.is_ascii_digit()))
            .collect();
        // `• 上街区公安局` among the page's bulleted metadata: the 发布机构
        // shown without its label.
        candidates.extend(
            letter
                .header()
                .filter(|&(i, line)| letter.is_bulleted(i) && looks_like_department(&compact(line)))
                .map(|(_, line)| (2, compact(line))),
        );
        candidates.sort_by_key(|(rank, _)| *rank);
        candidates.into_iter().next().map(|(_, v)| v)
    };
    signature()
        .or_else(red_header)
        .or_else(issuer)
        .or_else(page)
}

/// The signature: the department line nearest above the date; without a
/// date, the first department line of the footer. A line that finishes a
/// wrapped list (`抄送：市政府办公室、` / `市政协提案委`) is not a signature.
fn signature(letter: &Letter) -> Option<String> {
    let footer: Vec<&str> = letter
        .footer()
        .map(|(_, line)| line)
        .filter(|line| !line.is_empty())
        .collect();
    let date_at = footer
        .iter()
        .position(|line| date::whole_line(line).is_some());
    let department = |k: usize| {
        let continues_a_list = k > 0 && footer[k - 1].ends_with(['、', '，', ',']);
        let c = compact(footer[k]);
        let name = c.trim_end_matches(['（', '(', '盖', '章', '印', '）', ')']);
        (looks_like_department(name) && !continues_a_list).then(|| name.to_string())
    };
    match date_at {
        Some(d) => (0..d).rev().find_map(department),
        None => None,
    }
    .or_else(|| (0..footer.len()).find_map(department))
}

/// The date under the signature, else a labelled 成文日期 / 答复时间. Publication
/// dates of the page (发布时间, 公开日期) are not the reply's date.
fn reply_date(labelled: &Labelled, letter: &Letter) -> Option<Date> {
    letter
        .footer()
        .find_map(|(_, line)| date::whole_line(line))
        .or_else(|| {
            labelled
                .values(Label::Date)
                .find_map(|(_, v)| date::find(v))
        })
}

/// A person's name at the start of a value: `孙其晓  0531——85088108` → 孙其晓.
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Han}[\p{Han}*＊·]{0,5}").expect("name pattern"));

/// The person a contact value names: its first word, or, when that is an
/// office (`云南省农业厅畜牧处 王瑞欣 65749510`), the first word after it
/// that is a name.
fn name_in(value: &str) -> Option<String> {
    // `浙江省公路管理局计财处,戴京国`: the office and the person apart by a comma.
    let mut words: Vec<String> = trim(value)
        .split(|c: char| c.is_whitespace() || ",，;；:：".contains(c))
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    // A name spread out letter by letter (`张 雷`) is one word.
    let spread = words
        .iter()
        .take_while(|w| w.chars().count() == 1 && w.chars().all(is_han))
        .count();
    if spread >= 2 {
        let name: String = words.drain(..spread).collect();
        words.insert(0, name);
    }
    let first = NAME.find(words.first()?)?.as_str();
    if !looks_like_department(&words[0]) || words.len() < 2 {
        return Some(first.to_string());
    }
    words[1..]
        .iter()
        .find_map(|w| NAME.find(w).filter(|m| m.len() == w.len()))
        .map(|m| m.as_str().to_string())
        .or_else(|| Some(first.to_string()))
}

fn signer(labelled: &Labelled, letter: &Letter) -> Option<String> {
    labelled
        .values(Label::Signer)
        .find_map(|(_, v)| name_in(v))
        .or_else(|| {
            letter
                .footer()
                .find_map(|(_, line)| signer_in_sentence(line))
        })
}

/// Titles that stand before a name in `经局长薛庆林审签`.
const POSTS: &[&str] = &[
    "副局长",
    "局长",
    "副厅长",
    "厅长",
    "副主任",
    "主任",
    "副部长",
    "部长",
    "副处长",
    "处长",
    "副院长",
    "院长",
    "副站长",
    "站长",
    "副主席",
    "主席",
    "副市长",
    "市长",
    "副县长",
    "县长",
    "副区长",
    "区长",
    "书记",
    "领导",
];

/// The signer told in a sentence: `此件经局长薛庆林审签。` → 薛庆林.
fn signer_in_sentence(line: &str) -> Option<String> {
    let words = SIGNED_IN_SENTENCE.captures(&compact(line))?[1].to_string();
    let name = POSTS
        .iter()
        .find_map(|post| words.rsplit_once(post).map(|(_, name)| name))
        .unwrap_or(&words);
    let name = name.trim_end_matches("同志");
    (2..=4)
        .contains(&name.chars().count())
        .then(|| name.to_string())
}

/// The handler and the line it was found on, which tells whose phone is
/// whose when a footer gives two.
fn handler(labelled: &Labelled) -> (Option<usize>, Option<String>) {
    labelled
        .values(Label::Handler)
        .find_map(|(line, v)| Some((Some(line), Some(name_in(v)?))))
        .unwrap_or((None, None))
}

/// A phone number as written, masks and dashes kept: `0531——85088108`,
/// `131******5505`, `(0531)85088108`.
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[(（]?\d[\d*＊\-—–－―()（）]{4,}\d").expect("phone pattern"));

/// A phone number with the spaces extraction put into it
/// (`1 5838365863`, `0531 85088108`).
static SPREAD_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[(（]?\d(?:[\d*＊\-—–－―()（）]|[ \u{3000}]\d){4,}\d").expect("phone pattern")
});

/// The phone number in a value, its digits all kept: a number spread by
/// spaces is joined when the whole is no longer than a phone number is
/// (twelve digits, area code included); two numbers side by side are not
/// one, and the first is taken as written.
fn phone_in(value: &str) -> Option<String> {
    if let Some(spread) = SPREAD_PHONE.find(value) {
        let joined: String = spread
            .as_str()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let digits = joined.chars().filter(char::is_ascii_digit).count();
        if digits <= 12 {
            return Some(joined);
        }
    }
    Some(PHONE.find(value)?.as_str().to_string())
}

/// How many digits a phone number has, if they are too few or too many for
/// a whole one: a mobile number (1…) has 11, a number with its area code
/// (0…) 10 to 12, a 400 or 800 number 10, a local number 7 or 8. A masked
/// number (`189******6664`) hides how many digits it had, and is not
/// counted. Such a number is kept as the text has it, never padded or cut,
/// and the report names it.
pub(super) fn phone_digits_if_broken(phone: &str) -> Option<usize> {
    if phone.contains(['*', '＊']) {
        return None;
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let n = digits.chars().count();
    let whole = if digits.starts_with('1') {
        n == 11
    } else if digits.starts_with('0') {
        (10..=12).contains(&n)
    } else if digits.starts_with("400") || digits.starts_with("800") {
        n == 10
    } else {
        (7..=8).contains(&n)
    };
    (!whole && n > 0).then_some(n)
}

/// The contact phone: the one on or after the handler's line, since a
/// footer that names a leader and a handler gives each a phone; else the
/// first.
fn phone(labelled: &Labelled, handler_line: Option<usize>) -> Option<String> {
    let mut phones: Vec<(usize, String)> = labelled
        .pairs
        .iter()
        .filter(|(_, label, _)| matches!(label, Label::Phone | Label::Handler | Label::ContactUnit))
        .filter_map(|(line, _, value)| Some((*line, phone_in(value)?)))
        .collect();
    phones.sort_by_key(|(line, _)| *line);
    let after_handler = handler_line.and_then(|h| phones.iter().find(|(line, _)| *line >= h));
    after_handler.or(phones.first()).map(|(_, p)| p.clone())
}

/// The list after 抄送 or after 抄报, by `label`.
fn copies(labelled: &Labelled, label: Label) -> Option<Vec<String>> {
    labelled.values(label).find_map(|(_, v)| {
        let list: Vec<String> = v
            .split(['、', '，', ',', '；', ';', ' ', '\u{3000}'])
            .map(|s| trim(s).trim_end_matches(['。', '.']))
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        (!list.is_empty()).then_some(list)
    })
}

/// A result code fused to something else: `钱汽发〔2020〕11号A类 同意公开`.
static FUSED_RESULT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^A-Za-z])([A-D])类").expect("result pattern"));

/// A result code after a 文号, its 〕 and 号 lost or not: `临水字〔202313B1类`,
/// `桃发改函〔202115  B`.
static RESULT_AFTER_DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Han}[〔【\[]\s*(?:19|20)\d{2}\s*[〕】\]]?\s*\d{1,5}\s*号?\s*([A-D])\d?类?(?:\s|$|同意|不予|依申请)")
        .expect("result pattern")
});

/// The result (A/B/C/D): a labelled 办理类型 / 办复类别 / 类别 whose value is a
/// code (`类别:提案` is the page's document type, not a result), else `A类`
/// in the header or footer, else a lone `A` in the header.
fn result(labelled: &Labelled, letter: &Letter) -> Option<String> {
    let code = |v: &str| {
        let v = compact(v);
        // `(C)`, `C类`, `B`
        let v = v
            .trim_matches(['(', ')', '（', '）'])
            .trim_end_matches('类');
        (v.len() == 1 && ('A'..='D').contains(&v.chars().next()?)).then(|| v.to_string())
    };
    let fused = |line: &str| {
        let caps = FUSED_RESULT
            .captures(line)
            .or_else(|| RESULT_AFTER_DOC_NUMBER.captures(line))?;
        Some(caps[1].to_string())
    };
    labelled
        .values(Label::Result)
        .find_map(|(_, v)| code(v))
        .or_else(|| {
            letter
                .header()
                .chain(letter.footer())
                .find_map(|(_, l)| fused(l))
        })
        .or_else(|| {
            letter
                .header()
                .find_map(|(_, l)| code(l).filter(|_| !l.is_empty()))
        })
}

fn index_number(labelled: &Labelled, letter: &Letter) -> Option<String> {
    labelled
        .values(Label::IndexNumber)
        .find_map(|(_, v)| v.split_whitespace().next().map(String::from))
        .filter(|v| v.chars().any(|c| c.is_ascii_digit()))
        .or_else(|| {
            letter
                .header()
                .find(|(_, line)| BARE_INDEX_NUMBER.is_match(line))
                .map(|(_, line)| line.to_string())
        })
}

/// A metadata value shown without its label (`• 00528361X/2024-00036`):
/// only an 索引号 has this shape, an issuer's code, `/`, a year, `-` and a
/// serial, so the line alone says what it is.
static BARE_INDEX_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9A-Z][0-9A-Z-]{4,}/(?:19|20)\d{2}-\d{3,}$").expect("index number pattern")
});

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Fields {
        extract(&Letter::new(text))
    }

    #[test]
    fn a_bare_index_number_and_a_greeting_without_its_de_are_read() {
        let f = fields(
            "• 640104-107/2019-00169\n关于第16号建议的答复\n尊敬袁大金代表:\n您提出的建议收悉。",
        );
        assert_eq!(f.index_number.as_deref(), Some("640104-107/2019-00169"));
        assert_eq!(f.proposers, Some(vec!["袁大金".to_string()]));
    }

    #[test]
    fn numbers_and_names_spread_by_spaces_keep_every_digit() {
        assert_eq!(
            phone_in("李泽洋 1 5838365863").as_deref(),
            Some("15838365863")
        );
        assert_eq!(phone_in("0531 85088108").as_deref(), Some("053185088108"));
        // Two numbers side by side are not joined into one.
        assert_eq!(
            phone_in("68118611 13912345678").as_deref(),
            Some("68118611")
        );
        assert_eq!(name_in("张 雷 56155520").as_deref(), Some("张雷"));
        assert_eq!(
            spaced_names("刘俊华 徐航吉 魏 娜 赵玉芳委员"),
            "刘俊华、徐航吉、魏娜、赵玉芳委员"
        );
    }

    #[test]
    fn a_phone_number_with_digits_lost_is_known() {
        assert_eq!(phone_digits_if_broken("139073061"), Some(9));
        assert_eq!(phone_digits_if_broken("5838365863"), Some(10));
        for whole in [
            "13575075258",
            "189******6664",
            "0571-87808443",
            "087164871015",
            "(0531)85088108",
            "0878—6034678",
            "67210092",
            "4711019",
            "400-820-8820",
        ] {
            assert_eq!(phone_digits_if_broken(whole), None, "{whole}");
        }
    }

    #[test]
    fn a_contact_unit_gives_the_department_and_the_phone() {
        let f = fields(
            "关于对区政协十届五次会议第 110 号提案的答复\n王洋、陈海军委员\n您们提出的提案收悉，现答复如下：\n正文。\n2020年8月18日\n联系单位及电话：郑州市上街区城市管理局 68118611",
        );
        assert_eq!(f.department.as_deref(), Some("郑州市上街区城市管理局"));
        assert_eq!(f.phone.as_deref(), Some("68118611"));
        assert_eq!(f.proposal_id.as_deref(), Some("110"));
        assert_eq!(f.proposers, Some(vec!["王洋".into(), "陈海军".into()]));
    }

    #[test]
    fn a_reply_without_a_title_gets_the_conventional_one_marked_derived() {
        let f = fields(
            "张三委员：\n您在市政协十届五次会议上提出的第12号提案收悉，现答复如下：\n正文。\n某某市交通运输局\n2021年6月1日",
        );
        assert_eq!(
            f.title.as_deref(),
            Some("关于对市政协十届五次会议提案第12号的答复")
        );
        assert!(f.title_derived);
    }

    #[test]
    fn the_seed_header_and_footer_are_read() {
        let f = fields(
            "常州市工业和信息化局文件\n\n常工信复〔2021〕第28号\n\n关于对市政协十四届五次会议提案 第0152号的答复\n\n周国平委员：\n\n您提出的《关于精准精细做好中小企业提质增效服务工作的建议》收悉。\n\n签 发 人：薛庆林\n\n经 办 人：黄文明\n\n联系电话：85681230\n\n抄 送：市政府办公室、市政协提案委",
        );
        assert_eq!(
            f.title.as_deref(),
            Some("关于对市政协十四届五次会议提案第0152号的答复")
        );
        assert_eq!(f.doc_number.as_deref(), Some("常工信复〔2021〕第28号"));
        assert_eq!(f.session.as_deref(), Some("市政协十四届五次会议"));
        assert_eq!(f.proposal_id.as_deref(), Some("0152"));
        assert_eq!(f.kind, Some(Kind::Proposal));
        assert_eq!(
            f.proposal_title.as_deref(),
            Some("关于精准精细做好中小企业提质增效服务工作的建议")
        );
        assert_eq!(f.proposers, Some(vec!["周国平".to_string()]));
        assert_eq!(f.department.as_deref(), Some("常州市工业和信息化局"));
        assert_eq!(f.date, None);
        assert_eq!(f.year(), Some(2021));
        assert_eq!(f.signer.as_deref(), Some("薛庆林"));
        assert_eq!(f.handler.as_deref(), Some("黄文明"));
        assert_eq!(f.phone.as_deref(), Some("85681230"));
        assert_eq!(
            f.cc,
            Some(vec!["市政府办公室".to_string(), "市政协提案委".to_string()])
        );
        assert_eq!(f.result, None);
    }

    #[test]
    fn proposers_are_read_from_the_salutation() {
        let names = |s: &str| fields(&format!("{s}:\n您提出的建议收悉。")).proposers;
        assert_eq!(
            names("马青、周丽等委员"),
            Some(vec!["马青".into(), "周丽".into()])
        );
        assert_eq!(names("李雨等23位委员"), Some(vec!["李雨".into()]));
        assert_eq!(names("尊敬的王亚春区人大代表"), Some(vec!["王亚春".into()]));
        assert_eq!(names("各位代表"), None);
    }

    #[test]
    fn a_damaged_doc_number_is_repaired() {
        assert_eq!(
            doc_number_in("湘水提〔2021115").as_deref(),
            Some("湘水提〔2021〕115号")
        );
        assert_eq!(
            doc_number_in("潼民发【2024】275号").as_deref(),
            Some("潼民发【2024】275号")
        );
        assert_eq!(
            doc_number_in("文号:交公路建字〔2021〕57号").as_deref(),
            Some("交公路建字〔2021〕57号")
        );
    }

    #[test]
    fn a_document_type_is_not_a_result() {
        let f = fields(
            "关于对政协十届三次会议第52号提案的答复\n类别:提案\n马青委员:\n您提出的建议收悉。",
        );
        assert_eq!(f.result, None);
        let f = fields(
            "钱汽发〔2020〕11号A类 同意公开\n对某会议16号议案的\n答 复\n王亚春代表:\n正文。",
        );
        assert_eq!(f.result.as_deref(), Some("A"));
    }

    #[test]
    fn the_handlers_phone_is_preferred() {
        let f = fields(
            "张三委员:\n正文。\n主管领导:刘**\n联系电话;131******5505\n承办人:李**\n联系电话:189******6664\n某市住房和城乡建设局",
        );
        assert_eq!(f.signer.as_deref(), Some("刘**"));
        assert_eq!(f.handler.as_deref(), Some("李**"));
        assert_eq!(f.phone.as_deref(), Some("189******6664"));
        assert_eq!(f.department.as_deref(), Some("某市住房和城乡建设局"));
    }

    #[test]
    fn a_wrapped_cc_list_is_joined_and_is_no_signature() {
        let f = fields(
            "某市工业和信息化局文件\n关于对市政协第5号提案的答复\n张三委员：\n正文。\n抄送：市政府办公室、\n市政协提案委",
        );
        assert_eq!(
            f.cc,
            Some(vec!["市政府办公室".to_string(), "市政协提案委".to_string()])
        );
        assert_eq!(f.department.as_deref(), Some("某市工业和信息化局"));
    }

    #[test]
    fn copies_reported_up_keep_their_own_label() {
        let f = fields(
            "张三委员：\n正文。\n某市工业和信息化局\n抄报：市人大常委会\n抄送：市政府办公室、市政协提案委",
        );
        assert_eq!(f.cc_report, Some(vec!["市人大常委会".to_string()]));
        assert_eq!(
            f.cc,
            Some(vec!["市政府办公室".to_string(), "市政协提案委".to_string()])
        );
    }

    #[test]
    fn signing_in_a_sentence_is_read() {
        let f = fields("张三委员:\n正文。\n此件经局长薛庆林审签。\n某某局");
        assert_eq!(f.signer.as_deref(), Some("薛庆林"));
    }

    #[test]
    fn the_doc_number_patterns_agree() {
        assert!(crate::import::letter::DOC_NUMBER_LINE.is_match("常工信复〔2021〕第28号"));
        assert!(DOC_NUMBER.is_match("常工信复〔2021〕第28号"));
    }
}
