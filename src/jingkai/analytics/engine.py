"""Aggregations of the monthly statistics (filled in by the economic-operation work)."""

from __future__ import annotations


def refresh(periods) -> None:
    """Recompute what the dashboards read for these periods; called when a statistics import commits."""
