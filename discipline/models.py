import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inspections.models import Feedback, RollEntry, Visit
from units.models import Authority, Staff, Task, Unit


class ViolationType(models.Model):
    """A catalogue entry: what kind of breach, under which category and legal basis."""

    class Category(models.TextChoices):
        WORKING_HOURS = "working_hours", _("Working hours")
        PRIVATE_BUSINESS = "private_business", _("Private business in work time")
        ALCOHOL = "alcohol", _("Alcohol")
        BADGE_DRESS = "badge_dress", _("Badge and dress")
        ATTITUDE = "attitude", _("Attitude to citizens")
        TASK_PERFORMANCE = "task_performance", _("Task performance")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("violation type")
        verbose_name_plural = _("violation types")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ViolationQuerySet(models.QuerySet):
    def in_units(self, units):
        return self.filter(unit__in=units)

    def open(self):
        return self.exclude(status__in=[Violation.Status.CLOSED, Violation.Status.VOIDED])

    def needing_answer(self):
        return self.filter(status=Violation.Status.NOTIFIED)

    def overdue(self, today: datetime.date | None = None):
        """Notified violations whose answer was due before `today` (local date by default)."""
        return self.filter(
            status=Violation.Status.NOTIFIED,
            response_due__lt=today or timezone.localdate(),
        )

    def awaiting_unit(self):
        """What a unit head still has to do: answer a notice, or report the corrective action
        taken on a violation upheld on dispute."""
        return self.filter(
            Q(status=Violation.Status.NOTIFIED)
            | Q(status=Violation.Status.UPHELD, corrective_action="")
        )

    def upheld(self):
        """Violations that stand: upheld on dispute, acknowledged, or closed after either."""
        return self.filter(status__in=Violation.STANDING_STATUSES)

    def with_related(self):
        return self.select_related("staff", "unit", "type")


class Violation(models.Model):
    """One breach by one staff member at one time. Never deleted: voided with a reason."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        NOTIFIED = "notified", _("Unit head notified")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISPUTED = "disputed", _("Disputed")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")
        CLOSED = "closed", _("Closed")
        VOIDED = "voided", _("Voided")

    class Source(models.TextChoices):
        VISIT = "visit", _("Inspection visit")
        FEEDBACK = "feedback", _("Citizen feedback")
        SELF_REPORT = "self_report", _("Unit self-report")
        TASK = "task", _("Overdue task")
        OTHER = "other", _("Other")

    # Statuses in which the breach stands against the person.
    STANDING_STATUSES = ("acknowledged", "upheld", "closed")
    # What a unit head's inbox lists: the unit has been told, and the case is not over.
    INBOX_STATUSES = ("notified", "disputed", "upheld", "acknowledged")

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="violations", verbose_name=_("staff member")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="violations",
        verbose_name=_("unit"),
        help_text=_("The person's unit when the breach happened."),
    )
    type = models.ForeignKey(
        ViolationType,
        on_delete=models.PROTECT,
        related_name="violations",
        verbose_name=_("violation type"),
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.OTHER
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="violations",
        verbose_name=_("visit"),
    )
    roll_entry = models.ForeignKey(
        RollEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="violations",
        verbose_name=_("roll entry"),
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="violations",
        verbose_name=_("overdue task"),
    )
    feedback = models.ForeignKey(
        Feedback,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="violations",
        verbose_name=_("citizen feedback"),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recorded_violations",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    response_due = models.DateField(_("answer due"), null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ruling_reason = models.TextField(_("reason for the ruling"), blank=True)
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    # Set once the answer is late and the unit head and inspectors were told (notify_overdue).
    overdue_notice_sent_at = models.DateTimeField(
        _("overdue notice sent at"), null=True, blank=True
    )
    # The handling limit runs 90 days from detection, 150 when the case is complex and needs
    # inspection to verify (Luật Cán bộ, công chức, art. 80(2) as amended in 2019). The
    # extension belongs to the case, before any decision exists, so it is a flag here; see
    # discipline/legal.py.
    handling_extended = models.BooleanField(
        _("handling limit extended to 150 days"),
        default=False,
        help_text=_(
            "A complex case that needs inspection to verify (Luật Cán bộ, công chức, art. 80)."
        ),
    )

    history = HistoricalRecords(excluded_fields=["recorded_at"])
    objects = ViolationQuerySet.as_manager()

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-occurred_at", "-pk"]
        permissions = [
            ("void_violation", _("Can void a violation")),
            ("notify_violation", _("Can notify the unit head of a violation")),
            ("answer_violation", _("Can answer for a violation (acknowledge or dispute)")),
            ("rule_violation", _("Can rule on a disputed violation")),
            ("close_violation", _("Can close a violation")),
        ]
        indexes = [
            models.Index(fields=["unit", "-occurred_at"], name="violation_unit_date_idx"),
            models.Index(
                fields=["unit", "status", "-occurred_at"], name="violation_unit_status_idx"
            ),
            models.Index(fields=["staff", "-occurred_at"], name="violation_staff_date_idx"),
            models.Index(fields=["type", "-occurred_at"], name="violation_type_date_idx"),
            # Newest first across an Authority (the list, the admin's deep pages): the scope's
            # unit and own-record filters are answered from the index alone.
            models.Index(
                fields=["-occurred_at", "-id"],
                include=["unit", "staff"],
                name="violation_date_cover_idx",
            ),
            # Repeat offenders: a period's standing violations by person, read from the index
            # alone (PostgreSQL; SQLite ignores INCLUDE).
            models.Index(
                fields=["occurred_at"],
                include=["unit", "staff", "type", "status"],
                condition=models.Q(status__in=["acknowledged", "upheld", "closed"]),
                name="violation_standing_cover_idx",
            ),
            # Overdue answers (notified, due before today) counted per unit, and answers missing
            # past their due date (dashboards, reports), read from the index alone. Replaces
            # 0013's violation_status_due_unit_idx, which included only the unit.
            models.Index(
                fields=["status", "response_due"],
                include=["unit", "type", "answered_at"],
                condition=models.Q(response_due__isnull=False),
                name="violation_due_cover_idx",
            ),
            # The list filtered by unit and type, newest first.
            models.Index(
                fields=["unit", "type", "-occurred_at", "-id"], name="violation_unit_type_date_idx"
            ),
            # Upheld on dispute, corrective action not reported: a home-page count.
            models.Index(
                fields=["unit"],
                condition=Q(status="upheld", corrective_action=""),
                name="violation_upheld_to_act_idx",
            ),
            # The list's status filter across an Authority, newest first.
            models.Index(
                fields=["status", "-occurred_at", "-id"], name="violation_status_date_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="voided") | ~Q(void_reason=""),
                name="violation_voided_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(source="visit") | Q(visit__isnull=False),
                name="violation_visit_source_has_visit",
            ),
            models.CheckConstraint(
                condition=~Q(source="task") | Q(task__isnull=False),
                name="violation_task_source_has_task",
                violation_error_message=_("A violation from an overdue task must name the task."),
            ),
            models.CheckConstraint(
                condition=~Q(source="feedback") | Q(feedback__isnull=False),
                name="violation_feedback_source_has_feedback",
                violation_error_message=_(
                    "A violation from citizen feedback must name the feedback."
                ),
            ),
            # A finding on a roll becomes at most one violation of each type.
            models.UniqueConstraint(
                fields=["roll_entry", "type"],
                condition=Q(roll_entry__isnull=False),
                name="violation_once_per_roll_entry_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} — {self.staff} ({self.occurred_at:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("discipline:violation_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.occurred_at and self.occurred_at > timezone.now():
            errors["occurred_at"] = _("The time of a violation cannot be in the future.")
        if (
            self.staff_id
            and self.unit_id
            and self._state.adding
            and self.staff.unit_id != self.unit_id
        ):
            errors["staff"] = _("This staff member does not belong to the selected unit.")
        # Checked when recorded (the visit never changes after): a status change of many
        # violations must not load each one's visit.
        if (
            self.visit_id
            and self.unit_id
            and self._state.adding
            and self.visit.unit_id != self.unit_id
        ):
            errors["visit"] = _("This visit was to another unit.")
        if errors:
            raise ValidationError(errors)

    @property
    def stands(self) -> bool:
        return self.status in self.STANDING_STATUSES

    # The state machine (DESIGN.md §3), asked by the services before a change and by the pages
    # to offer only the actions that can succeed.
    @property
    def can_be_notified(self) -> bool:
        return self.status == self.Status.RECORDED

    @property
    def can_be_disputed(self) -> bool:
        return self.status == self.Status.NOTIFIED

    @property
    def awaits_corrective_action(self) -> bool:
        """Upheld on dispute and the unit has not yet reported what it did about it."""
        return self.status == self.Status.UPHELD and not self.corrective_action

    @property
    def can_be_acknowledged(self) -> bool:
        return self.status == self.Status.NOTIFIED or self.awaits_corrective_action

    @property
    def can_be_ruled(self) -> bool:
        return self.status == self.Status.DISPUTED

    @property
    def can_be_closed(self) -> bool:
        return self.status in (self.Status.ACKNOWLEDGED, self.Status.UPHELD)

    @property
    def can_be_voided(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.VOIDED)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.NOTIFIED
            and self.response_due is not None
            and self.response_due < timezone.localdate()
        )


class ViolationTally(models.Model):
    """How many violations each unit has in each status: the home page's counts over a
    province's million violations, read from a few hundred rows. Kept by database triggers
    on Violation (migration 0013), so no code path (services, admin, bulk updates, restores)
    can forget it; never written by the application."""

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("unit")
    )
    status = models.CharField(_("status"), max_length=20, choices=Violation.Status.choices)
    count = models.IntegerField(_("number of violations"), default=0)

    class Meta:
        verbose_name = _("violation tally")
        verbose_name_plural = _("violation tallies")
        constraints = [
            models.UniqueConstraint(fields=["unit", "status"], name="violation_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.status}: {self.count}"


class ViolationMonthTally(models.Model):
    """How many violations count in the figures (all but voided and dismissed ones) each unit
    has per local month (Asia/Ho_Chi_Minh) and type, and how many of them stand
    (acknowledged, upheld, closed): the dashboards' and reports' counts over a province's
    million violations, read from a year's few thousand rows. `month` is the first day of the
    local month of occurred_at. Kept by database triggers on Violation (migrations 0014 and
    0015), like ViolationTally; never written by the application."""

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("unit")
    )
    month = models.DateField(_("month"))
    type = models.ForeignKey(
        ViolationType, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("type")
    )
    counted = models.IntegerField(_("number of violations"), default=0)
    standing = models.IntegerField(_("of which standing"), default=0)

    class Meta:
        verbose_name = _("monthly violation tally")
        verbose_name_plural = _("monthly violation tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "type"], name="violation_month_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%m/%Y} {self.type_id}: {self.counted} ({self.standing})"


class ViolationStaffYearTally(models.Model):
    """How many standing violations (acknowledged, upheld, closed) each person has in each
    unit per local year: the repeat offenders of a year for a province's 30,000 people, read
    from one row a person instead of every standing violation. Kept by database triggers on
    Violation (migration 0014), like ViolationTally; never written by the application."""

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("unit")
    )
    staff = models.ForeignKey(
        "units.Staff", on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("staff")
    )
    year = models.IntegerField(_("year"))
    count = models.IntegerField(_("number of violations"), default=0)

    class Meta:
        verbose_name = _("standing violation tally per person")
        verbose_name_plural = _("standing violation tallies per person")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "staff"], name="violation_staff_year_tally_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.year} ({self.unit_id}): {self.count}"


class ViolationStaffYearTotal(models.Model):
    """How many standing violations each person has per local year in all the units of one
    Authority: the per-person year tally summed over units. The Authority's repeat offenders
    of a year (tens of thousands of people in a province) are then counted and ranked from an
    index, instead of summing the per-unit rows of every person on each request. Kept by
    database triggers on ViolationStaffYearTally (migration 0016); never written by the
    application."""

    authority = models.ForeignKey(
        "units.Authority",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,  # the first column of both indexes below
        verbose_name=_("authority"),
    )
    staff = models.ForeignKey(
        "units.Staff", on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("staff")
    )
    year = models.IntegerField(_("year"))
    count = models.IntegerField(_("number of violations"), default=0)

    class Meta:
        verbose_name = _("standing violation total per person")
        verbose_name_plural = _("standing violation totals per person")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "staff"], name="violation_staff_year_total_unique"
            ),
        ]
        indexes = [
            # Most violations first: the top of the ranking is the first rows of this index.
            models.Index(
                fields=["authority", "year", "-count", "staff"],
                name="violation_staff_total_rank",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.year} ({self.authority_id}): {self.count}"


class ViolationDueTally(models.Model):
    """How many violations that await an answer (all but voided ones) each unit has per month
    of the answer's due date, type and whether the answer came after the due date (local day
    of answered_at later than response_due): the answer figures of dashboards and reports.
    Violations without a due date are not counted. Kept by database triggers on Violation
    (migrations 0014 and 0015), like ViolationTally; never written by the application."""

    unit = models.ForeignKey(
        Unit, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("unit")
    )
    due_month = models.DateField(_("month of the due date"))
    type = models.ForeignKey(
        ViolationType, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("type")
    )
    answered_late = models.BooleanField(_("answered after the due date"))
    count = models.IntegerField(_("number of violations"), default=0)

    class Meta:
        verbose_name = _("answer due tally")
        verbose_name_plural = _("answer due tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "due_month", "type", "answered_late"],
                name="violation_due_tally_unique",
            ),
        ]

    def __str__(self) -> str:
        late = " late" if self.answered_late else ""
        return f"{self.unit_id} {self.due_month:%m/%Y} {self.type_id}{late}: {self.count}"


def evidence_upload_to(instance, filename: str) -> str:
    # A random server-side name: nothing the uploader typed reaches the file system.
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(
        instance.content_type, ""
    )
    return f"evidence/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}{extension}"


class Evidence(models.Model):
    """A photo or PDF attached to a violation, a visit or one roll entry. Never deleted."""

    violation = models.ForeignKey(
        Violation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("violation"),
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("visit"),
    )
    roll_entry = models.ForeignKey(
        RollEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("roll entry"),
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="uploaded_evidence",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(violation__isnull=False) | Q(visit__isnull=False),
                name="evidence_attached_to_something",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "application/pdf"]),
                name="evidence_allowed_content_type",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def get_absolute_url(self) -> str:
        return reverse("discipline:evidence_download", args=[self.pk])


class LetterKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder (nhắc nhở)")
    RECTIFICATION = "rectification", _("Rectification (chấn chỉnh)")
    SELF_REVIEW = "self_review", _("Request for self-review (yêu cầu kiểm điểm)")


class EscalationRule(models.Model):
    """“N upheld violations of category C by one person (or one unit) within D days proposes a
    letter of kind K.” Seeded with the defaults of the directive's item 4; edited in the admin."""

    class Scope(models.TextChoices):
        PERSON = "person", _("One person")
        UNIT = "unit", _("One unit")

    name = models.CharField(_("name"), max_length=200)
    scope = models.CharField(_("counted per"), max_length=10, choices=Scope.choices)
    category = models.CharField(
        _("violation category"),
        max_length=30,
        choices=ViolationType.Category.choices,
        blank=True,
        help_text=_("Leave empty to count violations of every category."),
    )
    threshold = models.PositiveSmallIntegerField(
        _("number of violations"), help_text=_("A letter is proposed from this many on.")
    )
    window_days = models.PositiveSmallIntegerField(
        _("within days"), help_text=_("Only violations of the last this many days count.")
    )
    letter_kind = models.CharField(_("letter kind"), max_length=20, choices=LetterKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=1) & Q(window_days__gte=1),
                name="escalation_rule_positive",
                violation_error_message=_("The number and the days must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Register(models.Model):
    """The outgoing-document register (sổ văn bản đi) of one Authority for one year. It hands
    out letter numbers: consecutive from 1, under a row lock, in the issuing transaction."""

    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="registers", verbose_name=_("authority")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("outgoing register")
        verbose_name_plural = _("outgoing registers")
        ordering = ["authority", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year"], name="register_once_per_authority_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} — {self.year}"


class LetterQuerySet(models.QuerySet):
    def issued(self):
        return self.exclude(status=Letter.Status.DRAFT)

    def overdue(self, today: datetime.date):
        return self.filter(status=Letter.Status.ISSUED, response_due__lt=today)

    def addressed_to(self, units):
        return self.filter(
            pk__in=Letter.addressees.through.objects.filter(unit__in=units).values("letter_id")
        )


class Letter(models.Model):
    """An official công văn about violations (Nghị định 30/2020/NĐ-CP). A draft can be edited;
    issuing gives it a number, symbol and date and freezes it: corrections are a new letter."""

    Kind = LetterKind

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued, awaiting report")
        ANSWERED = "answered", _("Report received")
        CLOSED = "closed", _("Closed")

    # What an issued letter says; none of it changes after issue.
    FROZEN_FIELDS = (
        "authority_id",
        "drafting_unit_id",
        "kind",
        "subject",
        "recipients",
        "body",
        "copy_to",
        "response_due",
        "signer_id",
        "signature_titles",
        "signer_name",
        "register_id",
        "number",
        "symbol",
        "issued_on",
        "issued_at",
        "issued_by_id",
    )

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("issuing authority"),
    )
    drafting_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="drafted_letters",
        verbose_name=_("drafting unit"),
        help_text=_("Its code follows the abbreviation in the symbol, e.g. UBND-VP."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    subject = models.CharField(
        _("subject"),
        max_length=300,
        help_text=_("Printed after “V/v”, e.g. “chấn chỉnh kỷ luật, kỷ cương hành chính”."),
    )
    recipients = models.TextField(
        _("addressed to (Kính gửi)"), help_text=_("One addressee per line.")
    )
    body = models.TextField(
        _("body"),
        help_text=_("One paragraph per line. The last paragraph ends with “./.”."),
    )
    copy_to = models.TextField(
        _("copies to (Nơi nhận)"),
        help_text=_("One line per recipient, without the leading dash; the last is “Lưu: …”."),
    )
    response_due = models.DateField(_("report due"))
    addressees = models.ManyToManyField(
        Unit, related_name="letters_received", verbose_name=_("addressed units"), blank=True
    )
    violations = models.ManyToManyField(
        Violation, related_name="letters", verbose_name=_("violations"), blank=True
    )
    signer = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="signed_letters", verbose_name=_("signer")
    )
    signature_titles = models.TextField(
        _("signature titles"), blank=True, help_text=_("E.g. “TL. CHỦ TỊCH” then the title.")
    )
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    rule = models.ForeignKey(
        EscalationRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("proposed by rule"),
    )
    register = models.ForeignKey(
        Register,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("register"),
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    symbol = models.CharField(_("symbol"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_letters",
        verbose_name=_("issued by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="drafted_letters",
        verbose_name=_("drafted by"),
    )
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now)
    answered_at = models.DateTimeField(_("report received at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_letters",
        verbose_name=_("closed by"),
    )

    history = HistoricalRecords(m2m_fields=["addressees", "violations"])
    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-issued_on", "-number", "-pk"]
        permissions = [
            ("issue_letter", _("Can issue a letter (number and date it)")),
            ("close_letter", _("Can close a letter")),
        ]
        indexes = [
            models.Index(fields=["authority", "status", "-created_at"], name="letter_status_idx"),
            models.Index(fields=["status", "response_due"], name="letter_status_due_idx"),
            models.Index(fields=["authority", "-issued_on", "-number"], name="letter_issued_idx"),
        ]
        constraints = [
            # Gap-free numbering is the services' job; duplicates are impossible here too.
            models.UniqueConstraint(
                fields=["register", "number"], name="letter_number_unique_in_register"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="draft", number__isnull=True, register__isnull=True)
                    | (
                        ~Q(status="draft")
                        & Q(
                            number__gte=1,
                            register__isnull=False,
                            issued_on__isnull=False,
                            issued_at__isnull=False,
                        )
                    )
                ),
                name="letter_number_only_when_issued",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return f"{self.reference} — V/v {self.subject}"
        return _("Draft: V/v %(subject)s") % {"subject": self.subject}

    def get_absolute_url(self) -> str:
        return reverse("discipline:letter_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if (
            self.drafting_unit_id
            and self.authority_id
            and self.drafting_unit.authority_id != self.authority_id
        ):
            errors["drafting_unit"] = _("The drafting unit belongs to another authority.")
        # Checked while drafting only: a signer who later retires leaves issued letters alone.
        if (
            self.status == self.Status.DRAFT
            and self.signer_id
            and self.drafting_unit_id
            and (self.signer.unit_id != self.drafting_unit_id or not self.signer.is_active)
        ):
            errors["signer"] = _("The signer must be an active member of the drafting unit.")
        if errors:
            raise ValidationError(errors)
        if self.pk:
            stored = Letter.objects.filter(pk=self.pk).values("status", *self.FROZEN_FIELDS).first()
            if stored and stored["status"] != self.Status.DRAFT:
                changed = [f for f in self.FROZEN_FIELDS if getattr(self, f) != stored[f]]
                if changed:
                    raise ValidationError(
                        _("An issued letter cannot be changed; correct it with a new letter."),
                        code="frozen",
                    )

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def number_display(self) -> str:
        """The number with at least two digits (Nghị định 30: “07”), or "" for a draft."""
        return f"{self.number:02d}" if self.number else ""

    @property
    def reference(self) -> str:
        """“07/UBND-VP”; a draft has no number yet."""
        return f"{self.number_display}/{self.symbol}" if self.number else ""

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == self.Status.ISSUED and self.response_due < today

    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    def body_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]

    def copy_to_lines(self) -> list[str]:
        return [line.strip() for line in self.copy_to.splitlines() if line.strip()]

    def signature_lines(self) -> list[str]:
        return [line.strip() for line in self.signature_titles.splitlines() if line.strip()]


class LetterReport(models.Model):
    """An addressed unit's report on how it handled a letter (text and attachments). Kept for
    good: a later report adds to it, nothing replaces it."""

    letter = models.ForeignKey(
        Letter, on_delete=models.PROTECT, related_name="reports", verbose_name=_("letter")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="letter_reports", verbose_name=_("unit")
    )
    text = models.TextField(_("report on the handling"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="letter_reports",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("report on a letter")
        verbose_name_plural = _("reports on letters")
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["letter", "unit"], name="letter_report_letter_unit_idx")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.letter}"


def report_upload_to(instance, filename: str) -> str:
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(
        instance.content_type, ""
    )
    return f"reports/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}{extension}"


class ReportAttachment(models.Model):
    """A photo or PDF attached to a report on a letter (e.g. the signed self-review minutes)."""

    report = models.ForeignKey(
        LetterReport,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("report"),
    )
    file = models.FileField(_("file"), upload_to=report_upload_to, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_attachments",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "application/pdf"]),
                name="report_attachment_allowed_content_type",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def get_absolute_url(self) -> str:
        return reverse("discipline:report_attachment_download", args=[self.pk])


class RecordAccess(models.Model):
    """One opening of a person's violation record: who, when, whose record and through which
    page. The personal data protection law asks us to know who read sensitive data; this is that
    log. Written by the views (discipline.services.record_access), read-only in the admin for
    administrators, exported with the person's record, kept for the retention period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="record_accesses",
        verbose_name=_("opened by"),
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="record_accesses",
        verbose_name=_("whose record"),
    )
    violation = models.ForeignKey(
        Violation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accesses",
        verbose_name=_("violation"),
    )
    view = models.CharField(_("page"), max_length=100)
    accessed_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("record access")
        verbose_name_plural = _("record access log")
        ordering = ["-accessed_at", "-pk"]
        permissions = [
            ("export_personal_record", _("Can export a person's full record")),
        ]
        indexes = [
            models.Index(fields=["staff", "-accessed_at"], name="record_access_staff_idx"),
            models.Index(fields=["-accessed_at"], name="record_access_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.view} ({self.accessed_at:%d/%m/%Y %H:%M})"


class DecisionQuerySet(models.QuerySet):
    def in_units(self, units):
        return self.filter(unit__in=units)

    def in_year(self, year: int):
        return self.filter(year=year)


class Decision(models.Model):
    """The outcome of the formal disciplinary process for one staff member (Nghị định
    112/2020/NĐ-CP as amended by 71/2023): the form, the decision's number and date, who
    decided, and the standing violations it concerns. Recorded by administrators; never
    deleted."""

    class Form(models.TextChoices):
        # Ordered lightest first; every form caps the year's rating (discipline/evaluation.py).
        REPRIMAND = "reprimand", _("Reprimand (khiển trách)")
        WARNING = "warning", _("Warning (cảnh cáo)")
        REMOVAL = "removal", _("Removal from post (cách chức)")
        DISMISSAL = "dismissal", _("Dismissal (buộc thôi việc)")
        RECALL = "recall", _("Recall from elected office (bãi nhiệm)")

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("authority"),
        editable=False,
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("staff member")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("unit"),
        editable=False,
        help_text=_("The person's unit when the decision was recorded."),
    )
    form = models.CharField(_("form of discipline"), max_length=20, choices=Form.choices)
    number = models.CharField(
        _("decision number"), max_length=60, help_text=_("E.g. “125/QĐ-UBND”.")
    )
    decided_on = models.DateField(_("decision date"))
    # Copied from decided_on: the number is unique per authority and year.
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    decided_by = models.CharField(
        _("deciding authority"),
        max_length=200,
        help_text=_("The body or office holder competent to decide, e.g. “Chủ tịch UBND huyện”."),
    )
    signer_name = models.CharField(_("signer's name"), max_length=120)
    signer_position = models.CharField(_("signer's position"), max_length=200)
    violations = models.ManyToManyField(
        Violation, related_name="decisions", verbose_name=_("violations concerned")
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recorded_decisions",
        verbose_name=_("recorded by"),
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=["violations"], excluded_fields=["recorded_at"])
    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("disciplinary decision")
        verbose_name_plural = _("disciplinary decisions")
        ordering = ["-decided_on", "-pk"]
        permissions = [("record_decision", _("Can record a disciplinary decision"))]
        indexes = [
            models.Index(fields=["unit", "-decided_on"], name="decision_unit_date_idx"),
            models.Index(fields=["staff", "year"], name="decision_staff_year_idx"),
            models.Index(fields=["year", "-decided_on"], name="decision_year_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "number"],
                name="decision_number_unique_per_authority_year",
                violation_error_message=_(
                    "This authority already has a decision with this number in that year."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.get_form_display()} — {self.staff}"

    def get_absolute_url(self) -> str:
        return reverse("discipline:decision_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.decided_on:
            self.year = self.decided_on.year
            if self.decided_on > timezone.localdate():
                errors["decided_on"] = _("The decision date cannot be in the future.")
        self.number = (self.number or "").strip()
        if errors:
            raise ValidationError(errors)

    @property
    def is_reprimand_level(self) -> bool:
        return self.form == self.Form.REPRIMAND
