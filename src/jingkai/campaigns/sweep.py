"""Campaign reminders (filled in by the campaigns work)."""


def run(now, stdout=None) -> dict:
    return {}
