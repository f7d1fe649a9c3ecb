import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
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
