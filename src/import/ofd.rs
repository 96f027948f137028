//! The text of an OFD (GB/T 33190, the national format for electronic
//! official documents): a zip of XML. `OFD.xml` names the document's root
//! (`DocRoot`), whose `Document.xml` lists the pages in order; each page's
//! `Content.xml` draws text as `TextObject`s, each with a `Boundary` (x y w h
//! in millimetres) and `TextCode` runs placed at `X`, `Y` inside it, one
//! character after another `DeltaX` apart. Producers write a line whole, a
//! few characters an object or a character an object, in any order, so the
//! characters are handed to [`layout`] by position.
//!
//! Seals and signatures (`Signatures.xml`, stamp annotations) are drawn
//! outside the pages' content and are not read: their text is no part of
//! the letter.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::layout::{self, Glyph, Page};

/// A reply is a few pages of XML; an entry that unpacks larger than this is
/// refused, whatever the zip claims, so a zip bomb is never unpacked.
const MAX_ENTRY: u64 = 16 * 1024 * 1024;
/// All the XML read from one file together.
const MAX_TOTAL: u64 = 64 * 1024 * 1024;
/// More pages than any reply has.
const MAX_PAGES: usize = 500;

/// Why a file is not an OFD this importer can read.
#[derive(Debug, thiserror::Error)]
pub(super) enum OfdError {
    #[error("is not an OFD (zip) file: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("{}", rust_i18n::t!("import.ofd_missing", part = .0))]
    Missing(String),
    #[error("{}", rust_i18n::t!("import.ofd_too_large", part = .0, mb = MAX_ENTRY >> 20))]
    TooLarge(String),
    #[error("{}", rust_i18n::t!("import.ofd_too_much", mb = MAX_TOTAL >> 20))]
    TooMuch,
    #[error("{}", rust_i18n::t!("import.too_many_pages", pages = .0, max = MAX_PAGES))]
    TooManyPages(usize),
    #[error("cannot read {0}: {1}")]
    Io(String, std::io::Error),
    #[error("has {0} that is not well-formed XML: {1}")]
    Xml(String, String),
    #[error("{}", rust_i18n::t!("import.ofd_no_text"))]
    NoText,
}

/// The document's text, a paragraph a line.
pub(super) fn text(bytes: &[u8]) -> Result<String, OfdError> {
    let mut archive = Archive {
        zip: zip::ZipArchive::new(Cursor::new(bytes))?,
        read: 0,
    };
    let root = archive.xml("OFD.xml")?;
    let doc_root = first_text_of(&root, "DocRoot", "OFD.xml")?
        .ok_or_else(|| OfdError::Missing("DocRoot in OFD.xml".into()))?;
    let doc_root = resolve("", &doc_root);
    let document = archive.xml(&doc_root)?;
    let folder = parent(&doc_root);
    let page_files = page_locations(&document, &doc_root)?;
    let templates = template_locations(&document, &doc_root)?;
    if page_files.len() > MAX_PAGES {
        return Err(OfdError::TooManyPages(page_files.len()));
    }
    let mut pages = Vec::with_capacity(page_files.len());
    for location in page_files {
        let name = resolve(folder, &location);
        let content = archive.xml(&name)?;
        let mut page = glyphs(&content, &name)?;
        // A template page draws what pages share (a red head, a form's
        // labels) under or over the page's own content.
        for id in template_ids(&content, &name)? {
            if let Some(location) = templates.iter().find(|(t, _)| *t == id).map(|(_, l)| l) {
                let name = resolve(folder, location);
                page.extend(glyphs(&archive.xml(&name)?, &name)?);
            }
        }
        pages.push(Page { glyphs: page });
    }
    if pages.iter().all(|p| p.glyphs.is_empty()) {
        return Err(OfdError::NoText);
    }
    Ok(layout::text(&pages))
}

struct Archive<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    read: u64,
}

impl Archive<'_> {
    /// One entry as text, read no further than the limits allow.
    fn xml(&mut self, name: &str) -> Result<String, OfdError> {
        let file = match self.zip.by_name(name) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(OfdError::Missing(name.to_string()));
            }
            Err(err) => return Err(err.into()),
        };
        if file.size() > MAX_ENTRY {
            return Err(OfdError::TooLarge(name.to_string()));
        }
        // The declared size can lie; the limit on the reader cannot.
        let mut bytes = Vec::new();
        file.take(MAX_ENTRY + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| OfdError::Io(name.to_string(), e))?;
        if bytes.len() as u64 > MAX_ENTRY {
            return Err(OfdError::TooLarge(name.to_string()));
        }
        self.read += bytes.len() as u64;
        if self.read > MAX_TOTAL {
            return Err(OfdError::TooMuch);
        }
        String::from_utf8(bytes).map_err(|_| OfdError::Xml(name.to_string(), "not UTF-8".into()))
    }
}

/// A location as the zip names it: `BaseLoc`s are relative to the file that
/// gives them, or absolute from the package's root when they start with `/`.
fn resolve(folder: &str, location: &str) -> String {
    let location = location.trim();
    let joined = match location.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None if folder.is_empty() => location.to_string(),
        None => format!("{folder}/{location}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Element names without their namespace prefix: producers write `ofd:Page`
/// or, with a default namespace, `Page`.
fn local_name(tag: &BytesStart) -> String {
    tag.local_name().as_ref().to_string()
}

fn attribute(tag: &BytesStart, name: &str) -> Option<String> {
    tag.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// The text of the first element called `name`.
fn first_text_of(xml: &str, name: &str, file: &str) -> Result<Option<String>, OfdError> {
    let mut reader = Reader::from_str(xml);
    let mut inside = false;
    loop {
        match reader
            .read_event()
            .map_err(|e| OfdError::Xml(file.to_string(), e.to_string()))?
        {
            Event::Start(tag) => inside = local_name(&tag) == name,
            Event::Text(text) if inside => {
                return Ok(Some(text.xml10_content().trim().to_string()));
            }
            Event::End(_) => inside = false,
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

/// The `BaseLoc` of each `Page` under `Pages`, in the document's order.
fn page_locations(xml: &str, file: &str) -> Result<Vec<String>, OfdError> {
    let mut reader = Reader::from_str(xml);
    let mut in_pages = false;
    let mut pages = Vec::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| OfdError::Xml(file.to_string(), e.to_string()))?
        {
            Event::Start(tag) if local_name(&tag) == "Pages" => in_pages = true,
            Event::End(tag) if tag.local_name().as_ref() == "Pages" => in_pages = false,
            Event::Start(tag) | Event::Empty(tag) if in_pages && local_name(&tag) == "Page" => {
                if let Some(location) = attribute(&tag, "BaseLoc") {
                    pages.push(location);
                }
            }
            Event::Eof => return Ok(pages),
            _ => {}
        }
    }
}

/// The `ID` and `BaseLoc` of each `TemplatePage` of the document.
fn template_locations(xml: &str, file: &str) -> Result<Vec<(String, String)>, OfdError> {
    let mut reader = Reader::from_str(xml);
    let mut templates = Vec::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| OfdError::Xml(file.to_string(), e.to_string()))?
        {
            Event::Start(tag) | Event::Empty(tag) if local_name(&tag) == "TemplatePage" => {
                if let (Some(id), Some(location)) =
                    (attribute(&tag, "ID"), attribute(&tag, "BaseLoc"))
                {
                    templates.push((id, location));
                }
            }
            Event::Eof => return Ok(templates),
            _ => {}
        }
    }
}

/// The `TemplateID`s a page's `Template` elements name.
fn template_ids(xml: &str, file: &str) -> Result<Vec<String>, OfdError> {
    let mut reader = Reader::from_str(xml);
    let mut ids = Vec::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| OfdError::Xml(file.to_string(), e.to_string()))?
        {
            Event::Start(tag) | Event::Empty(tag) if local_name(&tag) == "Template" => {
                ids.extend(attribute(&tag, "TemplateID"));
            }
            Event::Eof => return Ok(ids),
            _ => {}
        }
    }
}

/// The text object being read: where its box is, how it is scaled, and where
/// the pen stands.
struct TextObject {
    origin: (f64, f64),
    /// `CTM`: a b c d e f, from the object's space to the box's.
    ctm: [f64; 6],
    size: f64,
    pen: (f64, f64),
}

impl TextObject {
    fn new(tag: &BytesStart) -> TextObject {
        let boundary = numbers(attribute(tag, "Boundary").as_deref().unwrap_or(""));
        let ctm = numbers(attribute(tag, "CTM").as_deref().unwrap_or(""));
        TextObject {
            origin: (
                boundary.first().copied().unwrap_or(0.0),
                boundary.get(1).copied().unwrap_or(0.0),
            ),
            ctm: if ctm.len() == 6 {
                [ctm[0], ctm[1], ctm[2], ctm[3], ctm[4], ctm[5]]
            } else {
                [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
            },
            size: attribute(tag, "Size")
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0.0),
            pen: (0.0, 0.0),
        }
    }

    /// A point of the object's space on the page.
    fn place(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.ctm;
        (
            self.origin.0 + a * x + c * y + e,
            self.origin.1 + b * x + d * y + f,
        )
    }

    fn scale(&self) -> f64 {
        let [a, b, c, d, ..] = self.ctm;
        (a * d - b * c).abs().sqrt()
    }

    /// The glyphs of one `TextCode`: its characters from its `X`, `Y` (or
    /// where the last one ended), `DeltaX` apart.
    fn text_code(&mut self, tag: &BytesStart, text: &str, out: &mut Vec<Glyph>) {
        let x = attribute(tag, "X").and_then(|v| v.trim().parse().ok());
        let y = attribute(tag, "Y").and_then(|v| v.trim().parse().ok());
        self.pen = (x.unwrap_or(self.pen.0), y.unwrap_or(self.pen.1));
        let deltas = delta_x(attribute(tag, "DeltaX").as_deref().unwrap_or(""));
        let scale = self.scale();
        let size = self.size * scale;
        let chars: Vec<char> = text.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            // The last character's width is not given: a Chinese character
            // is as wide as the font is large, a Latin one about half.
            let step = deltas.get(i).copied().unwrap_or(if c.is_ascii() {
                self.size / 2.0
            } else {
                self.size
            });
            let (px, py) = self.place(self.pen);
            out.push(Glyph {
                x: px,
                y: py,
                size,
                advance: step * scale,
                text: c.to_string(),
            });
            self.pen.0 += step;
        }
    }
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// `DeltaX` spelled out: `g 3 2.1` is three steps of 2.1.
fn delta_x(s: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut words = s.split_whitespace();
    while let Some(word) = words.next() {
        if word == "g" {
            let count: usize = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let step: f64 = words.next().and_then(|n| n.parse().ok()).unwrap_or(0.0);
            // A count no page could hold is damage, not text.
            out.extend(std::iter::repeat_n(step, count.min(10_000)));
        } else if let Ok(step) = word.parse() {
            out.push(step);
        }
    }
    out
}

/// Every character a page's content draws, wherever it is nested (layers,
/// page blocks, composite objects).
fn glyphs(xml: &str, file: &str) -> Result<Vec<Glyph>, OfdError> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut object: Option<TextObject> = None;
    let mut code: Option<(BytesStart<'static>, String)> = None;
    let error = |e: &dyn std::fmt::Display| OfdError::Xml(file.to_string(), e.to_string());
    loop {
        match reader.read_event().map_err(|e| error(&e))? {
            Event::Start(tag) => match local_name(&tag).as_str() {
                "TextObject" => object = Some(TextObject::new(&tag)),
                "TextCode" if object.is_some() => code = Some((tag.into_owned(), String::new())),
                _ => {}
            },
            Event::Text(text) => {
                if let Some((_, content)) = code.as_mut() {
                    content.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some((_, content)) = code.as_mut() {
                    if let Some(c) = reference.resolve_char_ref().map_err(|e| error(&e))? {
                        content.push(c);
                    } else if let Some(entity) =
                        quick_xml::escape::resolve_predefined_entity(&reference)
                    {
                        content.push_str(entity);
                    }
                }
            }
            Event::End(tag) => match tag.local_name().as_ref() {
                "TextCode" => {
                    if let (Some((start, content)), Some(object)) = (code.take(), object.as_mut()) {
                        object.text_code(&start, &content, &mut out);
                    }
                }
                "TextObject" => object = None,
                _ => {}
            },
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ofd(files: &[(&str, &str)]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .expect("entry");
            zip.write_all(content.as_bytes()).expect("write");
        }
        zip.finish().expect("zip").into_inner()
    }

    fn text_object(y: f64, text: &str) -> String {
        format!(
            r#"<ofd:TextObject Boundary="28 {y} 150 8" Size="5"><ofd:TextCode X="0" Y="5" DeltaX="g {} 5">{text}</ofd:TextCode></ofd:TextObject>"#,
            text.chars().count().saturating_sub(1)
        )
    }

    #[test]
    fn a_template_page_is_read_with_the_page_and_a_seal_is_not() {
        let page = |objects: String| {
            format!(
                r#"<ofd:Page xmlns:ofd="x"><ofd:Template TemplateID="7"/><ofd:Content><ofd:Layer>{objects}</ofd:Layer></ofd:Content></ofd:Page>"#
            )
        };
        let bytes = ofd(&[
            (
                "OFD.xml",
                r#"<ofd:OFD xmlns:ofd="x"><ofd:DocBody><ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"#,
            ),
            (
                "Doc_0/Document.xml",
                r#"<ofd:Document xmlns:ofd="x"><ofd:CommonData><ofd:TemplatePage ID="7" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>"#,
            ),
            (
                "Doc_0/Tpls/Tpl_0/Content.xml",
                &page(text_object(20.0, "某某局文件")),
            ),
            (
                "Doc_0/Pages/Page_0/Content.xml",
                &page(text_object(60.0, "张三委员：")),
            ),
            (
                "Doc_0/Annots/Page_0/Annotation.xml",
                &page(text_object(90.0, "电子印章")),
            ),
        ]);
        assert_eq!(text(&bytes).expect("an OFD"), "某某局文件\n张三委员：");
    }

    #[test]
    fn a_bomb_entry_is_refused_before_it_is_read() {
        let huge = " ".repeat((MAX_ENTRY + 1) as usize);
        let bytes = ofd(&[("OFD.xml", &huge)]);
        assert!(matches!(text(&bytes), Err(OfdError::TooLarge(name)) if name == "OFD.xml"));
    }

    #[test]
    fn delta_x_spells_out_its_repeats() {
        assert_eq!(delta_x("g 3 2.5 1"), vec![2.5, 2.5, 2.5, 1.0]);
        assert_eq!(delta_x(""), Vec::<f64>::new());
    }

    #[test]
    fn locations_are_relative_to_their_file_or_the_root() {
        assert_eq!(
            resolve("Doc_0", "Pages/Page_0/Content.xml"),
            "Doc_0/Pages/Page_0/Content.xml"
        );
        assert_eq!(resolve("Doc_0", "/Doc_0/Res/a.xml"), "Doc_0/Res/a.xml");
        assert_eq!(resolve("", "/Doc_0/Document.xml"), "Doc_0/Document.xml");
        assert_eq!(resolve("Doc_0/Pages", "../Res/x.xml"), "Doc_0/Res/x.xml");
    }

    #[test]
    fn a_text_code_is_placed_inside_its_box() {
        let xml = r#"<ofd:Page xmlns:ofd="x"><ofd:Content><ofd:Layer>
            <ofd:TextObject Boundary="10 20 50 6" Size="5"><ofd:TextCode X="1" Y="4" DeltaX="g 2 5">甲&amp;乙</ofd:TextCode></ofd:TextObject>
            </ofd:Layer></ofd:Content></ofd:Page>"#;
        let glyphs = glyphs(xml, "Content.xml").expect("well-formed");
        let placed: Vec<(f64, f64, &str)> =
            glyphs.iter().map(|g| (g.x, g.y, g.text.as_str())).collect();
        assert_eq!(
            placed,
            vec![(11.0, 24.0, "甲"), (16.0, 24.0, "&"), (21.0, 24.0, "乙")]
        );
    }
}
