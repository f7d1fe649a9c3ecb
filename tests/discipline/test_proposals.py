import pytest

from discipline import selectors, services
from discipline.models import EscalationRule
from tests import factories
from tests.discipline.conftest import standing_violation


def _proposals(user):
    return [
        (p.rule.letter_kind, p.staff.full_name if p.staff else p.unit.name, p.state)
        for p in selectors.letter_proposals(user)
    ]


def test_default_rules_are_seeded(db):
    rules = list(
        EscalationRule.objects.values_list(
            "scope", "category", "threshold", "window_days", "letter_kind", "is_active"
        )
    )
    assert rules == [
        ("person", "", 3, 365, "self_review", True),
        ("person", "alcohol", 1, 365, "rectification", True),
        ("unit", "", 5, 90, "rectification", True),
    ]


def test_three_standing_violations_in_a_year_propose_a_self_review(chief, unit_a, inspector):
    person = factories.staff(unit_a, full_name="Hồ Thành Nghĩa")
    for days in (300, 100, 5):
        standing_violation(person, by=inspector, days_ago=days)
    (proposal,) = selectors.letter_proposals(chief)
    assert (proposal.rule.letter_kind, proposal.staff, proposal.unit) == (
        "self_review",
        person,
        unit_a,
    )
    assert len(proposal.violations) == 3
    assert proposal.state == "new"


@pytest.mark.parametrize(
    "third",
    [
        {"days_ago": 400},  # outside the 365 days
        {"status": "notified"},  # not answered yet
        {"status": "disputed"},
        {"status": "dismissed"},
        {"status": "voided"},
    ],
)
def test_only_standing_violations_within_the_window_count(chief, unit_a, inspector, third):
    person = factories.staff(unit_a)
    standing_violation(person, by=inspector, days_ago=10)
    standing_violation(person, by=inspector, days_ago=20)
    standing_violation(person, by=inspector, **third)
    assert selectors.letter_proposals(chief) == []


@pytest.mark.parametrize("status", ["acknowledged", "upheld", "closed"])
def test_one_alcohol_violation_proposes_a_rectification(chief, unit_a, inspector, status):
    person = factories.staff(unit_a, full_name="Lương Phước Việt")
    standing_violation(person, by=inspector, code="alcohol", status=status)
    assert _proposals(chief) == [("rectification", "Lương Phước Việt", "new")]


def test_five_standing_violations_of_a_unit_in_a_quarter_propose_a_rectification(
    chief, unit_b, inspector
):
    for days in (1, 10, 30, 60, 85):
        standing_violation(factories.staff(unit_b), by=inspector, days_ago=days)
    assert _proposals(chief) == [("rectification", "UBND xã Vĩnh Trị", "new")]
    standing_violation(factories.staff(unit_b), by=inspector, days_ago=120)  # too old
    assert len(selectors.letter_proposals(chief)[0].violations) == 5


def test_rules_are_data_switched_off_or_changed_in_the_admin(chief, unit_a, inspector):
    person = factories.staff(unit_a)
    standing_violation(person, by=inspector, days_ago=3)
    standing_violation(person, by=inspector, days_ago=4)
    assert selectors.letter_proposals(chief) == []
    EscalationRule.objects.filter(letter_kind="self_review").update(threshold=2)
    assert len(selectors.letter_proposals(chief)) == 1
    EscalationRule.objects.update(is_active=False)
    assert selectors.letter_proposals(chief) == []


def test_proposal_shows_draft_then_covered_then_new_violations(
    chief, unit_a, inspector, unit_head_a
):
    person = factories.staff(unit_a)
    violations = [standing_violation(person, by=inspector, days_ago=d) for d in (3, 4, 5)]
    letter = services.draft_letter(kind="self_review", violations=violations, by=chief)
    (proposal,) = selectors.letter_proposals(chief)
    assert (proposal.state, proposal.drafts) == ("drafted", [letter])
    services.issue_letter(letter=letter, by=chief)
    (proposal,) = selectors.letter_proposals(chief)
    assert proposal.state == "covered"
    assert [item.reference for item in proposal.covering] == ["01/UBND-VP"]
    standing_violation(person, by=inspector, days_ago=1)
    (proposal,) = selectors.letter_proposals(chief)
    assert (proposal.state, proposal.uncovered) == ("partly", 1)


def test_a_letter_of_another_kind_does_not_cover_a_proposal(chief, unit_a, inspector):
    person = factories.staff(unit_a)
    violations = [standing_violation(person, by=inspector, days_ago=d) for d in (3, 4, 5)]
    reminder = services.draft_letter(kind="reminder", violations=violations, by=chief)
    services.issue_letter(letter=reminder, by=chief)
    (proposal,) = selectors.letter_proposals(chief)
    assert proposal.state == "new"


def test_proposals_never_show_another_authoritys_people(chief, other_unit, other_inspector):
    person = factories.staff(other_unit)
    for days in (1, 2, 3):
        standing_violation(person, by=other_inspector, days_ago=days)
    assert selectors.letter_proposals(chief) == []
