from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from discipline import selectors
from units.selectors import roles_of, staff_of


@require_GET
def home(request):
    """The role-aware landing page: what needs this user's attention, with links."""
    user = request.user
    context = {
        "staff": staff_of(user),
        "roles": roles_of(user),
        "counts": selectors.attention_counts(user),
    }
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
