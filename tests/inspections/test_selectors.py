import datetime
import random

from django.utils import timezone

from inspections import selectors, services
from inspections.models import Visit
from tests import factories


def _finished(unit, inspector, days_ago: int):
    started = timezone.now() - datetime.timedelta(days=days_ago)
    visit = factories.started_visit(unit, by=inspector, started_at=started)
    Visit.objects.filter(pk=visit.pk).update(status="finished", finished_at=started)
    return visit


def test_planner_puts_never_visited_units_first_then_least_recently_visited(
    authority, inspector, home_affairs
):
    recent = factories.unit(authority, name="Vừa kiểm tra")
    older = factories.unit(authority, name="Kiểm tra lâu rồi")
    never = factories.unit(authority, name="Chưa kiểm tra")
    _finished(recent, inspector, days_ago=3)
    _finished(older, inspector, days_ago=40)
    _finished(home_affairs, inspector, days_ago=10)
    proposals = selectors.propose_unannounced_visits(inspector, rng=random.Random(1))
    assert [p.unit for p in proposals] == [never, older, home_affairs, recent]
    assert proposals[0].last_visited is None
    assert proposals[1].days_since == 40


def test_planner_shuffles_units_last_visited_on_the_same_day(authority, inspector):
    units = [factories.unit(authority) for _ in range(6)]
    mine = {u.pk for u in units}
    orders = {
        tuple(
            p.unit.pk
            for p in selectors.propose_unannounced_visits(inspector, rng=random.Random(seed))
            if p.unit.pk in mine
        )
        for seed in range(8)
    }
    assert len(orders) > 1  # never-visited units are equals: their order is drawn
    assert {frozenset(order) for order in orders} == {frozenset(mine)}


def test_planner_leaves_out_units_with_a_visit_planned_inactive_units_and_other_authorities(
    authority, inspector, unit_a, unit_b, other_unit
):
    factories.visit(unit_a, by=inspector)
    closed = factories.unit(authority, name="Đã giải thể")
    closed.is_active = False
    closed.save()
    cancelled = factories.visit(unit_b, by=inspector)
    services.cancel_visit(visit=cancelled, by=inspector, reason="Trùng lịch")
    proposed = {p.unit for p in selectors.propose_unannounced_visits(inspector)}
    assert unit_a not in proposed
    assert closed not in proposed
    assert other_unit not in proposed
    assert unit_b in proposed  # a cancelled visit does not count as visited or planned


def test_planner_costs_one_query_whatever_the_number_of_units(
    authority, inspector, django_assert_num_queries
):
    for _ in range(3):
        factories.unit(authority)
    inspector = type(inspector).objects.get(pk=inspector.pk)
    selectors.propose_unannounced_visits(inspector)  # warm the user's staff and roles
    with django_assert_num_queries(1):
        selectors.propose_unannounced_visits(inspector)
    for _ in range(10):
        factories.unit(authority)
    with django_assert_num_queries(1):
        selectors.propose_unannounced_visits(inspector)


def test_team_candidates_are_own_unit_and_inspectors_of_the_authority(
    inspector, home_affairs, unit_a, other_inspector
):
    colleague = factories.staff(home_affairs)
    elsewhere = factories.staff(unit_a)
    candidates = set(selectors.team_candidates(inspector))
    assert {inspector.staff, colleague} <= candidates
    assert elsewhere not in candidates
    assert other_inspector.staff not in candidates
