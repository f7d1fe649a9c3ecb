from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import Feedback
from units.forms import DateInput
from units.models import Staff


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

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data
