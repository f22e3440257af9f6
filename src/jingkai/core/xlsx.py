"""Writing workbooks with xlsxwriter: exports, blank import templates and their instructions sheets.

Cells keep their types so that staff can sort and sum in Excel and so that a written workbook reads back
unchanged: dates as real Excel dates, decimals as numbers (as text when a float could not hold every digit),
text as text (never a formula, whatever it starts with).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

MAX_ROW = 1_048_575  # Excel's last row, 0-based: validation lists cover every row a user may fill
LIST_SOURCE_LIMIT = 255  # Excel refuses an inline validation list longer than this
EXACT_DIGITS = 15  # a float (and Excel) keeps 15 significant digits
DATE_FORMAT = "yyyy-mm-dd"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportTooLarge(Exception):
    """A list export in a request has more rows than JINGKAI_EXPORT_JOB_ROWS: it becomes a job
    (core.export_jobs.ExportJobMiddleware catches this and enqueues one)."""


@dataclass
class ExportTarget:
    """Where export_response writes while a job runs an export view (core.export_jobs): a file, streamed."""

    path: str
    job: object = None  # the Job, for its progress
    file_name: str = ""
    rows: int = 0


# Set by the export-job middleware during a request (a list export above the threshold raises ExportTooLarge),
# and by the export job while it runs the view again (export_response streams to the file).
EXPORT_ROW_LIMIT: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "export_row_limit", default=None
)
EXPORT_TARGET: contextvars.ContextVar[ExportTarget | None] = contextvars.ContextVar(
    "export_target", default=None
)


def _limited(rows: Iterable, limit: int) -> Iterable:
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise ExportTooLarge(limit)
        yield row


def _counted(rows: Iterable, target: ExportTarget) -> Iterable:
    from django.utils.translation import gettext as _t

    for count, row in enumerate(rows, start=1):
        target.rows = count
        if target.job is not None:
            target.job.progress(count, stage=_t("Writing rows"))
        yield row


class Workbook(bytes):
    """A written workbook's bytes, knowing how many data rows were written into it (for the audit log)."""

    rows: int | None = None


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    """A workbook as a download; filename*=utf-8''… (RFC 6266/5987) so browsers keep the Chinese file name.

    Not audited: for what is no export of data (a blank import template). An export goes through
    audited_download."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    response.file_name = file_name
    response.rows = getattr(content, "rows", None)
    return response


def audited_download(
    request,
    download,
    file_name: str | None = None,
    *,
    rows: int | None = None,
    target=None,
    filters: dict | None = None,
    content_type: str = XLSX,
) -> HttpResponse:
    """Every export's one way out (docs/security.md §3): the download, and an EXPORT event in the audit log
    with the user, the filters (the query parameters asked with, unless `filters` says), the row count, the
    file's SHA-256 and its name.

    `download`: the response of export_response / xlsx_response (which know their file name and rows), or the
    bytes of a workbook (a WorkbookBuilder's know their rows) or of another file, with `file_name`.
    A download whose row count is unknown is refused (TypeError), never audited with a guess.
    """
    from jingkai.core import audit

    if isinstance(download, ExportFileResponse):
        return download  # an export job's file: audited when its owner downloads it (core.export_jobs)
    if isinstance(download, HttpResponse):
        response, content = download, download.content
        file_name = file_name or download.file_name
        rows = rows if rows is not None else download.rows
    else:
        content = download
        rows = rows if rows is not None else getattr(download, "rows", None)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    if rows is None or not file_name:
        raise TypeError("audited_download needs the file name and the number of rows exported")
    if filters is None:
        filters = {key: values if len(values) > 1 else values[0] for key, values in request.GET.lists()}
        filters.pop("page", None)
    sha256 = hashlib.sha256(content).hexdigest()
    audit.record(
        audit.Kind.EXPORT,
        request=request,
        target=target,
        summary=f"{file_name} ({rows})",
        path=request.path,
        file_name=file_name,
        filters=filters,
        rows=rows,
        sha256=sha256,
    )
    response["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class XlsxColumn:
    header: str
    kind: str = "text"  # text | number | integer | date
    width: float = 14
    required: bool = False  # the header gets a trailing * (the importer tolerates it)
    choices: Sequence[str] = ()  # offered as a drop-down list; other values are allowed after a warning
    value: Callable[[object], object] | None = field(default=None, compare=False)  # record -> cell (exports)

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header


def export_response(
    rows: Iterable, columns: Sequence[XlsxColumn], *, sheet: str, file_name: str
) -> HttpResponse:
    """The one .xlsx list export: a typed sheet with a frozen, filterable header row, as a download.

    rows: records (a queryset, a list …), each written through every column's `value`; or, when the columns
    have no `value`, sequences of cells. The caller hands in rows already scoped (`visible_to(user)`) and
    filtered (the list's FilterSet), with the select_related its columns read, so the export costs one
    query for the rows whatever their number.
    """
    target = EXPORT_TARGET.get()
    if target is not None:
        # A job runs the export view again as its owner: the rows stream to the job's file.
        builder = WorkbookBuilder(path=target.path)
        target.rows = builder.add_table(sheet, columns, _counted(rows, target))
        builder.close()
        target.file_name = file_name
        return ExportFileResponse(target)
    limit = EXPORT_ROW_LIMIT.get()
    if limit is not None:
        rows = _limited(rows, limit)
    builder = WorkbookBuilder()
    builder.add_table(sheet, columns, rows)
    return xlsx_response(builder.to_bytes(), file_name)  # the view sends it through audited_download


class ExportFileResponse(HttpResponse):
    """What an export view answers inside an export job: the file written (never sent; the job keeps it)."""

    def __init__(self, target: ExportTarget):
        super().__init__(b"", content_type=XLSX)
        self.target = target
        self.file_name = target.file_name
        self.rows = target.rows


class WorkbookBuilder:
    """Build a workbook in memory; call to_bytes() once at the end."""

    def __init__(self, path: str | None = None):
        """In memory; or, given `path`, streamed to that file row by row (constant memory, for export jobs:
        rows must then be written in order, as add_table does)."""
        self._buffer = io.BytesIO() if path is None else None
        self.book = xlsxwriter.Workbook(
            path if path is not None else self._buffer,
            {
                "in_memory": path is None,
                "constant_memory": path is not None,
                # Text is written as text: a name that starts with "=" must not become a formula.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.header_format = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.required_format = self.book.add_format(
            {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.formats = {
            "text": self.book.add_format({"num_format": "@"}),  # typed digits (stock codes) stay text
            "number": self.book.add_format({"num_format": "General"}),
            "integer": self.book.add_format({"num_format": "0"}),
            "date": self.book.add_format({"num_format": DATE_FORMAT}),
        }
        self.datetime_format = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.title_format = self.book.add_format({"bold": True, "font_size": 14})
        self.wrap_format = self.book.add_format({"text_wrap": True, "valign": "top"})
        self._lists = None
        self._list_columns = 0
        self._streamed = path is not None
        self._pending_lists: list[list[str]] = []
        self._data_rows: set[tuple[str, int]] = set()  # (sheet, row) written through write_cell

    def add_table(self, name: str, columns: Sequence[XlsxColumn], rows: Iterable) -> int:
        """A sheet with a bold, frozen header row and one typed cell per value; returns the number of rows.

        rows: sequences of cells, or records when every column has a `value` (see export_response).
        """
        getters = [column.value for column in columns]
        if columns and all(getters):
            rows = ([get(record) for get in getters] for record in rows)
        sheet = self.book.add_worksheet(name)
        sheet.set_row(0, 30)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width, self.formats.get(column.kind))
            header_format = self.required_format if column.required else self.header_format
            sheet.write_string(0, index, str(column.title), header_format)
            if column.choices:
                self._add_list(sheet, index, column.choices)
        sheet.freeze_panes(1, 0)
        count = 0
        for count, values in enumerate(rows, start=1):
            for index, value in enumerate(values):
                self.write_cell(
                    sheet, count, index, value, columns[index].kind if index < len(columns) else "text"
                )
        if columns:
            sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
        return count

    def add_notes(
        self, name: str, title: str, paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()
    ) -> None:
        """An instructions sheet: a title, numbered paragraphs, then an optional table (first row bold)."""
        sheet = self.book.add_worksheet(name)
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 12)
        sheet.set_column(2, 2, 90)
        sheet.write_string(0, 0, title, self.title_format)
        row = 2
        for number, paragraph in enumerate(paragraphs, start=1):
            sheet.merge_range(row, 0, row, 2, f"{number}. {paragraph}", self.wrap_format)
            sheet.set_row(row, 15 * (1 + len(paragraph) // 70))
            row += 1
        row += 1
        for index, cells in enumerate(table):
            cell_format = self.header_format if index == 0 else self.wrap_format
            for col, value in enumerate(cells):
                sheet.write_string(row, col, str(value), cell_format)
            row += 1

    def write_cell(self, sheet, row: int, col: int, value, kind: str = "text") -> None:
        if not self._streamed:  # a streamed export counts its rows in add_table (constant memory)
            self._data_rows.add((sheet.name, row))
        if value is None or value == "":
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, Decimal):
            if len(value.normalize().as_tuple().digits) <= EXACT_DIGITS:
                sheet.write_number(row, col, float(value))
            else:
                # More digits than a float holds: text keeps the figure exact and imports back unchanged.
                sheet.write_string(row, col, f"{value.normalize():f}")
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value)
        elif isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            sheet.write_datetime(row, col, value, self.datetime_format)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.formats["date"])
        else:
            sheet.write_string(row, col, str(value))

    def _add_list(self, sheet, col: int, choices: Sequence[str]) -> None:
        options = {
            "validate": "list",
            "ignore_blank": True,
            "error_type": "warning",  # the importer accepts other spellings (codes, aliases) too
            "error_title": _("Not in the list"),
            "error_message": _("This value is not in the list. The import will check it."),
        }
        if len(",".join(choices)) < LIST_SOURCE_LIMIT and not any("," in c for c in choices):
            options["source"] = list(choices)
        else:
            options["source"] = self._list_range(choices)
        sheet.data_validation(1, col, MAX_ROW, col, options)

    def _list_range(self, choices: Sequence[str]) -> str:
        # Long lists live in one hidden sheet, one list per column. The importer skips that sheet because
        # it has no header row.
        if self._lists is None:
            self._lists = self.book.add_worksheet(_("Lists"))
            self._lists.hide()
        col = self._list_columns
        if self._streamed:
            self._pending_lists.append(list(choices))  # written row by row on close (constant memory)
        else:
            for row, value in enumerate(choices):
                self._lists.write_string(row, col, value)
        self._list_columns += 1
        letter = xl_col_to_name(col)
        return f"='{self._lists.name}'!${letter}$1:${letter}${len(choices)}"

    @property
    def rows(self) -> int:
        """The data rows written (through add_table and write_cell; headers and titles are not counted)."""
        return len(self._data_rows)

    def close(self) -> None:
        """Finish a workbook streamed to its file."""
        if self._pending_lists:
            for row in range(max(len(choices) for choices in self._pending_lists)):
                for col, choices in enumerate(self._pending_lists):
                    if row < len(choices):
                        self._lists.write_string(row, col, choices[row])
        self.book.close()

    def to_bytes(self) -> Workbook:
        self.book.close()
        content = Workbook(self._buffer.getvalue())
        content.rows = self.rows
        return content
