"""The violation list's rows, written in Python.

The list is the most requested page at province scale; written by the template language, its 25
rows of seven cells cost more than everything else on the page together (each variable is looked
up, localised and escaped through several layers). This writes the same HTML directly: the same
cells, labels, classes and formats, every value escaped (by html.escape: what Django's escape
runs, without its lazy-string wrapper, which costs more than the escaping here)."""

from html import escape

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from discipline.models import Violation

register = template.Library()


@register.simple_tag
def violation_rows(violations, notifiable: bool):
    """<tr> rows of the violation list: a checkbox column when some can be notified (the
    `notifiable` flag), then time (linking to the violation), person, unit, type, status and the
    answer deadline (flagged when overdue)."""
    labels = {
        key: escape(str(label))
        for key, label in {
            "choose": _("Choose"),
            "occurred": _("Occurred at"),
            "staff": _("Staff member"),
            "unit": _("Unit"),
            "type": _("Violation type"),
            "status": _("Status"),
            "due": _("Answer due"),
        }.items()
    }
    overdue_label = escape(str(_("overdue")))
    # get_status_display, translated once per status rather than once per row.
    statuses = {value: escape(str(label)) for value, label in Violation.Status.choices}
    rows = []
    for violation in violations:
        overdue = violation.is_overdue
        staff = escape(str(violation.staff))
        cells = []
        if notifiable:
            box = (
                f'<input type="checkbox" name="violation" value="{violation.pk}" '
                f'aria-label="{labels["choose"]} {staff}">'
                if violation.can_be_notified
                else ""
            )
            cells.append(f'<td data-label="{labels["choose"]}">{box}</td>')
        occurred = formats.date_format(
            timezone.localtime(violation.occurred_at), "SHORT_DATETIME_FORMAT"
        )
        cells.append(
            f'<td data-label="{labels["occurred"]}"><a href="{escape(violation.get_absolute_url())}">'
            f"{escape(str(occurred))}</a></td>"
        )
        cells.append(f'<td data-label="{labels["staff"]}">{staff}</td>')
        cells.append(f'<td data-label="{labels["unit"]}">{escape(str(violation.unit))}</td>')
        cells.append(f'<td data-label="{labels["type"]}">{escape(str(violation.type))}</td>')
        status = escape(violation.status)
        cells.append(
            f'<td data-label="{labels["status"]}"><span class="status status-{status}">'
            f"{statuses.get(violation.status) or status}</span></td>"
        )
        due = ""
        if violation.response_due:
            due = escape(str(formats.date_format(violation.response_due, "SHORT_DATE_FORMAT")))
            if overdue:
                due += f' <span class="status status-overdue">{overdue_label}</span>'
        cells.append(f'<td data-label="{labels["due"]}">{due}</td>')
        row_class = ' class="overdue"' if overdue else ""
        rows.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    if not rows:
        return format_html(
            '<tr><td colspan="7" class="muted empty">{}</td></tr>', _("No violations match.")
        )
    # Safe: every value interpolated above went through html.escape.
    return mark_safe("\n".join(rows))
