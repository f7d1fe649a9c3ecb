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
from units.models import Staff, Task, Unit


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
            models.Index(fields=["status", "response_due"], name="violation_status_due_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="violation_date_idx"),
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
        if self.visit_id and self.unit_id and self.visit.unit_id != self.unit_id:
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
