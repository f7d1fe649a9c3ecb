"""Lateness and findings: the rule that decides which marks become violations."""

import pytest

from inspections.models import Finding, RollEntry
from tests import factories

# A Thursday in the past; the Authority works 07:00 to 11:30 and 13:30 to 17:00, 5 minutes' grace.
MORNING = factories.local(2026, 3, 5, 6, 50)
AFTERNOON = factories.local(2026, 3, 5, 13, 45)


@pytest.fixture
def morning_visit(unit_a, inspector):
    factories.staff(unit_a)
    return factories.started_visit(unit_a, by=inspector, started_at=MORNING)


def test_morning_visit_measures_lateness_from_morning_start_plus_grace(morning_visit):
    assert morning_visit.session_start() == factories.local(2026, 3, 5, 7, 0)
    assert morning_visit.lateness_threshold() == factories.local(2026, 3, 5, 7, 5)


def test_visit_started_after_the_morning_ends_measures_from_afternoon_start(unit_a, inspector):
    visit = factories.started_visit(unit_a, by=inspector, started_at=AFTERNOON)
    assert visit.lateness_threshold() == factories.local(2026, 3, 5, 13, 35)


def test_grace_minutes_come_from_the_authority(unit_a, inspector, authority):
    authority.grace_minutes = 15
    authority.save()
    visit = factories.started_visit(unit_a, by=inspector, started_at=MORNING)
    assert visit.lateness_threshold() == factories.local(2026, 3, 5, 7, 15)


@pytest.mark.parametrize(
    ("arrival", "expected"),
    [
        ((7, 5), []),  # at the end of the grace period: not late
        ((7, 3), []),
        ((7, 6), [Finding.LATE]),
        ((8, 30), [Finding.LATE]),
    ],
)
def test_late_mark_is_a_finding_only_after_the_grace_period(morning_visit, arrival, expected):
    entry = RollEntry(
        visit=morning_visit,
        presence=RollEntry.Presence.LATE,
        arrived_at=factories.local(2026, 3, 5, *arrival),
    )
    threshold = morning_visit.lateness_threshold()
    assert entry.findings(threshold) == expected
    assert entry.within_grace(threshold) == (expected == [])


@pytest.mark.parametrize(
    ("presence", "expected"),
    [
        (RollEntry.Presence.PRESENT, []),
        (RollEntry.Presence.ABSENT_ON_DUTY, []),
        (RollEntry.Presence.ON_LEAVE, []),
        (RollEntry.Presence.ABSENT_WITHOUT_REASON, [Finding.ABSENT]),
    ],
)
def test_only_absence_without_reason_is_a_finding(morning_visit, presence, expected):
    assert RollEntry(visit=morning_visit, presence=presence).findings(None) == expected


def test_badge_dress_and_alcohol_are_findings_of_someone_present(morning_visit):
    entry = RollEntry(
        visit=morning_visit, badge_worn=False, dress_proper=False, alcohol_suspected=True
    )
    assert entry.findings(None) == [Finding.NO_BADGE, Finding.IMPROPER_DRESS, Finding.ALCOHOL]
    entry.presence = RollEntry.Presence.ON_LEAVE
    assert entry.findings(None) == []
