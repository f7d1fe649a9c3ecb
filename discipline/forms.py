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
