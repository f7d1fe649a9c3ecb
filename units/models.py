import datetime
import secrets

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Authority(models.Model):
    """The issuing body: everything a letter's header and the working-hours rules need, as data."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    parent_body = models.CharField(
        _("parent body line"),
        max_length=120,
        blank=True,
        help_text=_("Optional first header line, e.g. “UBND TỈNH LONG AN”."),
    )
    issuing_body = models.TextField(
        _("issuing body lines"),
        help_text=_(
            "The body's own name as printed in the header, one line per line, e.g. "
            "“ỦY BAN NHÂN DÂN” then “HUYỆN VĨNH HƯNG”."
        ),
    )
    abbreviation = models.CharField(
        _("symbol abbreviation"), max_length=20, help_text=_("e.g. “UBND”.")
    )
    place_name = models.CharField(
        _("place name"), max_length=80, help_text=_("Used in the date line, e.g. “Vĩnh Hưng”.")
    )
    chairman_title = models.CharField(_("chairman title"), max_length=80, default="CHỦ TỊCH")
    morning_start = models.TimeField(_("morning start"), default=datetime.time(7, 0))
    morning_end = models.TimeField(_("morning end"), default=datetime.time(11, 30))
    afternoon_start = models.TimeField(_("afternoon start"), default=datetime.time(13, 30))
    afternoon_end = models.TimeField(_("afternoon end"), default=datetime.time(17, 0))
    grace_minutes = models.PositiveSmallIntegerField(_("grace minutes for lateness"), default=5)
    response_working_days = models.PositiveSmallIntegerField(
        _("working days to answer a violation"), default=5
    )

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(morning_start__lt=models.F("morning_end"))
                & Q(morning_end__lte=models.F("afternoon_start"))
                & Q(afternoon_start__lt=models.F("afternoon_end")),
                name="authority_working_hours_ordered",
                violation_error_message=_(
                    "Working hours must run morning start < morning end ≤ "
                    "afternoon start < afternoon end."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def issuing_body_lines(self) -> list[str]:
        return [line.strip() for line in self.issuing_body.splitlines() if line.strip()]


# No 0/o, 1/l/i: a citizen may have to type the address from the printed poster.
FEEDBACK_TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_feedback_token() -> str:
    """A random, unguessable-enough part of a unit's public feedback address (~59 bits)."""
    return "".join(secrets.choice(FEEDBACK_TOKEN_ALPHABET) for _ in range(12))


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def communes(self):
        return self.filter(kind=Unit.Kind.COMMUNE)


class Unit(models.Model):
    """An agency, a commune/ward/town People's Committee or a public service unit."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        COMMUNE = "commune", _("Commune People's Committee")
        PUBLIC_SERVICE = "public_service", _("Public service unit")

    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="units", verbose_name=_("authority")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"), max_length=20, help_text=_("Abbreviation as drafting unit, e.g. “NV”, “VP”.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AGENCY)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    head = models.ForeignKey(
        "Staff",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_units",
        verbose_name=_("head"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Random and stored rather than derived from the secret key: printed QR posters must keep
    # working when the key is rotated.
    feedback_token = models.CharField(
        _("feedback address token"),
        max_length=24,
        unique=True,
        default=new_feedback_token,
        editable=False,
        help_text=_("Part of the public feedback address printed on the unit's QR poster."),
    )

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "code"],
                name="unit_code_unique_per_authority",
                violation_error_message=_("Another unit of this authority already uses this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.parent_id and self.parent.authority_id != self.authority_id:
            raise ValidationError({"parent": _("The parent unit belongs to another authority.")})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")})
        if self.head_id and self.pk and self.head.unit_id != self.pk:
            raise ValidationError({"head": _("The head must be a staff member of this unit.")})


class StaffQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_units(self, units):
        return self.filter(unit__in=units)


class Staff(models.Model):
    """One cán bộ, công chức, viên chức or contract worker. Minimal personal data by design."""

    class Category(models.TextChoices):
        CADRE = "cadre", _("Cadre (cán bộ)")
        CIVIL_SERVANT = "civil_servant", _("Civil servant (công chức)")
        PUBLIC_EMPLOYEE = "public_employee", _("Public employee (viên chức)")
        CONTRACT = "contract", _("Contract worker")

    # Copied from the unit on save so that a database constraint can keep active badge numbers
    # unique across the whole authority.
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("authority"),
        editable=False,
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="staff", verbose_name=_("unit")
    )
    full_name = models.CharField(_("full name"), max_length=120)
    position = models.CharField(_("position"), max_length=120, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.CIVIL_SERVANT
    )
    badge_number = models.CharField(_("badge number"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("login"),
    )
    # The head's delegation of "giao việc" to a deputy: without any role, this person may
    # assign and review tasks in their own unit.
    assigns_tasks = models.BooleanField(
        _("assigns tasks in their unit"),
        default=False,
        help_text=_(
            "Delegated by the unit head: this person may assign tasks to colleagues of their "
            "unit and accept or return them."
        ),
    )

    history = HistoricalRecords()
    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "badge_number"],
                condition=Q(is_active=True) & ~Q(badge_number=""),
                name="staff_active_badge_unique_per_authority",
                violation_error_code="badge_taken",
                violation_error_message=_(
                    "Another active staff member of this authority already has this badge number."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "is_active", "full_name"], name="staff_unit_active_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self):
        if self.unit_id:
            self.authority_id = self.unit.authority_id

    def validate_constraints(self, exclude=None):
        # authority is derived from unit, so a form that edits the unit validates it too.
        if exclude is not None and "unit" not in exclude:
            exclude = set(exclude) - {"authority"}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            # Report a taken badge number next to the badge field, where the user typed it.
            errors = error.update_error_dict({})
            general = errors.pop(NON_FIELD_ERRORS, [])
            for item in general:
                target = "badge_number" if getattr(item, "code", None) == "badge_taken" else None
                errors.setdefault(target or NON_FIELD_ERRORS, []).append(item)
            raise ValidationError(errors) from error


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notice to one user (the bell), usually mirrored by an email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Makes a notice idempotent: the same key for the same user is sent once (cron-safe).
    key = models.CharField(_("key"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_once_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class TaskQuerySet(models.QuerySet):
    def in_units(self, units):
        return self.filter(unit__in=units)

    def pending(self):
        """With the assignee: not yet handed in, or handed back."""
        return self.filter(status__in=Task.PENDING_STATUSES)

    def overdue(self, today: datetime.date | None = None):
        """With the assignee after the due date."""
        return self.pending().filter(due_date__lt=today or timezone.localdate())

    def with_related(self):
        return self.select_related("assignee", "unit", "assigned_by")


class Task(models.Model):
    """One piece of work assigned to one person ("rõ người, rõ việc, rõ trách nhiệm")."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")
        SUBMITTED = "submitted", _("Completed, awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for more work")

    # Statuses in which the work is with the assignee (and can become overdue).
    PENDING_STATUSES = ("assigned", "in_progress", "returned")

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("unit"),
        help_text=_("The assignee's unit when the task was assigned."),
    )
    assignee = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("assignee")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
        verbose_name=_("assigned by"),
    )
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    expected_result = models.TextField(_("expected result"), max_length=2000)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ASSIGNED
    )
    progress_note = models.TextField(_("latest progress note"), blank=True, max_length=2000)
    completion_note = models.TextField(_("completion note"), blank=True, max_length=2000)
    review_note = models.TextField(_("review note"), blank=True, max_length=2000)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "pk"]
        permissions = [
            ("review_task", _("Can accept or return a completed task")),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "due_date"], name="task_unit_status_due_idx"),
            models.Index(
                fields=["assignee", "status", "due_date"], name="task_assignee_status_due_idx"
            ),
            models.Index(fields=["status", "due_date"], name="task_status_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "accepted"]) | ~Q(completion_note=""),
                name="task_completed_has_note",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_note=""),
                name="task_returned_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("units:task_detail", args=[self.pk])

    def clean(self):
        if (
            self.assignee_id
            and self.unit_id
            and self._state.adding
            and self.assignee.unit_id != self.unit_id
        ):
            raise ValidationError(
                {"assignee": _("This staff member does not belong to the task's unit.")}
            )

    @property
    def is_overdue(self) -> bool:
        return self.status in self.PENDING_STATUSES and self.due_date < timezone.localdate()


class DiaryEntryQuerySet(models.QuerySet):
    def originals(self):
        return self.filter(corrects__isnull=True)


class DiaryEntry(models.Model):
    """One dated entry of a person's work diary (sổ nhật ký công việc).

    Editable on the day it was written; afterwards it is evidence, and a mistake is put right
    by a correction: a new entry pointing at the original, whose text stays as it was."""

    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="diary_entries",
        verbose_name=_("staff member"),
    )
    day = models.DateField(_("day"))
    text = models.TextField(_("work done"), max_length=5000)
    task = models.ForeignKey(
        Task,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="diary_entries",
        verbose_name=_("task"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects entry"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="diary_entries",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    edited_at = models.DateTimeField(_("last edited at"), null=True, blank=True)

    objects = DiaryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("work diary entry")
        verbose_name_plural = _("work diary entries")
        ordering = ["-day", "created_at", "pk"]
        indexes = [
            models.Index(fields=["staff", "day"], name="diary_staff_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} — {self.day:%d/%m/%Y}"

    @property
    def editable_today(self) -> bool:
        """Still editable: written today (local time)."""
        return timezone.localdate(self.created_at) == timezone.localdate()
