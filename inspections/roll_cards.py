"""The roll page's cards, one per person, written in Python.

A commune's roll has a couple of hundred people; through the template engine their cards cost
most of the page's time (a few thousand nodes each). The markup is the same as a template
would write, every value escaped; templates/inspections/roll.html places the result."""

import html

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from inspections.models import RollEntry


def escape(value) -> str:
    """What django.utils.html.escape runs, without its lazy-string wrapper: a 200-person roll
    escapes a few thousand values, and the wrapper cost more than the escaping."""
    return html.escape(str(value))


def _checked(on) -> str:
    return " checked" if on else ""


def _findings(findings) -> str:
    return ", ".join(conditional_escape(f) for f in findings)


class RollCards:
    """Renders rows as built by inspections.views._roll_rows."""

    def __init__(self, *, roll_url: str, evidence_url: str, csrf_token: str, editable: bool):
        self.editable = editable
        self.roll_url = escape(roll_url)
        self.evidence_url = escape(evidence_url)
        self.csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        t = {
            "presence": _("Presence"),
            "arrived": _("Arrived at"),
            "seen": _("What was seen"),
            "no_badge": _("No badge"),
            "dress": _("Improper dress"),
            "alcohol": _("Alcohol suspected"),
            "note": _("Note"),
            "note_optional": _("Note (optional)"),
            "save": _("Save"),
            "photo": _("Photo / file"),
            "findings": _("Findings"),
            "grace": _("Arrived within the grace minutes: not a violation."),
            "diary_title": _("Work diary on the working days before this visit"),
            "diary": _("Work diary"),
            "written": _("written"),
            "missing": _("missing"),
        }
        self.t = {key: escape(value) for key, value in t.items()}
        self.presence_choices = [
            (escape(value), escape(label)) for value, label in RollEntry.Presence.choices
        ]

    def render(self, rows) -> SafeString:
        card = self._editable if self.editable else self._read_only
        return mark_safe("".join(card(row) for row in rows))

    def _diary(self, row) -> str:
        t = self.t
        days = "".join(
            f'<span class="diary-day{" written" if written else ""}">{escape(day)}'
            f'<span class="visually-hidden"> {t["written"] if written else t["missing"]}</span>'
            f"</span>"
            for day, written in row["diary"]
        )
        return (
            f'<p class="diary-days" title="{t["diary_title"]}"><span class="diary-label">'
            f"{t['diary']}:</span>\n        {days}\n"
            f'        <span class="diary-count">{row["diary_written"]}/{len(row["diary"])}'
            f"</span></p>"
        )

    def _head(self, entry, *, state: bool) -> str:
        staff = entry.staff
        save_state = '\n<span class="save-state" aria-live="polite"></span>' if state else ""
        return (
            f'<div class="entry-head">\n<strong class="entry-name">{escape(staff.full_name)}'
            f'</strong>\n<span class="entry-position">{escape(staff.position)}</span>'
            f"{save_state}\n</div>"
        )

    def _open(self, row) -> str:
        entry = row["entry"]
        return (
            f'<article class="entry{" has-findings" if row["findings"] else ""}" '
            f'id="entry-{entry.pk}" data-name="{escape(entry.staff.full_name.lower())}">\n'
        )

    def _editable(self, row) -> str:
        t, entry, values = self.t, row["entry"], row["values"]
        chips = "".join(
            f'<label class="chip chip-{value}"><input type="radio" name="presence" '
            f'value="{value}"{_checked(values.get("presence") == value)}><span>{label}</span>'
            f"</label>\n"
            for value, label in self.presence_choices
        )
        if row["findings"]:
            findings = f"{t['findings']}: {_findings(row['findings'])}"
        else:
            findings = t["grace"] if row["within_grace"] else ""
        errors = "".join(
            f"<p>{conditional_escape(error)}</p>"
            for field_errors in row["errors"].values()
            for error in field_errors
        )
        return (
            f"{self._open(row)}"
            f'<form class="mark" method="post" action="{self.roll_url}{entry.pk}/" '
            f"data-autosave>\n{self.csrf}\n{self._head(entry, state=True)}\n"
            f'<fieldset class="chips presence">\n<legend class="visually-hidden">'
            f"{t['presence']}</legend>\n{chips}</fieldset>\n"
            f'<label class="arrival">{t["arrived"]} <input type="time" name="arrived_at" '
            f'value="{escape(values.get("arrived_at") or "")}"></label>\n'
            f'<fieldset class="chips flags">\n<legend class="visually-hidden">{t["seen"]}'
            f"</legend>\n"
            f'<label class="chip chip-flag"><input type="checkbox" name="no_badge"'
            f"{_checked(values.get('no_badge'))}><span>{t['no_badge']}</span></label>\n"
            f'<label class="chip chip-flag"><input type="checkbox" name="improper_dress"'
            f"{_checked(values.get('improper_dress'))}><span>{t['dress']}</span></label>\n"
            f'<label class="chip chip-flag"><input type="checkbox" name="alcohol_suspected"'
            f"{_checked(values.get('alcohol_suspected'))}><span>{t['alcohol']}</span></label>\n"
            f"</fieldset>\n"
            f'<div class="entry-row">\n<label class="note"><span class="visually-hidden">'
            f'{t["note"]}</span><input type="text" name="note" maxlength="500" '
            f'value="{escape(values.get("note") or "")}" placeholder="{t["note_optional"]}">'
            f"</label>\n"
            f'<button type="submit" class="button save">{t["save"]}</button>\n'
            f'<a class="button photo" href="{self.evidence_url}?entry={entry.pk}">'
            f"{t['photo']}</a>\n</div>\n"
            f"{self._diary(row)}\n"
            f'<p class="entry-findings" data-findings-label="{t["findings"]}" '
            f'data-grace-text="{t["grace"]}">{findings}</p>\n'
            f'<div class="entry-errors" role="alert">{errors}</div>\n'
            f"</form>\n</article>\n"
        )

    def _read_only(self, row) -> str:
        t, entry = self.t, row["entry"]
        arrived = ""
        if entry.arrived_at:
            arrived = f" — {date_format(timezone.localtime(entry.arrived_at), 'H:i')}"
        findings = (
            f'<p class="entry-findings">{t["findings"]}: {_findings(row["findings"])}</p>\n'
            if row["findings"]
            else ""
        )
        note = f'<p class="muted">{escape(entry.note)}</p>\n' if entry.note else ""
        return (
            f"{self._open(row)}{self._head(entry, state=False)}\n"
            f"<p>{escape(entry.get_presence_display())}{arrived}</p>\n"
            f"{findings}{note}{self._diary(row)}\n</article>\n"
        )
