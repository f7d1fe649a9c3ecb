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
