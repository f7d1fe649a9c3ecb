"""The report page at province scale lists the first letters and the repeat offenders with
the most violations, says how many there are, and keeps every figure; the .xlsx lists all."""

import pytest
from django.urls import reverse

from discipline import views
from tests.discipline import test_reports

q3 = test_reports.q3  # the fixed third quarter of 2025, as a fixture here too


@pytest.mark.django_db
def test_report_page_lists_the_first_letters_and_offenders_but_counts_them_all(
    client,
    leader,
    q3,
    monkeypatch,
):
    client.force_login(leader)
    full = client.get(reverse("discipline:report"), {"period": "2025-q3"}).context["report"]
    assert len(full.letters) == full.letter_count == 2
    assert len(full.offenders) == full.offender_count == 1

    monkeypatch.setattr(views, "REPORT_LETTERS_SHOWN", 1)
    monkeypatch.setattr(views, "REPORT_OFFENDERS_SHOWN", 0)
    response = client.get(reverse("discipline:report"), {"period": "2025-q3"})
    report = response.context["report"]
    assert [letter.pk for letter in report.letters] == [full.letters[0].pk]
    assert report.letter_count == 2 and report.offenders == [] and report.offender_count == 1
    assert report.current == full.current  # the figures count everything
    page = response.content.decode()
    assert "tệp .xlsx liệt kê đầy đủ" in page
