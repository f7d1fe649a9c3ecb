"""The roll's cards are written in Python: everything a person or a phone typed is escaped."""

import datetime

from django.utils import timezone

from inspections.models import RollEntry
from inspections.roll_cards import RollCards
from units.models import Staff


def _row(**values):
    staff = Staff(
        pk=7, full_name='Lê <script>alert("x")</script>', position="Chuyên viên & văn thư"
    )
    entry = RollEntry(
        pk=9,
        staff=staff,
        presence="late",
        arrived_at=timezone.make_aware(datetime.datetime(2026, 11, 2, 7, 40)),
        note="<b>đến muộn</b>",
    )
    return {
        "entry": entry,
        "values": {"presence": "late", "arrived_at": "07:40", "note": '"><img>', **values},
        "errors": {"note": ["<i>quá dài</i>"]},
        "findings": ["Đi <muộn>"],
        "within_grace": False,
        "diary": [("02/11", True), ("31/10", False)],
        "diary_written": 1,
    }


def _cards(editable):
    return RollCards(
        roll_url="/visits/3/roll/", evidence_url="/visits/3/evidence/", csrf_token="tok",
        editable=editable,
    )  # fmt: skip


def test_editable_card_escapes_names_notes_errors_and_findings():
    html = _cards(True).render([_row()])

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'value="&quot;&gt;&lt;img&gt;"' in html
    assert "<p>&lt;i&gt;quá dài&lt;/i&gt;</p>" in html
    assert "Đi &lt;muộn&gt;" in html
    assert 'action="/visits/3/roll/9/"' in html and 'href="/visits/3/evidence/?entry=9"' in html
    assert 'value="late" checked' in html and 'name="csrfmiddlewaretoken" value="tok"' in html
    assert '<span class="diary-count">1/2</span>' in html


def test_read_only_card_shows_the_mark_and_escapes_the_note():
    html = _cards(False).render([_row()])

    assert "<form" not in html
    assert "&lt;b&gt;đến muộn&lt;/b&gt;" in html
    assert " — 07:40" in html
    assert "Chuyên viên &amp; văn thư" in html
