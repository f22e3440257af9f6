"""Uploaded workbooks (zip files already) are stored without a second compression on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_uploaded_workbooks_are_stored_uncompressed_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting: runs on the PostgreSQL pass")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'core_importbatch'::regclass AND attname = 'content'"
        )
        assert cursor.fetchone()[0] == "e"  # EXTERNAL: out of line, not compressed
