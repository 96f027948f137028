//! What a file is, from its first bytes rather than its name: departments
//! send PDFs named `.docx` and Word files named `.pdf`, and a reader given
//! the wrong format only says its parser failed. Formats import cannot read
//! are refused by name, with what to do instead.

use std::io::Cursor;
use std::path::Path;

/// The formats import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Text,
    Docx,
    Pdf,
    Ofd,
}

impl Format {
    /// How the report names it.
    /// The catalogue's key for what the format is called in a message.
    pub(super) fn description(self) -> &'static str {
        match self {
            Format::Text => "format.text",
            Format::Docx => "format.docx",
            Format::Pdf => "format.pdf",
            Format::Ofd => "format.ofd",
        }
    }

    pub(super) fn ending(self) -> &'static str {
        match self {
            Format::Text => ".txt",
            Format::Docx => ".docx",
            Format::Pdf => ".pdf",
            Format::Ofd => ".ofd",
        }
    }
}

/// The file endings a folder is searched for: the formats import reads, and
/// those it refuses by name so that the editor hears of them.
pub(super) const FOLDER_ENDINGS: [&str; 7] = ["txt", "docx", "pdf", "ofd", "doc", "wps", "rtf"];

/// The format a file's name claims, if it is one import reads.
pub(super) fn named(path: &Path) -> Option<Format> {
    let ending = path.extension()?.to_str()?.to_ascii_lowercase();
    match ending.as_str() {
        "txt" => Some(Format::Text),
        "docx" => Some(Format::Docx),
        "pdf" => Some(Format::Pdf),
        "ofd" => Some(Format::Ofd),
        _ => None,
    }
}

/// The format `bytes` are, or why import does not read them.
pub(super) fn sniff(bytes: &[u8]) -> Result<Format, &'static str> {
    const OLE: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";
    let start = bytes.trim_ascii_start();
    // A PDF may have a few bytes of junk before its header (the format
    // allows 1024).
    let head = &bytes[..bytes.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if start.starts_with(b"PK\x03\x04") {
        return zip_format(bytes);
    }
    if start.starts_with(OLE) {
        return Err("import.refused_doc");
    }
    if start.starts_with(b"{\\rtf") {
        return Err("import.refused_rtf");
    }
    let images: [&[u8]; 5] = [b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*"];
    if images.iter().any(|magic| start.starts_with(magic)) {
        return Err("import.refused_image");
    }
    Ok(Format::Text)
}

/// A zip is a `.docx` or an OFD by the entry that roots it.
fn zip_format(bytes: &[u8]) -> Result<Format, &'static str> {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Err("import.damaged_zip");
    };
    let has = |name: &str| {
        archive
            .file_names()
            .flatten()
            .any(|n| n.trim_start_matches('/') == name)
    };
    if has("word/document.xml") {
        Ok(Format::Docx)
    } else if has("OFD.xml") {
        Ok(Format::Ofd)
    } else {
        Err("import.other_zip")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_decide_not_names() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(Format::Pdf));
        assert_eq!(sniff("周国平委员：".as_bytes()), Ok(Format::Text));
        assert!(sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest").is_err());
        assert!(sniff(b"{\\rtf1 hello").is_err());
        assert!(sniff(b"\x89PNG\r\n").is_err());
        assert!(sniff(b"PK\x03\x04broken").is_err());
    }
}
