"""Any filtered list of demands as .xlsx (the pool's filters, scoped to the user)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.core.xlsx import XlsxColumn, export_response

STATUS_LABELS = {"red": "超期", "amber": "临期", "green": "正常", "": ""}


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# The headers are the hotline's data format (as in importers.py): not translated.
COLUMNS = [
    XlsxColumn("编号", "text", 18, value=lambda d: d.number),
    XlsxColumn("提交时间", "text", 18, value=lambda d: _local(d.submitted_at)),
    XlsxColumn("企业名称", "text", 30, value=lambda d: d.enterprise.name),
    XlsxColumn("统一社会信用代码", "text", 22, value=lambda d: d.enterprise.uscc),
    XlsxColumn("诉求类别", "text", 16, value=lambda d: str(d.category)),
    XlsxColumn("渠道", "text", 10, value=lambda d: d.get_channel_display()),
    XlsxColumn("诉求标题", "text", 24, value=lambda d: d.title),
    XlsxColumn("诉求内容", "text", 50, value=lambda d: d.description),
    XlsxColumn("状态", "text", 10, value=lambda d: d.get_state_display()),
    XlsxColumn("承办部门", "text", 14, value=lambda d: d.department.name if d.department_id else ""),
    XlsxColumn("办理时限", "date", 12, value=lambda d: d.due_on),
    XlsxColumn(
        "时限状态", "text", 8, value=lambda d: STATUS_LABELS.get(getattr(d, "deadline_status", ""), "")
    ),
    XlsxColumn("督办级别", "integer", 8, value=lambda d: d.escalation_level),
    XlsxColumn("答复", "text", 40, value=lambda d: d.reply),
    XlsxColumn("评价", "text", 10, value=lambda d: d.get_rating_display() if d.rating else ""),
    XlsxColumn("办结时间", "text", 18, value=lambda d: _local(d.closed_at)),
]


def demand_list(queryset):
    """The demands of a filtered, scoped queryset (annotated with deadline_status); one query for the rows."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    rows = queryset.select_related("enterprise", "category__parent", "department").iterator(chunk_size=2000)
    return export_response(rows, COLUMNS, sheet=_("Demands"), file_name=f"{_('Demands')}-{stamp}.xlsx")
