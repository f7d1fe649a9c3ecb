"""Reads of discipline data that depend on who is asking, all built on units_visible_to()."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discipline.models import (
    Decision,
    EscalationRule,
    Evidence,
    Letter,
    LetterReport,
    Register,
    ReportAttachment,
    Violation,
    ViolationTally,
)
from inspections.selectors import feedback_attention, visits_visible_to
from units.models import DiaryEntry, Staff, Unit
from units.roles import Role
from units.selectors import (
    as_pk,
    has_role,
    sees_whole_authority,
    staff_of,
    task_counts,
    units_visible_to,
)


def violations_visible_to(user) -> QuerySet[Violation]:
    """Violations of the units the user sees, plus the user's own (read-only) record."""
    condition = Q(unit__in=units_visible_to(user))
    own = staff_of(user)
    if own is not None:
        condition |= Q(staff_id=own.pk)
    return Violation.objects.filter(condition)


def get_violation(user, pk) -> Violation:
    """One violation the user may see, with its person, unit and type, or 404."""
    return get_object_or_404(violations_visible_to(user).with_related(), pk=pk)


def get_violation_page(user, pk) -> Violation:
    """One violation with everything its page shows in the same query, or 404."""
    return get_object_or_404(
        violations_visible_to(user).select_related(
            "staff", "unit", "type", "visit", "task", "recorded_by__staff"
        ),
        pk=pk,
    )


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence on violations the user sees, or on visits the user sees."""
    return Evidence.objects.filter(
        Q(violation__in=violations_visible_to(user)) | Q(visit__in=visits_visible_to(user))
    )


def get_evidence(user, pk) -> Evidence:
    return get_object_or_404(evidence_visible_to(user), pk=pk)


def attention_counts(user) -> dict[str, int]:
    """What needs the user's attention on the home page. Counts by status come from the
    trigger-kept ViolationTally (a few rows per unit, however many violations); the two
    counts that depend on more than the status are read from their own indexes."""
    status = Violation.Status
    units = units_visible_to(user)
    by_status = dict.fromkeys(status.values, 0)
    for row in (
        ViolationTally.objects.filter(unit__in=units).values("status").annotate(n=Sum("count"))
    ):
        by_status[row["status"]] = row["n"]
    counts = {
        "recorded": by_status[status.RECORDED],
        "awaiting_answer": by_status[status.NOTIFIED],
        "disputed": by_status[status.DISPUTED],
        "standing_open": by_status[status.ACKNOWLEDGED] + by_status[status.UPHELD],
        "total": sum(by_status.values()),
    }
    in_scope = Violation.objects.filter(unit__in=units)
    counts["overdue"] = in_scope.overdue().count()
    counts["upheld_to_act"] = in_scope.filter(status=status.UPHELD, corrective_action="").count()
    own = staff_of(user)
    counts["own"] = own.violations.count() if own is not None else 0
    visit_counts = visits_visible_to(user).aggregate(
        planned=Count("pk", filter=Q(status="planned")),
        in_progress=Count("pk", filter=Q(status="in_progress")),
    )
    counts.update(visit_counts)
    return counts


def work_counts(user) -> dict:
    """For the home page's tiles: the user's tasks and those of the units they oversee (one
    query), whether they wrote today's diary (one), and feedback awaiting their triage (one,
    for those who triage)."""
    own = staff_of(user)
    counts = task_counts(user) if own is not None or user.has_perm("units.view_task") else {}
    if own is not None:
        counts["diary_today"] = DiaryEntry.objects.filter(
            staff_id=own.pk, day=timezone.localdate()
        ).exists()
    counts["feedback_new"] = feedback_attention(user)
    return counts


def violations_in_scope(user) -> QuerySet[Violation]:
    """The violations of the units the user sees (not their own record: see own_violations),
    newest first: the violation list. Its filters are matched by indexes on Violation."""
    return (
        Violation.objects.filter(unit__in=units_visible_to(user))
        .with_related()
        .order_by("-occurred_at", "-id")
    )


def inbox_of(user) -> QuerySet[Violation]:
    """A unit head's inbox: their units' violations the unit has been told about and that are
    not over yet; overdue answers first, then newest."""
    today = timezone.localdate()
    return (
        Violation.objects.filter(
            unit__in=units_visible_to(user), status__in=Violation.INBOX_STATUSES
        )
        .with_related()
        .annotate(
            late=Case(
                When(status=Violation.Status.NOTIFIED, response_due__lt=today, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("late", "-occurred_at", "-id")
    )


def own_violations(user) -> QuerySet[Violation]:
    """The user's own record (read-only), newest first; 404 for a login with no staff record."""
    own = staff_of(user)
    if own is None:
        raise Http404
    return Violation.objects.filter(staff_id=own.pk).with_related().order_by("-occurred_at", "-id")


# --- the timeline of one violation, from its history ------------------------------------------

# What each change reason means, as the timeline says it.
STEP_LABELS = {
    "recorded": _("Recorded"),
    "notified": _("Unit head notified"),
    "acknowledged": _("Acknowledged by the unit, corrective action reported"),
    "disputed": _("Disputed by the unit"),
    "upheld": _("Ruling: violation upheld"),
    "dismissed": _("Ruling: violation dismissed"),
    "closed": _("Closed"),
    "voided": _("Voided"),
    "overdue": _("Answer overdue: unit head and inspectors reminded"),
    "extended": _("Handling limit extended to 150 days"),
}
# Fields whose new value the timeline shows (times are the entry's own time).
TIMELINE_FIELDS = [
    "occurred_at",
    "description",
    "response_due",
    "explanation",
    "corrective_action",
    "ruling_reason",
    "void_reason",
]


@dataclass
class TimelineEntry:
    when: datetime.datetime
    actor: str
    step: str
    label: str
    status: str = ""
    status_label: str = ""
    previous_status_label: str = ""
    changes: list[tuple[str, object]] = field(default_factory=list)


def _actor(record) -> str:
    user = record.history_user
    if user is None:
        return str(_("System"))
    try:
        return user.staff.full_name
    except ObjectDoesNotExist:
        return user.get_full_name() or user.get_username()


def violation_timeline(violation: Violation) -> list[TimelineEntry]:
    """Every change of the violation, oldest first: who, when, which step and what changed.
    One query, however long the history."""
    records = list(
        violation.history.select_related("history_user__staff").order_by(
            "history_date", "history_id"
        )
    )
    labels = {f: Violation._meta.get_field(f).verbose_name for f in TIMELINE_FIELDS}
    statuses = dict(Violation.Status.choices)
    entries = []
    previous = None
    for record in records:
        reason = record.history_change_reason or ""
        entry = TimelineEntry(
            when=record.history_date,
            actor=_actor(record),
            step=reason,
            label=str(STEP_LABELS.get(reason, reason or _("Changed"))),
            status=record.status,
            status_label=str(statuses.get(record.status, record.status)),
        )
        if previous is not None and previous.status != record.status:
            entry.previous_status_label = str(statuses.get(previous.status, previous.status))
        for name in TIMELINE_FIELDS:
            value = getattr(record, name)
            if value in ("", None):
                continue
            if previous is None and name in ("occurred_at", "description"):
                continue  # shown with the violation itself
            if previous is None or getattr(previous, name) != value:
                entry.changes.append((labels[name], value))
        entries.append(entry)
        previous = record
    return entries


# --- letters ---------------------------------------------------------------------------------


def signer_candidates(drafting_unit: Unit) -> QuerySet[Staff]:
    """Who may sign for the drafting unit: its head, deputies whose title ends with the head's
    (“Phó Chánh Văn phòng”), and members holding the office-chief role."""
    condition = Q(user__groups__name=Role.OFFICE_CHIEF)
    head = drafting_unit.head
    if head is not None:
        condition |= Q(pk=head.pk)
        if head.position:
            condition |= Q(position__iendswith=head.position)
    return (
        Staff.objects.active()
        .filter(condition, unit=drafting_unit)
        .distinct()
        .order_by("full_name")
    )


def letters_visible_to(user) -> QuerySet[Letter]:
    """Letters the user may read. The Authority-wide roles see every letter drafted in their
    Authority, drafts included; a unit head sees only issued letters addressed to a unit they
    see; anyone else none."""
    units = units_visible_to(user)
    if sees_whole_authority(user):
        return Letter.objects.filter(drafting_unit__in=units)
    if has_role(user, Role.UNIT_HEADS):
        return Letter.objects.issued().addressed_to(units)
    return Letter.objects.none()


def get_letter(user, pk) -> Letter:
    """One letter the user may read, with what its pages print, or 404."""
    return get_object_or_404(
        letters_visible_to(user).select_related(
            "authority", "drafting_unit__head", "signer", "register"
        ),
        pk=pk,
    )


def letter_reports_visible_to(user) -> QuerySet[LetterReport]:
    """Reports on letters the user reads; a unit head sees only their own units' reports."""
    reports = LetterReport.objects.filter(letter__in=letters_visible_to(user))
    if not sees_whole_authority(user):
        reports = reports.filter(unit__in=units_visible_to(user))
    return reports


def get_report_attachment(user, pk) -> ReportAttachment:
    return get_object_or_404(
        ReportAttachment.objects.filter(report__in=letter_reports_visible_to(user)), pk=pk
    )


def register_letters(user, year: int) -> QuerySet[Letter]:
    """The outgoing register (sổ văn bản đi) of `year` as the user may see it, by number."""
    return (
        letters_visible_to(user)
        .issued()
        .filter(register__year=year)
        .select_related("register__authority", "authority")
        .prefetch_related("addressees")
        .order_by("register__authority", "number")
    )


def register_years(user) -> list[int]:
    units = units_visible_to(user)
    years = Register.objects.filter(authority__units__in=units).values_list("year", flat=True)
    return sorted(set(years), reverse=True)


def letter_counts(user, today: datetime.date) -> dict[str, int]:
    """Letters needing attention, in one query: drafts, reports awaited, overdue reports."""
    status = Letter.Status
    return letters_visible_to(user).aggregate(
        letter_drafts=Count("pk", filter=Q(status=status.DRAFT)),
        letters_awaiting=Count("pk", filter=Q(status=status.ISSUED)),
        letters_overdue=Count("pk", filter=Q(status=status.ISSUED, response_due__lt=today)),
        letters_answered=Count("pk", filter=Q(status=status.ANSWERED)),
    )


@dataclass
class Proposal:
    """Someone due a letter under an escalation rule: a person (and their unit) or a unit,
    the standing violations behind it, and the letters of the rule's kind already citing them."""

    rule: EscalationRule
    unit: Unit
    staff: Staff | None
    violations: list[Violation]
    covering: list[Letter] = field(default_factory=list)
    drafts: list[Letter] = field(default_factory=list)
    uncovered: int = 0

    @property
    def target(self) -> str:
        return f"s{self.staff.pk}" if self.staff else f"u{self.unit.pk}"

    @property
    def state(self) -> str:
        """new (no letter yet), partly (new violations since a letter), drafted, covered."""
        if self.uncovered == 0:
            return "covered"
        if self.drafts:
            return "drafted"
        return "partly" if self.covering else "new"


def letter_proposals(user, *, now: datetime.datetime | None = None, rules=None) -> list[Proposal]:
    """Who is due a letter under the active escalation rules, within the user's units.

    Counts only violations that stand (acknowledged, upheld, closed). Queries: one for the
    rules, one per rule for the people or units over its threshold, one for their violations,
    one for the letters citing them, however many rows there are."""
    now = now or timezone.now()
    if rules is None:
        rules = list(EscalationRule.objects.filter(is_active=True))
    standing = Violation.objects.upheld().filter(unit__in=units_visible_to(user))
    targets: dict[int, set[int]] = {}
    wanted = Q(pk__in=[])
    for rule in rules:
        condition = Q(occurred_at__gte=now - datetime.timedelta(days=rule.window_days))
        if rule.category:
            condition &= Q(type__category=rule.category)
        key = "staff_id" if rule.scope == EscalationRule.Scope.PERSON else "unit_id"
        over = (
            standing.filter(condition)
            .values(key)
            .annotate(n=Count("pk"))
            .filter(n__gte=rule.threshold)
            .values_list(key, flat=True)
        )
        targets[rule.pk] = set(over)
        wanted |= condition & Q(**{f"{key}__in": targets[rule.pk]})
    found = list(
        standing.filter(wanted)
        .select_related("staff__unit", "unit", "type")
        .order_by("occurred_at", "pk")
    )
    citing: dict[int, list[Letter]] = {}
    links = Letter.violations.through.objects.filter(
        violation_id__in=[v.pk for v in found]
    ).select_related("letter")
    for link in links:
        citing.setdefault(link.violation_id, []).append(link.letter)

    proposals = []
    for rule in rules:
        since = now - datetime.timedelta(days=rule.window_days)
        person = rule.scope == EscalationRule.Scope.PERSON
        groups: dict[int, list[Violation]] = {}
        for violation in found:
            target = violation.staff_id if person else violation.unit_id
            if (
                target in targets[rule.pk]
                and violation.occurred_at >= since
                and (not rule.category or violation.type.category == rule.category)
            ):
                groups.setdefault(target, []).append(violation)
        for violations in groups.values():
            first = violations[0]
            proposal = Proposal(
                rule=rule,
                unit=first.staff.unit if person else first.unit,
                staff=first.staff if person else None,
                violations=violations,
            )
            seen: dict[int, Letter] = {}
            for violation in violations:
                same_kind = [
                    letter
                    for letter in citing.get(violation.pk, ())
                    if letter.kind == rule.letter_kind
                ]
                if not any(not letter.is_draft for letter in same_kind):
                    proposal.uncovered += 1
                for letter in same_kind:
                    seen[letter.pk] = letter
            proposal.covering = [letter for letter in seen.values() if not letter.is_draft]
            proposal.drafts = [letter for letter in seen.values() if letter.is_draft]
            proposals.append(proposal)
    order = {"new": 0, "partly": 1, "drafted": 2, "covered": 3}
    proposals.sort(key=lambda p: (order[p.state], p.rule.sort_order, -len(p.violations)))
    return proposals


def get_proposal(user, *, rule_pk: int, target: str) -> Proposal:
    """One current proposal (rule and "s<staff>"/"u<unit>"), or 404."""
    rule = get_object_or_404(EscalationRule.objects.filter(is_active=True), pk=rule_pk)
    for proposal in letter_proposals(user, rules=[rule]):
        if proposal.target == target:
            return proposal
    raise Http404


# --- disciplinary decisions and the year's record ----------------------------------------------


def decisions_visible_to(user) -> QuerySet[Decision]:
    """Decisions recorded in the units the user sees (a unit head: their unit's)."""
    return Decision.objects.filter(unit__in=units_visible_to(user))


def get_decision(user, pk) -> Decision:
    """One decision the user may see, with its person, unit and authority, or 404."""
    return get_object_or_404(
        decisions_visible_to(user).select_related("staff", "unit", "authority", "recorded_by"),
        pk=pk,
    )


def decisions_of_violation(violation: Violation) -> list[Decision]:
    """The decisions concerning one violation, oldest first (one query)."""
    return list(violation.decisions.order_by("decided_on", "pk"))


def evaluation_people(
    user, *, year: int, unit: Unit | None = None, with_record_only: bool = False
) -> QuerySet[Staff]:
    """Who the year's evaluation sheet lists: staff of the chosen unit (or of every unit the
    user sees) who are active, or who have a standing violation or a decision in the year
    (only the latter with `with_record_only`). By unit, then name."""
    units = units_visible_to(user)
    if unit is not None:
        units = units.filter(pk=unit.pk)
    violations = Violation.objects.upheld().filter(unit__in=units, occurred_at__year=year)
    decisions = Decision.objects.filter(unit__in=units, year=year)
    if with_record_only:
        condition = Q(pk__in=violations.values("staff_id")) | Q(pk__in=decisions.values("staff_id"))
    else:
        # Everyone active, and the few who left during the year but have a record: probed
        # person by person (index on person and date) instead of hashing a year of violations.
        left_with_record = Staff.objects.filter(unit__in=units, is_active=False).filter(
            Exists(violations.filter(staff_id=OuterRef("pk")))
            | Exists(decisions.filter(staff_id=OuterRef("pk")))
        )
        condition = Q(is_active=True) | Q(pk__in=left_with_record.values("pk"))
    return (
        Staff.objects.filter(unit__in=units)
        .filter(condition)
        .select_related("unit")
        .order_by("unit__name", "full_name", "pk")
    )


def evaluation_sources(user) -> tuple[QuerySet[Violation], QuerySet[Decision]]:
    """The standing violations and the decisions the sheet may count for this user."""
    units = units_visible_to(user)
    return Violation.objects.upheld().filter(unit__in=units), Decision.objects.filter(
        unit__in=units
    )


# --- dashboards and periodic reports ---------------------------------------------------------


def report_scope(
    user, unit_pk: str | None = None
) -> tuple[QuerySet[Unit], Unit | None, int | None]:
    """The units a dashboard or report covers: every unit the user sees, or one of them (with
    its child units) when `unit_pk` is given; 404 for a unit outside the user's scope. Also
    the Authority's id when the units are every unit of that Authority (the reports then
    read its per-person totals), else None."""
    units = units_visible_to(user)
    if not unit_pk:
        staff = staff_of(user)
        whole = staff is not None and sees_whole_authority(user)
        # units_visible_to gives such a user exactly Unit.objects.filter(authority=…).
        return units, None, staff.authority_id if whole else None
    pk = as_pk(unit_pk)
    if pk is None:
        raise Http404
    unit = get_object_or_404(units, pk=pk)
    return units.filter(Q(pk=unit.pk) | Q(parent_id=unit.pk)), unit, None
