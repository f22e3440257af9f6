import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    # Reasons are asserted on their English msgids; the UI language (zh-hans) is checked in tests/i18n.
    with translation.override("en"):
        yield
