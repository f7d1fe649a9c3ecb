import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from units.models import Staff, Unit


class VisitQuerySet(models.QuerySet):
    def in_units(self, units):
        return self.filter(unit__in=units)

    def open(self):
        return self.filter(status__in=[Visit.Status.PLANNED, Visit.Status.IN_PROGRESS])


class Visit(models.Model):
    """One spot check (kiểm tra công vụ) of one unit."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        UNANNOUNCED = "unannounced", _("Unannounced")
        THEMATIC = "thematic", _("Thematic")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="visits", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    planned_date = models.DateField(_("planned date"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    lead_inspector = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="led_visits", verbose_name=_("lead inspector")
    )
    team = models.ManyToManyField(
        Staff, blank=True, related_name="team_visits", verbose_name=_("inspection team")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    summary = models.TextField(_("summary"), blank=True)
    unit_representative = models.CharField(
        _("representative of the inspected unit"),
        max_length=200,
        blank=True,
        help_text=_("Name and position of the person who signs the minutes for the unit."),
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="created_visits",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-planned_date", "-pk"]
        indexes = [
            models.Index(fields=["unit", "-planned_date"], name="visit_unit_date_idx"),
            models.Index(fields=["status", "-planned_date"], name="visit_status_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | (Q(started_at__isnull=False) & Q(finished_at__gte=F("started_at"))),
                name="visit_finished_after_started",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="visit_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.planned_date:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)

    def session_start(self) -> datetime.datetime | None:
        """When the working session the visit fell in began: the Authority's morning start for a
        visit started before the morning ends, else its afternoon start (same day, local time).
        Lateness is measured from here (see RollEntry.findings)."""
        if self.started_at is None:
            return None
        authority = self.unit.authority
        local = timezone.localtime(self.started_at)
        start = (
            authority.morning_start
            if local.time() < authority.morning_end
            else authority.afternoon_start
        )
        return timezone.make_aware(datetime.datetime.combine(local.date(), start))

    def lateness_threshold(self) -> datetime.datetime | None:
        """Arrivals after this moment are late: session start plus the grace minutes."""
        start = self.session_start()
        if start is None:
            return None
        return start + datetime.timedelta(minutes=self.unit.authority.grace_minutes)


class Finding(models.TextChoices):
    """What an inspector can find about one person on a roll; each becomes one violation."""

    LATE = "late", _("Late arrival")
    ABSENT = "absent", _("Absent without reason")
    NO_BADGE = "no_badge", _("No badge")
    IMPROPER_DRESS = "improper_dress", _("Improper dress")
    ALCOHOL = "alcohol", _("Alcohol suspected")


class RollEntry(models.Model):
    """One staff member at one visit: presence and what the inspector saw."""

    class Presence(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT_ON_DUTY = "absent_on_duty", _("Away on duty")
        ON_LEAVE = "on_leave", _("On leave")
        ABSENT_WITHOUT_REASON = "absent_without_reason", _("Absent without reason")

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="roll", verbose_name=_("visit")
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="roll_entries", verbose_name=_("staff member")
    )
    presence = models.CharField(
        _("presence"), max_length=30, choices=Presence.choices, default=Presence.PRESENT
    )
    arrived_at = models.DateTimeField(_("arrival time"), null=True, blank=True)
    badge_worn = models.BooleanField(_("badge worn"), default=True)
    dress_proper = models.BooleanField(_("dress proper"), default=True)
    alcohol_suspected = models.BooleanField(_("alcohol suspected"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Marks are the evidence behind violations: keep who changed what, and when.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")
        ordering = ["staff__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "staff"],
                name="roll_entry_unique_staff_per_visit",
                violation_error_message=_(
                    "This staff member is already on the roll of this visit."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(presence="late") | Q(arrived_at__isnull=False),
                name="roll_entry_late_has_arrival",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.visit}"

    def clean(self):
        errors = {}
        if (
            self._state.adding
            and self.staff_id
            and self.visit_id
            and self.staff.unit_id != self.visit.unit_id
        ):
            errors["staff"] = _("This staff member does not work in the inspected unit.")
        if self.presence == self.Presence.LATE and self.arrived_at is None:
            errors["arrived_at"] = _("Enter the arrival time of a person marked late.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_there(self) -> bool:
        """Present or late: only a person who is there can be seen without a badge, etc."""
        return self.presence in (self.Presence.PRESENT, self.Presence.LATE)

    def findings(self, lateness_threshold: datetime.datetime | None) -> list[str]:
        """The findings (Finding values) this entry records. A person marked late whose arrival
        is within the grace period (not after `lateness_threshold`) is not late. Away on duty and
        on leave are not findings."""
        found = []
        if self.presence == self.Presence.LATE and (
            lateness_threshold is None
            or (self.arrived_at is not None and self.arrived_at > lateness_threshold)
        ):
            found.append(Finding.LATE)
        if self.presence == self.Presence.ABSENT_WITHOUT_REASON:
            found.append(Finding.ABSENT)
        if self.is_there:
            if not self.badge_worn:
                found.append(Finding.NO_BADGE)
            if not self.dress_proper:
                found.append(Finding.IMPROPER_DRESS)
            if self.alcohol_suspected:
                found.append(Finding.ALCOHOL)
        return found

    def finding_labels(self, lateness_threshold: datetime.datetime | None) -> list[str]:
        return [Finding(value).label for value in self.findings(lateness_threshold)]

    def within_grace(self, lateness_threshold: datetime.datetime | None) -> bool:
        """Marked late, but arrived within the grace minutes: not a violation."""
        return (
            self.presence == self.Presence.LATE
            and self.arrived_at is not None
            and lateness_threshold is not None
            and self.arrived_at <= lateness_threshold
        )


class ChecklistItem(models.Model):
    """A unit-level point every visit checks (diaries kept, regulations reviewed, …).
    Seeded from directive 455/UBND-NV; `code` is stable so other features can find an item."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.CharField(_("text"), max_length=300)
    basis = models.TextField(_("basis"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.text


class ChecklistAnswer(models.Model):
    """The answer to one checklist item at one visit."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NOT_CHECKED = "not_checked", _("Not checked")

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="checklist", verbose_name=_("visit")
    )
    item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("checklist item"),
    )
    answer = models.CharField(
        _("answer"), max_length=20, choices=Answer.choices, default=Answer.NOT_CHECKED
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["item__sort_order", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "item"],
                name="checklist_answer_once_per_visit_item",
                violation_error_message=_("This item is already answered for this visit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} — {self.get_answer_display()}"


class FeedbackQuerySet(models.QuerySet):
    def in_units(self, units):
        return self.filter(unit__in=units)

    def untriaged(self):
        return self.filter(status=Feedback.Status.NEW)

    def counted(self):
        """Items that count in figures: everything but what an inspector dismissed."""
        return self.exclude(status=Feedback.Status.DISMISSED)


class Feedback(models.Model):
    """What a citizen or an organisation reported, on the public page, about how a unit (or one
    named official) served them. Inspectors triage each item once."""

    TEXT_MAX_LENGTH = 5000
    CONTACT_MAX_LENGTH = 200

    class Category(models.TextChoices):
        ATTITUDE = "attitude", _("Bad attitude")
        DELAY = "delay", _("Delay, told to come back again")
        IMPROPER_REQUEST = "improper_request", _("Asked for something improper")
        PRAISE = "praise", _("Praise")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        VIOLATION = "violation", _("Turned into a violation")
        FORWARDED = "forwarded", _("Forwarded to the unit head")
        DISMISSED = "dismissed", pgettext_lazy("feedback status", "Dismissed")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("unit")
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("named official"),
    )
    category = models.CharField(_("type of feedback"), max_length=20, choices=Category.choices)
    text = models.TextField(
        _("what happened"),
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    contact = models.CharField(_("contact"), max_length=CONTACT_MAX_LENGTH, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    # A keyed hash of the sender's network address, never the address itself: enough to count
    # submissions per address across server processes (rate limit), useless to identify anyone.
    sender_hash = models.CharField(_("sender hash"), max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="triaged_feedback",
        verbose_name=_("triaged by"),
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triage_note = models.TextField(_("triage note"), blank=True, max_length=2000)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen feedback")
        verbose_name_plural = _("citizen feedback")
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("triage_feedback", _("Can triage citizen feedback")),
        ]
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="feedback_status_date_idx"),
            models.Index(fields=["unit", "-submitted_at"], name="feedback_unit_date_idx"),
            models.Index(fields=["sender_hash", "submitted_at"], name="feedback_sender_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(triage_note=""),
                name="feedback_dismissed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="new") | Q(triaged_at__isnull=False),
                name="feedback_triaged_has_time",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.submitted_at)
        return f"{self.get_category_display()} — {self.unit} ({local:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("inspections:feedback_detail", args=[self.pk])

    def clean(self):
        if (
            self.staff_id
            and self.unit_id
            and self._state.adding
            and self.staff.unit_id != self.unit_id
        ):
            raise ValidationError({"staff": _("This official does not work at the selected unit.")})
