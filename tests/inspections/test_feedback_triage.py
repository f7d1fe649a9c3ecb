"""Inspectors triage citizen feedback once: forward, dismiss (or a violation, in discipline);
the pages behind it are scoped and permission-checked; praise is counted per unit."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inspections import selectors, services
from inspections.models import Feedback
from tests import factories
from tests.helpers import count_queries
from units.models import Notification


@pytest.fixture
def item_a(unit_a):
    return factories.feedback(unit_a, text="Bị hẹn lại ba lần", contact="0909 111 222")


@pytest.fixture
def item_b(unit_b):
    return factories.feedback(unit_b)


# --- services --------------------------------------------------------------------------------------


def test_forwarding_tells_the_unit_head_in_app_and_by_email(
    item_a, inspector, unit_head_a, django_capture_on_commit_callbacks
):
    unit_head_a.email = "head_a@example.test"
    unit_head_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.forward_feedback(feedback=item_a, by=inspector, note="Đề nghị kiểm điểm")
    item_a.refresh_from_db()
    assert item_a.status == Feedback.Status.FORWARDED
    assert (item_a.triaged_by, item_a.triage_note) == (inspector, "Đề nghị kiểm điểm")
    notice = Notification.objects.get(user=unit_head_a)
    assert notice.url == item_a.get_absolute_url()
    assert "Bị hẹn lại ba lần" in notice.body and "Đề nghị kiểm điểm" in notice.body
    assert mail.outbox[0].to == ["head_a@example.test"]


def test_dismissing_needs_a_reason(item_a, inspector):
    with pytest.raises(ValidationError) as error:
        services.dismiss_feedback(feedback=item_a, by=inspector, reason="  ")
    assert "reason" in error.value.message_dict
    item_a.refresh_from_db()
    assert item_a.status == Feedback.Status.NEW
    services.dismiss_feedback(feedback=item_a, by=inspector, reason="Tin rác")
    item_a.refresh_from_db()
    assert (item_a.status, item_a.triage_note) == (Feedback.Status.DISMISSED, "Tin rác")


@pytest.mark.parametrize("first", ["forward", "dismiss"])
@pytest.mark.parametrize("second", ["forward", "dismiss"])
def test_triaging_twice_is_refused(item_a, inspector, first, second):
    actions = {
        "forward": lambda: services.forward_feedback(feedback=item_a, by=inspector),
        "dismiss": lambda: services.dismiss_feedback(feedback=item_a, by=inspector, reason="x"),
    }
    actions[first]()
    before = Feedback.objects.values().get(pk=item_a.pk)
    with pytest.raises(services.FeedbackError) as error:
        actions[second]()
    assert str(error.value) == "Phản ánh này đã được xử lý."
    assert Feedback.objects.values().get(pk=item_a.pk) == before


def test_only_inspectors_triage(item_a, unit_head_a, leader, office_chief):
    for user in (unit_head_a, leader, office_chief):
        with pytest.raises(PermissionDenied):
            services.forward_feedback(feedback=item_a, by=user)


def test_inspector_of_another_authority_cannot_triage(item_a, other_inspector):
    with pytest.raises(PermissionDenied):
        services.dismiss_feedback(feedback=item_a, by=other_inspector, reason="x")


# --- selectors ------------------------------------------------------------------------------------


def test_who_sees_which_feedback(unit_a, unit_b, inspector, unit_head_a, leader, staff_member):
    new = factories.feedback(unit_a)
    forwarded = factories.feedback(unit_a, status="forwarded", triaged_at=timezone.now())
    praise = factories.feedback(unit_a, category="praise")
    spam_praise = factories.feedback(
        unit_a, category="praise", status="dismissed", triage_note="x", triaged_at=timezone.now()
    )
    elsewhere = factories.feedback(unit_b, status="forwarded", triaged_at=timezone.now())
    assert set(selectors.feedback_visible_to(inspector)) == {
        new,
        forwarded,
        praise,
        spam_praise,
        elsewhere,
    }
    assert set(selectors.feedback_visible_to(leader)) == {
        new,
        forwarded,
        praise,
        spam_praise,
        elsewhere,
    }
    assert set(selectors.feedback_visible_to(unit_head_a)) == {forwarded, praise}
    assert list(selectors.feedback_visible_to(staff_member)) == []


def test_praise_counts_per_unit_in_a_period(
    unit_a, unit_b, home_affairs, django_assert_num_queries
):
    today = timezone.localdate()
    long_ago = timezone.now() - datetime.timedelta(days=40)
    for _ in range(3):
        factories.feedback(unit_a, category="praise")
    factories.feedback(unit_a, category="praise", submitted_at=long_ago)
    factories.feedback(unit_a, category="attitude")
    factories.feedback(
        unit_a, category="praise", status="dismissed", triage_note="x", triaged_at=timezone.now()
    )
    factories.feedback(unit_b, category="praise")
    start = today - datetime.timedelta(days=30)
    with django_assert_num_queries(1):
        counts = selectors.praise_counts([unit_a, unit_b, home_affairs], start, today)
    assert counts == {unit_a.pk: 3, unit_b.pk: 1}
    assert selectors.praise_counts([unit_a], today - datetime.timedelta(days=60), today) == {
        unit_a.pk: 4
    }


def test_praise_counts_period_uses_local_dates(unit_a):
    """Praise sent at 06:30 in Vĩnh Hưng on the 1st is the 1st, though it is the 30th in UTC."""
    first = datetime.date(2026, 10, 1)
    local = timezone.make_aware(datetime.datetime(2026, 10, 1, 6, 30))
    factories.feedback(unit_a, category="praise", submitted_at=local)
    assert selectors.praise_counts([unit_a], first, first) == {unit_a.pk: 1}
    assert (
        selectors.praise_counts(
            [unit_a], first - datetime.timedelta(1), first - datetime.timedelta(1)
        )
        == {}
    )


# --- pages ---------------------------------------------------------------------------------------


def test_inspector_lists_untriaged_feedback_first(client, inspector, item_a, item_b, unit_a):
    done = factories.feedback(unit_a, status="forwarded", triaged_at=timezone.now())
    client.force_login(inspector)
    response = client.get(reverse("inspections:feedback_list"))
    assert response.status_code == 200
    assert set(response.context["page_obj"]) == {item_a, item_b}
    everything = client.get(reverse("inspections:feedback_list") + "?status=")
    assert done in everything.context["page_obj"]


def test_unit_head_lists_only_forwarded_feedback_of_own_unit(
    client, unit_head_a, item_a, unit_a, unit_b
):
    mine = factories.feedback(unit_a, status="forwarded", triaged_at=timezone.now())
    factories.feedback(unit_b, status="forwarded", triaged_at=timezone.now())
    client.force_login(unit_head_a)
    response = client.get(reverse("inspections:feedback_list"))
    assert list(response.context["page_obj"]) == [mine]
    assert client.get(item_a.get_absolute_url()).status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "feedback_list",
        "feedback_summary",
        "feedback_detail",
        "feedback_forward",
        "feedback_dismiss",
    ],
)
def test_feedback_pages_need_the_permission(client, staff_member, item_a, name):
    client.force_login(staff_member)
    args = [item_a.pk] if name not in ("feedback_list", "feedback_summary") else []
    method = client.post if name in ("feedback_forward", "feedback_dismiss") else client.get
    assert method(reverse(f"inspections:{name}", args=args), {"reason": "x"}).status_code == 403


def test_unit_head_cannot_triage(client, unit_head_a, unit_a):
    forwarded = factories.feedback(unit_a, status="forwarded", triaged_at=timezone.now())
    client.force_login(unit_head_a)
    url = reverse("inspections:feedback_dismiss", args=[forwarded.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_feedback_of_another_authority_is_404(client, other_inspector, item_a):
    client.force_login(other_inspector)
    assert client.get(item_a.get_absolute_url()).status_code == 404
    url = reverse("inspections:feedback_forward", args=[item_a.pk])
    assert client.post(url).status_code == 404


def test_feedback_pages_answer_405_to_the_wrong_method(client, inspector, item_a, unit_a):
    client.force_login(inspector)
    assert client.post(reverse("inspections:feedback_list")).status_code == 405
    assert client.post(reverse("inspections:feedback_summary")).status_code == 405
    assert client.post(item_a.get_absolute_url()).status_code == 405
    assert client.get(reverse("inspections:feedback_forward", args=[item_a.pk])).status_code == 405
    assert client.get(reverse("inspections:feedback_dismiss", args=[item_a.pk])).status_code == 405
    poster = reverse("inspections:feedback_poster", args=[unit_a.pk])
    assert client.post(poster).status_code == 405


def test_forward_and_dismiss_pages(client, inspector, item_a, item_b):
    client.force_login(inspector)
    response = client.post(
        reverse("inspections:feedback_forward", args=[item_a.pk]), {"note": "Xem xét"}
    )
    assert response.status_code == 302 and response.url == item_a.get_absolute_url()
    again = client.post(reverse("inspections:feedback_dismiss", args=[item_a.pk]), {"reason": "x"})
    assert again.status_code == 302
    page = client.get(item_a.get_absolute_url())
    assert "Phản ánh này đã được xử lý." in page.text
    assert "Chuyển thành vi phạm" not in page.text  # no triage buttons once triaged
    empty = client.post(reverse("inspections:feedback_dismiss", args=[item_b.pk]), {"reason": ""})
    assert empty.status_code == 400
    assert 'class="error"' in empty.text


def test_summary_counts_praise_and_links_posters(client, inspector, unit_a, unit_b):
    factories.feedback(unit_a, category="praise")
    factories.feedback(unit_a, category="praise")
    factories.feedback(unit_a, category="delay")
    client.force_login(inspector)
    response = client.get(reverse("inspections:feedback_summary"))
    rows = {row["unit"]: row for row in response.context["rows"]}
    assert rows[unit_a]["praise"] == 2
    assert rows[unit_a]["counts"]["delay"] == 1
    assert rows[unit_b]["praise"] == 0
    assert reverse("inspections:feedback_poster", args=[unit_a.pk]) in response.text


def test_summary_refuses_a_period_ending_before_it_starts(client, inspector):
    client.force_login(inspector)
    response = client.get(
        reverse("inspections:feedback_summary") + "?start=2026-10-10&end=2026-10-01"
    )
    assert response.status_code == 200
    assert "Ngày kết thúc trước ngày bắt đầu." in response.text


def test_list_and_summary_query_counts_do_not_grow(client, inspector, unit_a, unit_b, authority):
    client.force_login(inspector)
    factories.feedback(unit_a)
    urls = [
        reverse("inspections:feedback_list"),
        reverse("inspections:feedback_list") + "?status=",
        reverse("inspections:feedback_summary"),
    ]
    small = [count_queries(client, url) for url in urls]
    for n in range(30):
        unit = factories.unit(authority) if n % 10 == 0 else unit_a
        factories.feedback(
            unit, staff=factories.staff(unit), category="praise" if n % 3 else "delay"
        )
    large = [count_queries(client, url) for url in urls]
    # session, user with staff record, roles with permissions, unread count, then the units
    # (filter or page), and the count and page of items (or the summary's two aggregates and
    # page count).
    assert small == large == [7, 7, 8]


# --- the poster --------------------------------------------------------------------------------


def test_poster_has_an_inline_svg_qr_code_of_the_public_address(
    client, inspector, unit_a, settings
):
    settings.SITE_URL = "https://kycuong.example"
    client.force_login(inspector)
    response = client.get(reverse("inspections:feedback_poster", args=[unit_a.pk]))
    assert response.status_code == 200
    url = f"https://kycuong.example/gop-y/{unit_a.feedback_token}/"
    assert response.context["url"] == url
    assert url in response.text
    assert '<svg viewBox="0 0 ' in response.text and 'class="qr"' in response.text
    assert "style=" not in response.text  # the CSP forbids inline styles
    assert "<script>" not in response.text
    assert 'src="/static/js/print.js"' in response.text


def svg_to_image(svg: str):
    """Rasterise segno's inline SVG (one path of horizontal runs) so a real decoder can read it."""
    from PIL import Image, ImageDraw

    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    path = re.search(r' d="([^"]+)"', svg).group(1)
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", path):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            length = values[0] if command == "h" else values[0] - x
            top = int(y - 0.5) * scale
            draw.rectangle([x * scale, top, (x + length) * scale - 1, top + scale - 1], fill=0)
            x += length
    return image


def test_poster_qr_code_decodes_to_the_public_address(client, inspector, unit_a, settings):
    """Read the QR code on the page with a real decoder (zxing-cpp), as a phone would."""
    import zxingcpp

    settings.SITE_URL = "https://kycuong.example"
    client.force_login(inspector)
    response = client.get(reverse("inspections:feedback_poster", args=[unit_a.pk]))
    # The QR code is the SVG with a viewBox of whole modules; the bell icon in the header is another SVG.
    svg = next(
        s for s in re.findall(r"<svg .*?</svg>", response.text, re.S) if "bell-icon" not in s
    )
    (decoded,) = zxingcpp.read_barcodes(svg_to_image(svg))
    assert decoded.format == zxingcpp.BarcodeFormat.QRCode
    assert decoded.text == f"https://kycuong.example/gop-y/{unit_a.feedback_token}/"


def test_unit_head_prints_own_units_poster_only(client, unit_head_a, unit_a, unit_b):
    client.force_login(unit_head_a)
    assert client.get(reverse("inspections:feedback_poster", args=[unit_a.pk])).status_code == 200
    assert client.get(reverse("inspections:feedback_poster", args=[unit_b.pk])).status_code == 404


def test_poster_needs_the_view_unit_permission(client, staff_member, unit_a):
    client.force_login(staff_member)
    assert client.get(reverse("inspections:feedback_poster", args=[unit_a.pk])).status_code == 403


def test_feedback_token_is_stable_unique_and_typeable(unit_a, unit_b):
    token = unit_a.feedback_token
    unit_a.save()
    unit_a.refresh_from_db()
    assert unit_a.feedback_token == token
    assert unit_a.feedback_token != unit_b.feedback_token
    assert len(token) == 12 and set(token) <= set("abcdefghjkmnpqrstuvwxyz23456789")
