"""The enterprise directory as .xlsx: the import's own format (importers.COLUMNS), so an export imports back
unchanged."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.core.xlsx import export_response
from jingkai.enterprises.importers import FOREIGN_KEYS, sheet_columns


def enterprise_directory(queryset, user):
    """The enterprises of a scoped, filtered queryset (one query for the rows, three for the drop-down lists)."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    return export_response(
        queryset.select_related(*FOREIGN_KEYS).iterator(chunk_size=2000),
        sheet_columns(user),
        sheet=_("Enterprise directory"),
        file_name=f"{_('Enterprise directory')}-{stamp}.xlsx",
    )
