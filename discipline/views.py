import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from discipline import letters, selectors, services
from discipline.forms import LetterForm, LetterReportForm
from discipline.letter_docx import render_docx
from discipline.models import EscalationRule, Letter
from units.selectors import roles_of, staff_of, units_visible_to


@require_GET
def home(request):
    """The role-aware landing page: what needs this user's attention, with links."""
    user = request.user
    context = {
        "staff": staff_of(user),
        "roles": roles_of(user),
        "counts": selectors.attention_counts(user),
    }
    if user.has_perm("discipline.view_letter"):
        context["counts"].update(selectors.letter_counts(user, timezone.localdate()))
    return render(request, "discipline/home.html", context)


@require_GET
def violation_detail(request, pk: int):
    violation = selectors.get_violation(request.user, pk)
    evidence = violation.evidence.all()
    return render(
        request,
        "discipline/violation_detail.html",
        {"violation": violation, "evidence": evidence},
    )


@require_GET
def evidence_download(request, pk: int):
    """Serve an evidence file to a user who may see it, always as a download."""
    evidence = selectors.get_evidence(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type,
    )


# --- letters ---------------------------------------------------------------------------------

LETTER_FILTERS = ["draft", "issued", "overdue", "answered", "closed"]


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_list(request):
    """Letters the user reads: all of the Authority's for the office chief, the issued letters
    addressed to their unit for a unit head. Filter by status (or overdue)."""
    today = timezone.localdate()
    letters = selectors.letters_visible_to(request.user)
    status = request.GET.get("status", "")
    if status == "overdue":
        letters = letters.overdue(today)
    elif status in Letter.Status.values:
        letters = letters.filter(status=status)
    else:
        status = ""
    letters = letters.select_related("drafting_unit").prefetch_related("addressees")
    page = Paginator(letters.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "discipline/letter_list.html",
        {
            "page_obj": page,
            "status": status,
            "filters": [(value, _status_label(value)) for value in LETTER_FILTERS],
            "query": urlencode({"status": status}) if status else "",
            "today": today,
        },
    )


def _status_label(value: str) -> str:
    if value == "overdue":
        return _("Report overdue")
    return Letter.Status(value).label


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_detail(request, pk: int):
    user = request.user
    letter = selectors.get_letter(user, pk)
    today = timezone.localdate()
    visible_units = units_visible_to(user)
    reports = (
        selectors.letter_reports_visible_to(user)
        .filter(letter=letter)
        .select_related("unit", "submitted_by")
        .prefetch_related("attachments")
    )
    addressees = list(letter.addressees.all())
    open_for_reports = letter.status in (Letter.Status.ISSUED, Letter.Status.ANSWERED)
    can_report = (
        open_for_reports
        and user.has_perm("discipline.add_letterreport")
        and visible_units.filter(letters_received=letter).exists()
    )
    return render(
        request,
        "discipline/letter_detail.html",
        {
            "letter": letter,
            "document": letters.document_for(letter),
            "addressees": addressees,
            "violations": selectors.violations_visible_to(user)
            .filter(letters=letter)
            .with_related()
            .order_by("occurred_at", "pk"),
            "reports": reports,
            "overdue": letter.is_overdue(today),
            "can_edit": letter.is_draft and user.has_perm("discipline.change_letter"),
            "can_issue": letter.is_draft and user.has_perm("discipline.issue_letter"),
            "can_close": open_for_reports and user.has_perm("discipline.close_letter"),
            "can_report": can_report,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("discipline.change_letter", raise_exception=True)
def letter_edit(request, pk: int):
    """Edit a draft. An issued letter is refused: corrections are a new letter."""
    letter = selectors.get_letter(request.user, pk)
    if not letter.is_draft:
        messages.error(
            request, _("An issued letter cannot be changed; correct it with a new letter.")
        )
        return redirect(letter)
    form = LetterForm(
        request.POST or None,
        letter=letter,
        signers=selectors.signer_candidates(letter.drafting_unit),
        units=units_visible_to(request.user).order_by("name"),
        violations=list(letter.violations.all()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_letter(letter=letter, by=request.user, **form.cleaned_data)
        except services.LetterError as error:
            messages.error(request, str(error))
            return redirect(letter)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(letter)
    return render(request, "discipline/letter_form.html", {"letter": letter, "form": form})


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_POST
@permission_required("discipline.issue_letter", raise_exception=True)
def letter_issue(request, pk: int):
    letter = selectors.get_letter(request.user, pk)
    try:
        letter = services.issue_letter(letter=letter, by=request.user)
    except (services.LetterError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Letter issued as no. %(ref)s.") % {"ref": letter.reference})
    return redirect(letter)


@require_POST
@permission_required("discipline.close_letter", raise_exception=True)
def letter_close(request, pk: int):
    letter = selectors.get_letter(request.user, pk)
    try:
        services.close_letter(letter=letter, by=request.user)
    except services.LetterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The letter is closed."))
    return redirect(letter)


@require_http_methods(["GET", "POST"])
@permission_required("discipline.add_letterreport", raise_exception=True)
def letter_report(request, pk: int):
    """An addressed unit's report on the handling, with attachments."""
    letter = selectors.get_letter(request.user, pk)
    units = list(units_visible_to(request.user).filter(letters_received=letter).order_by("name"))
    if not units:
        raise PermissionDenied
    if letter.status not in (Letter.Status.ISSUED, Letter.Status.ANSWERED):
        messages.error(request, _("Only an issued letter that is not closed takes reports."))
        return redirect(letter)
    form = LetterReportForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_letter_report(
                letter=letter,
                unit=form.cleaned_data["unit"],
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["files"],
                by=request.user,
            )
        except services.LetterError as error:
            messages.error(request, str(error))
            return redirect(letter)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your report is recorded."))
            return redirect(letter)
    return render(
        request,
        "discipline/letter_report_form.html",
        {"letter": letter, "form": form, "overdue": letter.is_overdue(timezone.localdate())},
    )


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_docx(request, pk: int):
    letter = selectors.get_letter(request.user, pk)
    content = render_docx(letters.document_for(letter))
    return _download(
        content,
        f"{letters.file_stem(letter)}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_pdf(request, pk: int):
    # WeasyPrint takes seconds to import: only the processes that render a PDF pay for it.
    from discipline.pdf import render_pdf

    letter = selectors.get_letter(request.user, pk)
    content = render_pdf(
        "discipline/letters/letter_page.html",
        {"document": letters.document_for(letter), "letter": letter, "screen": False},
    )
    return _download(content, f"{letters.file_stem(letter)}.pdf", "application/pdf")


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_print(request, pk: int):
    """The letter alone on an A4 sheet, for the browser's print dialog; same template as the
    PDF."""
    letter = selectors.get_letter(request.user, pk)
    return render(
        request,
        "discipline/letters/letter_page.html",
        {"document": letters.document_for(letter), "letter": letter, "screen": True},
    )


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
@permission_required("discipline.view_reportattachment", raise_exception=True)
def report_attachment_download(request, pk: int):
    attachment = selectors.get_report_attachment(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
        content_type=attachment.content_type,
    )


@require_GET
@permission_required("discipline.add_letter", raise_exception=True)
def letter_proposals(request):
    """Who is due a letter under the active escalation rules, and what already covers them."""
    proposals = selectors.letter_proposals(request.user)
    page = Paginator(proposals, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "discipline/letter_proposals.html",
        {
            "page_obj": page,
            "rules": EscalationRule.objects.filter(is_active=True),
            "due": sum(1 for p in proposals if p.state in ("new", "partly")),
        },
    )


@require_POST
@permission_required("discipline.add_letter", raise_exception=True)
def letter_draft(request):
    """Draft a letter from a proposal (rule and target), then edit it."""
    try:
        rule_pk = int(request.POST.get("rule", ""))
    except ValueError as error:
        raise Http404 from error
    proposal = selectors.get_proposal(
        request.user, rule_pk=rule_pk, target=request.POST.get("target", "")
    )
    try:
        letter = services.draft_letter(
            kind=proposal.rule.letter_kind,
            violations=proposal.violations,
            addressees=[proposal.unit],
            rule=proposal.rule,
            by=request.user,
        )
    except services.LetterError as error:
        messages.error(request, str(error))
        return redirect("discipline:letter_proposals")
    messages.success(request, _("Draft letter created; check and edit it before issuing."))
    return redirect("discipline:letter_edit", pk=letter.pk)


def _register_year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2999 else timezone.localdate().year


@require_GET
@permission_required("discipline.view_register", raise_exception=True)
def letter_register(request):
    """The outgoing register (sổ văn bản đi) of a year: number, date, subject, addressees,
    signer."""
    year = _register_year(request)
    letters_of_year = selectors.register_letters(request.user, year)
    page = Paginator(letters_of_year, 50).get_page(request.GET.get("page"))
    years = selectors.register_years(request.user)
    if year not in years:
        years = sorted([*years, year], reverse=True)
    return render(
        request,
        "discipline/letter_register.html",
        {"page_obj": page, "year": year, "years": years, "query": f"year={year}"},
    )


@require_GET
@permission_required("discipline.view_register", raise_exception=True)
def letter_register_export(request):
    """The year's register as an Excel workbook."""
    from openpyxl import Workbook

    year = _register_year(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"So van ban di {year}")
    sheet.append(
        [
            str(_("Number")),
            str(_("Date")),
            str(_("Symbol")),
            str(_("Subject")),
            str(_("Addressed to")),
            str(_("Signer")),
            str(_("Status")),
        ]
    )
    for letter in selectors.register_letters(request.user, year).iterator(chunk_size=500):
        sheet.append(
            [
                letter.number_display,
                f"{letter.issued_on:%d/%m/%Y}",
                letter.reference,
                f"V/v {letter.subject}",
                "; ".join(letter.recipient_lines()),
                letter.signer_name,
                letter.get_status_display(),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return _download(
        out.getvalue(),
        f"so-van-ban-di-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
