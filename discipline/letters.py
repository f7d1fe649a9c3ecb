"""What a letter says and how its parts read, shared by the .docx, the PDF and the print view
(Nghị định 30/2020/NĐ-CP, Phụ lục I). The printed document is always Vietnamese, whatever the
interface language: its fixed words ("Kính gửi:", "Nơi nhận:") are part of the legal format,
and the pre-filled text per kind lives in templates/discipline/letters/*.txt."""

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from django.template.loader import render_to_string
from django.utils import timezone

from discipline.models import Letter, Violation
from units.models import Authority, Staff, Unit

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
CLOSING = "./."
# Drafts have no number or date yet: the blanks are filled in by hand on paper, as offices do.
BLANK = "\u00a0" * 6


def date_line(place: str, day: datetime.date | None, *, year: int | None = None) -> str:
    """“Vĩnh Hưng, ngày 05 tháng 01 năm 2026”: days below 10 and the months January and
    February get a leading zero (“tháng 02”), the other months do not (“tháng 6”), as
    Nghị định 30 writes them; Django's locale format would not. Without a day: blanks."""
    if day is None:
        return f"{place}, ngày{BLANK}tháng{BLANK}năm {year or timezone.localdate().year}"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(letter: Letter) -> str:
    """“Số: 07/UBND-VP”; a draft shows the blank the number will fill."""
    if letter.number:
        return f"Số: {letter.reference}"
    return f"Số:{BLANK}/{symbol_for(letter.authority, letter.drafting_unit)}"


def symbol_for(authority: Authority, drafting_unit: Unit) -> str:
    return f"{authority.abbreviation}-{drafting_unit.code}"


def signature_for(*, signer: Staff, drafting_unit: Unit, authority: Authority) -> tuple[str, str]:
    """The signature block's title lines and the signer's name, from data: “TL. CHỦ TỊCH”
    (the Authority's chairman title), then the signer's own title when the signer heads the
    drafting unit, or “KT. <head's title>” and the deputy's title otherwise."""
    lines = [f"TL. {authority.chairman_title.strip().upper()}"]
    head = drafting_unit.head
    if head is not None and head.pk != signer.pk and head.position:
        lines.append(f"KT. {head.position.strip().upper()}")
    if signer.position:
        lines.append(signer.position.strip().upper())
    return "\n".join(lines), signer.full_name


def addressee_line(unit: Unit) -> str:
    return render_to_string("discipline/letters/addressee.txt", {"unit": unit}).strip()


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def clean_recipient(line: str) -> str:
    """A Kính gửi line without the dash and end punctuation the layout adds."""
    return line.strip().removeprefix("-").strip().rstrip(";.").strip()


def clean_copy_to(line: str) -> str:
    return line.strip().removeprefix("-").strip()


def normalise_body(text: str) -> str:
    """One paragraph per line; the last one ends with “./.” as Nghị định 30 requires."""
    paragraphs = lines_of(text)
    if paragraphs and not paragraphs[-1].endswith(CLOSING):
        paragraphs[-1] = paragraphs[-1].rstrip(" .;:,") + CLOSING
    return "\n".join(paragraphs)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _day(value: datetime.datetime) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y}"


@dataclass
class Person:
    staff: Staff
    unit: Unit
    violations: list[Violation] = field(default_factory=list)

    @property
    def breaches(self) -> str:
        """“đi muộn, về sớm ngày 18/09/2026; không đeo thẻ … ngày 13/10/2026”."""
        return "; ".join(
            f"{_lower_first(v.type.name)} ngày {_day(v.occurred_at)}" for v in self.violations
        )


def prefill(
    *,
    kind: str,
    authority: Authority,
    drafting_unit: Unit,
    addressees: list[Unit],
    violations: list[Violation],
    response_due: datetime.date,
) -> dict[str, str]:
    """Subject, Kính gửi, body and Nơi nhận of a new draft, from the templates of its kind."""
    people: dict[int, Person] = {}
    for violation in sorted(violations, key=lambda v: (v.staff.full_name, v.occurred_at)):
        person = people.setdefault(violation.staff_id, Person(violation.staff, violation.unit))
        person.violations.append(violation)
    # “Công văn 455/UBND-NV …, mục 1: chấp hành …” — requirements grouped under their source.
    bases: dict[str, list[str]] = {}
    for violation in violations:
        source, _, requirement = violation.type.legal_basis.strip().rstrip(".").partition(": ")
        if source:
            requirements = bases.setdefault(source, [])
            if requirement and requirement not in requirements:
                requirements.append(requirement)
    heads = [addressee_line(unit) for unit in addressees]
    context = {
        "authority": authority,
        "chair": f"{authority.chairman_title.strip().capitalize()} {authority.name}",
        "office": drafting_unit,
        "heads": ", ".join(heads),
        "unit_names": ", ".join(unit.name for unit in addressees),
        "people": list(people.values()),
        "several_people": len(people) > 1,
        "legal_bases": "; ".join(
            f"{source} ({'; '.join(requirements)})" if requirements else source
            for source, requirements in bases.items()
        ),
        "deadline": f"{response_due:%d/%m/%Y}",
        "kind": kind,
    }

    def render(name: str) -> str:
        return "\n".join(lines_of(render_to_string(f"discipline/letters/{name}", context)))

    return {
        "subject": render(f"subject_{kind}.txt"),
        "recipients": "\n".join(heads),
        "body": normalise_body(render(f"body_{kind}.txt")),
        "copy_to": render("copy_to.txt"),
    }


@dataclass(frozen=True)
class LetterDocument:
    """Every text of the printed letter, in order, for the three renderers."""

    parent_body: str
    issuing_body: list[str]
    number_line: str
    subject_line: str
    date_line: str
    recipients: list[str]
    body: list[str]
    copy_to: list[str]
    signature_titles: list[str]
    signer_name: str
    is_draft: bool

    @property
    def single_recipient(self) -> bool:
        return len(self.recipients) == 1

    @property
    def recipient_lines(self) -> list[str]:
        """Several addressees: “- …;” lines, the last ending with “.”."""
        last = len(self.recipients) - 1
        return [f"- {r}{'.' if i == last else ';'}" for i, r in enumerate(self.recipients)]

    @property
    def copy_to_lines(self) -> list[str]:
        return [f"- {line}" for line in self.copy_to]


def document_for(letter: Letter) -> LetterDocument:
    authority = letter.authority
    year = letter.issued_on.year if letter.issued_on else None
    return LetterDocument(
        parent_body=authority.parent_body.strip().upper(),
        issuing_body=[line.upper() for line in authority.issuing_body_lines],
        number_line=number_line(letter),
        subject_line=f"V/v {letter.subject.strip()}",
        date_line=date_line(authority.place_name, letter.issued_on, year=year),
        recipients=[clean_recipient(r) for r in letter.recipient_lines() if clean_recipient(r)],
        body=letter.body_paragraphs(),
        copy_to=[clean_copy_to(c) for c in letter.copy_to_lines()],
        signature_titles=letter.signature_lines(),
        signer_name=letter.signer_name or letter.signer.full_name,
        is_draft=letter.is_draft,
    )


def file_stem(letter: Letter) -> str:
    """A download name: “cong-van-07-UBND-VP-2026” or “du-thao-cong-van-15”."""
    if letter.number:
        return f"cong-van-{letter.number_display}-{letter.symbol}-{letter.issued_on.year}"
    return f"du-thao-cong-van-{letter.pk}"


@lru_cache(maxsize=4)
def _font(style: str):
    from django.contrib.staticfiles import finders
    from fontTools.ttLib import TTFont

    return TTFont(finders.find(f"fonts/LiberationSerif-{style}.ttf"), lazy=True)


def text_width_mm(text: str, *, size: float, bold: bool = False, italic: bool = False) -> float:
    """The printed width of `text` in the shipped Liberation Serif, metric-compatible with
    Times New Roman: how long the rules under the header lines must be."""
    import unicodedata

    style = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic"}.get(
        (bold, italic), "BoldItalic"
    )
    font = _font(style)
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    units = font["head"].unitsPerEm
    total = 0
    for char in unicodedata.normalize("NFC", text):
        glyph = cmap.get(ord(char)) or cmap.get(ord(unicodedata.normalize("NFD", char)[0]))
        if glyph is not None:
            total += metrics[glyph][0]
    return total / units * size / 72 * 25.4
