"""Shared fixtures: named personas in two units of one Authority, and strangers from another."""

import pytest

from tests import factories, fetch_guard


@pytest.fixture(autouse=True, scope="session")
def _n_plus_one_raises():
    """Lazy loads on rows fetched as a list raise (tests/fetch_guard.py)."""
    fetch_guard.install()


@pytest.fixture(autouse=True)
def _english_free_language(settings):
    # Vietnamese is the product's language; tests see the same strings users see.
    settings.LANGUAGE_CODE = "vi"


@pytest.fixture
def authority(db):
    return factories.authority()


@pytest.fixture
def unit_a(authority):
    return factories.unit(authority, name="UBND xã Khánh Hưng", code="KH", kind="commune")


@pytest.fixture
def unit_b(authority):
    return factories.unit(authority, name="UBND xã Vĩnh Trị", code="VTRI", kind="commune")


@pytest.fixture
def home_affairs(authority):
    return factories.unit(authority, name="Phòng Nội vụ", code="NV")


@pytest.fixture
def office(authority):
    return factories.unit(authority, name="Văn phòng HĐND và UBND", code="VP")


@pytest.fixture
def inspector(home_affairs):
    return factories.user_with_role("inspector", home_affairs, "inspectors")


@pytest.fixture
def unit_head_a(unit_a):
    user = factories.user_with_role("head_a", unit_a, "unit_heads", position="Chủ tịch UBND")
    unit_a.head = user.staff
    unit_a.save(update_fields=["head"])
    return user


@pytest.fixture
def unit_head_b(unit_b):
    user = factories.user_with_role("head_b", unit_b, "unit_heads", position="Chủ tịch UBND")
    unit_b.head = user.staff
    unit_b.save(update_fields=["head"])
    return user


@pytest.fixture
def office_chief(office):
    return factories.user_with_role("chief", office, "office_chief", position="Chánh Văn phòng")


@pytest.fixture
def leader(office):
    return factories.user_with_role("leader", office, "leaders", position="Chủ tịch UBND huyện")


@pytest.fixture
def administrator(office):
    return factories.user_with_role("admin_a", office, "administrators")


@pytest.fixture
def staff_member(unit_a):
    """A plain staff member of unit A with a login and no role."""
    return factories.user_with_role("staff_a", unit_a, None, position="Công chức Tư pháp")


@pytest.fixture
def other_authority(db):
    return factories.authority(
        name="Ủy ban nhân dân huyện Tân Hưng",
        place_name="Tân Hưng",
        issuing_body="ỦY BAN NHÂN DÂN\nHUYỆN TÂN HƯNG",
    )


@pytest.fixture
def other_unit(other_authority):
    return factories.unit(other_authority, name="UBND xã Hưng Hà", code="HH", kind="commune")


@pytest.fixture
def other_inspector(other_authority):
    unit = factories.unit(other_authority, name="Phòng Nội vụ Tân Hưng", code="NV")
    return factories.user_with_role("inspector_other", unit, "inspectors")


@pytest.fixture
def other_administrator(other_authority):
    unit = factories.unit(other_authority, name="Văn phòng Tân Hưng", code="VP")
    return factories.user_with_role("admin_other", unit, "administrators")


@pytest.fixture
def violation_a(unit_a, inspector):
    return factories.violation(factories.staff(unit_a), by=inspector)


@pytest.fixture
def violation_b(unit_b, inspector):
    return factories.violation(factories.staff(unit_b), by=inspector)


_MIGRATION_DATA: list[str] = []


@pytest.fixture(scope="session")
def migration_data(django_db_setup, django_db_blocker) -> str:
    """The rows data migrations create (roles, catalogues), serialized once per session."""
    from django.db import connection

    with django_db_blocker.unblock():
        data = connection.creation.serialize_db_to_string()
    _MIGRATION_DATA[:] = [data]
    return data


@pytest.fixture(autouse=True)
def _migration_rows(request):
    """Ordinary database tests start with the data migrations' rows (roles, catalogues).

    A transactional test (the browser tests, the migration test) ends with a flush, and
    serialized rollback reloads the rows only when the next transactional test starts. In one
    process pytest-django runs those last; with pytest-xdist a worker may be handed ordinary
    test files afterwards, which would find no roles: reload them inside the test's transaction."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    names = request.fixturenames
    if transactional or "transactional_db" in names or "live_server" in names:
        return
    if not _MIGRATION_DATA:
        return
    if marker is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    from django.contrib.auth.models import Group
    from django.db import connections

    if not Group.objects.exists():
        connections["default"].creation.deserialize_db_from_string(_MIGRATION_DATA[0])


@pytest.fixture
def serialized_rollback_db(migration_data, django_db_serialized_rollback, transactional_db):
    """A transactional database that keeps the data migrations' rows between tests.

    Django's serialized rollback keeps its snapshot on the connection object; Playwright's
    event loop makes Django hand this test another connection object that lacks it, so the
    flush after each test would wipe roles and catalogues. Put the snapshot back on the
    connection in use: the flush then leaves them alone and the next test reloads them."""
    from django.contrib.auth.models import Group
    from django.db import connections

    connection = connections["default"]
    connection._test_serialized_contents = migration_data

    if not Group.objects.exists():
        # The previous transactional test ran on the other connection object and its rows
        # were flushed (without post_migrate): load the snapshot into the empty tables.
        connection.creation.deserialize_db_from_string(migration_data)


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    """The demo district, loaded once per test module (loading takes seconds) inside a
    transaction that is rolled back after the module. Each test runs in its own savepoint
    within it (pytest-django's `db`), so no test sees another's changes. Tests of the module
    that must start from an empty database come before the first test that uses it."""
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("loaddemo", "--force", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
