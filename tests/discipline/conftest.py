"""Letters: an office whose head is the office chief, standing violations, drafts and issued
letters, all built through the services."""

import datetime

import pytest
from django.utils import timezone

from discipline import services
from discipline.models import Violation
from tests import factories


def standing_violation(staff, *, by, code="late_early", days_ago=1, status="acknowledged"):
    """A violation that stands (acknowledged unless told), `days_ago` days back."""
    violation = factories.violation(
        staff, by=by, code=code, occurred_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    Violation.objects.filter(pk=violation.pk).update(
        status=status, void_reason="nhầm" if status == "voided" else ""
    )
    violation.refresh_from_db()
    return violation


@pytest.fixture
def chief(office, office_chief):
    """The office chief, head of the office (Chánh Văn phòng), who signs “TL. CHỦ TỊCH”."""
    office.head = office_chief.staff
    office.save(update_fields=["head"])
    return office_chief


@pytest.fixture
def deputy(office):
    return factories.staff(office, full_name="Lê Thị Phó", position="Phó Chánh Văn phòng")


@pytest.fixture
def offence_a(unit_a, inspector):
    return standing_violation(factories.staff(unit_a, full_name="Hồ Thành Nghĩa"), by=inspector)


@pytest.fixture
def draft(chief, offence_a, unit_head_a):
    return services.draft_letter(kind="self_review", violations=[offence_a], by=chief)


@pytest.fixture
def issued(draft, chief):
    return services.issue_letter(letter=draft, by=chief)


@pytest.fixture
def offence_b(unit_b, inspector):
    return standing_violation(factories.staff(unit_b), by=inspector)


@pytest.fixture
def issued_b(chief, offence_b, unit_head_b):
    letter = services.draft_letter(kind="reminder", violations=[offence_b], by=chief)
    return services.issue_letter(letter=letter, by=chief)
