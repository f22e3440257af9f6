"""No odd query parameter breaks a page (docs/security.md §1): every page URL × odd values, never a 5xx.

Every page row of the persona matrix (tests/matrix/table.py, filled with the matrix zone's ids) is requested as
a zone administrator and as a grid officer with every query parameter the pages read set to an odd value at
once (a huge or negative number, year 1, `0001-01`, NUL, a very long string, direction-override characters,
full-width digits …), then with each parameter given twice. A page may refuse the value (a 400, its form's
error, a page message) or ignore it; it never answers 500. The streamed body of an export is read to its end,
so an error while writing the workbook counts too.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.matrix.table import ROWS
from tests.matrix.test_matrix import mzone  # noqa: F401 (the module-scoped matrix zone)
from tests.matrix.vocabulary import Page, Ref

pytestmark = pytest.mark.slow

PERSONAS = ("zone_admin", "grid_officer")

# Every query parameter a page reads (the FilterSets' fields, the dashboards' choices, the pagers).
PARAMETERS = [
    "page",
    "year",
    "period",
    "measure",
    "by",
    "month",
    "months",
    "q",
    "grid",
    "community",
    "chain",
    "scale",
    "origin",
    "industry",
    "honour",
    "park",
    "group",
    "status",
    "sort",
    "state",
    "category",
    "department",
    "deadline",
    "channel",
    "enterprise",
    "submitted_from",
    "submitted_to",
    "date_from",
    "date_to",
    "from",
    "to",
    "kind",
    "show",
    "population",
    "class",
    "on",
    "stage",
    "rag",
    "country",
    "owner",
    "quiet",
    "milestone_due",
    "honour_expiring",
    "unread_only",
    "answered",
    "escalation",
    "description",
    "next",
    "template",
    "limit",
    "offset",
    "text",
    "id",
]

ODD_VALUES = {
    "huge": "9" * 40,
    "int64+1": str(2**63),
    "negative": "-634",
    "year10000": "10000",
    "year1-month": "0001-01",
    "year0": "0000-00",
    "nul": "\x00",
    "nul-inside": "G01\x00",
    "control": "\x07\x1b[31m",
    "long": "长" * 5000,
    "bidi": "\u202eG01\u2066",
    "fullwidth-digits": "２０２２",
    "superscript": "²",
    "nan": "NaN",
    "float": "1e400",
    "empty": "",
    "dots": "../../etc/passwd",
}


def _page_rows():
    return [row for row in ROWS if isinstance(row, Page) and "GET" in row.methods]


def _client(zone, persona: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = zone.sessions[persona]
    return client


def _url(zone, row) -> str:
    kwargs = {k: (v.resolve(zone) if isinstance(v, Ref) else v) for k, v in row.kwargs.items()}
    return reverse(row.target, kwargs=kwargs or None)


def _status(client: Client, url: str, query) -> int:
    response = client.get(url, query)
    if response.streaming:
        b"".join(response.streaming_content)  # an error while streaming an export is a failure too
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", _page_rows(), ids=lambda row: row.key("GET"))
def test_no_odd_query_parameter_breaks_a_page(mzone, db, row, persona):  # noqa: F811
    client = _client(mzone, persona)
    url = _url(mzone, row)
    broken = []
    for name, value in ODD_VALUES.items():
        status = _status(client, url, {**dict.fromkeys(PARAMETERS, value), **row.query})
        if status >= 500:
            broken.append(f"{name}: {status}")
    # Each parameter given twice (?x=1&x=2): the page reads one of them, or refuses.
    status = _status(client, url, {name: ["1", "2022-12"] for name in PARAMETERS})
    if status >= 500:
        broken.append(f"repeated: {status}")
    assert not broken, f"GET {url} as {persona}: {broken}"


@pytest.mark.parametrize("value", ["0001-01", "10000-01", "2022-13", "\x00", "9" * 30])
def test_a_bad_period_on_the_economy_pages_is_said_not_a_500(mzone, db, value):  # noqa: F811
    client = _client(mzone, "zone_admin")
    page = client.get(reverse("analytics:overview"), {"period": value})
    assert page.status_code == 200
    assert "YYYY-MM" in page.content.decode()  # the page says why the month shown is another one
    export = client.get(reverse("analytics:export", kwargs={"kind": "chain"}), {"period": value})
    assert export.status_code == 400
