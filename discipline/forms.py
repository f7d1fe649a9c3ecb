from django import forms
from django.utils.translation import gettext_lazy as _


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
