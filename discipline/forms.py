import datetime
import html

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from discipline.models import Decision, LetterKind, Violation, ViolationType
from units.forms import PkMultipleChoiceField
from units.models import Staff, Unit


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class EvidenceFileField(forms.FileField):
    """A file field that runs discipline.files.check_upload and returns the upload with the
    checked facts attached as `upload.checked`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Photo or PDF"))
        kwargs.setdefault("help_text", _("JPEG, PNG or PDF, at most 10 MB."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,application/pdf")

    def clean(self, data, initial=None):
        from discipline.files import check_upload

        upload = super().clean(data, initial)
        if upload:
            upload.checked = check_upload(upload)
        return upload


class FinishVisitForm(forms.Form):
    summary = forms.CharField(
        label=_("Conclusions"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the team found and asks the unit to correct; printed in the minutes."),
    )
    unit_representative = forms.CharField(
        label=_("Representative of the inspected unit"),
        required=False,
        max_length=200,
        help_text=_("Name and position of the person who signs the minutes for the unit."),
    )


class RollEntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.staff.full_name


class VisitEvidenceForm(forms.Form):
    """A photo taken with the phone's camera, or a file chosen from the phone (a PDF, a photo
    from the gallery), about the visit as a whole or one person on its roll."""

    photo = EvidenceFileField(
        label=_("Take a photo"),
        required=False,
        help_text=_("Opens the camera on a phone."),
    )
    document = EvidenceFileField(label=_("Or choose a file"), required=False)
    roll_entry = RollEntryChoiceField(
        queryset=None, required=False, label=_("About"), empty_label=_("The visit as a whole")
    )

    def __init__(self, *args, roll, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].widget.attrs.update(
            {"accept": "image/*,application/pdf", "capture": "environment"}
        )
        self.fields["roll_entry"].queryset = roll

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("photo") and not data.get("document"):
            raise forms.ValidationError(_("Take a photo or choose a file."))
        return data

    @property
    def uploads(self) -> list:
        return [f for f in (self.cleaned_data.get("photo"), self.cleaned_data.get("document")) if f]


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit() or self.device is None or not self.device.verify_token(code):
            raise forms.ValidationError(
                _("This code is not valid. Check the time on your phone and try the newest code.")
            )
        return code


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (local time, ISO format)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} — {obj.position}" if obj.position else obj.full_name


class FeedbackViolationForm(forms.Form):
    """A violation from citizen feedback, pre-filled by the view from the item."""

    staff = StaffChoiceField(
        label=_("Staff member"), queryset=None, empty_label=_("— choose a person —")
    )
    type = forms.ModelChoiceField(
        label=_("Violation type"), queryset=None, empty_label=_("— choose a type —")
    )
    occurred_at = forms.DateTimeField(label=_("Occurred at"), widget=DateTimeInput())
    description = forms.CharField(
        label=_("Description"), max_length=6000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, staff_queryset, type_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_queryset
        self.fields["type"].queryset = type_queryset


class TaskViolationForm(forms.Form):
    description = forms.CharField(
        label=_("Description"), max_length=6000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over a short catalogue (the violation types): its rows are read once
    per form, for both the options (with QuickSelect) and the check of the chosen one, where
    Django reads the chosen row again."""

    def _get_queryset(self):
        return self._queryset

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self._rows = None

    queryset = property(_get_queryset, _set_queryset)

    def rows(self) -> list:
        if self._rows is None:
            self._rows = list(self.queryset)
        return self._rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        model = self.queryset.model
        field = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        if isinstance(value, model):
            value = getattr(value, field.attname)
        try:
            key = field.to_python(value)
        except forms.ValidationError:
            key = None
        for obj in self.rows() if key is not None else ():
            if getattr(obj, field.attname) == key:
                return obj
        raise forms.ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python from plain (pk, label) rows, not one
    template include and one model instance each: a province's unit list (a thousand options)
    otherwise costs a quarter of a second. `label_field` names the column shown (what the
    model's __str__ returns)."""

    def __init__(self, attrs=None, *, label_field: str = "name"):
        super().__init__(attrs)
        self.label_field = label_field

    def _rows(self):
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator):
            field = choices.field
            if field.empty_label is not None:
                yield "", field.empty_label
            if isinstance(field, ListedModelChoiceField):
                yield from ((obj.pk, getattr(obj, self.label_field)) for obj in field.rows())
            else:
                yield from field.queryset.values_list("pk", self.label_field)
        else:
            yield from choices

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        # html.escape is what django.utils.html.escape runs, without its lazy-string wrapper,
        # which costs four times the escaping itself over a few hundred options.
        options = "".join(
            '<option value="{}"{}>{}</option>'.format(
                html.escape(str(key)),
                " selected" if str(key) in chosen else "",
                html.escape(str(label)),
            )
            for key, label in self._rows()
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe(options))


# --- the answer workflow (violation page, admin actions) -----------------------------------------


def _text_area(label, *, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=5000,
    )


class AcknowledgeForm(forms.Form):
    corrective_action = _text_area(
        _("Corrective action taken"),
        help_text=_("What the unit did about it, e.g. a reminder, a self-criticism report."),
    )


class DisputeForm(forms.Form):
    explanation = _text_area(
        _("Explanation (bản tường trình)"),
        rows=6,
        help_text=_("Why the violation should not stand, with the facts an inspector can check."),
    )
    evidence = EvidenceFileField(required=False)


class AdminDisputeForm(forms.Form):
    """The admin action's form: the same explanation, without a file (attach it on the page)."""

    explanation = DisputeForm.base_fields["explanation"]


class RulingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Ruling"),
        widget=forms.RadioSelect,
        choices=[
            ("upheld", _("Upheld: the violation stands")),
            ("dismissed", _("Dismissed: the dispute is accepted")),
        ],
    )
    reason = _text_area(_("Reason for the ruling"))


class ViolationFilterForm(forms.Form):
    """Filters of the violation list. Every choice is narrowed to the rows the user may see;
    the person list is the chosen unit's staff, so it stays short at province scale."""

    OVERDUE = "overdue"
    TO_ACT = "to_act"
    STANDING_OPEN = "standing_open"

    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("All"), widget=QuickSelect
    )
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=None,
        required=False,
        empty_label=_("All"),
        widget=QuickSelect(label_field="full_name"),
    )
    type = ListedModelChoiceField(
        label=_("Violation type"),
        queryset=None,
        required=False,
        empty_label=_("All"),
        widget=QuickSelect,
    )
    category = forms.ChoiceField(label=_("Category"), required=False, widget=QuickSelect)
    status = forms.ChoiceField(label=_("Status"), required=False, widget=QuickSelect)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, units, staff, statuses=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["unit"].queryset = units.order_by("name")
        self.fields["staff"].queryset = staff.order_by("full_name", "pk")
        self.fields["type"].queryset = ViolationType.objects.order_by("sort_order", "name")
        self.fields["category"].choices = [("", _("All")), *ViolationType.Category.choices]
        statuses = statuses or Violation.Status.values
        self.fields["status"].choices = [
            ("", _("All")),
            (self.OVERDUE, _("Answer overdue")),
            (self.TO_ACT, _("Upheld, corrective action not yet reported")),
            (self.STANDING_OPEN, _("Standing, not yet closed")),
            *[(value, label) for value, label in Violation.Status.choices if value in statuses],
        ]
        for name in ("date_from", "date_to"):
            # The browser's date picker sends ISO dates whatever the language.
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
            self.fields[name].widget.format = "%Y-%m-%d"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filter(self, queryset):
        """`queryset` narrowed by the valid filters (all of it when the form is invalid)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("unit"):
            queryset = queryset.filter(unit=data["unit"])
        if data.get("staff"):
            queryset = queryset.filter(staff=data["staff"])
        if data.get("type"):
            queryset = queryset.filter(type=data["type"])
        if data.get("category"):
            queryset = queryset.filter(type__category=data["category"])
        status = data.get("status")
        if status == self.OVERDUE:
            queryset = queryset.overdue()
        elif status == self.TO_ACT:
            queryset = queryset.filter(status=Violation.Status.UPHELD, corrective_action="")
        elif status == self.STANDING_OPEN:
            queryset = queryset.filter(
                status__in=[Violation.Status.ACKNOWLEDGED, Violation.Status.UPHELD]
            )
        elif status:
            queryset = queryset.filter(status=status)
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            start = datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=tz)
            queryset = queryset.filter(occurred_at__gte=start)
        if data.get("date_to"):
            end = datetime.datetime.combine(
                data["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            queryset = queryset.filter(occurred_at__lt=end)
        return queryset


class RecordViolationForm(forms.Form):
    """An inspector records a violation found outside a visit. The person list is the chosen
    unit's active staff; the unit is chosen first (the page reloads with it)."""

    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        empty_label=_("- Choose -"),
        widget=QuickSelect(attrs={"data-autosubmit": ""}),
    )
    staff = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=None,
        empty_label=_("- Choose -"),
        widget=QuickSelect(label_field="full_name"),
    )
    type = forms.ModelChoiceField(
        label=_("Violation type"), queryset=None, empty_label=_("- Choose -"), widget=QuickSelect
    )
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"],
    )
    description = _text_area(_("Description"), rows=4)
    description.required = False
    evidence = EvidenceFileField(required=False)
    notify = forms.BooleanField(
        label=_("Notify the unit head now"),
        required=False,
        initial=True,
        help_text=_("Starts the answer clock. You can also notify later from the list."),
    )

    def __init__(self, *args, units, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("name")
        self.fields["staff"].queryset = (
            Staff.objects.active().filter(unit=unit).order_by("full_name", "pk")
            if unit is not None
            else Staff.objects.none()
        )
        self.fields["type"].queryset = ViolationType.objects.filter(is_active=True)
        if unit is not None:
            self.fields["unit"].initial = unit.pk


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several photos or PDFs at once, each through discipline.files.check_upload."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Attachments (photos or PDF)"))
        kwargs.setdefault("help_text", _("JPEG, PNG or PDF, at most 10 MB each."))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,application/pdf")

    def clean(self, data, initial=None):
        from discipline.files import check_upload

        single = super().clean
        uploads = [single(item, initial) for item in data] if isinstance(data, list | tuple) else []
        if data and not isinstance(data, list | tuple):
            uploads = [single(data, initial)]
        uploads = [upload for upload in uploads if upload]
        for upload in uploads:
            upload.checked = check_upload(upload)
        return uploads


class LetterForm(forms.Form):
    """A draft letter's editable parts. The violations can only be narrowed here; new ones come
    from proposals or from the violations list."""

    kind = forms.ChoiceField(label=_("Kind"), choices=LetterKind.choices)
    subject = forms.CharField(
        label=_("Subject (after “V/v”)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    recipients = forms.CharField(
        label=_("Addressed to (Kính gửi)"),
        help_text=_("One addressee per line; the dashes and end punctuation are added."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body = forms.CharField(
        label=_("Body"),
        help_text=_("One paragraph per line. “./.” is added at the end if missing."),
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    response_due = forms.DateField(
        label=_("Report due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    copy_to = forms.CharField(
        label=_("Copies to (Nơi nhận)"),
        help_text=_("One line per recipient, without the leading dash."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    signer = forms.ModelChoiceField(label=_("Signer"), queryset=Staff.objects.none())
    addressees = PkMultipleChoiceField(
        label=_("Addressed units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Their heads receive the letter here and report on it."),
    )
    violations = PkMultipleChoiceField(
        label=_("Violations cited"),
        queryset=Violation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, letter, signers, units, violations, **kwargs):
        initial = {
            "kind": letter.kind,
            "subject": letter.subject,
            "recipients": letter.recipients,
            "body": letter.body,
            "response_due": letter.response_due,
            "copy_to": letter.copy_to,
            "signer": letter.signer_id,
            "addressees": [u.pk for u in letter.addressees.all()],
            "violations": [v.pk for v in violations],
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["signer"].queryset = signers
        self.fields["signer"].label_from_instance = lambda s: f"{s.full_name} — {s.position}"
        self.fields["addressees"].queryset = units
        self.fields["violations"].queryset = Violation.objects.filter(
            pk__in=[v.pk for v in violations]
        ).select_related("staff", "type")

    def clean_response_due(self):
        value = self.cleaned_data["response_due"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The report deadline cannot be in the past."))
        return value


class LetterReportForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Reporting unit"), queryset=Unit.objects.none())
    text = forms.CharField(
        label=_("Report on the handling"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        help_text=_("What was done: self-review held, measures taken, results."),
    )
    files = EvidenceFilesField()

    def __init__(self, *args, units, **kwargs):
        """`units`: the addressed units the user answers for. With only one, no choice."""
        super().__init__(*args, **kwargs)
        units = list(units)
        self.single_unit = units[0] if len(units) == 1 else None
        if self.single_unit is not None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])

    def clean(self):
        cleaned = super().clean()
        if self.single_unit is not None:
            cleaned["unit"] = self.single_unit
        return cleaned


class DraftLetterForm(forms.Form):
    """Choosing the kind of letter to draft from violations picked in the admin."""

    kind = forms.ChoiceField(label=_("Kind of letter"), choices=LetterKind.choices)


class DecisionAdminForm(forms.ModelForm):
    """Recording or correcting a decision in the admin. The checks that involve the chosen
    violations and the authority's numbering are made here so that they show next to the
    fields; the service makes them again when it saves."""

    class Meta:
        model = Decision
        fields = [
            "staff",
            "form",
            "number",
            "decided_on",
            "decided_by",
            "signer_name",
            "signer_position",
            "violations",
            "notes",
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        from discipline.services import _check_decision_violations

        data = super().clean()
        staff = data.get("staff")
        if staff is None:
            return data
        if "violations" in data:
            try:
                _check_decision_violations(staff, list(data["violations"]))
            except ValidationError as error:
                for message in error.message_dict["violations"]:
                    self.add_error("violations", message)
        if data.get("number") and data.get("decided_on"):
            probe = Decision(
                pk=self.instance.pk,
                authority_id=staff.authority_id,
                year=data["decided_on"].year,
                number=data["number"].strip(),
            )
            try:
                probe.validate_constraints()
            except ValidationError as error:
                self.add_error("number", error.messages)
        return data


class ReportFilterForm(forms.Form):
    """The period, unit and category of a dashboard or periodic report. The unit itself is
    looked up by the view through selectors.report_scope (404 outside the user's scope)."""

    CUSTOM = "custom"

    period = forms.ChoiceField(label=_("Period"), required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(
        self, data, *, units, today: datetime.date, whole_authority: bool = True, **kwargs
    ):
        from discipline.reports import period_choices, period_of

        super().__init__(data, **kwargs)
        self.today = today
        self.fields["period"].choices = [
            (self.CUSTOM, _("Date range (from, to)")),
            *period_choices(today),
        ]
        self.fields["period"].initial = period_of("year", today.year).token
        everything = _("Whole authority") if whole_authority else _("All your units")
        self.fields["unit"].choices = [("", everything)] + [
            (str(unit.pk), unit.name) for unit in units
        ]
        self.fields["category"].choices = [("", _("All")), *ViolationType.Category.choices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == self.CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start:
                self.add_error("start", _("Give the first day of the range."))
            if not end:
                self.add_error("end", _("Give the last day of the range."))
            if start and end and end < start:
                self.add_error("end", _("The last day cannot be before the first."))
            if start and end and (end - start).days > 366 * 5:
                self.add_error("end", _("A range can cover at most five years."))
        return cleaned

    def get_period(self):
        """The chosen Period; the current year when nothing (or nothing valid) was chosen."""
        from discipline.reports import custom_period, parse_period, period_of

        if self.is_bound and self.is_valid():
            chosen = self.cleaned_data["period"] or self.fields["period"].initial
            if chosen == self.CUSTOM:
                return custom_period(self.cleaned_data["start"], self.cleaned_data["end"])
            period = parse_period(chosen)
            if period is not None:
                return period
        return period_of("year", self.today.year)

    def get_category(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["category"]
        return ""
