"""Demand escalation sweep (filled in by the demands issue)."""


def run(now, stdout=None) -> dict:
    return {}
