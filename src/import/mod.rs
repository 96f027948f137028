/*!
`dafu import`: turns replies as they come (a PDF, an OFD, a `.docx`, or text
out of a web page in UTF-8, UTF-16 or GBK) into Markdown files with front
matter that the build reads.

Each input goes through the same stages, one module each: what the file is,
from its first bytes (`format`); bytes to text (`crate::text`, `docx`, and
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

pub use date::Date;
pub use docx::DocxError;
pub use fields::{Fields, Kind};
use format::Format;

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
        bail!(
            "no .txt, .docx, .pdf or .ofd files in {}",
            display_list(&opts.inputs)
        );
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
            return Outcome::Skipped(
                "is not a reply: it never says 答复, 复函, 提案, 建议 or 议案 (a list of sources, a readme?); skipped"
                    .to_string(),
            );
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
                reason: format!(
                    "states 公开属性 {marking}, which is none of 主动公开, 依申请公开, 不予公开; \
                     not written, so that it is not published by mistake: import it once you know how it may be published"
                ),
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
        notes.extend(crate::privacy::scan(&contents).iter().map(|finding| {
            let line = contents[..finding.offset].matches('\n').count() + 1;
            format!(
                "privacy: line {line} of the written file: {}",
                finding.message()
            )
        }));
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
            let reason = format!(
                "the same reply as {}, imported earlier in this run",
                earlier.display()
            );
            return Err((full, reason));
        }
        if full.exists() && !self.opts.force {
            return Err((
                full,
                "exists; not overwritten (use --force to overwrite)".to_string(),
            ));
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
                .with_context(|| format!("cannot create {}", folder.display()))?;
        }
        fs::write(&full, contents).with_context(|| format!("cannot write {}", full.display()))
    }
}

/// What the editor should check in a written reply: a title import made up,
/// a file filed without its date.
fn review_notes(fields: &Fields, path: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    if let (true, Some(title)) = (fields.title_derived, &fields.title) {
        notes.push(format!(
            "title derived: the text has none, so it is the conventional `{title}`; check it"
        ));
    }
    if fields.date.is_none() {
        let folder = path
            .parent()
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        notes.push(match fields.year() {
            Some(year) => format!(
                "undated: filed under {folder}/ by the year {year} of its 文号; once you know its date, add `date:` and move it if the year differs"
            ),
            None => format!(
                "undated: filed under {folder}/; once you know its date, add `date:` and move it to that year's folder"
            ),
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
    let format = format::sniff(&bytes).map_err(|refused| anyhow::anyhow!("{name}: {refused}"))?;
    let mut notes = Vec::new();
    if let Some(named) = format::named(input)
        && named != format
    {
        notes.push(format!(
            "is named {} but is {}; read as {}",
            named.ending(),
            format.description(),
            format.description()
        ));
    }
    let text = match format {
        Format::Docx => docx::text(&bytes).with_context(|| format!("{name}"))?,
        Format::Pdf => pdf::text(&bytes).with_context(|| format!("{name}"))?,
        Format::Ofd => ofd::text(&bytes).with_context(|| format!("{name}"))?,
        Format::Text => crate::text::decode(&bytes)
            .map(|(text, _)| text)
            .map_err(|e| anyhow::anyhow!("{name}:{}: {e}", e.line()))?,
    };
    if text::trim(&text).is_empty() {
        bail!("{name}: is empty; there is no reply to import");
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
    let metadata = fs::metadata(input).with_context(|| format!("{name}: cannot read"))?;
    if !metadata.is_file() {
        bail!("{name}: is not a regular file (a folder, pipe or device); skipped");
    }
    let file = open_without_blocking(input).with_context(|| format!("{name}: cannot read"))?;
    let metadata = file
        .metadata()
        .with_context(|| format!("{name}: cannot read"))?;
    if !metadata.is_file() {
        bail!("{name}: is not a regular file (a folder, pipe or device); skipped");
    }
    let too_large = || {
        anyhow::anyhow!(
            "{name}: is over {} MB, too large for a reply",
            MAX_INPUT_BYTES >> 20
        )
    };
    if metadata.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{name}: cannot read"))?;
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
                .push(format!("{}: no such file or folder", arg.display()));
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
                .push(format!("{}: cannot list: {err}", folder.display()));
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
            collected.skipped.push(format!(
                "{}: is a link to a folder; not followed",
                path.display()
            ));
        } else if wanted && fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            found.push(path);
        } else if wanted {
            collected.skipped.push(format!(
                "{}: is not a regular file (a pipe, device or broken link); skipped",
                path.display()
            ));
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
fn needed_edits(fields: &Fields) -> Vec<&'static str> {
    let mut edits = Vec::new();
    if fields.title.is_none() {
        edits.push("title");
    }
    if fields.department.is_none() {
        edits.push("department (or import with --department NAME)");
    }
    if fields.year().is_none() {
        edits.push("date (no date, and no 〔YYYY〕 in a doc_number)");
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
                "{} -> {}: not written: {reason}",
                input.display(),
                path.display()
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
    let _ = writeln!(std::io::stderr(), "error: {message}");
}

fn print_note(message: &str) {
    let _ = writeln!(std::io::stdout(), "note: {message}");
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
    let verb = if dry_run { "would write" } else { "wrote" };
    writeln!(out, "{} -> {verb} {}", input.display(), path.display())?;
    let (found, missing) = fields.found_and_missing();
    // Without a date the year still comes from the 文号: say so.
    let missing: Vec<String> = missing
        .iter()
        .map(|key| match (*key, fields.doc_number_year()) {
            ("date", Some(year)) => format!("date (year {year} from doc_number)"),
            _ => key.to_string(),
        })
        .collect();
    let found: Vec<String> = found.iter().map(|k| k.to_string()).collect();
    writeln!(out, "  found:   {}", join_or_none(&found))?;
    writeln!(out, "  missing: {}", join_or_none(&missing))?;
    if let (Some(read), Some(damaged)) = (&fields.doc_number, &fields.doc_number_completed_from) {
        writeln!(
            out,
            "  check:   doc_number {read} was completed from `{damaged}`"
        )?;
    }
    for note in notes {
        writeln!(out, "  note:    {note}")?;
    }
    let edits = needed_edits(fields);
    if !edits.is_empty() {
        writeln!(out, "  needs an edit: add {}", edits.join("; "))?;
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
        "none".to_string()
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
        let written = if dry_run {
            "would be written"
        } else {
            "written"
        };
        let mut line = format!(
            "{total} file{}: {} {written} complete, {} {written} but need an edit, {} not written, {} failed",
            if total == 1 { "" } else { "s" },
            self.complete,
            self.needs_edit,
            self.not_written,
            self.failed,
        );
        if self.skipped > 0 {
            line.push_str(&format!("; {} skipped (not a reply)", self.skipped));
        }
        if dry_run {
            line.push_str(" (dry run: nothing was written)");
        }
        line
    }
}
