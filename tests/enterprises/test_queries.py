"""The one way an enterprise is named by id or credit code (enterprises.queries), used by every API handler and
importer that takes one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from jingkai.campaigns.models import CampaignTarget
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.queries import LOOKUP_CHUNK, by_uscc, find_by_id_or_uscc, id_or_uscc
from tests import factories as f
from tests.stats.helpers import spaced


@pytest.mark.parametrize(
    ("ident", "lookup"),
    [
        ("91330482MA2B3C4D1J", {"uscc": "91330482MA2B3C4D1J"}),
        (" 9133 0482ma2b3c4d1j ", {"uscc": "91330482MA2B3C4D1J"}),
        ("９１３３０４８２ＭＡ２Ｂ３Ｃ４Ｄ１Ｊ", {"uscc": "91330482MA2B3C4D1J"}),
        ("123456789012345678", {"uscc": "123456789012345678"}),  # 18 digits: a code, never an id
        ("42", {"pk": 42}),
        (" 42 ", {"pk": 42}),
        ("1234567890123456789", None),  # too long for an id, not a code
        ("abc", None),
        ("", None),
    ],
)
def test_id_or_uscc(ident, lookup):
    assert id_or_uscc(ident) == lookup


def test_via_names_the_enterprise_of_another_model(db):
    assert id_or_uscc("7", via="enterprise") == {"enterprise__pk": 7}
    assert id_or_uscc("91330482ma2b3c4d1j", via="enterprise") == {"enterprise__uscc": "91330482MA2B3C4D1J"}
    assert CampaignTarget.objects.filter(**id_or_uscc("7", via="enterprise")).count() == 0  # a valid lookup


def test_find_by_id_or_uscc_is_scoped(zone):
    officer = zone["grid_officer"]
    assert find_by_id_or_uscc(officer, str(zone.above1.pk)) == zone.above1
    assert find_by_id_or_uscc(officer, spaced(zone.above1.uscc)) == zone.above1
    for ident in (str(zone.above2.pk), zone.above2.uscc, "abc", "99999999"):
        with pytest.raises(Http404):
            find_by_id_or_uscc(officer, ident)
    with pytest.raises(Http404):  # the queryset narrows further
        find_by_id_or_uscc(
            zone["zone_admin"], zone.above1.uscc, Enterprise.objects.exclude(pk=zone.above1.pk)
        )


def test_by_uscc_normalises_and_costs_one_query_per_chunk(zone, settings):
    codes = [spaced(zone.above1.uscc), zone.above2.uscc.lower(), None, "", "unknown"]
    with CaptureQueriesContext(connection) as queries:
        found = by_uscc(codes)
    assert found == {zone.above1.uscc: zone.above1, zone.above2.uscc: zone.above2} and len(queries) == 1
    many = [e.uscc for e in f.EnterpriseFactory.create_batch(3)] + [f"X{i}" for i in range(LOOKUP_CHUNK)]
    with CaptureQueriesContext(connection) as queries:
        assert len(by_uscc(many)) == 3
    assert len(queries) == 2
    visible = Enterprise.objects.visible_to(zone["grid_officer"])
    assert set(by_uscc([zone.above1.uscc, zone.above2.uscc], visible)) == {zone.above1.uscc}
