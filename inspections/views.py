"""Pages of the inspections app: citizen feedback (the public form, triage, summary, poster)."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspections import selectors, services
from inspections.forms import DismissForm, FeedbackForm, ForwardForm, PeriodForm
from inspections.models import Feedback
from inspections.qr import qr_svg
from units.models import Staff
from units.selectors import get_unit, units_visible_to


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
    if unit.isdigit():
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
