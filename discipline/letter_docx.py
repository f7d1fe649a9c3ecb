"""The editable .docx of a letter, laid out as Nghị định 30/2020/NĐ-CP, Phụ lục I asks: A4,
margins 20/20/30/15 mm, Times New Roman, the two-column header with its two short rules, body
justified with a first-line indent, Nơi nhận and the signature block; page numbers centred at
the top from page 2. LibreOffice ignores a cell's width alone, so every column width is set on
the column and on each cell; every run carries its font (East Asian name too)."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from discipline.letters import MOTTO, NATIONAL_TITLE, LetterDocument, text_width_mm

FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15
HEADER_COLUMNS_MM = (65, TEXT_WIDTH_MM - 65)
FOOTER_COLUMNS_MM = (80, TEXT_WIDTH_MM - 80)
CELL_PADDING_MM = 1.0

# Sizes in points for each element (Phụ lục I gives a range; these are its usual choices).
SIZE = {
    "parent_body": 13,
    "issuing_body": 13,
    "number": 13,
    "subject": 12,
    "national_title": 12,
    "motto": 13,
    "date_line": 13,
    "recipients": 14,
    "body": 14,
    "copy_to_label": 12,
    "copy_to": 11,
    "signature": 14,
    "signer_name": 14,
    "page_number": 13,
}
RULE_HEIGHT_PT = 2
# The schema order of w:tblPr's children: Word refuses a file whose elements are out of order.
TABLE_PROPERTIES_ORDER = (
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
)


def render_docx(document: LetterDocument) -> bytes:
    doc = Document()
    _set_defaults(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    _page_numbers_from_page_two(section)

    _header(doc, document)
    _recipients(doc, document)
    for text in document.body:
        paragraph = doc.add_paragraph()
        _format(
            paragraph,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            after=6,
            first_line=Cm(1.27),
        )
        _run(paragraph, text, SIZE["body"])
    _signature(doc, document)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- parts --------------------------------------------------------------------------------


def _header(doc, document: LetterDocument) -> None:
    """The two-column header. A named document (a BÁO CÁO) has no “V/v” line: its title and
    summary follow the header instead, so its header has two rows, not three."""
    table = _table(doc, rows=3 if document.subject_line else 2, widths_mm=HEADER_COLUMNS_MM)
    left, right = table.cell(0, 0), table.cell(0, 1)
    first = True
    if document.parent_body:
        _cell_line(left, document.parent_body, SIZE["parent_body"], first=first)
        first = False
    for line in document.issuing_body:
        _cell_line(left, line, SIZE["issuing_body"], bold=True, first=first)
        first = False
    longest = max(
        (
            text_width_mm(line, size=SIZE["issuing_body"], bold=True)
            for line in document.issuing_body
        ),
        default=30,
    )
    # Under the issuing body: a rule 1/3 to 1/2 as long as the text (here 40 %).
    _rule(left, width_mm=longest * 0.4, column_mm=HEADER_COLUMNS_MM[0])

    _cell_line(right, NATIONAL_TITLE, SIZE["national_title"], bold=True, first=True)
    _cell_line(right, MOTTO, SIZE["motto"], bold=True)
    # Under the motto: a rule as long as the motto.
    _rule(
        right,
        width_mm=text_width_mm(MOTTO, size=SIZE["motto"], bold=True),
        column_mm=HEADER_COLUMNS_MM[1],
    )

    number = _cell_line(table.cell(1, 0), document.number_line, SIZE["number"], first=True)
    number.paragraph_format.space_before = Pt(6)
    date = _cell_line(
        table.cell(1, 1), document.date_line, SIZE["date_line"], italic=True, first=True
    )
    date.paragraph_format.space_before = Pt(6)
    if not document.subject_line:
        return
    subject = _cell_line(table.cell(2, 0), document.subject_line, SIZE["subject"], first=True)
    subject.paragraph_format.space_before = Pt(6)
    _cell_line(table.cell(2, 1), "", SIZE["subject"], first=True)


def _recipients(doc, document: LetterDocument) -> None:
    if not document.recipients:
        return
    if document.single_recipient:
        paragraph = doc.add_paragraph()
        _format(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=12)
        _run(paragraph, f"Kính gửi: {document.recipients[0]}.", SIZE["recipients"])
        return
    label = doc.add_paragraph()
    _format(label, before=18, after=0, left=Mm(35))
    _run(label, "Kính gửi:", SIZE["recipients"])
    lines = document.recipient_lines
    for index, line in enumerate(lines):
        paragraph = doc.add_paragraph()
        _format(paragraph, after=12 if index == len(lines) - 1 else 0, left=Mm(55))
        _run(paragraph, line, SIZE["recipients"])


def _signature(doc, document: LetterDocument) -> None:
    table = _table(doc, rows=1, widths_mm=FOOTER_COLUMNS_MM)
    # Nơi nhận and the signature stay together on one page.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = table.cell(0, 0), table.cell(0, 1)
    label = _cell_line(
        left,
        "Nơi nhận:",
        SIZE["copy_to_label"],
        bold=True,
        italic=True,
        first=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    label.paragraph_format.space_before = Pt(12)
    for line in document.copy_to_lines:
        _cell_line(left, line, SIZE["copy_to"], align=WD_ALIGN_PARAGRAPH.LEFT)
    first = True
    for line in document.signature_titles:
        paragraph = _cell_line(right, line, SIZE["signature"], bold=True, first=first)
        if first:
            paragraph.paragraph_format.space_before = Pt(12)
        first = False
    # Room to sign and stamp.
    for _ in range(4):
        _cell_line(right, "", SIZE["signature"])
    _cell_line(right, document.signer_name, SIZE["signer_name"], bold=True)


# --- building blocks ----------------------------------------------------------------------


def _set_defaults(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(SIZE["body"])
    _east_asian(style.element.get_or_add_rPr())
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.0
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    style.element.get_or_add_rPr().append(lang)


def _east_asian(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _run(paragraph, text: str, size: float, *, bold: bool = False, italic: bool = False):
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    _east_asian(run._element.get_or_add_rPr())
    # The paragraph mark carries a size too: it sets the height of an empty line.
    mark = paragraph._p.get_or_add_pPr()
    mark_rpr = mark.find(qn("w:rPr"))
    if mark_rpr is None:
        mark_rpr = OxmlElement("w:rPr")
        mark.append(mark_rpr)
    for child in list(mark_rpr):
        if child.tag in (qn("w:sz"), qn("w:szCs")):
            mark_rpr.remove(child)
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(int(size * 2)))
        mark_rpr.append(element)
    return run


def _format(
    paragraph,
    *,
    align=WD_ALIGN_PARAGRAPH.LEFT,
    before: float = 0,
    after: float = 0,
    first_line=None,
    left=None,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = 1.0
    if first_line is not None:
        fmt.first_line_indent = first_line
    if left is not None:
        fmt.left_indent = left


def _table(doc, *, rows: int, widths_mm: tuple[float, float]):
    table = doc.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # a fixed layout (w:tblLayout)
    properties = table._tbl.tblPr
    sequence = TABLE_PROPERTIES_ORDER
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(_twips(sum(widths_mm))))
    width.set(qn("w:type"), "dxa")
    for existing in properties.findall(qn("w:tblW")):
        properties.remove(existing)
    properties.insert_element_before(width, *sequence[sequence.index("w:tblW") + 1 :])
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(_twips(CELL_PADDING_MM)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.insert_element_before(margins, *sequence[sequence.index("w:tblCellMar") + 1 :])
    for index, column_mm in enumerate(widths_mm):
        table.columns[index].width = Mm(column_mm)
        for cell in table.columns[index].cells:
            cell.width = Mm(column_mm)
    for row in table.rows:
        for cell in row.cells:
            # A new cell holds one empty paragraph; _cell_line(first=True) reuses it.
            cell.paragraphs[0].paragraph_format.space_after = Pt(0)
    return table


def _twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def _cell_line(
    cell,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    first: bool = False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
):
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    _format(paragraph, align=align)
    _run(paragraph, text, size, bold=bold, italic=italic)
    return paragraph


def _rule(cell, *, width_mm: float, column_mm: float) -> None:
    """A short horizontal rule, centred: an empty paragraph with a bottom border, narrowed by
    equal indents to `width_mm`."""
    paragraph = cell.add_paragraph()
    inner = column_mm - 2 * CELL_PADDING_MM
    indent = max((inner - width_mm) / 2, 0)
    _format(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER, left=Mm(indent))
    paragraph.paragraph_format.right_indent = Mm(indent)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph.paragraph_format.line_spacing = Pt(RULE_HEIGHT_PT)
    _run(paragraph, "", RULE_HEIGHT_PT)
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")  # eighths of a point: 0.75 pt
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    # pBdr must come before spacing/indentation/alignment in pPr (schema order).
    properties.insert(_pbdr_position(properties), borders)


def _pbdr_position(properties) -> int:
    before = {qn(t) for t in ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore")}
    before |= {qn(t) for t in ("w:framePr", "w:widowControl", "w:numPr", "w:suppressLineNumbers")}
    position = 0
    for index, child in enumerate(properties):
        if child.tag in before:
            position = index + 1
    return position


def _page_numbers_from_page_two(section) -> None:
    """No number on page 1; from page 2 the number centred at the top (a different-first-page
    header holding a PAGE field)."""
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    _format(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2")):
        run = _run(paragraph, "", SIZE["page_number"])
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
        elif text == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = " PAGE "
            run._element.append(instruction)
        else:
            run.text = text
    end = _run(paragraph, "", SIZE["page_number"])
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._element.append(char)
