from django import forms
from django.utils.translation import gettext_lazy as _

from units.models import Staff, Task


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PkMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose submitted ids are checked to be ids before the
    database sees them: an id beyond a 64-bit integer made `pk__in` raise OverflowError (a
    server error) instead of "not one of the available choices"."""

    def _check_values(self, value):
        from units.selectors import as_pk

        if self.to_field_name is None and not isinstance(value, (str, bytes)):
            for pk in value:
                if as_pk(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.full_name} — {obj.position or obj.unit}" if obj.position else obj.full_name


class TaskAssignForm(forms.Form):
    assignee = StaffChoiceField(
        label=_("Assign to"),
        queryset=Staff.objects.none(),
        empty_label=_("— choose a person —"),
    )
    title = forms.CharField(label=_("Task"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    expected_result = forms.CharField(
        label=_("Expected result"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What counts as done: a report, a decision, a file returned to the citizen…"),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, staff_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_queryset


class TaskNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, required: bool = False, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = required
        if label is not None:
            self.fields["note"].label = label


class TaskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Task) -> str:
        return f"{obj.title} ({obj.due_date:%d/%m/%Y})"


class DiaryEntryForm(forms.Form):
    text = forms.CharField(
        label=_("What you did"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    task = TaskChoiceField(
        label=_("For task (optional)"),
        required=False,
        queryset=Task.objects.none(),
        empty_label=_("— not about a particular task —"),
    )

    def __init__(self, *args, task_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = task_queryset


class DiaryCorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("Correction"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The original entry stays as it was; the correction is shown beneath it."),
    )
