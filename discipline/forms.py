from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discipline.models import LetterKind, Violation
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
    addressees = forms.ModelMultipleChoiceField(
        label=_("Addressed units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Their heads receive the letter here and report on it."),
    )
    violations = forms.ModelMultipleChoiceField(
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
