//! The text of a `.docx`: the paragraphs of the body of `word/document.xml`,
//! in order, one per line. No conversion tool is involved: a `.docx` is a zip
//! archive of XML, read here with `zip` and `quick-xml`. Formatting, headers,
//! footers, comments and tracked deletions are not text of the reply.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// A `word/document.xml` larger than this is refused rather than read into
/// memory: a reply is a few pages, and a zip can claim any size.
const MAX_DOCUMENT_XML: u64 = 64 * 1024 * 1024;

/// Why a file is not a Word document this importer can read.
#[derive(Debug, thiserror::Error)]
pub(super) enum DocxError {
    #[error("is not a .docx (zip) file: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("has no word/document.xml: not a Word document")]
    NoDocument,
    #[error("has a word/document.xml larger than {} MB", MAX_DOCUMENT_XML >> 20)]
    TooLarge,
    #[error("cannot read word/document.xml: {0}")]
    Io(#[from] std::io::Error),
    #[error("has a word/document.xml that is not well-formed XML: {0}")]
    Xml(String),
}

/// The body's paragraphs, each on its own line.
pub(super) fn text(bytes: &[u8]) -> Result<String, DocxError> {
    let xml = document_xml(bytes)?;
    paragraphs(&xml)
}

fn document_xml(bytes: &[u8]) -> Result<String, DocxError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
    let file = match archive.by_name("word/document.xml") {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Err(DocxError::NoDocument),
        Err(err) => return Err(err.into()),
    };
    if file.size() > MAX_DOCUMENT_XML {
        return Err(DocxError::TooLarge);
    }
    // The declared size can lie; the limit on the reader cannot.
    let mut xml = Vec::new();
    file.take(MAX_DOCUMENT_XML + 1).read_to_end(&mut xml)?;
    if xml.len() as u64 > MAX_DOCUMENT_XML {
        return Err(DocxError::TooLarge);
    }
    String::from_utf8(xml).map_err(|_| DocxError::Xml("not UTF-8".into()))
}

/// Walks WordprocessingML: text is in `w:t` inside runs (`w:r`) inside
/// paragraphs (`w:p`) inside `w:body`. Tables hold paragraphs too, so their
/// cells come out in reading order. `w:tab` counts only inside a run: in
/// paragraph properties it is a tab stop, not a character.
fn paragraphs(xml: &str) -> Result<String, DocxError> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut paragraph = String::new();
    let (mut in_body, mut in_run, mut in_text) = (false, false, false);
    loop {
        let event = reader
            .read_event()
            .map_err(|err| DocxError::Xml(err.to_string()))?;
        match event {
            Event::Start(tag) => match tag.name().as_ref() {
                "w:body" => in_body = true,
                "w:r" => in_run = true,
                "w:t" => in_text = true,
                _ => {}
            },
            Event::Empty(tag) if in_body => match tag.name().as_ref() {
                "w:tab" if in_run => paragraph.push('\t'),
                "w:br" | "w:cr" if in_run => paragraph.push('\n'),
                "w:p" => out.push('\n'),
                _ => {}
            },
            Event::End(tag) => match tag.name().as_ref() {
                "w:body" => in_body = false,
                "w:r" => in_run = false,
                "w:t" => in_text = false,
                "w:p" if in_body => {
                    out.push_str(&paragraph);
                    out.push('\n');
                    paragraph.clear();
                }
                _ => {}
            },
            Event::Text(text) if in_body && in_text => paragraph.push_str(&text.xml10_content()),
            Event::CData(data) if in_body && in_text => {
                paragraph.push_str(&data);
            }
            Event::GeneralRef(entity) if in_body && in_text => {
                let resolved = entity
                    .resolve_char_ref()
                    .map_err(|err| DocxError::Xml(err.to_string()))?
                    .or_else(|| predefined_entity(&entity));
                paragraph.extend(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The five entities XML predefines; Word writes no others.
fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr/></w:body></w:document>"#
        )
    }

    fn docx(xml: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn paragraphs_come_out_in_order_with_runs_joined() {
        let xml = document(concat!(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>"#,
            r#"<w:r><w:t>周国平</w:t></w:r><w:r><w:t>委员：</w:t></w:r></w:p>"#,
            r#"<w:p/>"#,
            r#"<w:p><w:r><w:t xml:space="preserve">A &amp; B </w:t><w:tab/><w:t>&#x4E00;</w:t></w:r></w:p>"#,
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>签发人：薛庆林</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
        ));
        assert_eq!(
            text(&docx(&xml)).unwrap(),
            "周国平委员：\n\nA & B \t一\n签发人：薛庆林\n"
        );
    }

    #[test]
    fn a_zip_without_a_document_is_not_a_docx() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(matches!(text(&bytes), Err(DocxError::NoDocument)));
    }

    #[test]
    fn junk_is_not_a_docx() {
        assert!(matches!(text(b"not a zip at all"), Err(DocxError::Zip(_))));
    }

    #[test]
    fn broken_xml_is_an_error() {
        let bytes = docx("<w:document><w:body><w:p></w:body>");
        assert!(matches!(text(&bytes), Err(DocxError::Xml(_))));
    }
}
