/*!
`dafu import`: turns replies as they come (text out of a PDF or a web page, in
UTF-8, UTF-16 or GBK, or a `.docx`) into Markdown files with front matter that
the build reads.

Each input goes through the same stages, one module each: bytes to text
(`crate::text`, `docx`), text cut into header, salutation, body and footer
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
mod labels;
mod letter;
mod text;
mod write;

use std::collections::HashMap;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

pub use date::Date;
pub use docx::DocxError;
pub use fields::{Fields, Kind};

/// What `dafu import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Files and folders; folders are searched for `.txt` and `.docx`.
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
    let (inputs, mut failures) = collect_inputs(&opts.inputs);
    if inputs.is_empty() && failures.is_empty() {
        bail!("no .txt or .docx files in {}", display_list(&opts.inputs));
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
    },
    /// Read, but not written: the file exists, or the same reply came twice.
    NotWritten { path: PathBuf, reason: String },
    /// Not readable as a reply.
    Failed(String),
}

/// The state of one run: which names it has given to which department.
struct Session<'a> {
    opts: &'a ImportOptions,
    claimed: HashMap<PathBuf, (Option<String>, PathBuf)>,
}

impl Session<'_> {
    fn import(&mut self, input: &Path) -> Outcome {
        let text = match read_text(input) {
            Ok(text) => text,
            Err(err) => return Outcome::Failed(format!("{err:#}")),
        };
        let letter = letter::Letter::new(&text);
        let mut fields = fields::extract(&letter);
        if fields.department.is_none() {
            fields.department.clone_from(&self.opts.department);
        }
        let body = body::markdown(&letter);
        let path = match self.claim(write::relative_path(&fields, &body), &fields, input) {
            Ok(path) => path,
            Err((path, reason)) => return Outcome::NotWritten { path, reason },
        };
        let contents = write::document(&fields, &body);
        if !self.opts.dry_run
            && let Err(err) = self.write(&path, &contents)
        {
            return Outcome::Failed(format!("{}: {err:#}", input.display()));
        }
        Outcome::Written {
            path: self.opts.into.join(path),
            fields: Box::new(fields),
            contents,
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

/// The text of one input: a `.docx`'s paragraphs, or a text file decoded.
/// Errors name the file.
fn read_text(input: &Path) -> anyhow::Result<String> {
    let name = input.display();
    let size = fs::metadata(input)
        .with_context(|| format!("{name}: cannot read"))?
        .len();
    if size > MAX_INPUT_BYTES {
        bail!(
            "{name}: is {} MB, too large for a reply (the limit is {} MB)",
            size >> 20,
            MAX_INPUT_BYTES >> 20
        );
    }
    let bytes = fs::read(input).with_context(|| format!("{name}: cannot read"))?;
    if let Some(format) = other_format(&bytes).filter(|_| !is_docx(input)) {
        bail!("{name}: is {format}, not text; dafu imports .txt and .docx files");
    }
    let text = if is_docx(input) {
        docx::text(&bytes).with_context(|| format!("{name}"))?
    } else {
        crate::text::decode(&bytes)
            .map(|(text, _)| text)
            .map_err(|e| anyhow::anyhow!("{name}:{}: {e}", e.line()))?
    };
    if text::trim(&text).is_empty() {
        bail!("{name}: is empty; there is no reply to import");
    }
    Ok(text)
}

/// The kind of document `bytes` begin as, when it is one that would decode
/// as text of sorts (GB18030 takes almost any bytes) and import as nonsense.
fn other_format(bytes: &[u8]) -> Option<&'static str> {
    const FORMATS: [(&[u8], &str); 7] = [
        (b"%PDF-", "a PDF (copy its text into a .txt file)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an old Word or WPS document (save it as .docx)",
        ),
        (
            b"PK\x03\x04",
            "a zip archive (a .docx under another name? give it that ending)",
        ),
        (b"{\\rtf", "an RTF document (save it as .docx)"),
        (b"\x89PNG", "an image"),
        (b"\xff\xd8\xff", "an image"),
        (b"GIF8", "an image"),
    ];
    let start = bytes.trim_ascii_start();
    FORMATS
        .iter()
        .find(|(magic, _)| start.starts_with(magic))
        .map(|(_, format)| *format)
}

fn is_docx(path: &Path) -> bool {
    extension_is(path, "docx")
}

fn extension_is(path: &Path, wanted: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
}

/// The files to import, in a stable order: arguments as given, the files of
/// a folder sorted by path. Folders contribute only `.txt` and `.docx`; a
/// file named on the command line is read whatever its extension.
fn collect_inputs(args: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut failures = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, &mut found, &mut failures);
            found.sort();
            files.extend(found);
        } else if arg.exists() {
            files.push(arg.clone());
        } else {
            failures.push(format!("{}: no such file or folder", arg.display()));
        }
    }
    (files, failures)
}

fn walk(folder: &Path, found: &mut Vec<PathBuf>, failures: &mut Vec<String>) {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) => {
            failures.push(format!("{}: cannot list: {err}", folder.display()));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, found, failures);
        } else if extension_is(&path, "txt") || extension_is(&path, "docx") {
            found.push(path);
        }
    }
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
        Outcome::Written {
            path,
            fields,
            contents,
        } => write_report(&mut out, input, path, fields, contents, opts.dry_run),
    };
}

fn print_error(message: &str) {
    let _ = writeln!(std::io::stderr(), "error: {message}");
}

fn write_report(
    out: &mut impl Write,
    input: &Path,
    path: &Path,
    fields: &Fields,
    contents: &str,
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
        if dry_run {
            line.push_str(" (dry run: nothing was written)");
        }
        line
    }
}
