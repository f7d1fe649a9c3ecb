from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from units import selectors, services


@require_GET
def notification_list(request):
    notifications = selectors.notifications_of(request.user)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "units/notification_list.html", {"page_obj": page})


@require_POST
def notification_open(request, pk: int):
    """Mark one notification read and follow its link."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.mark_notifications_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "units:notification_list"
    return redirect(target)


@require_POST
def notification_read_all(request):
    services.mark_notifications_read(user=request.user)
    return redirect("units:notification_list")
