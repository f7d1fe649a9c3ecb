from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
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
