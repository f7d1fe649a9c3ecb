"""Every key page reads the same number of queries with 10 violations as with 10,000 (issue 9):
the list (filtered and not), the inbox, a violation's page, each role's home page, the
dashboard and the report for the year and for a unit, the evaluation sheet and the admin
changelist. The other pages' counts are pinned beside their own tests (the roll's with 5 and
200 staff, the admin's deep pages in test_admin); these are the pages whose rows grow with a
province's violations."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from discipline.models import Violation
from tests import factories
from tests.helpers import count_queries

S = Violation.Status
STATUSES = [S.RECORDED, S.NOTIFIED, S.ACKNOWLEDGED, S.DISPUTED, S.UPHELD, S.CLOSED, S.DISMISSED]
STATUSES.append(S.VOIDED)
CODES = ["late_early", "absent", "alcohol", "no_badge", "attitude", "private_business"]


def _violations(people, inspector, start: int, n: int) -> None:
    """`n` violations over the last year, cycling through people, types and every status, with
    due dates, answers and rulings where the status has them."""
    now = timezone.now()
    types = [factories.violation_type(code) for code in CODES]
    rows = []
    for i in range(start, start + n):
        status = STATUSES[i % len(STATUSES)]
        # Two by two per person: the fifth and sixth (upheld, closed) make a repeat offender,
        # so the ranking's names are read at both sizes.
        person = people[(i // 2) % len(people)]
        occurred = now - datetime.timedelta(hours=1 + (i * 7) % (24 * 360))
        answered = status in (S.ACKNOWLEDGED, S.DISPUTED, S.UPHELD, S.CLOSED, S.DISMISSED)
        rows.append(
            Violation(
                staff=person,
                unit_id=person.unit_id,
                type=types[i % len(types)],
                occurred_at=occurred,
                recorded_by=inspector,
                status=status,
                response_due=(occurred + datetime.timedelta(days=7)).date()
                if status != S.RECORDED
                else None,
                answered_at=occurred + datetime.timedelta(days=3 + i % 6) if answered else None,
                void_reason="Ghi nhầm" if status == S.VOIDED else "",
            )
        )
    Violation.objects.bulk_create(rows, batch_size=2000)


@pytest.mark.django_db
def test_key_pages_read_as_many_queries_with_10_violations_as_with_10000(
    client, inspector, unit_head_a, office_chief, leader, administrator, unit_a, unit_b
):
    people = [factories.staff(unit) for unit in (unit_a, unit_b) for _ in range(20)]
    _violations(people, inspector, 0, 10)
    first = Violation.objects.filter(unit=unit_a).order_by("pk").first()
    late_early = factories.violation_type("late_early")
    year = timezone.localdate().year
    today = timezone.localdate()
    filtered = (
        f"{reverse('discipline:violation_list')}?unit={unit_a.pk}&type={late_early.pk}"
        f"&date_from={today.replace(year=today.year - 1)}&date_to={today}"
    )
    pages = [
        (inspector, filtered),
        (inspector, reverse("discipline:violation_list")),
        (unit_head_a, reverse("discipline:inbox")),
        (inspector, reverse("discipline:violation_detail", args=[first.pk])),
        *((user, "/") for user in (inspector, unit_head_a, office_chief, leader, administrator)),
        (leader, f"{reverse('discipline:dashboard')}?period={year}"),
        (leader, f"{reverse('discipline:dashboard')}?period={year}&unit={unit_a.pk}"),
        (leader, f"{reverse('discipline:report')}?period={year}"),
        (leader, f"{reverse('discipline:report')}?period={year}&unit={unit_a.pk}"),
        (leader, f"{reverse('discipline:evaluation_sheet')}?year={year}"),
        (administrator, reverse("admin:discipline_violation_changelist")),
    ]

    def counts() -> list[tuple[str, str, int]]:
        found = []
        for user, same_user in itertools.groupby(pages, key=lambda page: page[0]):
            client.force_login(user)
            client.get("/")  # the session and the like, warmed
            found.extend((user.username, url, count_queries(client, url)) for _u, url in same_user)
        return found

    small = counts()
    _violations(people, inspector, 10, 9_990)
    assert Violation.objects.count() == 10_000
    assert counts() == small

    # At this size the figures are grouped by thousands (vi: 8.750).
    client.force_login(leader)
    response = client.get(f"{reverse('discipline:dashboard')}?period={year}")
    total = response.context["board"].total
    assert total >= 1000
    assert f'<span class="count">{total:,}</span>'.replace(",", ".") in response.content.decode()
