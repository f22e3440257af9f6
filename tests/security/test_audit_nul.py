"""A NUL a caller sent (an export's filter "a\\x00b") is recorded as the text "\\x00": PostgreSQL's text and jsonb
cannot hold NUL, and a refused audit row would turn the export into a server error (found by the odd-parameter
walk on PostgreSQL)."""

from __future__ import annotations

import pytest

from jingkai.core import audit
from jingkai.core.audit import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_nul_in_what_is_recorded_is_stored_visibly_and_the_chain_still_verifies(zone):
    event = audit.record(
        audit.Kind.EXPORT,
        user=zone["zone_admin"],
        summary="企业名录 q=a\x00b",
        filters={"q": ["a\x00b"], "k\x00": 1},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.summary == "企业名录 q=a\\x00b"
    assert stored.details["filters"] == {"q": ["a\\x00b"], "k\\x00": 1}
    assert stored.hash == stored.compute_hash()
