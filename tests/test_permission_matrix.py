"""The permission matrix: every URL pattern of the project (walked from the resolver, through
every include, admin included) answered for every role and checked against the table below;
and the security headers of every one of those responses.

How it works: one world (tests/permission_world.py) is built once for the module: an Authority
with its personas and one object of every kind in unit A, and another Authority with the same.
Each URL's row names the objects that fill its parameters (the home Authority's); each role's
client GETs and POSTs (an empty body) the URL and must get the status in the row. A refusal
(4xx, or a redirect to a login page) to a POST must change nothing in the database. Then every
object URL is asked for the other Authority's object of the same kind: every role the row lets
in must get 404 there (the stranger, who belongs to that Authority, is not asked).

Adding a URL: `test_every_url_has_a_row` fails with its name. Add its row to URLS: the columns
are ROLES (anonymous, inspector, head of unit A, head of unit B, office chief, leader, staff
member without a role, administrator of another Authority); each entry is a status (OK is 200)
or LOGIN (a redirect to a login page). Decide what each role should get first; a failing row
prints what the URL answers, to compare. A new model in the admin needs an ADMIN_MODELS entry
(each role's rights on it), from which its changelist, add, change, delete and history rows are
derived; extra admin pages get rows in admin_rows().
"""

import copy
import logging
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permission_world import ROLES, build_world

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the login page (the admin's own login page for admin URLs)
OK = 200


@dataclass(frozen=True)
class Row:
    """What each role gets from one URL. `GET` and `POST` hold one status per role, in the
    order of ROLES; `args` fills the URL's parameters from the world ("letter" is the issued
    letter's pk, "unit_a.feedback_token" an attribute)."""

    GET: tuple | None
    POST: tuple | None  # None: the view does not take POST and has no reason to be asked
    args: dict = field(default_factory=dict)
    changes: bool = False  # a redirect to the login page that is meant to change data (logout)
    path: str = ""  # for a pattern that cannot be reversed: the address to ask
    # Ask the same URL for the other Authority's object (False for a plain redirect, which
    # looks nothing up: its target does).
    foreign: bool = True
    # The answer does not depend on who asks (a plain redirect): the anonymous user and the
    # inspector are enough.
    same_for_all: bool = False


# fmt: off
#             anonymous inspector head_a head_b chief leader staff stranger
URLS = {
    "home": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "login": Row(
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    # Logging out ends the session (a change) and lands on the login page.
    "logout": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN), changes=True),
    "password_change": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "password_change_done": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "password_reset": Row(
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "password_reset_done": Row(
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (  405,   405,   405,   405,   405,   405,   405,   405)),
    "password_reset_complete": Row(
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (  405,   405,   405,   405,   405,   405,   405,   405)),
    "otp_setup": Row(
        (LOGIN,    OK,    OK,    OK,   302,    OK,    OK,    OK),
        (LOGIN,    OK,    OK,    OK,   302,    OK,    OK,    OK)),
    "otp_verify": Row(
        (LOGIN,   302,   302,   302,    OK,   302,   302,   302),
        (LOGIN,   302,   302,   302,    OK,   302,   302,   302)),
    "set_language": Row(
        (  302,   302,   302,   302,   302,   302,   302,   302),
        (  302,   302,   302,   302,   302,   302,   302,   302)),
    "admin:index": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK, LOGIN,    OK),
        (LOGIN,    OK,    OK,    OK,    OK,    OK, LOGIN,    OK)),
    "admin:login": Row(
        (   OK,   302,   302,   302,   302,   302,    OK,   302),
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK)),
    "admin:logout": Row(
        (LOGIN,   405,   405,   405,   405,   405,   302,   405),
        (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN,   302, LOGIN), changes=True),
    "admin:password_change": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK, LOGIN,    OK),
        (LOGIN,    OK,    OK,    OK,    OK,    OK, LOGIN,    OK)),
    "admin:password_change_done": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK, LOGIN,    OK),
        (LOGIN,   405,   405,   405,   405,   405, LOGIN,   405)),
    "admin:autocomplete": Row(
        (LOGIN,   403,   403,   403,   403,   403, LOGIN,   403),
        (LOGIN,   405,   405,   405,   405,   405, LOGIN,   405)),
    "admin:jsi18n": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK, LOGIN,    OK),
        (LOGIN,   405,   405,   405,   405,   405, LOGIN,   405)),
    "password_reset_confirm": Row(
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        {'uidb64': '=MQ', 'token': '=set-password'}),
    # The admin's own "view on site" route is shadowed by the scoped one (same address), so
    # both rows describe it: out-of-scope rows (head_b, the stranger) answer 404.
    "admin:view_on_site": Row(
        (LOGIN,   302,   302,   404,   302,   302, LOGIN,   404),
        (LOGIN,   302,   302,   404,   302,   302, LOGIN,   404),
        {'content_type_id': 'type_of:violation', 'object_id': 'violation'}),
    "admin_view_on_site": Row(
        (LOGIN,   302,   302,   404,   302,   302, LOGIN,   404),
        (LOGIN,   302,   302,   404,   302,   302, LOGIN,   404),
        {'content_type_id': 'type_of:violation', 'object_id': 'violation'}),
    "admin:app_list": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK, LOGIN,    OK),
        (LOGIN,    OK,    OK,    OK,    OK,    OK, LOGIN,    OK),
        {'app_label': '=units'}),
    "admin/(?P<url>.*)$": Row(
        (LOGIN,   404,   404,   404,   404,   404, LOGIN,   404),
        (LOGIN,   404,   404,   404,   404,   404, LOGIN,   404),
        path="/admin/nothing-here/"),
    "discipline:letter_list": Row(
        (LOGIN,   403,    OK,    OK,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:letter_proposals": Row(
        (LOGIN,   403,   403,   403,    OK,   403,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:letter_draft": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,   403,   403,   404,   403,   403,   403)),
    "discipline:letter_register": Row(
        (LOGIN,   403,   403,   403,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:letter_register_export": Row(
        (LOGIN,   403,   403,   403,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:letter_detail": Row(
        (LOGIN,   403,    OK,   404,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'letter'}),
    "discipline:letter_edit": Row(
        (LOGIN,   403,   403,   403,    OK,   403,   403,   403),
        (LOGIN,   403,   403,   403,    OK,   403,   403,   403),
        {'pk': 'draft_letter'}),
    "discipline:letter_issue": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,   403,   403,   302,   403,   403,   403),
        {'pk': 'draft_letter'}),
    "discipline:letter_close": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,   403,   403,   302,   403,   403,   403),
        {'pk': 'letter'}),
    "discipline:letter_report": Row(
        (LOGIN,   403,    OK,   404,   403,   403,   403,   403),
        (LOGIN,   403,    OK,   404,   403,   403,   403,   403),
        {'pk': 'letter'}),
    "discipline:letter_print": Row(
        (LOGIN,   403,    OK,   404,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'letter'}),
    "discipline:letter_docx": Row(
        (LOGIN,   403,    OK,   404,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'letter'}),
    "discipline:letter_pdf": Row(
        (LOGIN,   403,    OK,   404,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'letter'}),
    "discipline:report_attachment_download": Row(
        (LOGIN,   403,    OK,   404,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'report_attachment'}),
    # Dashboards, periodic reports, decisions and the evaluation sheet: the whole Authority, a
    # unit head their unit (their own figures), never a plain official.
    "discipline:dashboard": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:report": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:report_xlsx": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:report_docx": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:decision_list": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:decision_detail": Row(
        (LOGIN,    OK,    OK,   404,    OK,    OK,   403,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'decision'}),
    "discipline:evaluation_sheet": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:evaluation_export": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:violation_list": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:violation_record": Row(
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403)),
    "discipline:violations_notify": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   404,   403,   403,   403,   403,   403,   403)),
    "discipline:violation_detail": Row(
        (LOGIN,    OK,    OK,   404,    OK,    OK,   404,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'violation'}),
    "discipline:violation_notify": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   302,   403,   403,   403,   403,   403,   403),
        {'pk': 'violation'}),
    "discipline:violation_acknowledge": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,    OK,   404,   403,   403,   403,   403),
        {'pk': 'violation'}),
    "discipline:violation_dispute": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,    OK,   404,   403,   403,   403,   403),
        {'pk': 'violation'}),
    "discipline:violation_rule": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        {'pk': 'violation'}),
    "discipline:violation_close": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   302,   403,   403,   403,   403,   403,   403),
        {'pk': 'violation'}),
    "discipline:violation_void": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,    OK,   403,   403,   403,   403,   403,   404),
        {'pk': 'violation'}),
    "discipline:inbox": Row(
        (LOGIN,   403,    OK,    OK,   403,   403,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:my_record": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:my_record_export": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "discipline:evidence_download": Row(
        (LOGIN,    OK,    OK,   404,    OK,    OK,   404,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'evidence'}),
    "discipline:visit_detail": Row(
        (LOGIN,    OK,   403,   403,    OK,    OK,   403,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'visit'}),
    "discipline:visit_finish": Row(
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        (LOGIN,   302,   403,   403,   403,   403,   403,   403),
        {'pk': 'visit'}),
    "discipline:visit_evidence_add": Row(
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        {'pk': 'visit'}),
    "discipline:visit_minutes": Row(
        (LOGIN,    OK,   403,   403,    OK,    OK,   403,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'finished_visit'}),
    "discipline:visit_minutes_pdf": Row(
        (LOGIN,    OK,   403,   403,    OK,    OK,   403,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'finished_visit'}),
    "discipline:task_violation": Row(
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        {'pk': 'task'}),
    "discipline:feedback_violation": Row(
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        {'pk': 'feedback'}),
    "inspections:visit_list": Row(
        (LOGIN,    OK,   403,   403,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "inspections:visit_plan": Row(
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403)),
    "inspections:planner": Row(
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "inspections:planner_plan": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   404,   403,   403,   403,   403,   403,   403)),
    "inspections:visit_start": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   302,   403,   403,   403,   403,   403,   403),
        {'pk': 'visit'}),
    "inspections:visit_cancel": Row(
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        (LOGIN,    OK,   403,   403,   403,   403,   403,   403),
        {'pk': 'visit'}),
    "inspections:roll": Row(
        (LOGIN,    OK,   403,   403,    OK,    OK,   403,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'visit'}),
    "inspections:roll_add": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   302,   403,   403,   403,   403,   403,   403),
        {'pk': 'visit'}),
    "inspections:roll_mark": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   400,   403,   403,   403,   403,   403,   403),
        {'pk': 'visit', 'entry_pk': 'roll_entry'}),
    "inspections:checklist_answer": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   302,   403,   403,   403,   403,   403,   403),
        {'pk': 'visit', 'answer_pk': 'checklist_answer'}),
    # The public feedback page: anyone with a unit's poster, of any Authority, no login.
    "inspections:feedback_form": Row(
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (  400,   400,   400,   400,   400,   400,   400,   400),
        {'token': 'unit_a.feedback_token'}, foreign=False),
    "inspections:feedback_thanks": Row(
        (   OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (  405,   405,   405,   405,   405,   405,   405,   405),
        {'token': 'unit_a.feedback_token'}, foreign=False),
    "inspections:feedback_list": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "inspections:feedback_summary": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "inspections:feedback_detail": Row(
        (LOGIN,    OK,   404,   404,    OK,    OK,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'feedback'}),
    "inspections:feedback_forward": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   302,   403,   403,   403,   403,   403,   403),
        {'pk': 'feedback'}),
    "inspections:feedback_dismiss": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   400,   403,   403,   403,   403,   403,   403),
        {'pk': 'feedback'}),
    "inspections:feedback_poster": Row(
        (LOGIN,    OK,    OK,   404,    OK,    OK,   403,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'unit_a'}),
    "units:notification_list": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "units:notification_open": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   404,   302,   404,   404,   404,   404,   404),
        {'pk': 'notification'}),
    "units:notification_read_all": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   302,   302,   302,   302,   302,   302,   302)),
    "units:task_list": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "units:task_list_unit": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "units:task_list_overdue": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,   403,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "units:task_assign": Row(
        (LOGIN,   403,    OK,    OK,   403,   403,   403,   403),
        (LOGIN,   403,    OK,    OK,   403,   403,   403,   403)),
    "units:task_detail": Row(
        (LOGIN,    OK,    OK,   404,    OK,    OK,    OK,   404),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        {'pk': 'task'}),
    "units:task_progress": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,   403,   404,   403,   403,   302,   404),
        {'pk': 'task'}),
    "units:task_complete": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,   403,   404,   403,   403,   400,   404),
        {'pk': 'task'}),
    "units:task_accept": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,   302,   404,   403,   403,   403,   404),
        {'pk': 'task'}),
    "units:task_return": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   403,   400,   404,   403,   403,   403,   404),
        {'pk': 'task'}),
    "units:diary_mine": Row(
        (LOGIN,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
    "units:diary_write": Row(
        (LOGIN,   405,   405,   405,   405,   405,   405,   405),
        (LOGIN,   400,   400,   400,   400,   400,   400,   400)),
    "units:diary_edit": Row(
        (LOGIN,   404,   404,   404,   404,   404,    OK,   404),
        (LOGIN,   404,   404,   404,   404,   404,    OK,   404),
        {'pk': 'diary'}),
    "units:diary_correct": Row(
        (LOGIN,   404,   404,   404,   404,   404,    OK,   404),
        (LOGIN,   404,   404,   404,   404,   404,    OK,   404),
        {'pk': 'diary'}),
    "units:diary_unit": Row(
        (LOGIN,    OK,    OK,    OK,   403,   403,   403,   403),
        (LOGIN,   405,   405,   405,   405,   405,   405,   405)),
}
# fmt: on


# --- the admin ---------------------------------------------------------------------------------


# Each role's rights on each registered model, from which the rows of the model's admin pages
# are derived: "v" view, "a" add, "c" change (nobody deletes anything), "h" the world's object
# is hidden from this role (outside their scope: its pages answer 404). `obj` is the world's
# object for the object pages (when the other Authority has one of its kind too, that one must
# answer 404 to everyone who sees the first). The plain staff member has no admin access at all.
@dataclass(frozen=True)
class AdminModel:
    obj: str
    rights: tuple


def rights(*values) -> tuple:
    """One entry per role but the anonymous user and the staff member (no admin access)."""
    assert len(values) == len(ROLES) - 2, values
    return values


# The world has two Authorities: the shared catalogues (violation types, checklist items,
# escalation rules) are then the keeper's to change (units.admin.SharedCatalogueAdmin).
# fmt: off
# Columns:                               inspector head_a head_b chief leader stranger
ADMIN_MODELS = {
    "units.authority":           AdminModel("authority",      rights("v", "", "", "v", "v", "vh")),
    "units.unit":                AdminModel("unit_a",         rights("v", "v", "vh", "v", "v", "vach")),
    "units.staff":               AdminModel("staff_record",   rights("v", "v", "vh", "v", "v", "vach")),
    "units.task":                AdminModel("task",           rights("v", "v", "vh", "v", "v", "vh")),
    "units.diaryentry":          AdminModel("diary",          rights("v", "v", "vh", "h", "h", "h")),
    "auth.user":                 AdminModel("staff",          rights("", "", "", "", "", "vach")),
    "auth.group":                AdminModel("group",          rights("", "", "", "", "", "")),
    "inspections.checklistitem": AdminModel("checklist_item", rights("v", "", "", "v", "v", "v")),
    "inspections.feedback":      AdminModel("feedback",       rights("v", "vh", "vh", "v", "v", "h")),
    "inspections.visit":         AdminModel("visit",          rights("vac", "h", "h", "v", "v", "vh")),
    "discipline.violationtype":  AdminModel("violation_type", rights("v", "v", "v", "v", "v", "v")),
    "discipline.violation":      AdminModel("violation",      rights("va", "v", "vh", "v", "v", "vh")),
    "discipline.evidence":       AdminModel("evidence",       rights("v", "v", "vh", "v", "v", "vh")),
    "discipline.recordaccess":   AdminModel("record_access",  rights("", "", "h", "", "", "vh")),
    "discipline.escalationrule": AdminModel("escalation_rule", rights("", "", "", "v", "v", "v")),
    "discipline.letter":         AdminModel("letter",         rights("", "v", "vh", "v", "v", "h")),
    "discipline.decision":       AdminModel("decision",       rights("v", "v", "vh", "v", "v", "vach")),
    "discipline.register":       AdminModel("register",       rights("", "", "", "v", "v", "h")),
    "discipline.letterreport":   AdminModel("report",         rights("", "v", "vh", "v", "v", "h")),
    # Login records and second-factor devices: only the installation's keeper (a superuser).
    "axes.accessattempt":        AdminModel("access_attempt", rights("", "", "", "", "", "")),
    "axes.accesslog":            AdminModel("access_log",     rights("", "", "", "", "", "")),
    "axes.accessfailurelog":     AdminModel("access_failure_log", rights("", "", "", "", "", "")),
    "otp_totp.totpdevice":       AdminModel("totp_device",    rights("", "", "", "", "", "")),
}
# fmt: on


def _admin_cols(statuses: list) -> tuple:
    """Insert the anonymous user's and the staff member's columns: both go to a login page."""
    inspector, head_a, head_b, chief, leader, stranger = statuses
    return (LOGIN, inspector, head_a, head_b, chief, leader, LOGIN, stranger)


def admin_rows() -> dict:
    """The rows of every registered model's admin pages, derived from ADMIN_MODELS. A model
    registered without an entry there gets no rows, so its URLs fail test_every_url_has_a_row."""
    rows = {}
    for model in admin.site._registry:
        spec = ADMIN_MODELS.get(model._meta.label_lower)
        if spec is None:
            continue
        key = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = {"object_id": spec.obj}

        def status(allowed: str, r: str, *, on_object: bool) -> object:
            if on_object and "h" in r:
                return 404
            return OK if any(a in r for a in allowed) else 403

        def row(get: str, post: str | None, *, on_object: bool, args=None, spec=spec) -> Row:
            return Row(
                _admin_cols([status(get, r, on_object=on_object) for r in spec.rights]),
                None
                if post is None
                else _admin_cols([status(post, r, on_object=on_object) for r in spec.rights]),
                args or {},
            )

        # POST on a changelist runs an action: actions are tested with their services.
        rows[f"{key}_changelist"] = row("vc", None, on_object=False)
        rows[f"{key}_add"] = row("a", "a", on_object=False)
        rows[f"{key}_change"] = row("vc", "c", on_object=True, args=obj)
        # Nobody deletes: the POST that would delete is asked; its GET page checks the same.
        rows[f"{key}_delete"] = Row(None, row("", "", on_object=True).POST, obj)
        rows[f"{key}_history"] = row("vc", None, on_object=True, args=obj)
        # The bare object address redirects to its change page.
        route = f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
        rows[route] = Row(_admin_cols([302] * 6), None, obj, foreign=False, same_for_all=True)
        if hasattr(model._meta, "simple_history_manager_attribute"):
            # One past version of the object; never restorable (POST) from the admin.
            rows[f"{key}_simple_history"] = row(
                "vc", "", on_object=True, args={"0": spec.obj, "1": f"version_of:{spec.obj}"}
            )
    # Pages some model admins add.
    # fmt: off
    rows["admin:auth_user_password_change"] = Row(
        (LOGIN,   403,   403,   403,   403,   403, LOGIN,   404),
        (LOGIN,   403,   403,   403,   403,   403, LOGIN,   404),
        {"id": "staff"})
    for page in ("config", "qrcode"):
        rows[f"admin:otp_totp_totpdevice_{page}"] = Row(
            (LOGIN,   403,   403,   403,   403,   403, LOGIN,   403), None, {"pk": "totp_device"})
    # fmt: on
    return rows


# --- walking the resolver -----------------------------------------------------------------------


def walk(patterns, prefix="", namespace=None):
    """(key, route) for every URL pattern, through every include; the key is the URL name with
    its namespace, or the route itself for an unnamed pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def all_urls() -> dict[str, str]:
    return dict(walk(get_resolver().url_patterns))


# --- the world and the clients -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_pdf_rendering(monkeypatch):
    """Who may download a PDF is the question here, not how it looks (tests/discipline/
    test_pdf.py): skip WeasyPrint's half second a page."""
    monkeypatch.setattr("discipline.pdf.render_pdf", lambda *args, **kwargs: b"%PDF-1.7 test")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world and one logged-in client per role, built once for the module and rolled back
    at its end."""
    # Thousands of refusals: logging each one (with its traceback) would be most of the time.
    quiet = [logging.getLogger(name) for name in ("django.request", "kycuong.security")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            home, foreign = build_world()
            clients = {}
            for role in ROLES:
                client = Client()
                if role != "anonymous":
                    client.force_login(home[role])
                clients[role] = client
            yield home, foreign, clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for logger, level in zip(quiet, levels, strict=True):
                logger.setLevel(level)


def fill(args: dict, world: dict) -> dict:
    """URL parameters from the world: "letter" is the pk of world["letter"], "unit_a.code" an
    attribute, "=text" the text itself, "type_of:x" x's content type, "version_of:x" the id of
    x's latest history record."""
    values = {}
    for name, source in args.items():
        if source.startswith("="):
            values[name] = source[1:]
        elif source.startswith("type_of:"):
            values[name] = str(ContentType.objects.get_for_model(world[source[8:]]).pk)
        elif source.startswith("version_of:"):
            values[name] = str(world[source[11:]].history.latest().history_id)
        else:
            obj_name, _, attribute = source.partition(".")
            values[name] = str(getattr(world[obj_name], attribute or "pk"))
    return values


def objects_of(row: Row) -> list[str]:
    """The world's objects a row's URL is about."""
    return [
        source.split(":")[-1].partition(".")[0]
        for source in row.args.values()
        if not source.startswith(("=", "type_of:"))
    ]


def url_for(key: str, row: Row, world: dict) -> str:
    if row.path:
        return row.path
    values = fill(row.args, world)
    if "/" in key:  # an unnamed pattern: its route with the parameters put in
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], key)
    if values and all(name.isdigit() for name in values):
        return reverse(key, args=[values[n] for n in sorted(values)])
    return reverse(key, kwargs=values)


_FINGERPRINT_SQL: list[str] = []


def fingerprint() -> list:
    """What a refused request must not change: the number of rows of every table, and every row
    of the tables whose changes no history table records (for the others, a change adds a
    history row, which the counts see)."""
    if not _FINGERPRINT_SQL:
        quote = connection.ops.quote_name
        models = [
            m
            for m in apps.get_models(include_auto_created=True)
            if m._meta.app_label
            in {"units", "inspections", "discipline", "auth", "axes", "otp_totp", "admin"}
        ]
        counts = [f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models]
        _FINGERPRINT_SQL.append("SELECT " + ", ".join(counts))
        for m in models:
            tracked = hasattr(m._meta, "simple_history_manager_attribute")
            historical = m.__name__.startswith("Historical")
            if not tracked and not historical and m._meta.db_table != "auth_permission":
                table = quote(m._meta.db_table)
                _FINGERPRINT_SQL.append(f"SELECT * FROM {table} ORDER BY 1")
    with connection.cursor() as cursor:
        result = []
        for sql in _FINGERPRINT_SQL:
            cursor.execute(sql)
            result.append(cursor.fetchall())
    return result


REQUIRED_CSP = [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
]


def header_problems(response) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    directives = [d.strip() for d in csp.split(";")]
    problems += [f"CSP lacks {d!r}" for d in REQUIRED_CSP if d not in directives]
    if "'unsafe-" in csp:
        problems.append("CSP allows something unsafe")
    if "Content-Security-Policy-Report-Only" in response.headers:
        problems.append("a report-only CSP: the policy must be enforced")
    if response.headers.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {response.headers.get('X-Frame-Options')!r}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if not response.headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    return problems


def outcome(response):
    if response.status_code == 302 and re.match(
        r"^/(admin/)?(accounts/)?login/", response.headers.get("Location", "")
    ):
        return LOGIN
    return response.status_code


def ask(client, method: str, url: str, *, refused_check: bool):
    """One request inside a savepoint that is rolled back, so that no request changes what the
    next one sees. Return (outcome, response, whether the database changed)."""
    cookies = copy.deepcopy(client.cookies)  # logging out must not log the next request out
    with transaction.atomic():
        before = fingerprint() if refused_check else None
        response = client.get(url) if method == "GET" else client.post(url, {})
        client.cookies = cookies
        got = outcome(response)
        changed = False
        if refused_check:
            changed = fingerprint() != before
        transaction.set_rollback(True)
    return got, response, changed


def all_rows() -> dict:
    return {**URLS, **admin_rows()}


def refused(got) -> bool:
    return got == LOGIN or (isinstance(got, int) and got >= 400)


def check(key: str, row: Row, world: tuple) -> list[str]:
    home, foreign, clients = world
    problems = []
    for method in ("GET", "POST"):
        expected = getattr(row, method)
        if expected is None:
            continue
        url = url_for(key, row, home)
        roles = list(zip(ROLES, expected, strict=True))
        if all(want == 405 for _, want in roles[1:]) or row.same_for_all:
            # A wrong method is refused before anything looks at who is asking.
            roles = roles[:2]
        answers = []
        for role, want in roles:
            got, response, changed = ask(
                clients[role], method, url, refused_check=method == "POST" and refused(want)
            )
            answers.append(got)
            if got != want:
                problems.append(f"{method} {url} as {role}: {got}, expected {want}")
            if changed and not row.changes:
                problems.append(f"{method} {url} as {role}: refused ({got}) but changed data")
            problems += [f"{method} {url} as {role}: {p}" for p in header_problems(response)]
        if answers != [want for _, want in roles]:
            # What the URL answers now, as a row: to review (never to paste unread).
            shown = ", ".join(
                "LOGIN" if a == LOGIN else "OK" if a == OK else str(a) for a in answers
            )
            problems.append(f"{method} answers, role by role: ({shown})")
        objects = objects_of(row)
        if not row.foreign or not objects or not all(o in foreign for o in objects):
            continue  # no object, or one no Authority owns
        # The same page for another Authority's object is outside the scope of everyone who
        # could use it for their own (the stranger belongs to that Authority).
        url = url_for(key, row, foreign)
        for role, want in roles[1:]:
            if role == "stranger" or refused(want):
                continue
            got, response, changed = ask(clients[role], method, url, refused_check=method == "POST")
            if got != 404:
                problems.append(f"{method} {url} (other Authority) as {role}: {got}, not 404")
            if changed:
                problems.append(f"{method} {url} (other Authority) as {role}: changed data")
    return problems


def test_every_url_has_a_row():
    urls = all_urls()
    rows = all_rows()
    missing = sorted(set(urls) - set(rows))
    assert not missing, (
        "URL patterns without a row in the permission matrix (tests/test_permission_matrix.py): "
        + ", ".join(f"{name} ({urls[name]})" for name in missing)
    )
    stale = sorted(set(rows) - set(urls))
    assert not stale, f"rows for URLs that no longer exist: {stale}"
    misshapen = [
        key
        for key, row in rows.items()
        if any(v is not None and len(v) != len(ROLES) for v in (row.GET, row.POST))
    ]
    assert not misshapen, f"rows without one status per role ({len(ROLES)}): {misshapen}"


@pytest.mark.parametrize("key", sorted(all_rows()))
def test_permission_matrix(key, world):
    problems = check(key, all_rows()[key], world)
    assert not problems, "\n".join(problems)
