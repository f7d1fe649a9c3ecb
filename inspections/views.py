"""Pages for planning and running a visit: the list, the plan form, the unannounced-visit
planner, and the roll and checklist taken on a phone. Finishing, evidence and minutes are
consequences and live in discipline.views."""

import datetime
import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BooleanField
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import selectors, services
from inspections.forms import (
    AddToRollForm,
    CancelForm,
    ChecklistAnswerForm,
    DismissForm,
    FeedbackForm,
    ForwardForm,
    MarkForm,
    PeriodForm,
    VisitFilterForm,
    VisitPlanForm,
)
from inspections.models import ChecklistAnswer, Feedback, RollEntry, Visit
from inspections.qr import qr_svg
from inspections.roll_cards import RollCards
from units.models import Staff
from units.selectors import as_pk, get_unit, staff_of, units_visible_to

VIEW = "inspections.view_visit"
PLAN = "inspections.add_visit"
RUN = "inspections.change_visit"


def _detail_url(visit) -> str:
    return reverse("discipline:visit_detail", args=[visit.pk])


@require_GET
@permission_required(VIEW, raise_exception=True)
def visit_list(request):
    """Visits the user sees, newest first, filtered by unit, kind, status and month."""
    units = units_visible_to(request.user).order_by("name")
    form = VisitFilterForm(request.GET or None, units=units)
    visits = (
        selectors.visits_visible_to(request.user)
        .select_related("unit", "lead_inspector")
        .order_by("-planned_date", "-pk")
    )
    visits = form.filter(visits)
    page = Paginator(visits, 25).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v], doseq=False)
    return render(
        request,
        "inspections/visit_list.html",
        {"form": form, "page_obj": page, "query": query},
    )


@require_http_methods(["GET", "POST"])
@permission_required(PLAN, raise_exception=True)
def visit_plan(request):
    user = request.user
    units = units_visible_to(user).active().order_by("name")
    inspectors = selectors.team_candidates(user)
    own = staff_of(user)
    initial = {"planned_date": timezone.localdate(), "kind": request.GET.get("kind", "regular")}
    if own is not None:
        initial["lead_inspector"] = own.pk
    if as_pk(request.GET.get("unit")) is not None:
        initial["unit"] = request.GET["unit"]
    form = VisitPlanForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        units=units,
        inspectors=inspectors,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.plan_visit(
                unit=data["unit"],
                kind=data["kind"],
                planned_date=data["planned_date"],
                lead_inspector=data["lead_inspector"],
                team=data["team"],
                summary=data["summary"],
                by=user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Visit planned."))
            return redirect(_detail_url(visit))
    return render(request, "inspections/visit_plan.html", {"form": form})


@require_GET
@permission_required(PLAN, raise_exception=True)
def planner(request):
    """The unannounced-visit planner: units least recently visited first, ties shuffled."""
    proposals = selectors.propose_unannounced_visits(request.user, limit=12)
    return render(
        request,
        "inspections/planner.html",
        {"proposals": proposals, "today": timezone.localdate()},
    )


@require_POST
@permission_required(PLAN, raise_exception=True)
def planner_plan(request):
    """One tap from the planner: an unannounced visit of that unit today, led by the user."""
    unit = get_unit(request.user, request.POST.get("unit") or 0)
    lead = staff_of(request.user)
    if lead is None:
        messages.error(request, _("Your login is not linked to a staff record."))
        return redirect("inspections:planner")
    visit = services.plan_visit(
        unit=unit,
        kind=Visit.Kind.UNANNOUNCED,
        planned_date=timezone.localdate(),
        lead_inspector=lead,
        by=request.user,
    )
    messages.success(
        request, _("Unannounced visit of %(unit)s planned for today.") % {"unit": unit}
    )
    return redirect(_detail_url(visit))


@require_POST
@permission_required(RUN, raise_exception=True)
def visit_start(request, pk: int):
    visit = selectors.get_visit(request.user, pk)
    try:
        services.start_visit(visit=visit, by=request.user)
    except services.VisitError as error:
        messages.error(request, str(error))
        return redirect(_detail_url(visit))
    messages.success(request, _("Visit started. Everyone is present until you mark otherwise."))
    return redirect("inspections:roll", pk=visit.pk)


@require_http_methods(["GET", "POST"])
@permission_required(RUN, raise_exception=True)
def visit_cancel(request, pk: int):
    visit = selectors.get_visit(request.user, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_visit(visit=visit, by=request.user, reason=form.cleaned_data["reason"])
        except services.VisitError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Visit cancelled."))
        return redirect(_detail_url(visit))
    return render(request, "inspections/visit_cancel.html", {"visit": visit, "form": form})


# --- the roll ---------------------------------------------------------------------------------


def _roll_rows(visit, failed: tuple[int, dict, dict] | None = None) -> list[dict]:
    """What the roll page shows for each person: the saved mark (or, for a mark just refused,
    what was sent with its errors), its findings, and whether a late arrival is within grace."""
    threshold = visit.lateness_threshold()
    entries = list(selectors.roll_of(visit))
    diaries = selectors.diary_evidence(visit, [entry.staff_id for entry in entries])
    # The same few days for everyone: formatted once, not once per person.
    labels = {}
    rows = []
    for entry in entries:
        values = MarkForm.initial_for(entry)
        errors = {}
        if failed and failed[0] == entry.pk:
            values, errors = {**values, **failed[1]}, failed[2]
        rows.append(
            {
                "entry": entry,
                "values": values,
                "errors": errors,
                "findings": entry.finding_labels(threshold),
                "within_grace": entry.within_grace(threshold),
                "diary": [
                    (labels.get(day) or labels.setdefault(day, f"{day:%d/%m}"), written)
                    for day, written in diaries[entry.staff_id]
                ],
                "diary_written": sum(written for _day, written in diaries[entry.staff_id]),
            }
        )
    return rows


def _diary_summary(rows: list[dict]) -> dict:
    """The evidence for the checklist item "work diaries kept": how many people on the roll
    wrote their diary on every one, some, or none of the working days before the visit."""
    days = selectors.DIARY_DAYS
    summary = {"days": days, "people": len(rows), "every": 0, "some": 0, "none": []}
    for row in rows:
        if row["diary_written"] == days:
            summary["every"] += 1
        elif row["diary_written"]:
            summary["some"] += 1
        else:
            summary["none"].append(row["entry"].staff.full_name)
    return summary


def _render_roll(request, visit, *, failed=None, status=200):
    editable = visit.status == Visit.Status.IN_PROGRESS and request.user.has_perm(RUN)
    missing = selectors.staff_missing_from_roll(visit) if editable else None
    missing_list = list(missing) if missing is not None else []
    rows = _roll_rows(visit, failed)
    cards = RollCards(
        roll_url=reverse("inspections:roll", args=[visit.pk]),
        evidence_url=reverse("discipline:visit_evidence_add", args=[visit.pk]),
        csrf_token=get_token(request),
        editable=editable,
    )
    context = {
        "visit": visit,
        "rows": rows,
        "cards": cards.render(rows),
        "diary_summary": _diary_summary(rows),
        "checklist": list(selectors.checklist_of(visit)),
        "editable": editable,
        "presence_choices": RollEntry.Presence.choices,
        "answer_choices": ChecklistAnswer.Answer.choices,
        "add_form": AddToRollForm(staff=missing) if missing_list else None,
        "threshold": visit.lateness_threshold(),
        "script_messages": {
            "unsaved": _("Not saved yet"),
            "saving": _("Saving…"),
            "saved": _("Saved"),
            "refused": _("Not saved"),
            "pending": _(
                "%(count)s change(s) not saved yet: they are kept on this phone and sent "
                "again as soon as the connection is back."
            ),
            "login": _(
                "Changes are not being saved: your session may have ended. Log in again, then "
                "reopen this page: the changes are kept on this phone until then."
            ),
        },
    }
    return render(request, "inspections/roll.html", context, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def roll(request, pk: int):
    """The roll of a visit: while it runs, one card per person with one-tap marks, saved as
    they are tapped; afterwards, read-only."""
    visit = selectors.get_visit(request.user, pk)
    if visit.status == Visit.Status.PLANNED:
        messages.info(request, _("Start the visit to take the roll."))
        return redirect(_detail_url(visit))
    return _render_roll(request, visit)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _posted_data(request, form_class):
    """The posted fields: a JSON object from the page's script, or a plain form. JSON values
    are made what a form post would send (text; true/false only for tick boxes), and anything
    nested is refused, so a form field never meets a type it cannot clean."""
    if request.content_type != "application/json":
        return request.POST
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    cleaned = {}
    for name, value in data.items():
        if isinstance(value, dict | list):
            return None
        field = form_class.base_fields.get(name)
        if value is None or (isinstance(value, bool) and isinstance(field, BooleanField)):
            cleaned[name] = value
        else:
            cleaned[name] = str(value)
    return cleaned


def _error_messages(error) -> dict:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return {
            field: [str(m) for m in messages_] for field, messages_ in error.message_dict.items()
        }
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return {"__all__": [text]}


@require_POST
@permission_required(RUN, raise_exception=True)
def roll_mark(request, pk: int, entry_pk: int):
    """Save one person's mark. Answers JSON to the page's script (200 saved, 400 refused with
    the reasons, 409 when the visit is no longer running); a plain form post redirects back."""
    visit = selectors.get_visit(request.user, pk)
    entry = selectors.get_roll_entry(visit, entry_pk)
    data = _posted_data(request, MarkForm)
    if data is None:
        return HttpResponseBadRequest()
    form = MarkForm(data, visit=visit)
    error = None
    if form.is_valid():
        try:
            entry = services.mark_roll_entry(
                entry=entry, by=request.user, **form.service_arguments()
            )
        except (ValidationError, services.VisitError) as caught:
            error = caught
    else:
        error = ValidationError(form.errors.as_data())
    if _wants_json(request):
        if error is None:
            threshold = visit.lateness_threshold()
            return JsonResponse(
                {
                    "ok": True,
                    "findings": entry.finding_labels(threshold),
                    "within_grace": entry.within_grace(threshold),
                }
            )
        status = 409 if isinstance(error, services.VisitError) else 400
        return JsonResponse({"ok": False, "errors": _error_messages(error)}, status=status)
    if error is None:
        return redirect(reverse("inspections:roll", args=[visit.pk]) + f"#entry-{entry.pk}")
    if isinstance(error, services.VisitError):
        messages.error(request, str(error))
        return redirect(_detail_url(visit))
    sent = {name: data.get(name) for name in MarkForm.base_fields}
    sent["arrived_at"] = data.get("arrived_at") or None
    for flag in ("no_badge", "improper_dress", "alcohol_suspected"):
        sent[flag] = bool(data.get(flag))
    return _render_roll(request, visit, failed=(entry.pk, sent, _error_messages(error)), status=400)


@require_POST
@permission_required(RUN, raise_exception=True)
def checklist_answer(request, pk: int, answer_pk: int):
    """Save one checklist answer; JSON for the page's script, a redirect for a plain form."""
    visit = selectors.get_visit(request.user, pk)
    answer = selectors.get_checklist_answer(visit, answer_pk)
    data = _posted_data(request, ChecklistAnswerForm)
    if data is None:
        return HttpResponseBadRequest()
    form = ChecklistAnswerForm(data)
    error = None
    if form.is_valid():
        try:
            services.answer_checklist(
                answer=answer,
                by=request.user,
                value=form.cleaned_data["answer"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, services.VisitError) as caught:
            error = caught
    else:
        error = ValidationError(form.errors.as_data())
    if _wants_json(request):
        if error is None:
            return JsonResponse({"ok": True})
        status = 409 if isinstance(error, services.VisitError) else 400
        return JsonResponse({"ok": False, "errors": _error_messages(error)}, status=status)
    if error is not None:
        for texts in _error_messages(error).values():
            for text in texts:
                messages.error(request, f"{answer.item}: {text}")
    return redirect(reverse("inspections:roll", args=[visit.pk]) + f"#answer-{answer.pk}")


@require_POST
@permission_required(RUN, raise_exception=True)
def roll_add(request, pk: int):
    """Put a person of the unit who is not on the roll yet onto it."""
    visit = selectors.get_visit(request.user, pk)
    form = AddToRollForm(request.POST, staff=selectors.staff_missing_from_roll(visit))
    if form.is_valid():
        try:
            entry = services.add_roll_entry(
                visit=visit, staff=form.cleaned_data["staff"], by=request.user
            )
        except (ValidationError, services.VisitError) as error:
            for texts in _error_messages(error).values():
                for text in texts:
                    messages.error(request, text)
        else:
            return redirect(reverse("inspections:roll", args=[visit.pk]) + f"#entry-{entry.pk}")
    else:
        for texts in form.errors.values():
            for text in texts:
                messages.error(request, text)
    return redirect("inspections:roll", pk=visit.pk)


def client_address(request) -> str:
    """The sender's network address. Behind the reverse proxy (DJANGO_BEHIND_PROXY) it is the
    last X-Forwarded-For hop, the one the proxy itself appended; earlier hops are whatever
    the client claimed."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def feedback_url(unit) -> str:
    """The public address of a unit's feedback page, as printed and encoded on its poster."""
    return settings.SITE_URL + reverse("inspections:feedback_form", args=[unit.feedback_token])


# --- public pages (no login) ---------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def feedback_form(request, token: str):
    """The public page behind a unit's QR poster. Works without JavaScript."""
    unit = selectors.unit_for_feedback(token)
    officials = Staff.objects.active().filter(unit_id=unit.pk).order_by("full_name", "pk")
    form = FeedbackForm(request.POST or None, staff_queryset=officials)
    status = 200
    if request.method == "POST":
        if request.POST.get(FeedbackForm.HONEYPOT):
            # A bot: answer as if all went well, keep nothing.
            return redirect("inspections:feedback_thanks", token=token)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_feedback(
                    unit=unit,
                    category=data["category"],
                    text=data["text"],
                    staff=data["staff"],
                    contact=data["contact"],
                    sender=client_address(request),
                )
            except services.TooManySubmissions as error:
                form.add_error(None, str(error))
                status = 429
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("inspections:feedback_thanks", token=token)
    return render(
        request, "inspections/feedback_form.html", {"unit": unit, "form": form}, status=status
    )


@login_not_required
@require_GET
def feedback_thanks(request, token: str):
    unit = selectors.unit_for_feedback(token)
    return render(request, "inspections/feedback_thanks.html", {"unit": unit})


# --- triage --------------------------------------------------------------------------------------


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@require_GET
def feedback_list(request):
    """Feedback the user may see; for inspectors the untriaged items first."""
    _require(request, "inspections.view_feedback")
    user = request.user
    may_triage = user.has_perm("inspections.triage_feedback")
    items = selectors.feedback_visible_to(user).select_related("unit", "staff")
    status = request.GET.get("status", "new" if may_triage else "")
    if status in Feedback.Status.values:
        items = items.filter(status=status)
    else:
        status = ""
    category = request.GET.get("category", "")
    if category in Feedback.Category.values:
        items = items.filter(category=category)
    else:
        category = ""
    units = units_visible_to(user).order_by("name")
    unit = request.GET.get("unit", "")
    if as_pk(unit) is not None:
        items = items.filter(unit_id=int(unit))
    else:
        unit = ""
    query = urlencode({"status": status, "category": category, "unit": unit})
    context = {
        "page_obj": Paginator(items, 25).get_page(request.GET.get("page")),
        "status": status,
        "category": category,
        "unit": unit,
        "units": units,
        "statuses": Feedback.Status.choices,
        "categories": Feedback.Category.choices,
        "query": query,
    }
    return render(request, "inspections/feedback_list.html", context)


def _detail_page(request, feedback: Feedback, *, bound: dict | None = None, status: int = 200):
    forms = {"forward": ForwardForm(), "dismiss": DismissForm()}
    forms.update(bound or {})
    context = {
        "feedback": feedback,
        "forms": forms,
        "may_triage": feedback.status == Feedback.Status.NEW
        and request.user.has_perm("inspections.triage_feedback"),
    }
    return render(request, "inspections/feedback_detail.html", context, status=status)


@require_GET
def feedback_detail(request, pk: int):
    _require(request, "inspections.view_feedback")
    return _detail_page(request, selectors.get_feedback(request.user, pk))


def _triage(request, pk: int, *, action: str, form, run, done: str):
    _require(request, "inspections.triage_feedback")
    feedback = selectors.get_feedback(request.user, pk)
    if not form.is_valid():
        return _detail_page(request, feedback, bound={action: form}, status=400)
    try:
        run(feedback, form.cleaned_data)
    except services.FeedbackError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        form.add_error(None, error)
        return _detail_page(request, feedback, bound={action: form}, status=400)
    else:
        messages.success(request, done)
    return redirect(feedback)


@require_POST
def feedback_forward(request, pk: int):
    return _triage(
        request,
        pk,
        action="forward",
        form=ForwardForm(request.POST),
        run=lambda feedback, data: services.forward_feedback(
            feedback=feedback, by=request.user, note=data["note"]
        ),
        done=_("Forwarded to the unit head."),
    )


@require_POST
def feedback_dismiss(request, pk: int):
    return _triage(
        request,
        pk,
        action="dismiss",
        form=DismissForm(request.POST),
        run=lambda feedback, data: services.dismiss_feedback(
            feedback=feedback, by=request.user, reason=data["reason"]
        ),
        done=_("Feedback dismissed."),
    )


@require_GET
def feedback_summary(request):
    """Per unit: what citizens reported in a period, praise counted apart."""
    _require(request, "inspections.view_feedback")
    today = timezone.localdate()
    start, end = datetime.date(today.year, 1, 1), today
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    units = units_visible_to(request.user).order_by("name")
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    counts = selectors.feedback_counts_by_unit(request.user, page.object_list, start, end)
    praise = selectors.praise_counts(page.object_list, start, end)
    rows = [
        {"unit": unit, "counts": counts.get(unit.pk, {}), "praise": praise.get(unit.pk, 0)}
        for unit in page.object_list
    ]
    context = {
        "form": form,
        "start": start,
        "end": end,
        "rows": rows,
        "page_obj": page,
        "query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
    }
    return render(request, "inspections/feedback_summary.html", context)


@require_GET
def feedback_poster(request, pk: int):
    """A printable A4 poster for a unit's reception desk, with the QR code of its feedback page."""
    _require(request, "units.view_unit")
    unit = get_unit(request.user, pk)
    if not unit.is_active:
        raise Http404
    url = feedback_url(unit)
    context = {"unit": unit, "url": url, "qr": qr_svg(url), "authority": unit.authority}
    return render(request, "inspections/feedback_poster.html", context)
