"""The persona × endpoint matrix: every URL pattern, requested by every persona, against tests/matrix/table.py.

Three kinds of test:
- coverage: every page URL name, every API operation (method + OpenAPI path) and every admin area has a row in
  the table, and every row names something that still exists; either failure names the pattern;
- the requests: one test per (row, method, persona), against one zone built once per module (tests/matrix/zone.py);
- invariants checked on every response: no 5xx, a login redirect goes to the login page, an .xlsx answer is one.

MATRIX_RECORD=1 prints the statuses actually received beside the expected ones (for reading, never for copying
blindly into the table: a surprising status is a finding).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jingkai.core import audit
from jingkai.core.audit import AuditEvent
from tests.matrix.table import ROWS
from tests.matrix.vocabulary import ADMIN_LOGIN, LOGIN, SIGNED_IN, Admin, Api, Bug, Page, Ref, allow
from tests.matrix.zone import HIDDEN_FROM_OUTSIDER, MATRIX_PERSONAS, build_matrix_zone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The ninja URL patterns that are not operations of the schema (they are rows of their own, as pages).
API_PAGES = {"api:openapi-json", "api:openapi-view", "api:api-root"}


# --- what exists -------------------------------------------------------------------------------------------


def _patterns(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, (namespace, pattern.namespace)))
            yield from _patterns(pattern, ns)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


def page_url_names() -> set[str]:
    """Every named URL pattern outside the admin site and the API operations."""
    names = set()
    for namespace, pattern in _patterns():
        if namespace == "admin":  # its areas are rows of their own (admin_areas)
            continue
        assert pattern.name, (
            f"an unnamed URL pattern: {pattern.pattern} (name it so the matrix can hold its row)"
        )
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        if namespace == "api" and name not in API_PAGES:
            continue
        names.add(name)
    return names


def api_operations() -> set[str]:
    from jingkai.api.api import api

    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def api_url_paths() -> set[str]:
    """The API's own URL patterns, as OpenAPI paths (<ident> -> {ident})."""
    paths = set()
    for namespace, pattern in _patterns():
        if namespace == "api" and f"api:{pattern.name}" not in API_PAGES:
            route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
            paths.add("/api/" + route)
    return paths


def admin_areas() -> set[str]:
    """The admin site's index and one area per registered model (its changelist)."""
    return {"index"} | {model._meta.label_lower for model in admin.site._registry}


def row_keys(surface: type) -> dict[str, list]:
    keys: dict[str, list] = {}
    for row in ROWS:
        if type(row) is surface:
            for method in row.methods:
                keys.setdefault(f"{method} {row.target}" if surface is Api else row.target, []).append(row)
    return keys


# --- coverage ----------------------------------------------------------------------------------------------


def _diff(existing: set[str], rows: set[str], what: str) -> None:
    missing, stale = sorted(existing - rows), sorted(rows - existing)
    problems = []
    if missing:
        problems.append(f"{what} without a row in tests/matrix/table.py: {missing}")
    if stale:
        problems.append(f"rows of tests/matrix/table.py naming no {what}: {stale}")
    assert not problems, "\n".join(problems)


def test_every_page_url_pattern_has_a_row():
    _diff(page_url_names(), set(row_keys(Page)), "page URL pattern")


def test_every_api_operation_has_a_row():
    _diff(api_operations(), set(row_keys(Api)), "API operation")


def test_every_api_url_pattern_is_in_the_schema():
    """A route hidden from the OpenAPI schema would escape the table; none may be."""
    schema_paths = {key.split(" ", 1)[1] for key in api_operations()}
    assert api_url_paths() == schema_paths


def test_every_admin_area_has_a_row():
    _diff(admin_areas(), set(row_keys(Admin)), "admin area (registered model)")


def test_row_keys_are_unique():
    keys = [row.key(method) for row in ROWS for method in row.methods]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})


def test_every_row_fills_every_kwarg_of_its_pattern():
    """A page's kwargs are exactly its pattern's (reverse() would refuse otherwise); an API path's likewise."""
    for row in ROWS:
        if isinstance(row, Api):
            assert set(re.findall(r"{(\w+)}", row.target)) == set(row.kwargs), row.target


# --- the zone ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mzone(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix zone, built once for the module inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media")):
        cache.clear()  # dashboards cache by refresh ids, which rolled-back modules may reuse
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_matrix_zone()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def _client(zone, row, persona: str) -> Client:
    if persona == "anonymous":
        return Client()
    if isinstance(row, Api):
        return Client(HTTP_AUTHORIZATION=f"Bearer {zone.tokens[persona]}")
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = zone.sessions[persona]
    return client


def _url(zone, row) -> str:
    kwargs = {k: (v.resolve(zone) if isinstance(v, Ref) else v) for k, v in row.kwargs.items()}
    if isinstance(row, Api):
        return row.target.format(**kwargs)
    if isinstance(row, Admin):
        if row.target == "index":
            return reverse("admin:index")
        app_label, model = row.target.split(".")
        return reverse(f"admin:{app_label}_{model}_changelist")
    return reverse(row.target, kwargs=kwargs or None)


def _resolved(value, zone):
    if isinstance(value, Ref):
        return value.resolve(zone)
    if isinstance(value, dict):
        return {k: _resolved(v, zone) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, zone) for v in value]
    return value


def _call(zone, client: Client, method: str, url: str, row):
    if method == "GET":
        return client.get(url, _resolved(row.query, zone))
    if callable(row.body):  # a multipart upload
        return client.post(url, row.body(zone))
    if isinstance(row, Api):
        # The row's minimal valid body (ninja validates the body before the handler checks the caller, so an
        # empty one would be a 422 for everyone); an allowed caller may still get a 422 from the service.
        body = json.dumps(_resolved(row.body or {}, zone), cls=DjangoJSONEncoder)
        return client.generic(method, url, body, content_type="application/json")
    # A page's form posted empty: the permission check comes first, an allowed user sees the form's errors.
    return client.generic(method, url, "", content_type="application/x-www-form-urlencoded")


def _content(response) -> bytes:
    """The body, read once (a streamed download, such as a job's file, can be read only once)."""
    if not hasattr(response, "_matrix_content"):
        response._matrix_content = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    return response._matrix_content


def _text(response) -> str:
    """What a response shows, as text: an .xlsx's cells (its shared strings, and the inline strings of a workbook
    streamed by an export job), anything else decoded."""
    content = _content(response)
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            names = [
                n for n in book.namelist() if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/")
            ]
            return "".join(book.read(n).decode() for n in names)
    return content.decode(errors="replace")


def _leaks(zone, persona: str, response) -> list[str]:
    """The zone's texts this persona may not read (zone.secrets) that its answer shows."""
    if not 200 <= response.status_code < 300:
        return []
    text = _text(response)
    return [secret for secret, audience in zone.secrets.items() if persona not in audience and secret in text]


def _shown(response) -> int | str:
    """The status as the table writes it (LOGIN / ADMIN_LOGIN for a redirect to a login page)."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(resolve_url(settings.LOGIN_URL) + "?"):
            return LOGIN
    return response.status_code


def _cases(rows=ROWS):
    for row in rows:
        for method, expected in row.methods.items():
            for persona in MATRIX_PERSONAS:
                status = expected[persona]
                marks = ()
                if isinstance(status, Bug):
                    marks = (
                        pytest.mark.xfail(strict=True, reason=f"{status.reason} (today: {status.today})"),
                    )
                    status = status.should
                yield pytest.param(
                    row, method, persona, status, id=f"{row.key(method)}|{persona}", marks=marks
                )


RECORD = os.environ.get("MATRIX_RECORD") == "1"


@pytest.mark.parametrize(("row", "method", "persona", "expected"), list(_cases()))
def test_matrix(mzone, db, row, method, persona, expected):
    url = _url(mzone, row)
    response = _call(mzone, _client(mzone, row, persona), method, url, row)
    got = _shown(response)
    leaks = _leaks(mzone, persona, response)
    if RECORD:
        print(f"\nRECORD {row.key(method)}|{persona}|expected={expected}|got={got}|leaks={leaks}")
    assert got == expected, f"{method} {url} as {persona}: {got}, the table says {expected}"
    if response.status_code == 200 and url.endswith(".xlsx"):
        assert response["Content-Type"].startswith(XLSX), response["Content-Type"]
    if response.status_code == 200 and response.get("Content-Disposition", "").startswith("attachment"):
        _assert_audited_export(mzone, row, persona, response)
    assert not leaks, f"{method} {url} shows {persona} what it may not see: {leaks}"


# Downloads that are no export of the zone's data: blank import templates, an uploaded attachment.
NOT_EXPORTS = ("import_template", "attachment")


def _assert_audited_export(zone, row, persona, response):
    """issue 12 (docs/security.md §3): every export is in the audit log with who, the rows and the file's hash."""
    if row.target.endswith(NOT_EXPORTS):
        return
    event = AuditEvent.objects.order_by("-id").first()
    content = _content(response)
    assert event is not None and event.kind == audit.Kind.EXPORT, f"{row.key('GET')}: no EXPORT event"
    assert event.actor_id == zone.users[persona].pk
    assert event.details["sha256"] == hashlib.sha256(content).hexdigest()
    assert isinstance(event.details["rows"], int)


def test_the_outsider_gets_404_for_every_url_filled_with_another_areas_row():
    """Scoped rows answer an outsider 404, exactly as for a row that does not exist: never 403, never the row."""
    checked = 0
    for row in ROWS:
        hidden = [v for v in row.kwargs.values() if isinstance(v, Ref) and v._name in HIDDEN_FROM_OUTSIDER]
        if not hidden:
            continue
        for method, expected in row.methods.items():
            status = expected["outsider"]
            status = status.should if isinstance(status, Bug) else status
            assert status in (404, 405), f"{row.key(method)}: the outsider gets {status}, not 404"
            checked += 1
    assert checked > 40


def test_no_write_is_open_to_a_persona_the_table_denies_reads():
    """A sanity rule over the table itself: who gets 404 on a row's GET gets no 2xx/3xx on its writes."""
    for row in ROWS:
        read = row.methods.get("GET")
        if read is None:
            continue
        for method, expected in row.methods.items():
            if method == "GET":
                continue
            for persona, status in expected.items():
                status = status.should if isinstance(status, Bug) else status
                if read.get(persona) == 404 and isinstance(status, int):
                    assert status >= 400, f"{row.key(method)}: {persona} denied the read but gets {status}"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/visits", {"visited_on": "2023-06-01", "kind": "officer"}),
        ("/api/campaigns/{campaign}/responses", {"answers": {"status": "停产"}}),
    ],
)
@pytest.mark.parametrize("persona", ["outsider", "community_officer"])
def test_an_unseen_reference_reads_like_an_unknown_one(mzone, db, path, body, persona):
    """The table's UNSEEN_REFERENCE 422s: naming above1 answers exactly what naming no enterprise answers."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {mzone.tokens[persona]}")
    url = path.format(campaign=mzone.campaign.pk)
    answers = [
        client.post(url, {**body, "enterprise": code}, content_type="application/json")
        for code in (mzone.above1.uscc, mzone.new_uscc)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()


def test_every_secret_is_shown_to_its_audience_somewhere(mzone, db):
    """The leak check has teeth: each text it looks for does appear, for someone allowed, on an ordinary page."""
    asks = [
        ("zone_admin", reverse("enterprises:list")),
        ("zone_admin", reverse("demands:list")),
        ("zone_admin", reverse("visits:detail", kwargs={"pk": mzone.visit.pk})),
        ("zone_admin", reverse("investment:list")),
        ("zone_admin", reverse("campaigns:list")),
        ("zone_admin", "/api/enterprises"),
        ("grid_officer", reverse("notifications:list")),
        (
            "grid_officer",
            reverse("jobs:detail", kwargs={"pk": mzone.job.pk}),
        ),  # issue 13: a failed job's error
    ]
    shown = set()
    for persona, url in asks:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {mzone.tokens[persona]}")
        client.cookies[settings.SESSION_COOKIE_NAME] = mzone.sessions[persona]
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        shown |= {
            secret for secret, audience in mzone.secrets.items() if persona in audience and secret in text
        }
    assert set(mzone.secrets) - shown == set()


def test_a_bug_cell_is_a_strict_xfail_asserting_the_right_status():
    row = Page("healthz", GET=allow(SIGNED_IN, zone_admin=Bug(200, 500, "a server error"), anonymous=200))
    cases = {case.id: case for case in _cases([row])}
    bug = cases["GET healthz|zone_admin"]
    assert bug.values[-1] == 200
    [mark] = bug.marks
    assert (
        mark.name == "xfail" and mark.kwargs["strict"] is True and "a server error" in mark.kwargs["reason"]
    )
    assert not cases["GET healthz|outsider"].marks
