"""The periodic report as files: an .xlsx workbook (one sheet per table, real numbers and
dates, column widths, written in openpyxl's write-only mode so that memory stays flat however
many violations the last sheet lists) and an editable .docx BÁO CÁO laid out like the letters
(Nghị định 30/2020/NĐ-CP, Phụ lục I; the header and signature come from letter_docx). Both are
rendered under the Vietnamese catalogue by the views: headers go through gettext."""

import datetime
import io
import re
import tempfile
import zipfile
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from discipline.letters import BLANK, date_line
from discipline.models import Letter, Violation, ViolationType
from discipline.reports import Report
from units.models import Authority

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


# --- .xlsx --------------------------------------------------------------------------------


def _sheet(workbook, title: str, widths: list[float]):
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _header_row(sheet, values: list[str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.font, cell.alignment = bold, wrap
        cells.append(cell)
    sheet.append(cells)


def _dated(sheet, value, number_format: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def write_xlsx(handle, report: Report, *, scope_name: str, rows) -> None:
    """Write the report's workbook into `handle` (a binary file). `rows` are the period's
    violations as reports.violation_rows yields them, for the last sheet."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    categories = [str(label) for _value, label in report.categories]

    sheet = _sheet(workbook, _("Overview"), [48, 14, 14, 14, 12])
    _header_row(sheet, [_("Figure"), _("This period"), _("Previous period"), _("Change"), "%"])
    for row in report.comparison():
        sheet.append(
            [
                str(row["label"]),
                row["current"],
                row["previous"],
                row["change"],
                row["percent"],
            ]
        )
    sheet.append([])
    sheet.append([_("Covering"), scope_name])
    sheet.append([_("Period"), str(report.period.label)])
    sheet.append([_("From"), _dated(sheet, report.period.start, DATE_FORMAT)])
    sheet.append([_("To"), _dated(sheet, report.period.end, DATE_FORMAT)])
    sheet.append([_("Previous period"), str(report.previous.label)])
    sheet.append([_("From"), _dated(sheet, report.previous.start, DATE_FORMAT)])
    sheet.append([_("To"), _dated(sheet, report.previous.end, DATE_FORMAT)])

    sheet = _sheet(workbook, _("Violations by unit"), [40, *[14] * len(categories), 10, 12])
    _header_row(sheet, [_("Unit"), *categories, _("Total"), _("Standing")])
    for unit_row in report.units:
        sheet.append(
            [unit_row.unit.name, *unit_row.by_category_cells, unit_row.total, unit_row.standing]
        )
    sheet.append(
        [
            _("Grand total"),
            *report.category_totals,
            report.current.violations,
            report.current.standing,
        ]
    )

    sheet = _sheet(workbook, _("Visits and deadlines"), [40, 12, 12, 14, 14, 16, 16, 18])
    _header_row(
        sheet,
        [
            _("Unit"),
            _("Visits planned"),
            _("Visits made"),
            _("of which unannounced"),
            _("Answers due"),
            _("Answers late or missing"),
            _("Reports on letters due"),
            _("Reports on letters late or missing"),
        ],
    )
    for unit_row in report.units:
        sheet.append(
            [
                unit_row.unit.name,
                unit_row.visits["planned"],
                unit_row.visits["done"],
                unit_row.visits["unannounced"],
                unit_row.answers_due,
                unit_row.answers_late,
                unit_row.reports_due,
                unit_row.reports_late,
            ]
        )

    sheet = _sheet(workbook, _("Letters issued"), [8, 12, 16, 26, 50, 40, 12, 22])
    _header_row(
        sheet,
        [
            _("Number"),
            _("Date"),
            _("Symbol"),
            _("Kind"),
            _("Subject"),
            _("Addressed to"),
            _("Report due"),
            _("Status"),
        ],
    )
    kinds, statuses = dict(Letter.Kind.choices), dict(Letter.Status.choices)
    for letter in report.letters:
        sheet.append(
            [
                letter.number,
                _dated(sheet, letter.issued_on, DATE_FORMAT),
                letter.symbol,
                str(kinds.get(letter.kind, letter.kind)),
                f"V/v {letter.subject}",
                "; ".join(unit.name for unit in letter.addressees.all()),
                _dated(sheet, letter.response_due, DATE_FORMAT),
                str(statuses.get(letter.status, letter.status)),
            ]
        )

    sheet = _sheet(workbook, _("Repeat offenders"), [32, 40, 14])
    _header_row(sheet, [_("Staff member"), _("Unit"), _("Standing violations")])
    for person in report.offenders:
        sheet.append([person["name"], person["unit"], person["count"]])

    # The list can hold every violation of a year: openpyxl spends some 20 µs a cell on it (10 s
    # for 100,000 rows on a busy machine), so it writes the header and the first row only, and
    # the rows are then streamed into that sheet's XML by _stream_rows in the same format.
    sheet = _sheet(workbook, _("List of violations"), [17, 30, 36, 44, 26, 22])
    _header_row(
        sheet,
        [
            _("Occurred at"),
            _("Staff member"),
            _("Unit"),
            _("Violation type"),
            _("Category"),
            _("Status"),
        ],
    )
    names = _ListNames()
    rows = iter(rows)
    first = next(rows, None)
    if first is not None:
        when, *texts = names.row(first)
        sheet.append([_dated(sheet, when, DATETIME_FORMAT), *texts])
    list_sheet = len(workbook.worksheets)
    with tempfile.TemporaryFile() as skeleton:
        workbook.save(skeleton)
        skeleton.seek(0)
        _stream_rows(skeleton, handle, f"xl/worksheets/sheet{list_sheet}.xml", rows, names)


class _ListNames:
    """Turns a row of reports.violation_rows into the sheet's values: local wall-clock time
    (Excel has no time zones) and the Vietnamese names of the category and status."""

    def __init__(self):
        self.categories = {v: str(label) for v, label in ViolationType.Category.choices}
        self.statuses = {v: str(label) for v, label in Violation.Status.choices}
        self.zone = timezone.get_current_timezone()

    def row(self, values):
        occurred_at, name, unit, kind, category, status = values
        return (
            occurred_at.astimezone(self.zone).replace(tzinfo=None),
            name,
            unit,
            kind,
            self.categories.get(category, category),
            self.statuses.get(status, status),
        )


EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SECOND_ROW = re.compile(r'<row r="2".*?</row>', re.S)
_DATE_STYLE = re.compile(r'<c r="A2" s="(\d+)"')


def _text(value) -> str:
    return escape(_NOT_IN_XML.sub("", str(value)))


def _stream_rows(skeleton, handle, sheet_name: str, rows, names: _ListNames) -> None:
    """Copy the workbook `skeleton` into `handle`, appending `rows` to the sheet `sheet_name`
    after its first data row, written as openpyxl writes it (inline strings, the date cell
    in the first row's style), one row at a time."""
    with (
        zipfile.ZipFile(skeleton) as source,
        # Level 1: a quarter of the time of the default level for a file a tenth larger.
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for item in source.infolist():
            if item.filename != sheet_name:
                target.writestr(item, source.read(item.filename))
                continue
            xml = source.read(item.filename).decode()
            style = _DATE_STYLE.search(xml)
            head, _sep, tail = xml.partition("</sheetData>")
            first_row = _SECOND_ROW.search(head)
            with target.open(sheet_name, "w") as out:
                out.write(head.encode())
                if first_row is None or style is None:
                    out.write(b"</sheetData>" + tail.encode())
                    continue
                date_style = style.group(1)
                # Names, units, types and statuses repeat: each is escaped once.
                escaped: dict[str, str] = {}
                buffer = []
                for number, values in enumerate(rows, start=3):
                    when, name, unit, kind, category, status = names.row(values)
                    serial = (when - EXCEL_EPOCH).total_seconds() / 86400
                    cells = []
                    for column, text in zip(
                        "BCDEF", (name, unit, kind, category, status), strict=True
                    ):
                        value = escaped.get(text)
                        if value is None:
                            value = escaped[text] = _text(text)
                        cells.append(
                            f'<c r="{column}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                        )
                    cells = "".join(cells)
                    buffer.append(
                        f'<row r="{number}"><c r="A{number}" s="{date_style}" t="n">'
                        f"<v>{serial!r}</v></c>{cells}</row>"
                    )
                    if len(buffer) == 1000:
                        out.write("".join(buffer).encode())
                        buffer = []
                out.write(("".join(buffer) + "</sheetData>" + tail).encode())


# --- .docx --------------------------------------------------------------------------------


class ReportDocument:
    """The parts of the BÁO CÁO that letter_docx's header and signature block read."""

    def __init__(self, *, authority: Authority, today: datetime.date):
        self.parent_body = authority.parent_body.strip().upper()
        self.issuing_body = [line.upper() for line in authority.issuing_body_lines]
        # Numbered by the office's own register when signed: the number is left blank.
        self.number_line = f"Số:{BLANK}/BC-{authority.abbreviation}"
        self.subject_line = ""
        self.date_line = date_line(authority.place_name, today)
        self.copy_to_lines = [
            "- Như trên;",
            f"- {authority.chairman_title.strip().capitalize()}, các Phó {authority.chairman_title.strip().lower()};",
            "- Lưu: VT, NV.",
        ]
        self.signature_titles = [
            f"TM. {self.issuing_body[0]}" if self.issuing_body else "",
            authority.chairman_title.strip().upper(),
        ]
        self.signer_name = ""


def _recipient(authority: Authority) -> str:
    """“Sở Nội vụ tỉnh Long An” from the parent body “UBND TỈNH LONG AN”."""
    parent = authority.parent_body.strip()
    for prefix in ("UBND ", "ỦY BAN NHÂN DÂN "):
        if parent.upper().startswith(prefix):
            place = parent[len(prefix) :].strip()
            level, _sep, name = place.partition(" ")
            return f"Sở Nội vụ {level.lower()} {name.title()}".strip()
    return "Sở Nội vụ"


def _n(value: int) -> str:
    """14674 as Vietnamese writes it: 14.674."""
    return f"{value:,}".replace(",", ".")


def _change(now: int, then: int) -> str:
    if now == then:
        return "không thay đổi so với kỳ trước"
    word = "tăng" if now > then else "giảm"
    return f"{word} {_n(abs(now - then))} so với kỳ trước ({_n(then)})"


def _in_sentence(label) -> str:
    """“Quý IV/2026” inside a sentence: “quý IV/2026” (only the first letter is lowered)."""
    text = str(label)
    return text[:1].lower() + text[1:]


def render_report_docx(
    report: Report, *, authority: Authority, scope_name: str, today: datetime.date
) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm

    from discipline import letter_docx as L

    document = ReportDocument(authority=authority, today=today)
    doc = Document()
    L._set_defaults(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = L.PAGE_WIDTH, L.PAGE_HEIGHT
    section.top_margin, section.bottom_margin = L.MARGIN_TOP, L.MARGIN_BOTTOM
    section.left_margin, section.right_margin = L.MARGIN_LEFT, L.MARGIN_RIGHT
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    L._page_numbers_from_page_two(section)
    L._header(doc, document)

    period = report.period
    title = doc.add_paragraph()
    L._format(title, align=WD_ALIGN_PARAGRAPH.CENTER, before=18)
    L._run(title, "BÁO CÁO", 14, bold=True)
    summary_line = (
        "Kết quả kiểm tra công vụ, chấp hành kỷ luật, kỷ cương hành chính "
        f"{_in_sentence(period.label)} (từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y})"
    )
    summary = doc.add_paragraph()
    L._format(summary, align=WD_ALIGN_PARAGRAPH.CENTER)
    L._run(summary, summary_line, 14, bold=True)
    # Under the summary line a short rule, as under the issuing body.
    L._rule(doc, width_mm=50, column_mm=L.TEXT_WIDTH_MM)

    recipient = doc.add_paragraph()
    L._format(recipient, align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=12)
    L._run(recipient, f"Kính gửi: {_recipient(authority)}.", L.SIZE["recipients"])

    now, then = report.current, report.before

    def paragraph(text: str, *, bold: bool = False) -> None:
        p = doc.add_paragraph()
        L._format(p, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6, first_line=Cm(1.27))
        L._run(p, text, L.SIZE["body"], bold=bold)

    paragraph(
        f"Thực hiện Công văn số 455/UBND-NV về việc tăng cường kỷ luật, kỷ cương hành chính, "
        f"{authority.name} báo cáo kết quả kiểm tra công vụ, chấp hành kỷ luật, kỷ cương hành chính "
        f"{_in_sentence(period.label)} tại {scope_name} như sau:"
    )
    paragraph("1. Công tác kiểm tra công vụ", bold=True)
    paragraph(
        f"Trong kỳ đã tiến hành {_n(now.visits_done)} cuộc kiểm tra công vụ trên {_n(now.visits_planned)} "
        f"cuộc theo kế hoạch ({_change(now.visits_done, then.visits_done)})."
    )
    paragraph("2. Kết quả phát hiện vi phạm", bold=True)
    paragraph(
        f"Qua kiểm tra và phản ánh đã ghi nhận {_n(now.violations)} trường hợp vi phạm "
        f"({_change(now.violations, then.violations)}), trong đó {_n(now.standing)} trường hợp đã "
        f"được xác định; {_n(now.repeat_offenders)} người vi phạm từ hai lần trở lên. "
        "Chi tiết theo đơn vị và nhóm vi phạm tại Bảng 2."
    )
    paragraph("3. Công tác chấn chỉnh và xử lý", bold=True)
    paragraph(
        f"Đã ban hành {_n(now.letters)} công văn nhắc nhở, chấn chỉnh, yêu cầu kiểm điểm "
        f"({_change(now.letters, then.letters)}). Có {_n(now.answers_late)}/{_n(now.answers_due)} "
        f"giải trình của đơn vị trễ hạn hoặc chưa có; {_n(now.reports_late)}/{_n(now.reports_due)} "
        "báo cáo kết quả xử lý theo công văn trễ hạn hoặc chưa có."
    )

    table_title = doc.add_paragraph()
    L._format(table_title, before=6, after=6)
    L._run(table_title, "Bảng 1. Tổng hợp so với kỳ trước", L.SIZE["body"], bold=True)
    _grid(
        doc,
        ["Chỉ tiêu", "Kỳ này", "Kỳ trước", "Tăng (+), giảm (-)"],
        [
            [
                str(r["label"]),
                r["current"],
                r["previous"],
                ("+" if r["change"] > 0 else "-" if r["change"] < 0 else "") + _n(abs(r["change"])),
            ]
            for r in report.comparison()
        ],
        widths=[85, 25, 25, 30],
        align=WD_TABLE_ALIGNMENT.CENTER,
    )
    table_title = doc.add_paragraph()
    L._format(table_title, before=12, after=6)
    L._run(table_title, "Bảng 2. Vi phạm theo đơn vị và nhóm vi phạm", L.SIZE["body"], bold=True)
    columns = len(report.categories)
    unit_width, total_width = 40, 18
    cell_width = (L.TEXT_WIDTH_MM - unit_width - total_width) / columns
    _grid(
        doc,
        ["Đơn vị", *[str(label) for _v, label in report.categories], "Tổng"],
        [[row.unit.name, *row.by_category_cells, row.total] for row in report.units if row.total]
        + [["Tổng cộng", *report.category_totals, now.violations]],
        widths=[unit_width, *[cell_width] * columns, total_width],
        align=WD_TABLE_ALIGNMENT.CENTER,
        size=10,
    )

    closing = doc.add_paragraph()
    L._format(closing, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=12, after=6, first_line=Cm(1.27))
    L._run(
        closing,
        f"Trên đây là báo cáo kết quả kiểm tra công vụ, chấp hành kỷ luật, kỷ cương hành chính "
        f"{_in_sentence(period.label)} của {authority.name}./.",
        L.SIZE["body"],
    )
    L._signature(doc, document)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _grid(doc, headers: list[str], rows: list[list], *, widths, align, size: float = 11):
    """A bordered data table: header row bold and repeated on each page, rows never split,
    figures right-aligned with Vietnamese thousands separators, every run in the font."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    from discipline import letter_docx as L

    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = align
    table.autofit = False
    for index, width in enumerate(widths):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))  # repeated on every page
    # Each row's cells once: table.cell(r, c) walks the whole grid on every call.
    grid = [row.cells for row in table.rows]
    for column, text in enumerate(headers):
        paragraph = grid[0][column].paragraphs[0]
        L._format(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER)
        L._run(paragraph, text, size, bold=True)
    for row_index, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            paragraph = grid[row_index][column].paragraphs[0]
            # The first column names the row; the others are figures.
            L._format(
                paragraph, align=WD_ALIGN_PARAGRAPH.RIGHT if column else WD_ALIGN_PARAGRAPH.LEFT
            )
            L._run(paragraph, _n(value) if isinstance(value, int) else str(value), size)
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row stays on one page
    return table
