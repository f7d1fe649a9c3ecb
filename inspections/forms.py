import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inspections.models import ChecklistAnswer, Feedback, RollEntry, Visit
from units.forms import DateInput, PkMultipleChoiceField
from units.models import Staff


class VisitFilterForm(forms.Form):
    """Filters of the visit list; every field is optional and bad values are ignored."""

    unit = forms.ModelChoiceField(queryset=None, required=False, label=_("Unit"))
    kind = forms.ChoiceField(
        choices=[("", _("All kinds")), *Visit.Kind.choices], required=False, label=_("Kind")
    )
    status = forms.ChoiceField(
        choices=[("", _("All statuses")), *Visit.Status.choices],
        required=False,
        label=_("Status"),
    )
    month = forms.DateField(
        required=False,
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("All units")

    def filter(self, visits):
        if not self.is_valid():
            return visits
        data = self.cleaned_data
        if data["unit"]:
            visits = visits.filter(unit=data["unit"])
        if data["kind"]:
            visits = visits.filter(kind=data["kind"])
        if data["status"]:
            visits = visits.filter(status=data["status"])
        if data["month"]:
            month = data["month"]
            visits = visits.filter(planned_date__year=month.year, planned_date__month=month.month)
        return visits


class VisitPlanForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=_("Unit to inspect"))
    kind = forms.ChoiceField(choices=Visit.Kind.choices, label=_("Kind"))
    planned_date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    lead_inspector = forms.ModelChoiceField(queryset=None, label=_("Lead inspector"))
    team = PkMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Inspection team"),
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, units, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("Choose a unit")
        self.fields["lead_inspector"].queryset = inspectors
        self.fields["team"].queryset = inspectors

    def clean_planned_date(self):
        planned = self.cleaned_data["planned_date"]
        if planned < timezone.localdate():
            raise forms.ValidationError(_("A visit is planned for today or a later day."))
        return planned

    def clean(self):
        data = super().clean()
        lead, team = data.get("lead_inspector"), data.get("team")
        if lead is not None and team is not None:
            data["team"] = [member for member in team if member.pk != lead.pk]
        return data


class StartForm(forms.Form):
    """Nothing to fill in: starting a visit is one tap. Kept as a form for the CSRF token."""


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MarkForm(forms.Form):
    """One person's mark on the roll, the same from the plain form and from the page's script.
    Findings are ticked as what was seen (no badge), the model stores what is proper."""

    presence = forms.ChoiceField(
        choices=RollEntry.Presence.choices, widget=forms.RadioSelect, label=_("Presence")
    )
    arrived_at = forms.TimeField(
        required=False,
        label=_("Arrived at"),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    no_badge = forms.BooleanField(required=False, label=_("No badge"))
    improper_dress = forms.BooleanField(required=False, label=_("Improper dress"))
    alcohol_suspected = forms.BooleanField(required=False, label=_("Alcohol suspected"))
    note = forms.CharField(required=False, max_length=500, label=_("Note"))

    def __init__(self, *args, visit: Visit, **kwargs):
        self.visit = visit
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        arrival = data.get("arrived_at")
        if arrival is not None and self.visit.started_at is not None:
            # The roll is taken on the day the visit started, in local time.
            day = timezone.localtime(self.visit.started_at).date()
            data["arrived_at"] = timezone.make_aware(datetime.datetime.combine(day, arrival))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "presence": data["presence"],
            "arrived_at": data["arrived_at"],
            "badge_worn": not data["no_badge"],
            "dress_proper": not data["improper_dress"],
            "alcohol_suspected": data["alcohol_suspected"],
            "note": data["note"],
        }

    @classmethod
    def initial_for(cls, entry: RollEntry) -> dict:
        return {
            "presence": entry.presence,
            "arrived_at": f"{timezone.localtime(entry.arrived_at):%H:%M}"
            if entry.arrived_at
            else "",
            "no_badge": not entry.badge_worn,
            "improper_dress": not entry.dress_proper,
            "alcohol_suspected": entry.alcohol_suspected,
            "note": entry.note,
        }


class ChecklistAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=ChecklistAnswer.Answer.choices, widget=forms.RadioSelect, label=_("Answer")
    )
    note = forms.CharField(required=False, max_length=500, label=_("Note"))


class AddToRollForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=None, label=_("Staff member"))

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        self.fields["staff"].empty_label = _("Choose a person")


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.full_name} — {obj.position}" if obj.position else obj.full_name


class FeedbackForm(forms.Form):
    """The public form: few fields, plain words, large type (see templates and work.css)."""

    # Bots fill every field; people never see this one (hidden by CSS, skipped by keyboard and
    # screen readers). Its name looks worth filling to a bot.
    HONEYPOT = "website"

    category = forms.ChoiceField(
        label=_("What do you want to tell us?"),
        choices=Feedback.Category.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=Feedback.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The day, the service you came for, and what happened."),
    )
    staff = OfficialChoiceField(
        label=_("The official concerned (if you know)"),
        required=False,
        queryset=Staff.objects.none(),
        empty_label=_("— I don't know / about the unit in general —"),
    )
    contact = forms.CharField(
        label=_("Phone or address to reply to you (optional)"),
        max_length=Feedback.CONTACT_MAX_LENGTH,
        required=False,
        help_text=_("You may stay anonymous."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_queryset


class ForwardForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the unit head (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From date"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To date"), required=False, widget=DateInput())

    # Counting runs to the day after `end`: a date at the calendar's end would overflow.
    EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not self.EARLIEST <= data[name] <= self.LATEST:
                self.add_error(name, _("Choose a date between 2000 and 2100."))
                data[name] = None
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data
