"""Pydantic schemas of the statistics import API."""

from __future__ import annotations

from ninja import Schema


class ImportOut(Schema):
    batch_id: int
    file_name: str
    status: str
    period: str | None = None
    counts: dict
    errors: list[dict]
    changed: list[dict] = []  # a refused commit: where the data changed since the preview (located)
    notices: list[str]
