//! The text of a PDF with a text layer: every character where the page draws
//! it, handed to [`layout`] to be put in reading order and joined.
//!
//! `pdf-extract` (on `lopdf`) interprets the content streams and decodes each
//! character through its font's `ToUnicode` map, CID fonts (Identity-H, as
//! Word, WPS and Chromium write Chinese) included, and tells an output
//! device where it goes; its own plain-text output follows the stream's
//! order and loses the page's geometry, so this module is that device.
//!
//! A PDF with no characters at all is a scan (or a picture of text): it is
//! refused and the message says to run text recognition first.

use std::panic::{self, AssertUnwindSafe};

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::layout::{self, Glyph, Page};

/// More pages than any reply has: a bigger PDF is refused before its pages
/// are interpreted, which bounds the work and the memory a file can cost.
const MAX_PAGES: usize = 200;

/// More characters than any reply has (a twenty-page reply has some 20,000):
/// reading stops there, so that a page of endless text cannot fill memory.
const MAX_CHARACTERS: usize = 2_000_000;

/// Why a PDF gives no text.
#[derive(Debug, thiserror::Error)]
pub(super) enum PdfError {
    #[error("{}", rust_i18n::t!("import.pdf_unreadable", error = .0))]
    Unreadable(String),
    #[error("{}", rust_i18n::t!("import.pdf_encrypted"))]
    Encrypted,
    #[error("{}", rust_i18n::t!("import.too_many_pages", pages = .0, max = MAX_PAGES))]
    TooManyPages(usize),
    #[error("{}", rust_i18n::t!("import.pdf_too_much_text", max = MAX_CHARACTERS))]
    TooMuchText,
    #[error("{}", rust_i18n::t!("import.pdf_scan"))]
    Scan,
}

/// The document's text, a paragraph a line.
pub(super) fn text(bytes: &[u8]) -> Result<String, PdfError> {
    // pdf-extract panics on some damaged fonts and streams; a damaged file
    // is an error for that file, not the end of the import.
    let pages = quietly(|| read(bytes)).map_err(PdfError::Unreadable)??;
    if pages.iter().all(|p| p.glyphs.is_empty()) {
        return Err(PdfError::Scan);
    }
    Ok(layout::text(&pages))
}

fn read(bytes: &[u8]) -> Result<Vec<Page>, PdfError> {
    let document =
        pdf_extract::Document::load_mem(bytes).map_err(|e| PdfError::Unreadable(e.to_string()))?;
    if document.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let pages = document.get_pages().len();
    if pages > MAX_PAGES {
        return Err(PdfError::TooManyPages(pages));
    }
    let mut device = Device::default();
    let read = pdf_extract::output_doc(&document, &mut device);
    if device.characters > MAX_CHARACTERS {
        return Err(PdfError::TooMuchText);
    }
    read.map_err(|e| PdfError::Unreadable(e.to_string()))?;
    Ok(device.pages)
}

/// Runs `f`, turning a panic into an error without the panic's message on
/// standard error: the import reports it against the file.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(hook);
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown damage".to_string());
        format!("the PDF reader failed on it ({message})")
    })
}

/// Collects each character with its place, baseline growing down the page.
#[derive(Default)]
struct Device {
    pages: Vec<Page>,
    height: f64,
    characters: usize,
}

impl OutputDev for Device {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.height = media_box.ury - media_box.lly;
        self.pages.push(Page::default());
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        // The text rendering matrix scales the nominal size: the size on the
        // page is the side of the square the matrix makes of it.
        let scaled_x = font_size * (trm.m11 + trm.m21);
        let scaled_y = font_size * (trm.m12 + trm.m22);
        let size = (scaled_x * scaled_y).abs().sqrt();
        self.characters += 1;
        if self.characters > MAX_CHARACTERS {
            // Any error stops the interpreter; `read` reports this one.
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        let text: String = char.chars().map(unified).collect();
        if let Some(page) = self.pages.last_mut() {
            page.glyphs.push(Glyph {
                x: trm.m31,
                y: self.height - trm.m32,
                size,
                advance: width * size,
                text,
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// The Kangxi radicals, U+2F00 to U+2FD5, as the ideographs they look like.
const KANGXI: &str = "一丨丶丿乙亅二亠人儿入八冂冖冫几凵刀力勹匕匚匸十卜卩厂厶又口囗土士夂夊夕大女子宀寸小尢尸屮山巛工己巾干幺广廴廾弋弓彐彡彳心戈戶手支攴文斗斤方无日曰月木欠止歹殳毋比毛氏气水火爪父爻爿片牙牛犬玄玉瓜瓦甘生用田疋疒癶白皮皿目矛矢石示禸禾穴立竹米糸缶网羊羽老而耒耳聿肉臣自至臼舌舛舟艮色艸虍虫血行衣襾見角言谷豆豕豸貝赤走足身車辛辰辵邑酉釆里金長門阜隶隹雨靑非面革韋韭音頁風飛食首香馬骨高髟鬥鬯鬲鬼魚鳥鹵鹿麥麻黃黍黑黹黽鼎鼓鼠鼻齊齒龍龜龠";

/// The simplified radicals of the CJK Radicals Supplement that fonts draw
/// with the same glyph as a common character.
const SUPPLEMENT: [(char, char); 34] = [
    ('⺟', '母'),
    ('⺠', '民'),
    ('⻁', '虎'),
    ('⻄', '西'),
    ('⻅', '见'),
    ('⻆', '角'),
    ('⻈', '讠'),
    ('⻉', '贝'),
    ('⻋', '车'),
    ('⻐', '钅'),
    ('⻑', '長'),
    ('⻓', '长'),
    ('⻔', '门'),
    ('⻗', '雨'),
    ('⻘', '青'),
    ('⻙', '韦'),
    ('⻚', '页'),
    ('⻛', '风'),
    ('⻜', '飞'),
    ('⻝', '食'),
    ('⻠', '饣'),
    ('⻢', '马'),
    ('⻣', '骨'),
    ('⻤', '鬼'),
    ('⻥', '鱼'),
    ('⻦', '鸟'),
    ('⻧', '卤'),
    ('⻨', '麦'),
    ('⻩', '黄'),
    ('⻪', '黾'),
    ('⻬', '齐'),
    ('⻮', '齿'),
    ('⻰', '龙'),
    ('⻳', '龟'),
];

/// The character a PDF's code point stands for: an ideograph for a radical. Fonts such as Noto CJK
/// draw 工 and the radical ⼯ with one glyph, and a PDF's `ToUnicode` map
/// (Chromium's among them) may name the glyph by the radical: the page shows
/// 工业 while the text says ⼯业, which no search or pattern would match.
fn unified(c: char) -> char {
    match c {
        '\u{2F00}'..='\u{2FD5}' => KANGXI.chars().nth(c as usize - 0x2F00).unwrap_or(c),
        '\u{2E80}'..='\u{2EF3}' => SUPPLEMENT
            .iter()
            .find(|(radical, _)| *radical == c)
            .map_or(c, |(_, ideograph)| *ideograph),
        // Noto's em dash, named as the horizontal bar: `0878―6034678`.
        '\u{2015}' => '—',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radicals_become_the_characters_they_look_like() {
        let text: String = "⼯业和信息化局第1⻚ 共5⻚".chars().map(unified).collect();
        assert_eq!(text, "工业和信息化局第1页 共5页");
        assert_eq!(KANGXI.chars().count(), 0x2FD6 - 0x2F00);
    }

    #[test]
    fn junk_is_an_error_not_a_panic() {
        assert!(matches!(
            text(b"%PDF-1.4\nnot really"),
            Err(PdfError::Unreadable(_))
        ));
    }
}
