"""Investment reminders (filled in by the investment issue)."""


def run(now, stdout=None) -> dict:
    return {}
