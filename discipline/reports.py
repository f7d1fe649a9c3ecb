"""The figures of the dashboards and the periodic reports: periods in local time, and counts
over a set of units the caller has already scoped (selectors.report_scope). Every function
runs a fixed number of queries, whatever the number of rows.

Which violations count: every violation that may still stand or stands — all but those
voided and those dismissed on dispute. Repeat offenders count only violations that stand
(Violation.STANDING_STATUSES: acknowledged, upheld, closed), as the escalation rules do."""

import datetime
import re
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discipline.models import (
    Letter,
    LetterReport,
    Violation,
    ViolationDueTally,
    ViolationMonthTally,
    ViolationStaffYearTally,
    ViolationStaffYearTotal,
    ViolationType,
)
from inspections.models import Visit
from units.models import Staff, Unit

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
PERIOD_KINDS = ("year", "half", "quarter", "month", "custom")


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A span of whole local days, `start` to `end` included. `kind` is year, half, quarter,
    month or custom; `token` is how the filters name it ("2026-q3")."""

    kind: str
    start: datetime.date
    end: datetime.date
    token: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime.datetime:
        """Midnight at the start of the first day, local time (Asia/Ho_Chi_Minh)."""
        return _local_midnight(self.start)

    @property
    def end_before(self) -> datetime.datetime:
        """Midnight after the last day, local time: the period ends just before it."""
        return _local_midnight(self.end + datetime.timedelta(days=1))

    @property
    def label(self) -> str:
        year = self.start.year
        if self.kind == "year":
            return _("Year %(year)s") % {"year": year}
        if self.kind == "half":
            if self.start.month == 1:
                return _("First half of %(year)s") % {"year": year}
            return _("Second half of %(year)s") % {"year": year}
        if self.kind == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            return _("Quarter %(quarter)s/%(year)s") % {"quarter": ROMAN[quarter], "year": year}
        if self.kind == "month":
            return _("Month %(month)s/%(year)s") % {"month": self.start.month, "year": year}
        return _("%(start)s to %(end)s") % {
            "start": f"{self.start:%d/%m/%Y}",
            "end": f"{self.end:%d/%m/%Y}",
        }

    def previous(self) -> "Period":
        """The period before, of the same length: the previous month, quarter, half or year
        for those; for a date range the same number of days just before it."""
        if self.kind == "custom":
            end = self.start - datetime.timedelta(days=1)
            start = end - datetime.timedelta(days=self.days - 1)
            return Period("custom", start, end, "custom")
        months = {"year": 12, "half": 6, "quarter": 3, "month": 1}[self.kind]
        year, month = self.start.year, self.start.month - months
        if month < 1:
            year, month = year - 1, month + 12
        return period_of(self.kind, year, (month - 1) // months + 1)

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches, in order."""
        first = self.start.replace(day=1)
        found = []
        while first <= self.end:
            found.append(first)
            first = (first + datetime.timedelta(days=32)).replace(day=1)
        return found

    def contains(self, moment: datetime.datetime) -> bool:
        return self.start_at <= moment < self.end_before


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def period_of(kind: str, year: int, number: int = 1) -> Period:
    """The `number`th half, quarter or month of `year` (or the year itself)."""
    if kind == "year":
        return Period(kind, datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year))
    months = {"half": 6, "quarter": 3, "month": 1}[kind]
    first_month = (number - 1) * months + 1
    start = datetime.date(year, first_month, 1)
    end = _month_end(year, first_month + months - 1)
    token = {"half": f"{year}-h{number}", "quarter": f"{year}-q{number}"}.get(
        kind, f"{year}-{number:02d}"
    )
    return Period(kind, start, end, token)


TOKEN = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<half>h[12])|(?P<quarter>q[1-4])|(?P<month>\d{2})))?$"
)


def parse_period(token: str) -> Period | None:
    """ "2026", "2026-h1", "2026-q3" or "2026-07" as a Period; None if it is none of these."""
    match = TOKEN.match(token or "")
    if not match:
        return None
    year = int(match["year"])
    if not 2000 <= year <= 2999:
        return None
    if match["half"]:
        return period_of("half", year, int(match["half"][1]))
    if match["quarter"]:
        return period_of("quarter", year, int(match["quarter"][1]))
    if match["month"]:
        month = int(match["month"])
        return period_of("month", year, month) if 1 <= month <= 12 else None
    return period_of("year", year)


def custom_period(start: datetime.date, end: datetime.date) -> Period:
    return Period("custom", start, end, "custom")


def period_choices(today: datetime.date, years: int = 4) -> list:
    """Grouped choices for the period filter: each of the last `years` years, its halves,
    quarters and months, newest year first; only periods that have begun."""
    groups = []
    for year in range(today.year, today.year - years, -1):
        options = [period_of("year", year)]
        options += [period_of("half", year, n) for n in (1, 2)]
        options += [period_of("quarter", year, n) for n in range(1, 5)]
        options += [period_of("month", year, n) for n in range(1, 13)]
        groups.append((str(year), [(p.token, p.label) for p in options if p.start <= today]))
    return groups


# --- figures ------------------------------------------------------------------------------


def counted_violations(units, category: str = "") -> QuerySet[Violation]:
    """Violations of `units` that count in the figures: all but voided and dismissed ones."""
    violations = Violation.objects.filter(unit__in=units).exclude(
        status__in=[Violation.Status.VOIDED, Violation.Status.DISMISSED]
    )
    if category:
        violations = violations.filter(type__category=category)
    return violations


def in_period(violations: QuerySet[Violation], period: Period) -> QuerySet[Violation]:
    return violations.filter(occurred_at__gte=period.start_at, occurred_at__lt=period.end_before)


def _tz():
    return timezone.get_current_timezone()


def categories(category: str = "") -> list[tuple[str, str]]:
    return [
        (value, label)
        for value, label in ViolationType.Category.choices
        if value in (category or value)
    ]


def _whole_months(period: Period) -> tuple[datetime.date, datetime.date] | None:
    """The first days of the first and last whole local months in the period, or None."""
    first = (
        period.start
        if period.start.day == 1
        else _month_end(period.start.year, period.start.month) + datetime.timedelta(days=1)
    )
    following = period.end + datetime.timedelta(days=1)
    last = (following.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return (first, last) if first <= last else None


def _month_date(month) -> datetime.date:
    if isinstance(month, str):  # SQLite, read without the ORM's converters
        return datetime.date.fromisoformat(month[:10])
    if isinstance(month, datetime.datetime):
        return timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
    return month


def by_unit_month_and_category(
    units, period: Period, category: str = "", *, by_month: bool = True, by_unit: bool = True
) -> dict[tuple[int | None, datetime.date | None, str], tuple[int, int]]:
    """{(unit id, first day of month, category): (counted, standing)} for the counted violations
    of `units` in the period, months in local time. Whole months are read from the monthly
    tally (ViolationMonthTally: a few rows a unit and month); the days of a month the period
    covers only in part (date ranges) are counted on the violations themselves. 1 query, or
    2 for a date range that does not start and end on a month's edges. Without `by_month`
    (`by_unit`), the month (unit) of every key is None: fewer rows when it is not wanted."""
    result: dict[tuple[int | None, datetime.date | None, str], tuple[int, int]] = {}
    month = ("month",) if by_month else ()
    unit = ("unit_id",) if by_unit else ()

    def add(rows):
        for row in rows:
            key = (
                row["unit_id"] if by_unit else None,
                _month_date(row["month"]) if by_month else None,
                row["type__category"],
            )
            before = result.get(key, (0, 0))
            result[key] = (before[0] + row["n"], before[1] + row["standing"])

    whole = _whole_months(period)
    if whole is not None:
        tallies = ViolationMonthTally.objects.filter(
            unit__in=units, month__gte=whole[0], month__lte=whole[1], counted__gt=0
        )
        if category:
            tallies = tallies.filter(type__category=category)
        add(_by_category(tallies, [*unit, *month]))
    if (
        whole is None
        or whole[0] != period.start
        or _month_end(whole[1].year, whole[1].month) != period.end
    ):
        violations = in_period(counted_violations(units, category), period)
        if whole is not None:
            violations = violations.exclude(
                occurred_at__gte=_local_midnight(whole[0]),
                occurred_at__lt=_local_midnight(
                    _month_end(whole[1].year, whole[1].month) + datetime.timedelta(days=1)
                ),
            )
        add(
            violations.annotate(month=TruncMonth("occurred_at", tzinfo=_tz()))
            .values(*unit, *month, "type__category")
            .annotate(
                n=Count("pk"),
                standing=Count("pk", filter=Q(status__in=Violation.STANDING_STATUSES)),
            )
            .order_by()
        )
    return result


def _by_category(tallies: QuerySet[ViolationMonthTally], keys: list[str]) -> list[dict]:
    """The tally rows summed by `keys` and category. The rows are summed by type first and
    only those few sums joined to their types: joining every tally row of a province's year
    (tens of thousands) to read its category took half of the query's time."""
    inner = (
        tallies.values(*keys, "type_id")
        .annotate(n=Sum("counted"), standing=Sum("standing"))
        .order_by()
    )
    columns = "".join(f"by_type.{key}, " for key in keys)
    rows = _around(
        inner,
        f"SELECT {columns}t.category, SUM(by_type.n), SUM(by_type.standing) "
        f"FROM (<inner>) by_type JOIN {ViolationType._meta.db_table} t ON t.id = by_type.type_id "
        f"GROUP BY {columns}t.category",
    )
    # PostgreSQL sums bigints as numeric, which psycopg reads as Decimal: counts are ints.
    figures = []
    for *values, category, n, standing in rows:
        figures.append(
            dict(zip(keys, values, strict=True))
            | {"type__category": category, "n": int(n), "standing": int(standing)}
        )
    return figures


def _around(queryset: QuerySet, sql: str, extra_params=()) -> list[tuple]:
    """The rows of `sql`, an outer query the ORM cannot write (a join after grouping, a window
    over grouped rows) around the one it can: `<inner>` stands for the queryset's SQL."""
    inner, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql.replace("<inner>", inner), [*params, *extra_params])
        return cursor.fetchall()


def by_unit_and_category(
    units, period: Period, category: str = ""
) -> dict[tuple[int, str], tuple[int, int]]:
    """{(unit id, category): (counted, standing)} for the period (1 or 2 queries, as above)."""
    result: dict[tuple[int, str], tuple[int, int]] = {}
    for (unit_id, _month, cat), (n, standing) in by_unit_month_and_category(
        units, period, category, by_month=False
    ).items():
        before = result.get((unit_id, cat), (0, 0))
        result[(unit_id, cat)] = (before[0] + n, before[1] + standing)
    return result


def repeat_offenders(violations, period: Period, limit: int | None = None) -> list[dict]:
    """People with at least two standing violations in the period, most first (1 query)."""
    rows = (
        in_period(violations, period)
        .filter(status__in=Violation.STANDING_STATUSES)
        .values("staff_id", "staff__full_name", "staff__unit__name")
        .annotate(n=Count("*"))
        .filter(n__gte=2)
        .order_by("-n", "staff__full_name", "staff_id")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "staff_id": r["staff_id"],
            "name": r["staff__full_name"],
            "unit": r["staff__unit__name"],
            "count": r["n"],
        }
        for r in rows
    ]


def repeat_offender_count(
    units, period: Period, category: str = "", authority: int | None = None
) -> int:
    """How many people have two or more standing violations in the period (1 query).
    `authority` is the Authority's id when `units` are every unit of it: see _year_totals."""
    totals = _year_totals(authority, period, category)
    if totals is not None:
        return totals.count()
    return _offender_counts(units, period, category).count()


def _year_totals(authority: int | None, period: Period, category: str):
    """The people of the Authority with two or more standing violations in the year, read
    from the per-person totals (one row a person, indexed by count) when the question is
    theirs: every unit of one Authority, a whole year, every category. None otherwise."""
    if authority is None or period.kind != "year" or category:
        return None
    return ViolationStaffYearTotal.objects.filter(
        authority_id=authority, year=period.start.year, count__gte=2
    ).order_by()


def _offender_counts(units, period: Period, category: str = ""):
    """(staff id, n) of the people with two or more standing violations in the period. A
    year without a category is read from the per-person year tally (one row a person and
    unit); other periods from the standing violations' covering index."""
    if period.kind == "year" and not category:
        return (
            ViolationStaffYearTally.objects.filter(
                year=period.start.year, unit__in=units, count__gt=0
            )
            .values("staff_id")
            .annotate(n=Sum("count"))
            .filter(n__gte=2)
            .order_by()
        )
    return (
        in_period(counted_violations(units, category), period)
        .filter(status__in=Violation.STANDING_STATUSES)
        .values("staff_id")
        .annotate(n=Count("*"))  # not the id: the covering index has what this needs
        .filter(n__gte=2)
        .order_by()
    )


def top_repeat_offenders(
    units, period: Period, limit: int, category: str = "", authority: int | None = None
) -> tuple[list[dict], int]:
    """The `limit` (zero or more) people with the most standing violations (at least two) in
    the period, and how many such people there are. The database ranks and counts them (a
    window count over the grouped rows): a province can have tens of thousands of repeat
    offenders, and carrying every one of them into Python to keep twenty cost more than
    everything else on the dashboard. For an Authority's year (`authority`: see
    _year_totals) the ranking is the first rows of the per-person totals' index. 2 queries:
    the ranking, and the twenty names."""
    totals = _year_totals(authority, period, category)
    if totals is not None:
        everyone = totals.values("authority").annotate(n=Count("*")).values("n")
        rows = list(
            totals.annotate(everyone=Subquery(everyone))
            .order_by("-count", "staff_id")
            .values_list("staff_id", "count", "everyone")[: max(limit, 1)]
        )
    else:
        rows = _around(
            _offender_counts(units, period, category),
            "SELECT ranked.staff_id, ranked.n, count(*) OVER () FROM (<inner>) ranked "
            "ORDER BY ranked.n DESC, ranked.staff_id LIMIT %s",
            [max(limit, 1)],  # one row at least, for the total
        )
    top = {staff_id: n for staff_id, n, _total in rows[:limit]}
    total = rows[0][2] if rows else 0
    people = Staff.objects.filter(pk__in=top).select_related("unit")
    offenders = [
        {"staff_id": p.pk, "name": p.full_name, "unit": p.unit.name, "count": top[p.pk]}
        for p in people
    ]
    offenders.sort(key=lambda o: (-o["count"], o["name"], o["staff_id"]))
    return offenders, total


def _visits(units, period: Period) -> QuerySet[Visit]:
    return Visit.objects.filter(
        unit__in=units, planned_date__gte=period.start, planned_date__lte=period.end
    )


VISIT_COUNTS = {
    "planned": Count("pk"),
    "done": Count("pk", filter=Q(status=Visit.Status.FINISHED)),
    "unannounced": Count("pk", filter=Q(status=Visit.Status.FINISHED, kind=Visit.Kind.UNANNOUNCED)),
}


def visits_by_month(units, period: Period) -> dict[datetime.date, dict[str, int]]:
    """{first day of month: {planned, done, unannounced}} by planned date; planned counts
    every visit planned for the period (cancelled ones too), done the finished ones (1 query)."""
    rows = (
        _visits(units, period)
        .annotate(month=TruncMonth("planned_date"))
        .values("month")
        .annotate(**VISIT_COUNTS)
        .order_by()
    )
    result = {}
    for row in rows:
        month = row.pop("month")
        if isinstance(month, datetime.datetime):
            month = month.date()
        result[month] = row
    return result


def visits_by_unit(units, period: Period) -> dict[int, dict[str, int]]:
    rows = _visits(units, period).values("unit_id").annotate(**VISIT_COUNTS).order_by()
    return {row.pop("unit_id"): row for row in rows}


def _answers(units, category: str):
    answers = Violation.objects.filter(unit__in=units, response_due__isnull=False).exclude(
        status=Violation.Status.VOIDED
    )
    if category:
        answers = answers.filter(type__category=category)
    return answers.annotate(answered_on=TruncDate("answered_at", tzinfo=_tz()))


def _answer_counts(period: Period, today: datetime.date) -> dict:
    due = Q(response_due__gte=period.start, response_due__lte=period.end)
    late = Q(
        answered_on__isnull=True, status=Violation.Status.NOTIFIED, response_due__lt=today
    ) | Q(answered_on__gt=F("response_due"))
    # Counts the unit (never null), not the id: the index on due dates holds every column
    # this reads, so the table is not read.
    return {
        "answers_due": Count("unit", filter=due),
        "answers_late": Count("unit", filter=due & late),
    }


def _grouped(queryset, by_unit: bool, **aggregates) -> list[dict]:
    if by_unit:
        return list(queryset.values("unit_id").annotate(**aggregates).order_by())
    return [{"unit_id": None, **queryset.aggregate(**aggregates)}]


def _answer_figures(
    units,
    period: Period,
    today: datetime.date,
    category: str,
    *,
    by_unit: bool,
    overdue_now: bool = False,
) -> dict:
    """{unit id (or None for all): {answers_due, answers_late[, answers_overdue_now]}} for the
    answers due in the period. Whole months of due dates are read from ViolationDueTally
    (due, and answered after the due date), plus the answers still missing past their due
    date, which today decides, from the notified violations (status index; the same query
    counts those overdue now whatever the period). Days of a month the period covers only in
    part (date ranges) are counted on the violations. 2 queries, 3 for such a date range."""
    result: dict = {}

    def add(rows, **names):
        for row in rows:
            figures = result.setdefault(
                row["unit_id"],
                {"answers_due": 0, "answers_late": 0}
                | ({"answers_overdue_now": 0} if overdue_now else {}),
            )
            for name, column in names.items():
                figures[name] += row[column] or 0

    whole = _whole_months(period)
    first = last = None
    if whole is not None:
        first, last = whole[0], _month_end(whole[1].year, whole[1].month)
        tallies = ViolationDueTally.objects.filter(
            unit__in=units, due_month__gte=whole[0], due_month__lte=whole[1], count__gt=0
        )
        if category:
            tallies = tallies.filter(type__category=category)
        add(
            _grouped(
                tallies,
                by_unit,
                due=Sum("count"),
                late=Sum("count", filter=Q(answered_late=True)),
            ),
            answers_due="due",
            answers_late="late",
        )
    if whole is not None or overdue_now:
        in_months = Q(response_due__gte=first, response_due__lte=last) if whole is not None else Q()
        missing = Q(answered_at__isnull=True) & in_months
        notified = _answers(units, category).filter(
            status=Violation.Status.NOTIFIED, response_due__lt=today
        )
        if not overdue_now:
            notified = notified.filter(missing)
        aggregates = {"missing": Count("unit", filter=missing)} if whole is not None else {}
        if overdue_now:
            aggregates["overdue"] = Count("unit")
        names = {"answers_late": "missing"} if whole is not None else {}
        if overdue_now:
            names["answers_overdue_now"] = "overdue"
        add(_grouped(notified, by_unit, **aggregates), **names)
    if whole is None or first != period.start or last != period.end:
        edges = _answers_due_in(units, period, category)
        if whole is not None:
            edges = edges.exclude(response_due__gte=first, response_due__lte=last)
        add(
            _grouped(edges, by_unit, **_answer_counts(period, today)),
            answers_due="answers_due",
            answers_late="answers_late",
        )
    return result


def answers_by_unit(
    units, period: Period, today: datetime.date, category: str = ""
) -> dict[int, dict]:
    """Answers to violations due in the period per unit: how many were due, and how many came
    after the due date or are still missing past it (2 queries, 3 for a date range that cuts
    months)."""
    return _answer_figures(units, period, today, category, by_unit=True)


def _answers_due_in(units, period: Period, category: str):
    return _answers(units, category).filter(
        response_due__gte=period.start, response_due__lte=period.end
    )


def answers_summary(units, period: Period, today: datetime.date, category: str = "") -> dict:
    """Answers due in the period and late, and answers overdue today whatever the period
    (2 queries, 3 for a date range that cuts months)."""
    figures = _answer_figures(units, period, today, category, by_unit=False, overdue_now=True)
    return figures.get(None, {"answers_due": 0, "answers_late": 0, "answers_overdue_now": 0})


def _letter_pairs(units):
    """One row per (issued letter, addressed unit) of `units`, with the local day of that
    unit's first report on the letter (or None)."""
    first_report = (
        LetterReport.objects.filter(letter_id=OuterRef("letter_id"), unit_id=OuterRef("unit_id"))
        .annotate(day=TruncDate("submitted_at", tzinfo=_tz()))
        .order_by("submitted_at")
        .values("day")[:1]
    )
    return (
        Letter.addressees.through.objects.filter(unit__in=units)
        .exclude(letter__status=Letter.Status.DRAFT)
        .annotate(reported_on=Subquery(first_report), due=F("letter__response_due"))
    )


def _report_counts(period: Period, today: datetime.date) -> dict:
    due = Q(due__gte=period.start, due__lte=period.end)
    late = Q(reported_on__isnull=True, due__lt=today) | Q(reported_on__gt=F("due"))
    return {
        "reports_due": Count("pk", filter=due),
        "reports_late": Count("pk", filter=due & late),
    }


def letter_reports_by_unit(units, period: Period, today: datetime.date) -> dict[int, dict]:
    """Reports on letters due in the period per addressed unit: due, and late or missing
    past the due date (1 query)."""
    rows = (
        _letter_pairs(units)
        .filter(due__gte=period.start, due__lte=period.end)
        .values("unit_id")
        .annotate(**_report_counts(period, today))
        .order_by()
    )
    return {row.pop("unit_id"): row for row in rows}


def letter_reports_summary(units, period: Period, today: datetime.date) -> dict:
    return _letter_pairs(units).aggregate(
        **_report_counts(period, today),
        reports_overdue_now=Count(
            "pk",
            filter=Q(reported_on__isnull=True, due__lt=today, letter__status=Letter.Status.ISSUED),
        ),
    )


def letters_issued(units, period: Period) -> QuerySet[Letter]:
    """Letters issued in the period to any of `units`, by date and number."""
    return (
        Letter.objects.issued()
        .addressed_to(units)
        .filter(issued_on__gte=period.start, issued_on__lte=period.end)
        .order_by("issued_on", "number", "pk")
    )


# --- what the pages show ------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: Unit
    by_category: dict[str, int] = field(default_factory=dict)
    total: int = 0
    standing: int = 0
    visits: dict = field(default_factory=dict)
    answers_due: int = 0
    answers_late: int = 0
    reports_due: int = 0
    reports_late: int = 0

    categories: list[tuple[str, str]] = field(default_factory=list)

    @property
    def by_category_cells(self) -> list[int]:
        """The counts in the order of the report's category columns."""
        return [self.by_category.get(value, 0) for value, _label in self.categories]


@dataclass
class Dashboard:
    period: Period
    categories: list[tuple[str, str]]
    months: list[dict]
    category_totals: list[dict]
    units: list[UnitRow]
    offenders: list[dict]
    offender_count: int
    visits: list[dict]
    total: int
    standing: int
    answers: dict
    reports: dict

    @property
    def visits_planned(self) -> int:
        return sum(v["planned"] for v in self.visits)

    @property
    def visits_done(self) -> int:
        return sum(v["done"] for v in self.visits)

    def chart_data(self) -> dict:
        """What static/js/dashboard.js draws (through json_script)."""
        worst = [row for row in self.units if row.total][:15]
        return {
            "months": {
                "labels": [m["label"] for m in self.months],
                "datasets": [
                    {"label": str(label), "data": [m["cells"][i] for m in self.months]}
                    for i, (_value, label) in enumerate(self.categories)
                ],
            },
            "categories": {
                "labels": [str(c["label"]) for c in self.category_totals],
                "data": [c["count"] for c in self.category_totals],
            },
            "units": {
                "labels": [row.unit.name for row in worst],
                "data": [row.total for row in worst],
            },
            "visits": {
                "labels": [v["label"] for v in self.visits],
                "planned": [v["planned"] for v in self.visits],
                "done": [v["done"] for v in self.visits],
                "planned_label": _("Visits planned"),
                "done_label": _("Visits made"),
            },
        }


def _month_label(month: datetime.date) -> str:
    return f"{month.month:02d}/{month.year}"


def dashboard(
    units,
    *,
    period: Period,
    category: str = "",
    today: datetime.date | None = None,
    authority: int | None = None,
) -> Dashboard:
    """Everything a dashboard shows for `units` (already scoped) in `period`: 9 queries (12
    for a date range that cuts months). `authority` is the Authority's id when `units` are
    every unit of it (selectors.report_scope)."""
    today = today or timezone.localdate()
    unit_list = list(units.order_by("name", "pk"))
    cats = categories(category)

    # Two small groupings of the tally rather than one by unit and month (ten thousand rows
    # for a province's year).
    monthly = {
        (month, cat): n
        for (_unit, month, cat), (n, _standing) in by_unit_month_and_category(
            units, period, category, by_unit=False
        ).items()
    }
    matrix = by_unit_and_category(units, period, category)
    months = []
    for month in period.months():
        cells = [monthly.get((month, value), 0) for value, _label in cats]
        months.append(
            {"month": month, "label": _month_label(month), "cells": cells, "total": sum(cells)}
        )

    rows = _unit_rows(unit_list, matrix, cats)
    totals = {value: 0 for value, _label in cats}
    for (_unit_id, cat), (n, _standing) in matrix.items():
        totals[cat] = totals.get(cat, 0) + n
    category_totals = [
        {"value": value, "label": label, "count": totals.get(value, 0)} for value, label in cats
    ]
    visits = visits_by_month(units, period)
    visit_rows = []
    for month in period.months():
        counts = visits.get(month, {"planned": 0, "done": 0, "unannounced": 0})
        visit_rows.append({"month": month, "label": _month_label(month), **counts})

    rows.sort(key=lambda row: (-row.total, row.unit.name))
    offenders, offender_count = top_repeat_offenders(units, period, 20, category, authority)
    return Dashboard(
        period=period,
        categories=cats,
        months=months,
        category_totals=category_totals,
        units=rows,
        offenders=offenders,
        offender_count=offender_count,
        visits=visit_rows,
        total=sum(row.total for row in rows),
        standing=sum(row.standing for row in rows),
        answers=answers_summary(units, period, today, category),
        reports=letter_reports_summary(units, period, today),
    )


def _unit_rows(unit_list, matrix, cats) -> list[UnitRow]:
    rows = {unit.pk: UnitRow(unit=unit, categories=cats) for unit in unit_list}
    for (unit_id, cat), (n, standing) in matrix.items():
        row = rows.get(unit_id)
        if row is None:
            continue
        row.by_category[cat] = n
        row.total += n
        row.standing += standing
    return list(rows.values())


@dataclass
class Summary:
    """The headline figures of one period, compared with another."""

    visits_done: int
    visits_planned: int
    violations: int
    standing: int
    repeat_offenders: int
    letters: int
    answers_due: int
    answers_late: int
    reports_due: int
    reports_late: int

    FIELDS = (
        ("visits_done", gettext_lazy("Visits made")),
        ("visits_planned", gettext_lazy("Visits planned")),
        ("violations", gettext_lazy("Violations recorded")),
        ("standing", gettext_lazy("of which standing")),
        ("repeat_offenders", gettext_lazy("People with two or more standing violations")),
        ("letters", gettext_lazy("Letters issued")),
        ("answers_due", gettext_lazy("Answers due")),
        ("answers_late", gettext_lazy("Answers late or missing")),
        ("reports_due", gettext_lazy("Reports on letters due")),
        ("reports_late", gettext_lazy("Reports on letters late or missing")),
    )


def summary(
    units,
    *,
    period: Period,
    category: str = "",
    today: datetime.date,
    authority: int | None = None,
) -> Summary:
    """The headline figures of a period for `units` (6 queries); `authority` is the
    Authority's id when `units` are every unit of it (selectors.report_scope)."""
    counted = by_unit_and_category(units, period, category).values()
    counts = {"n": sum(n for n, _s in counted), "standing": sum(s for _n, s in counted)}
    visits = _visits(units, period).aggregate(**VISIT_COUNTS)
    answers = _answer_figures(units, period, today, category, by_unit=False).get(
        None, {"answers_due": 0, "answers_late": 0}
    )
    reports = _letter_pairs(units).aggregate(**_report_counts(period, today))
    return Summary(
        visits_done=visits["done"],
        visits_planned=visits["planned"],
        violations=counts["n"],
        standing=counts["standing"],
        repeat_offenders=repeat_offender_count(units, period, category, authority),
        letters=letters_issued(units, period).count(),
        answers_due=answers["answers_due"],
        answers_late=answers["answers_late"],
        reports_due=reports["reports_due"],
        reports_late=reports["reports_late"],
    )


@dataclass
class Report:
    period: Period
    previous: Period
    categories: list[tuple[str, str]]
    units: list[UnitRow]
    category_totals: list[int]
    current: Summary
    before: Summary
    letters: list[Letter]
    offenders: list[dict]
    offender_count: int = 0
    letter_count: int = 0

    def comparison(self) -> list[dict]:
        """Each headline figure this period, the period before and the change."""
        rows = []
        for name, label in Summary.FIELDS:
            now, then = getattr(self.current, name), getattr(self.before, name)
            change = now - then
            rows.append(
                {
                    "name": name,
                    "label": label,
                    "current": now,
                    "previous": then,
                    "change": change,
                    "percent": round(change * 100 / then, 1) if then else None,
                }
            )
        return rows


def report(
    units,
    *,
    period: Period,
    category: str = "",
    today: datetime.date | None = None,
    offender_limit: int | None = None,
    letter_limit: int | None = None,
    authority: int | None = None,
) -> Report:
    """The periodic report for `units` (already scoped): 14 queries, whatever the rows (15
    with `offender_limit`: then only that many repeat offenders, the most first, are listed
    and named, as the page shows; offender_count is always how many there are). With
    `letter_limit`, only the first letters are read, and one more query counts them all when
    there are more. `authority` is the Authority's id when `units` are every unit of it
    (selectors.report_scope)."""
    today = today or timezone.localdate()
    unit_list = list(units.order_by("name", "pk"))
    cats = categories(category)
    violations = counted_violations(units, category)
    rows = _unit_rows(unit_list, by_unit_and_category(units, period, category), cats)
    visits = visits_by_unit(units, period)
    answers = answers_by_unit(units, period, today, category)
    reports = letter_reports_by_unit(units, period, today)
    for row in rows:
        row.visits = visits.get(row.unit.pk, {"planned": 0, "done": 0, "unannounced": 0})
        row.answers_due = answers.get(row.unit.pk, {}).get("answers_due", 0)
        row.answers_late = answers.get(row.unit.pk, {}).get("answers_late", 0)
        row.reports_due = reports.get(row.unit.pk, {}).get("reports_due", 0)
        row.reports_late = reports.get(row.unit.pk, {}).get("reports_late", 0)
    issued = letters_issued(units, period).prefetch_related("addressees")
    if letter_limit is None:
        letter_list = list(issued)
        letter_count = len(letter_list)
    else:
        letter_list = list(issued[:letter_limit])
        letter_count = len(letter_list)
        if letter_count == letter_limit:
            letter_count = letters_issued(units, period).count()
    if offender_limit is None:
        offenders = repeat_offenders(violations, period)
        offender_count = len(offenders)
    else:
        offenders, offender_count = top_repeat_offenders(
            units, period, offender_limit, category, authority
        )
    current = Summary(
        visits_done=sum(r.visits["done"] for r in rows),
        visits_planned=sum(r.visits["planned"] for r in rows),
        violations=sum(r.total for r in rows),
        standing=sum(r.standing for r in rows),
        repeat_offenders=offender_count,
        letters=letter_count,
        answers_due=sum(r.answers_due for r in rows),
        answers_late=sum(r.answers_late for r in rows),
        reports_due=sum(r.reports_due for r in rows),
        reports_late=sum(r.reports_late for r in rows),
    )
    previous = period.previous()
    return Report(
        period=period,
        previous=previous,
        categories=cats,
        units=rows,
        category_totals=[sum(r.by_category.get(v, 0) for r in rows) for v, _label in cats],
        current=current,
        before=summary(units, period=previous, category=category, today=today, authority=authority),
        letters=letter_list,
        offenders=offenders,
        offender_count=offender_count,
        letter_count=letter_count,
    )


def violation_rows(units, period: Period, category: str = ""):
    """Every counted violation of the period, oldest first, as tuples for the export's list:
    (occurred_at, staff, unit, type, category, status). Read in chunks: one query a chunk."""
    return (
        in_period(counted_violations(units, category), period)
        .order_by("occurred_at", "pk")
        .values_list(
            "occurred_at",
            "staff__full_name",
            "unit__name",
            "type__name",
            "type__category",
            "status",
        )
        .iterator(chunk_size=2000)
    )
