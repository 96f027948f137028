#!/usr/bin/env python3
"""Makes the PDF and OFD fixtures of `dafu import` from the labelled replies'
plain text, so that `cargo test` needs neither chromium nor an office suite.

    python3 scripts/make-import-fixtures.py

For the seed reply and each `*.txt` of tests/samples/labelled/ it writes, into tests/samples/printed/:

- `NAME.pdf`: the text printed by Debian's chromium (`--print-to-pdf`) in
  Noto Serif CJK (fonts-noto-cjk) as a 公文 is set: A4, 16 pt, each line of the
  text a paragraph with a two-character indent, a page number at the foot
  (`— 2 —`, `第2页 共3页` or `-2-`, by turns) and, on some, a running head.
- `NAME.ofd`: the same text laid out by this script as office suites write
  OFD (GB/T 33190): lines wrapped at the type area's width, then written as
  a TextObject per line, a few characters per object, or one per
  character (by turns), always in shuffled order; a page number per page; an
  electronic seal as a stamp annotation with text of its own, which is no
  text of the letter.

- `NAME.writer.pdf` (labelled replies only): the text set as a word
  processor sets a 公文, by LibreOffice Writer (`soffice --headless
  --convert-to pdf`, from a flat ODF document this script writes): the
  title centred in a larger type that wraps over two lines when long, the
  body indented two characters and justified, the signature and date
  right-aligned, and Writer's own space between Chinese and digits or
  Latin letters ("Asian-Latin spacing", as Word's autospace), which is no
  space of the text.

All are deterministic but for the producers' PDF metadata. Keep them small:
the test reads every one.
"""

import html
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples"
OUT = SAMPLES / "printed"

# The type area of a 公文 (GB/T 9704): A4, 156 mm × 225 mm of text.
PAGE_W, PAGE_H = 210.0, 297.0
LEFT, TOP = 28.0, 37.0
TEXT_W, TEXT_H = 156.0, 225.0
SIZE = 5.6  # 16 pt in millimetres
LEADING = 10.0
INDENT = 2 * SIZE

FOOTERS = ["— {n} —", "第{n}页 共{total}页", "-{n}-"]


def sources():
    files = [SAMPLES / "reply-changzhou-2021-28.txt"]
    labelled = SAMPLES / "labelled"
    if labelled.is_dir():
        files += sorted(p for p in labelled.glob("*.txt"))
    return files


def name_of(path):
    if path.parent.name == "labelled":
        return "labelled-" + path.stem
    return path.stem


def lines_of(path):
    text = path.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------- PDF


def footer_css(style):
    if style == 1:
        content = '"第" counter(page) "页 共" counter(pages) "页"'
    elif style == 2:
        content = '"-" counter(page) "-"'
    else:
        content = '"— " counter(page) " —"'
    return "@bottom-center { content: %s; font-size: 14pt; }" % content


def make_pdf(path, lines, index):
    head = ""
    if index % 3 == 0:
        head = '@top-center { content: "%s"; font-size: 10pt; }' % "政府信息公开"
    paragraphs = "\n".join("<p>%s</p>" % html.escape(line) for line in lines)
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>
@page {{ size: A4; margin: {TOP}mm 26mm 35mm {LEFT}mm; {footer_css(index % 3)} {head} }}
body {{ font-family: "Noto Serif CJK SC"; font-size: 16pt; line-height: 1.6; margin: 0; }}
p {{ margin: 0 0 0.3em 0; text-indent: 2em; text-align: justify; }}
</style></head><body>
{paragraphs}
</body></html>"""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "reply.html"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--print-to-pdf={path}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
        )


# ---------------------------------------------------------------- Writer

# A date line: 2021年7月2日, 二〇二一年七月二日 (spaces allowed).
DATE_LINE = re.compile(r"^\s*(\d{4}|[〇零○一二三四五六七八九十]{4})\s*年.{1,4}月.{1,5}日\s*$")
TITLE_END = re.compile(r"(答复|复函|意见|的函)$")

FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls>
 <style:font-face style:name="Serif CJK" svg:font-family="'Noto Serif CJK SC'" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:text-properties style:font-name="Serif CJK" style:font-name-asian="Serif CJK" fo:font-size="16pt" style:font-size-asian="16pt"/>
 </style:default-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm"
   fo:margin-top="37mm" fo:margin-bottom="35mm" fo:margin-left="28mm" fo:margin-right="26mm"/></style:page-layout>
 <style:style style:name="Title" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-bottom="8mm"/>
  <style:text-properties fo:font-size="22pt" style:font-size-asian="22pt" fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Body" style:family="paragraph">
  <style:paragraph-properties fo:text-align="justify" fo:text-indent="11.2mm" fo:line-height="150%"/>
 </style:style>
 <style:style style:name="Plain" style:family="paragraph">
  <style:paragraph-properties fo:line-height="150%"/>
 </style:style>
 <style:style style:name="Right" style:family="paragraph">
  <style:paragraph-properties fo:text-align="end" fo:margin-right="11.2mm"/>
 </style:style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"/></office:master-styles>
<office:body><office:text>
@PARAGRAPHS@
</office:text></office:body></office:document>
"""


def writer_style(lines, i, title_seen):
    """The style a word processor's user gives line i: the first line that
    ends as a reply's title does is the title; a date line and the short
    line before it (the signature) are right-aligned; a salutation or a
    line ending in a colon is flush left; the rest is body text."""
    line = lines[i]
    after = lines[i + 1] if i + 1 < len(lines) else ""
    if not title_seen and TITLE_END.search(line) and len(line) < 60:
        return "Title"
    if DATE_LINE.match(line) or (DATE_LINE.match(after) and len(line) < 24):
        return "Right"
    if not title_seen or line.endswith((":", "：")):
        return "Plain"
    return "Body"


def make_writer_pdf(path, lines):
    soffice = shutil.which("soffice")
    if soffice is None:
        print("  (no soffice: skipping", path.name + ")", file=sys.stderr)
        return
    paragraphs = []
    title_seen = False
    for i, line in enumerate(lines):
        style = writer_style(lines, i, title_seen)
        title_seen = title_seen or style == "Title"
        paragraphs.append(f'<text:p text:style-name="{style}">{html.escape(line)}</text:p>')
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / (path.name.removesuffix(".pdf") + ".fodt")
        source.write_text(FODT.replace("@PARAGRAPHS@", "\n".join(paragraphs)), encoding="utf-8")
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless",
             "--convert-to", "pdf", "--outdir", tmp, str(source)],
            check=True,
            capture_output=True,
        )
        shutil.move(source.with_suffix(".pdf"), path)


# ---------------------------------------------------------------- OFD


def width_of(ch):
    return SIZE / 2 if ord(ch) < 0x2E80 else SIZE


def wrap(line):
    """The printed lines of one paragraph, each with its left edge."""
    out, current, x0, width = [], "", LEFT + INDENT, INDENT
    for ch in line:
        if width + width_of(ch) > TEXT_W and current:
            out.append((x0, current))
            current, x0, width = "", LEFT, 0.0
        current += ch
        width += width_of(ch)
    if current:
        out.append((x0, current))
    return out


def pages_of(lines):
    """Printed lines, page by page: (x, baseline y, text)."""
    pages, page, y = [], [], TOP + SIZE
    for line in lines:
        for x, text in wrap(line):
            if y > TOP + TEXT_H:
                pages.append(page)
                page, y = [], TOP + SIZE
            page.append((x, y, text))
            y += LEADING
        y += LEADING * 0.3
    if page:
        pages.append(page)
    return pages


def deltas(text, compress):
    widths = [f"{width_of(c):g}" for c in text[:-1]]
    if compress and len(widths) > 2 and len(set(widths)) == 1:
        return f"g {len(widths)} {widths[0]}"
    return " ".join(widths)


def text_object(ident, x, y, text, compress):
    width = sum(width_of(c) for c in text)
    delta = deltas(text, compress)
    delta_attr = f' DeltaX="{delta}"' if delta else ""
    return (
        f'<ofd:TextObject ID="{ident}" Boundary="{x:.2f} {y - SIZE:.2f} {width:.2f} {SIZE * 1.2:.2f}" '
        f'Font="3" Size="{SIZE}"><ofd:TextCode X="0" Y="{SIZE:.2f}"{delta_attr}>'
        f"{html.escape(text, quote=False)}</ofd:TextCode></ofd:TextObject>"
    )


def pieces(x, text, mode, rng):
    """A printed line cut as the producer writes it: whole, in runs, or by character."""
    if mode == 0:
        return [(x, text)]
    out, i = [], 0
    while i < len(text):
        n = 1 if mode == 2 else rng.randint(2, 5)
        part = text[i : i + n]
        out.append((x, part))
        x += sum(width_of(c) for c in part)
        i += n
    return out


def make_ofd(path, lines, index):
    rng = random.Random(index)
    mode = index % 3
    pages = pages_of(lines)
    ident = 10
    page_files = {}
    for number, page in enumerate(pages, 1):
        objects = []
        for x, y, text in page:
            for px, part in pieces(x, text, mode, rng):
                ident += 1
                objects.append(text_object(ident, px, y, part, index % 2 == 0))
        footer = FOOTERS[index % 3].format(n=number, total=len(pages))
        fx = LEFT + (TEXT_W - sum(width_of(c) for c in footer)) / 2
        ident += 1
        objects.append(text_object(ident, fx, PAGE_H - 20, footer, False))
        rng.shuffle(objects)
        page_files[f"Doc_0/Pages/Page_{number - 1}/Content.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content>'
            '<ofd:Layer ID="2">' + "".join(objects) + "</ofd:Layer></ofd:Content></ofd:Page>"
        )
    page_list = "".join(
        f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData>'
        f'<ofd:MaxUnitID>{ident}</ofd:MaxUnitID><ofd:PageArea>'
        f"<ofd:PhysicalBox>0 0 {PAGE_W} {PAGE_H}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>"
        f"<ofd:Pages>{page_list}</ofd:Pages>"
        "<ofd:Annotations>Annotations.xml</ofd:Annotations></ofd:Document>"
    )
    # The seal: a stamp annotation whose appearance has text of its own.
    seal_page = len(pages) - 1
    annotations = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ofd:Annotations xmlns:ofd="http://www.ofdspec.org/2016">'
        f'<ofd:Page PageID="{100 + seal_page}"><ofd:FileLoc>Annots/Page_{seal_page}/Annotation.xml</ofd:FileLoc></ofd:Page>'
        "</ofd:Annotations>"
    )
    annotation = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ofd:PageAnnot xmlns:ofd="http://www.ofdspec.org/2016">'
        '<ofd:Annot ID="900" Type="Stamp" Creator="seal"><ofd:Appearance Boundary="120 200 42 42">'
        '<ofd:TextObject ID="901" Boundary="0 0 42 42" Font="3" Size="4">'
        '<ofd:TextCode X="4" Y="20" DeltaX="g 5 4">电子印章专用</ofd:TextCode></ofd:TextObject>'
        "</ofd:Appearance></ofd:Annot></ofd:PageAnnot>"
    )
    files = {
        "OFD.xml": '<?xml version="1.0" encoding="UTF-8"?>'
        '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.1" DocType="OFD">'
        "<ofd:DocBody><ofd:DocInfo><ofd:DocID>dafu-fixture</ofd:DocID></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
        "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": document,
        "Doc_0/PublicRes.xml": '<?xml version="1.0" encoding="UTF-8"?>'
        '<ofd:Res xmlns:ofd="http://www.ofdspec.org/2016" BaseLoc="Res"><ofd:Fonts>'
        '<ofd:Font ID="3" FontName="仿宋_GB2312" FamilyName="仿宋"/></ofd:Fonts></ofd:Res>',
        "Doc_0/Annotations.xml": annotations,
        f"Doc_0/Annots/Page_{seal_page}/Annotation.xml": annotation,
        "Doc_0/Signs/Signatures.xml": '<?xml version="1.0" encoding="UTF-8"?>'
        '<ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016">'
        '<ofd:Signature ID="1" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>',
        **page_files,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode("utf-8"))


def main():
    OUT.mkdir(exist_ok=True)
    only = set(sys.argv[1:])
    for index, source in enumerate(sources()):
        name = name_of(source)
        if only and name not in only:
            continue
        lines = lines_of(source)
        make_ofd(OUT / f"{name}.ofd", lines, index)
        make_pdf(OUT / f"{name}.pdf", lines, index)
        if source.parent.name == "labelled":
            make_writer_pdf(OUT / f"{name}.writer.pdf", lines)
        print(name)


if __name__ == "__main__":
    main()
