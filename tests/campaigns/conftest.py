from __future__ import annotations

import datetime as dt

import pytest

from jingkai.campaigns import services

RESUMPTION_FORM = [
    {
        "key": "status",
        "label": "生产经营状态",
        "type": "choice",
        "required": True,
        "choices": ["正常生产", "部分复工", "停产"],
    },
    {"key": "return_rate", "label": "员工返岗率", "type": "percent", "required": True},
    {"key": "difficulties", "label": "主要困难", "type": "text"},
    {"key": "needs_help", "label": "需要协调", "type": "boolean"},
]


def campaign_data(**overrides) -> dict:
    data = {
        "title": "2022年复工复产排查",
        "kind": "resumption",
        "description": "",
        "opens_on": dt.date(2022, 4, 6),
        "closes_on": dt.date(2022, 5, 31),
        "scope_kind": "zone",
        "form": RESUMPTION_FORM,
    }
    data.update(overrides)
    return data


@pytest.fixture
def campaign(zone):
    """A zone-wide campaign, launched: all four enterprises are targets."""
    created = services.create_campaign(zone["zone_admin"], campaign_data())
    services.launch_campaign(created, zone["zone_admin"])
    created.refresh_from_db()
    return created
