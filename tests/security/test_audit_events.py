"""What the audit log records (docs/security.md §3): every export (user, filters, rows, the file's SHA-256),
every import commit (kind, batch, rows, SHA-256), role changes, account creation and deactivation.

The exports are asked in the matrix zone (tests/matrix/zone.py), one per app that has one, and the row count
recorded is checked against the file itself. tests/matrix checks, for every export URL × persona answering a
download, that the event carries that persona and the file's hash.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jingkai.core import audit
from jingkai.core.audit import AuditEvent
from jingkai.core.models import ImportBatch
from tests.matrix.zone import build_matrix_zone


@pytest.fixture(scope="module")
def mzone(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("audit-media")):
        cache.clear()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_matrix_zone()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def _client(zone, persona: str) -> Client:
    client = Client()
    client.force_login(zone.users[persona])
    return client


def _data_rows(content: bytes, headers: int) -> int:
    """Rows with a value in the first sheet (the one table list exports write), minus its header rows."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return sum(1 for row in rows if any(cell not in ("", None) for cell in row)) - headers


# (app, URL name, URL kwargs, query, persona); the list exports (one table, one header row) are counted
# against the file.
EXPORTS = [
    ("enterprises", "enterprises:export", {}, {"q": ""}, "zone_admin", True),
    ("demands", "demands:export", {}, {}, "zone_admin", True),
    ("visits", "visits:export", {}, {"kind": "officer"}, "grid_officer", True),
    ("visits", "visits:not_visited_export", {}, {}, "zone_admin", True),
    ("visits", "visits:dashboard_export", {"code": "grid1.code"}, {}, "grid_officer", False),
    ("investment", "investment:export", {}, {}, "investment", True),
    ("investment", "investment:monthly_report", {}, {"year": 2022, "month": 5}, "investment", False),
    ("campaigns", "campaigns:results_export", {"pk": "campaign"}, {}, "zone_admin", False),
    ("evaluation", "evaluation:results_export", {"year": 2022}, {}, "zone_admin", True),
    ("analytics", "analytics:export", {"kind": "grid"}, {}, "zone_admin", True),
    ("core", "audit:export", {}, {"kind": "import_commit"}, "audit_admin", True),
]


def _kwargs(zone, kwargs: dict) -> dict:
    resolved = {}
    for key, value in kwargs.items():
        if isinstance(value, str) and "." in value:
            name, attr = value.split(".")
            value = getattr(zone.objects[name], attr)
        elif isinstance(value, str) and value in zone.objects:
            value = zone.objects[value].pk
        resolved[key] = value
    return resolved


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("app", "url_name", "kwargs", "query", "persona", "one_table"), EXPORTS, ids=[e[1] for e in EXPORTS]
)
def test_every_export_is_audited_with_user_filters_rows_and_hash(mzone, app, url_name, kwargs, query, persona,
                                                                  one_table):  # fmt: skip
    url = reverse(url_name, kwargs=_kwargs(mzone, kwargs) or None)
    client = _client(mzone, persona)  # signing in is an event of its own (LOGIN), before the export
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment")
    events = list(AuditEvent.objects.filter(id__gt=before))
    assert len(events) == 1, events
    event = events[0]
    assert event.kind == audit.Kind.EXPORT
    assert event.actor_id == mzone.users[persona].pk and event.actor_username == persona
    assert event.details["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert event.details["path"] == url
    assert event.details["filters"] == {k: str(v) for k, v in query.items()}
    assert (
        event.details["file_name"] in response["Content-Disposition"]
        or "filename*" in response["Content-Disposition"]
    )
    rows = event.details["rows"]
    assert isinstance(rows, int) and rows >= 0
    if one_table:
        assert rows == _data_rows(response.content, headers=1)
    else:
        assert rows > 0  # summary workbooks: the data rows written (titles and headers not counted)


@pytest.mark.django_db
def test_the_audit_logs_csv_export_is_audited_too(mzone):
    response = _client(mzone, "audit_admin").get(reverse("audit:export_csv"), {"kind": "import_commit"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    event = AuditEvent.objects.order_by("-id").first()
    assert event.kind == audit.Kind.EXPORT and event.details["filters"] == {"kind": "import_commit"}
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert event.details["rows"] == len(lines) - 1 == AuditEvent.objects.filter(kind="import_commit").count()
    assert event.details["sha256"] == hashlib.sha256(response.content).hexdigest()


@pytest.mark.django_db
def test_an_invalid_filter_exports_nothing_and_records_nothing(mzone):
    client = _client(mzone, "audit_admin")
    count = AuditEvent.objects.count()
    response = client.get(reverse("audit:export"), {"date_from": "not a date"})
    assert response.status_code == 400
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_an_import_commit_is_audited_with_kind_batch_rows_and_hash(mzone):
    """The matrix zone commits a statistics file through its page; the commit's event is in the log."""
    batch = ImportBatch.objects.get(pk=mzone.objects["stats_batch"])
    assert batch.status == ImportBatch.Status.COMMITTED
    event = AuditEvent.objects.get(kind=audit.Kind.IMPORT_COMMIT, target=f"core.importbatch:{batch.pk}")
    counts = batch.summary["counts"]
    assert event.details["import_kind"] == batch.kind == "stats.monthly"
    assert event.details["batch"] == batch.pk
    assert event.details["sha256"] == batch.sha256
    assert event.details["rows"] == counts["create"] + counts["update"] + counts["unchanged"] > 0
    assert event.actor_id == mzone.users["zone_admin"].pk


@pytest.mark.django_db
def test_a_rejected_or_repeated_commit_records_no_commit(mzone):
    count = AuditEvent.objects.filter(kind=audit.Kind.IMPORT_COMMIT).count()
    client = _client(mzone, "zone_admin")
    response = client.post(reverse("stats:import_preview", kwargs={"batch_id": mzone.objects["stats_batch"]}))
    assert response.status_code in (200, 302, 409)
    assert AuditEvent.objects.filter(kind=audit.Kind.IMPORT_COMMIT).count() == count
