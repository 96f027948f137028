/*!
`dafu import`: turns replies as they come (a PDF, an OFD, a `.docx`, or text
out of a web page in UTF-8, UTF-16 or GBK) into Markdown files with front
matter that the build reads.

Each input goes through the same stages, one module each: what the file is,
from its first bytes (`format`); bytes to text (`crate::ground::text`, `docx`, and
`pdf` and `ofd`, which hand positioned characters to `layout` to be put in
reading order); text cut into header, salutation, body and footer
(`letter`), fields read out of those parts (`fields`), the body made Markdown
(`body`), and the file named and written (`write`). This module runs them for
every input, keeps two departments' replies to one number apart, and reports
what it found. It never stops at a bad file: each problem is reported with the
file's name and the rest go on.
*/

mod body;
mod date;
mod docx;
mod fields;
mod format;
mod labels;
mod layout;
mod letter;
mod ofd;
mod pdf;
mod text;
mod write;

use std::collections::HashMap;
use std::fs;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

pub(crate) use fields::Fields;
use format::Format;
use rust_i18n::t;

/// What `dafu import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Files and folders; folders are searched for the endings of
    /// [`format::FOLDER_ENDINGS`].
    pub inputs: Vec<PathBuf>,
    /// Where the Markdown files go (`content/` by default).
    pub into: PathBuf,
    /// The department for replies that do not name theirs.
    pub department: Option<String>,
    /// Print what would be written; write nothing.
    pub dry_run: bool,
    /// Overwrite files that exist.
    pub force: bool,
}

/// Above this many files a progress bar is shown (on a terminal).
const PROGRESS_THRESHOLD: usize = 50;

/// A reply is a few pages; a file this large is something else, and is
/// refused before it is read into memory.
const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Imports every input. Returns whether every file was written complete:
/// `false` when any needs an edit, was not written, or could not be read.
/// Problems with single files are reported and do not make this an `Err`.
pub fn run(opts: &ImportOptions) -> anyhow::Result<bool> {
    let Collected {
        files: inputs,
        mut failures,
        skipped,
    } = collect_inputs(&opts.inputs);
    if inputs.is_empty() && failures.is_empty() && skipped.is_empty() {
        bail!(t!("import.nothing", inputs = display_list(&opts.inputs)));
    }
    let progress = progress_bar(inputs.len());
    let mut session = Session {
        opts,
        claimed: HashMap::new(),
    };
    let mut tally = Tally::default();
    for failure in failures.drain(..) {
        progress.suspend(|| print_error(&failure));
        tally.failed += 1;
    }
    for note in &skipped {
        progress.suspend(|| print_note(note));
        tally.skipped += 1;
    }
    for input in &inputs {
        let outcome = session.import(input);
        progress.suspend(|| report(input, &outcome, opts));
        tally.count(&outcome);
        progress.inc(1);
    }
    progress.finish_and_clear();
    // A closed pipe (`dafu import … | head`) is no reason to fail the import.
    let _ = writeln!(std::io::stdout(), "{}", tally.summary(opts.dry_run));
    Ok(tally.all_complete())
}

/// What became of one input.
enum Outcome {
    /// Written (or, in a dry run, would be).
    Written {
        path: PathBuf,
        fields: Box<Fields>,
        contents: String,
        /// What the editor should know or check, a line each.
        notes: Vec<String>,
    },
    /// Read, but not written: the file exists, or the same reply came twice.
    NotWritten { path: PathBuf, reason: String },
    /// Not readable as a reply.
    Failed(String),
    /// Not a reply at all (a list of sources, a readme): nothing to import.
    Skipped(String),
}

/// The state of one run: which names it has given to which department.
struct Session<'a> {
    opts: &'a ImportOptions,
    claimed: HashMap<PathBuf, (Option<String>, PathBuf)>,
}

impl Session<'_> {
    fn import(&mut self, input: &Path) -> Outcome {
        let Input {
            text,
            format,
            mut notes,
        } = match read_text(input) {
            Ok(read) => read,
            Err(err) => return Outcome::Failed(format!("{err:#}")),
        };
        if format == Format::Text && !looks_like_a_reply(&text) {
            return Outcome::Skipped(t!("import.not_a_reply").into_owned());
        }
        let letter = letter::Letter::new(&text);
        let mut fields = fields::extract(&letter);
        if fields.department.is_none() {
            fields.department.clone_from(&self.opts.department);
        }
        if let Some(marking) = fields
            .disclosure
            .as_deref()
            .filter(|m| !fields::is_known_disclosure(m))
        {
            return Outcome::NotWritten {
                path: input.to_path_buf(),
                reason: t!("import.unknown_disclosure", marking = marking).into_owned(),
            };
        }
        let body = body::markdown(&letter);
        let path = match self.claim(write::relative_path(&fields, &body), &fields, input) {
            Ok(path) => path,
            Err((path, reason)) => return Outcome::NotWritten { path, reason },
        };
        let contents = write::document(&fields, &body);
        notes.extend(review_notes(&fields, &self.opts.into.join(&path)));
        // The privacy lint runs on what would be published.
        notes.extend(
            crate::ground::privacy::scan(&contents)
                .iter()
                .map(|finding| {
                    let line = contents[..finding.offset].matches('\n').count() + 1;
                    t!("import.privacy", line = line, finding = finding.message()).into_owned()
                }),
        );
        if !self.opts.dry_run
            && let Err(err) = self.write(&path, &contents)
        {
            return Outcome::Failed(format!("{}: {err:#}", input.display()));
        }
        Outcome::Written {
            path: self.opts.into.join(path),
            fields: Box::new(fields),
            contents,
            notes,
        }
    }

    /// Picks the file name. A name held by another department's reply, on
    /// disk or earlier in this run, gets the department's tag; a name held by
    /// the same reply is overwritten only with `--force`, and never twice in
    /// one run.
    fn claim(
        &mut self,
        base: PathBuf,
        fields: &Fields,
        input: &Path,
    ) -> Result<PathBuf, (PathBuf, String)> {
        let department = fields.department.as_deref();
        let other_department = match self.claimed.get(&base) {
            Some((claimant, _)) => claimant.as_deref() != department,
            None => {
                let on_disk = self.opts.into.join(&base);
                on_disk.exists()
                    && write::existing_department(&on_disk)
                        .is_none_or(|d| d.as_deref() != department)
            }
        };
        let path = if other_department {
            write::with_department_tag(&base, department)
        } else {
            base
        };
        let full = self.opts.into.join(&path);
        if let Some((_, earlier)) = self.claimed.get(&path) {
            let reason = t!("import.same_reply", earlier = earlier.display()).into_owned();
            return Err((full, reason));
        }
        if full.exists() && !self.opts.force {
            return Err((full, t!("import.exists").into_owned()));
        }
        self.claimed.insert(
            path.clone(),
            (department.map(String::from), input.to_path_buf()),
        );
        Ok(path)
    }

    fn write(&self, path: &Path, contents: &str) -> anyhow::Result<()> {
        let full = self.opts.into.join(path);
        if let Some(folder) = full.parent() {
            fs::create_dir_all(folder)
                .with_context(|| t!("file.cannot_create", path = folder.display()))?;
        }
        fs::write(&full, contents).with_context(|| t!("file.cannot_write", path = full.display()))
    }
}

/// What the editor should check in a written reply: a title import made up,
/// a file filed without its date.
fn review_notes(fields: &Fields, path: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    if let (true, Some(title)) = (fields.title_derived, &fields.title) {
        notes.push(t!("import.title_derived", title = title).into_owned());
    }
    if fields.date.is_none() {
        let folder = path
            .parent()
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        notes.push(match fields.year() {
            Some(year) => t!("import.undated_year", folder = folder, year = year).into_owned(),
            None => t!("import.undated", folder = folder).into_owned(),
        });
    }
    notes
}

/// Whether a text file could be a reply at all: every reply names what it
/// answers. A readme or a list of sources in the folder names none of them.
/// (A PDF or OFD is a document someone sent, and is always imported.)
fn looks_like_a_reply(text: &str) -> bool {
    ["答复", "复函", "提案", "建议", "议案", "答 复"]
        .iter()
        .any(|word| text.contains(word))
}

/// The text of one input, read by what its bytes are (a PDF, an OFD, a
/// `.docx`, text), whatever its name says. Errors name the file.
fn read_text(input: &Path) -> anyhow::Result<Input> {
    let name = input.display();
    let bytes = read_regular_file(input)?;
    let format =
        format::sniff(&bytes).map_err(|refused| anyhow::anyhow!("{name}: {}", t!(refused)))?;
    let mut notes = Vec::new();
    if let Some(named) = format::named(input)
        && named != format
    {
        notes.push(
            t!(
                "import.misnamed",
                ending = named.ending(),
                format = t!(format.description())
            )
            .into_owned(),
        );
    }
    let text = match format {
        Format::Docx => docx::text(&bytes).with_context(|| format!("{name}"))?,
        Format::Pdf => pdf::text(&bytes).with_context(|| format!("{name}"))?,
        Format::Ofd => ofd::text(&bytes).with_context(|| format!("{name}"))?,
        Format::Text => crate::ground::text::decode(&bytes)
            .map(|(text, _)| text)
            .map_err(|e| anyhow::anyhow!("{name}:{}: {e}", e.line()))?,
    };
    if text::trim(&text).is_empty() {
        bail!(t!("import.empty", name = name));
    }
    Ok(Input {
        text,
        format,
        notes,
    })
}

/// What one file gave: its text, what it was, and what to tell the editor.
struct Input {
    text: String,
    format: Format,
    notes: Vec<String>,
}

/// The bytes of a regular file, never more than [`MAX_INPUT_BYTES`]. A pipe,
/// a device or a folder under a file's name is refused before it is opened
/// for reading (a FIFO would block the import, `/dev/zero` never ends); the
/// opened file is checked again, in case the name changed in between, and
/// read through a limit, in case it grew.
fn read_regular_file(input: &Path) -> anyhow::Result<Vec<u8>> {
    let name = input.display();
    let metadata = fs::metadata(input).with_context(|| t!("import.cannot_read", name = name))?;
    if !metadata.is_file() {
        bail!(t!("import.not_regular", name = name));
    }
    let file =
        open_without_blocking(input).with_context(|| t!("import.cannot_read", name = name))?;
    let metadata = file
        .metadata()
        .with_context(|| t!("import.cannot_read", name = name))?;
    if !metadata.is_file() {
        bail!(t!("import.not_regular", name = name));
    }
    let too_large = || {
        anyhow::anyhow!(t!(
            "import.too_large",
            name = name,
            mb = MAX_INPUT_BYTES >> 20
        ))
    };
    if metadata.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| t!("import.cannot_read", name = name))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<fs::File> {
    fs::File::open(path)
}

/// The files to import, in a stable order: arguments as given, the files of
/// a folder sorted by path. Folders contribute the endings of
/// [`format::FOLDER_ENDINGS`]; a file named on the command line is read
/// whatever its ending.
fn collect_inputs(args: &[PathBuf]) -> Collected {
    let mut collected = Collected::default();
    for arg in args {
        if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, &mut found, &mut collected);
            found.sort();
            collected.files.extend(found);
        } else if arg.exists() {
            collected.files.push(arg.clone());
        } else {
            collected
                .failures
                .push(t!("import.no_such", name = arg.display()).into_owned());
        }
    }
    collected
}

/// What the command line and its folders hold.
#[derive(Default)]
struct Collected {
    files: Vec<PathBuf>,
    failures: Vec<String>,
    /// Entries of a folder that are not imported, and why.
    skipped: Vec<String>,
}

/// Searches a folder without following links to folders, so that a link
/// back up the tree cannot make the walk endless; links to files are read.
/// Pipes, sockets and devices are skipped: reading them blocks or never ends.
fn walk(folder: &Path, found: &mut Vec<PathBuf>, collected: &mut Collected) {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) => {
            collected
                .failures
                .push(t!("import.cannot_list", name = folder.display(), error = err).into_owned());
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let wanted = format::FOLDER_ENDINGS
            .iter()
            .any(|ending| extension_is(&path, ending));
        if kind.is_dir() {
            walk(&path, found, collected);
        } else if kind.is_symlink() && path.is_dir() {
            collected
                .skipped
                .push(t!("import.folder_link", name = path.display()).into_owned());
        } else if wanted && fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            found.push(path);
        } else if wanted {
            collected
                .skipped
                .push(t!("import.special_file", name = path.display()).into_owned());
        }
    }
}

fn extension_is(path: &Path, wanted: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
}

fn progress_bar(files: usize) -> ProgressBar {
    if files <= PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(files as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// The fields a build cannot do without, and what to do about each.
fn needed_edits(fields: &Fields) -> Vec<String> {
    let mut edits = Vec::new();
    if fields.title.is_none() {
        edits.push(t!("import.edit_title").into_owned());
    }
    if fields.department.is_none() {
        edits.push(t!("import.edit_department").into_owned());
    }
    if fields.year().is_none() {
        edits.push(t!("import.edit_date").into_owned());
    }
    edits
}

/// Prints what became of one input: the fields found and missing, and what
/// needs an edit, on standard output; failures on standard error.
fn report(input: &Path, outcome: &Outcome, opts: &ImportOptions) {
    let mut out = std::io::stdout().lock();
    let _ = match outcome {
        Outcome::Failed(message) => {
            print_error(message);
            Ok(())
        }
        Outcome::NotWritten { path, reason } => {
            writeln!(
                out,
                "{}",
                t!(
                    "import.not_written",
                    input = input.display(),
                    path = path.display(),
                    reason = reason
                )
            )
        }
        Outcome::Skipped(reason) => {
            print_note(&format!("{}: {reason}", input.display()));
            Ok(())
        }
        Outcome::Written {
            path,
            fields,
            contents,
            notes,
        } => write_report(&mut out, input, path, fields, contents, notes, opts.dry_run),
    };
}

fn print_error(message: &str) {
    let _ = writeln!(std::io::stderr(), "{}", t!("cli.error", message = message));
}

fn print_note(message: &str) {
    let _ = writeln!(
        std::io::stdout(),
        "{}",
        t!("import.note", message = message)
    );
}

fn write_report(
    out: &mut impl Write,
    input: &Path,
    path: &Path,
    fields: &Fields,
    contents: &str,
    notes: &[String],
    dry_run: bool,
) -> std::io::Result<()> {
    let key = if dry_run {
        "import.would_write"
    } else {
        "import.wrote"
    };
    writeln!(
        out,
        "{}",
        t!(key, input = input.display(), path = path.display())
    )?;
    let (found, missing) = fields.found_and_missing();
    // Without a date the year still comes from the 文号: say so.
    let missing: Vec<String> = missing
        .iter()
        .map(
            |key| match (*key, fields.doc_number_year(), fields.session_year) {
                ("date", Some(year), _) => t!("import.date_from_year", year = year).into_owned(),
                ("date", None, Some(year)) => {
                    t!("import.date_from_session", year = year).into_owned()
                }
                _ => key.to_string(),
            },
        )
        .collect();
    let found: Vec<String> = found.iter().map(|k| k.to_string()).collect();
    writeln!(out, "{}", t!("import.found", keys = join_or_none(&found)))?;
    writeln!(
        out,
        "{}",
        t!("import.missing", keys = join_or_none(&missing))
    )?;
    if let (Some(read), Some(damaged)) = (&fields.doc_number, &fields.doc_number_completed_from) {
        writeln!(
            out,
            "{}",
            t!("import.completed", read = read, damaged = damaged)
        )?;
    }
    if let Some(phone) = &fields.phone
        && let Some(digits) = fields::phone_digits_if_broken(phone)
    {
        writeln!(
            out,
            "{}",
            t!("import.broken_phone", phone = phone, digits = digits)
        )?;
    }
    for note in notes {
        writeln!(out, "{}", t!("import.note_line", note = note))?;
    }
    let edits = needed_edits(fields);
    if !edits.is_empty() {
        writeln!(out, "{}", t!("import.needs_edit", edits = edits.join("; ")))?;
    }
    if dry_run {
        writeln!(out, "  --- {} ---", path.display())?;
        out.write_all(contents.as_bytes())?;
        writeln!(out, "  --- end of {} ---", path.display())?;
    }
    Ok(())
}

fn join_or_none(keys: &[String]) -> String {
    if keys.is_empty() {
        t!("import.none").into_owned()
    } else {
        keys.join(", ")
    }
}

fn display_list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

/// Counts for the closing summary.
#[derive(Default)]
struct Tally {
    complete: usize,
    needs_edit: usize,
    not_written: usize,
    failed: usize,
    /// Not replies, or not files: not counted in the total.
    skipped: usize,
}

impl Tally {
    fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Written { fields, .. } if needed_edits(fields).is_empty() => {
                self.complete += 1
            }
            Outcome::Written { .. } => self.needs_edit += 1,
            Outcome::NotWritten { .. } => self.not_written += 1,
            Outcome::Failed(_) => self.failed += 1,
            Outcome::Skipped(_) => self.skipped += 1,
        }
    }

    fn all_complete(&self) -> bool {
        self.needs_edit == 0 && self.not_written == 0 && self.failed == 0
    }

    fn summary(&self, dry_run: bool) -> String {
        let total = self.complete + self.needs_edit + self.not_written + self.failed;
        let key = if dry_run {
            "import.summary_dry"
        } else {
            "import.summary"
        };
        let mut line = t!(
            key,
            files = crate::ground::lang::count(total, "count.files"),
            complete = self.complete,
            needs_edit = self.needs_edit,
            not_written = self.not_written,
            failed = self.failed
        )
        .into_owned();
        if self.skipped > 0 {
            line.push_str(&t!("import.summary_skipped", n = self.skipped));
        }
        if dry_run {
            line.push_str(&t!("import.summary_dry_run"));
        }
        line
    }
}
