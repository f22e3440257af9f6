"""Reading the workbooks staff fill in, and the one import flow every importer follows.

The flow (ARCHITECTURE.md §3, STYLE.md habit 8), written once in `Importer`:

1. upload: `check_file()` refuses what is not an .xlsx at all, then `Importer.record_upload()` keeps the bytes
   in an ImportBatch so that preview and commit may run on different servers;
2. preview: `Importer.read()` (by default `read_workbook()`) finds the header row of each sheet, parses every
   cell and collects *every* problem as a `RowError` located by sheet, Excel row number and column; the
   subclass's `plan()` adds its own row rules and classifies rows into an `ImportReport` (create / update /
   unchanged);
3. commit: `Importer.commit_batch()` re-validates the stored file under a lock and applies it all-or-nothing.

The pages are one generic upload / preview pair (core/import_views.py, templates/imports/), parameterised by
the importer class. Parsers (`text`, `decimal`, `integer`, `date`, `choice`) turn one non-blank cell into a
clean value or raise `CellError` with the reason shown to staff. Blank cells never reach a parser: the
column says what blank means (`Column.blank`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation

import python_calamine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jingkai.core import jobs
from jingkai.core.models import ImportBatch, ImportResultChunk, Job
from jingkai.core.money import parse_decimal
from jingkai.core.xlsx import XlsxColumn

HEADER_SEARCH_ROWS = 20  # the header row may sit below a title or a few notes
SUMMARY_ERRORS = 100  # the first errors kept in ImportBatch.summary (all of them are in the stored results)
RESULT_CHUNK = 500  # errors or planned rows per ImportResultChunk
PREVIEW_PAGE = 100  # items per preview page; divides RESULT_CHUNK, so a page reads one chunk per part
PROGRESS_EVERY = 5000  # rows between two calls of the progress callback
STORE_BATCH = 20  # chunks per INSERT
CHANGED_SHOWN = 100  # differences between preview and commit listed, at most
RESULTS_VERSION = 1  # of the stored results' shape; older previews are computed again once
MIN_HEADER_MATCHES = 2  # fewer known headers in a row: the sheet is notes, not data

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"

Progress = Callable[..., None]  # progress(done, total=None, stage=""): rows done of total, and the stage
READING, CHECKING, WRITING = gettext_lazy("Reading"), gettext_lazy("Checking"), gettext_lazy("Writing")


def no_progress(done: int, total: int | None = None, stage: str = "") -> None:
    pass


# --- Errors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, located as Excel shows it. row is None for a problem with a whole file or sheet."""

    sheet: str = ""
    row: int | None = None
    column: str = ""  # the header as the user wrote it
    letter: str = ""  # A, B … AA
    reason: str = ""
    text: str = ""  # the cell as written, for a cell that did not parse (shown next to the reason)

    @property
    def cell(self) -> str:
        """E.g. C5, or the column letter alone, or "" for a file-level problem."""
        return f"{self.letter}{self.row or ''}" if self.letter else ""

    def as_dict(self) -> dict:
        return {**asdict(self), "cell": self.cell}


class CellError(ValueError):
    """Raised by a parser; the message is shown to staff next to the cell."""


class ImportRejected(Exception):
    """Raised while applying a batch to undo everything; carries the located errors."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


class BatchAlreadyCommitted(Exception):
    pass


# --- Text helpers ---------------------------------------------------------------------------------


# Characters that show as nothing but make two equal-looking cells differ: zero-width space, joiners, word
# joiner, byte-order mark, soft hyphen. Removed wherever a cell is read; no-break spaces become spaces.
INVISIBLE = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None),
    ord("\u00a0"): " ",
    ord("\u202f"): " ",
}


def clean(text) -> str:
    """The cell's text without invisible characters (INVISIBLE), no-break spaces as spaces."""
    return str(text).translate(INVISIBLE)


def fold(text) -> str:
    """How two spellings are compared: full-width to half-width (NFKC), no white space, case-folded."""
    folded = unicodedata.normalize("NFKC", clean(text))
    return "".join(ch for ch in folded if not ch.isspace()).casefold()


def normalize_header(text) -> str:
    """统一社会信用代码*, ' 注册资本（万） ' and 注册资本(万) all compare equal; the * marks a required column."""
    return fold(text).rstrip("*")


def join_list(items: Iterable) -> str:
    """Items joined the way the UI language lists them (、 in Chinese)."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value) -> str:
    """A cell value as staff would recognise it in an error message."""
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean(value).strip()


def _float_text(value: float) -> str:
    # Excel keeps 15 significant digits; anything beyond is binary noise (0.1 + 0.2 = 0.30000000000000004).
    return format(value, ".15g")


# The words that open a note or a signature line under a table (注：…, 填表人：李四): a data format, like
# the headers. A row is a note when every non-blank cell in it opens with one of them.
NOTE_WORDS = (
    "注", "备注", "说明", "附注", "填报说明", "填表说明",
    "填报人", "填表人", "填报", "制表人", "制表", "审核人", "审核", "复核人",
    "负责人", "单位负责人", "统计负责人", "部门负责人", "主管领导", "联系人", "联系电话",
    "报出日期", "填报日期", "填表日期", "制表日期", "数据来源", "资料来源",
)  # fmt: skip
NOTE_PATTERN = (  # after NFKC; also used column-wise by the statistics reader (a Rust regex there)
    r"^(?:" + "|".join(sorted(map(re.escape, NOTE_WORDS), key=len, reverse=True)) + r")"
    r"\s*(?:[0-9一二三四五六七八九十]+\s*)?[:：、.．]"
)
_NOTE = re.compile(NOTE_PATTERN)


def is_note_text(value) -> bool:
    return isinstance(value, str) and bool(_NOTE.match(unicodedata.normalize("NFKC", clean(value)).strip()))


def is_note_row(cells: Sequence) -> bool:
    """Every non-blank cell is text opening with a note word and a colon (注：…, 填表人：李四, 注1、…)."""
    filled = [cell for cell in cells if not is_blank(cell)]
    return bool(filled) and all(is_note_text(cell) for cell in filled)


# --- Parsers --------------------------------------------------------------------------------------

Parser = Callable[[object], object]


def text(max_length: int | None = None) -> Parser:
    def parse(value):
        if isinstance(value, bool):
            raise CellError(_("Expected text, found TRUE or FALSE"))
        if isinstance(value, float):
            if value.is_integer() and abs(value) >= 1e15:
                raise CellError(
                    _(
                        "Excel stored this long number as a number and may have changed its last digits; "
                        "format the column as text and type it again"
                    )
                )
            value = str(int(value)) if value.is_integer() else _float_text(value)
        result = shown(value)
        if max_length is not None and len(result) > max_length:
            raise CellError(
                _("Too long: %(length)d characters, at most %(max)d")
                % {"length": len(result), "max": max_length}
            )
        return result

    return parse


def to_decimal(value) -> Decimal:
    """A number cell or text as staff type it (full-width digits, thousands separators) as an exact Decimal."""
    if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
        raise CellError(_("“%(value)s” is not a number") % {"value": shown(value)})
    if isinstance(value, float):
        return Decimal(_float_text(value))
    try:
        return parse_decimal(clean(value) if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(value)s” is not a number") % {"value": shown(value)}) from None


def decimal(*, max_digits: int, decimal_places: int, scale: int = 1) -> Parser:
    """A number stored with max_digits/decimal_places after multiplying by scale (10000 for 万).

    Too many decimals is an error, never a silent rounding.
    """
    scale_places = len(str(scale)) - 1  # scale is a power of ten
    limit = Decimal(10) ** (max_digits - decimal_places)

    def parse(value):
        number = to_decimal(value)
        stored = number * scale
        if -stored.normalize().as_tuple().exponent > decimal_places:
            raise CellError(
                _("“%(value)s” has too many decimal places (at most %(places)d)")
                % {"value": shown(value), "places": decimal_places + scale_places}
            )
        if abs(stored) >= limit:
            raise CellError(_("“%(value)s” is too large") % {"value": shown(value)})
        # Exact (checked above); drops the trailing zeros of "× 10000" that would count as digits.
        return stored.quantize(Decimal(1).scaleb(-decimal_places))

    return parse


def integer(*, minimum: int = 0, maximum: int = 2_147_483_647) -> Parser:
    def parse(value):
        number = to_decimal(value)
        if number != number.to_integral_value():
            raise CellError(_("“%(value)s” is not a whole number") % {"value": shown(value)})
        if number < minimum:
            raise CellError(_("Must be at least %(min)d") % {"min": minimum})
        if number > maximum:
            raise CellError(_("Must be at most %(max)d") % {"max": maximum})
        return int(number)

    return parse


# The ways staff type a date as text (a data format, like the column headers, so not translated).
DATE_TEXT_EXAMPLES = ("2003-09-01", "2003/9/1", "2003年9月1日")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def date() -> Parser:
    """An Excel date, or text 2003-09-01, 2003/9/1, 2003.9.1 or 2003年9月1日."""

    def parse(value):
        if isinstance(value, dt.datetime):
            if value.time() != dt.time(0, 0):
                raise CellError(
                    _("“%(value)s” has a time of day; write the date only") % {"value": shown(value)}
                )
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            match = _DATE_TEXT.match(unicodedata.normalize("NFKC", value).strip())
            if match:
                try:
                    return dt.date(*(int(part) for part in match.groups()))
                except ValueError:
                    raise CellError(_("“%(value)s” is not a real date") % {"value": shown(value)}) from None
        raise CellError(
            _("“%(value)s” is not a date: use an Excel date or write it as %(formats)s")
            % {"value": shown(value), "formats": join_list(DATE_TEXT_EXAMPLES)}
        )

    return parse


def choice(options: Mapping[str, object], listed: Sequence[str]) -> Parser:
    """One of the spellings in options (compared with fold()); listed is what an error suggests."""
    folded = {fold(key): value for key, value in options.items()}

    def parse(value):
        key = fold(shown(value))
        if key in folded:
            return folded[key]
        raise CellError(
            _("“%(value)s” is not one of: %(choices)s")
            % {"value": shown(value), "choices": join_list(listed)}
        )

    return parse


# --- Columns and reading --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an import, which is also the same column of the export and the blank template."""

    key: str  # the model field (or the importer's own name)
    header: str  # as the template writes it, without the * (a data format: see each importer)
    parse: Parser = field(default_factory=text)  # non-blank cell -> clean value, or CellError
    required: bool = False
    blank: object = None  # the value of a blank cell
    aliases: tuple[str, ...] = ()  # other headers staff use for the same column
    kind: str = "text"  # how the export writes it: text | number | integer | date
    width: float = 14
    to_cell: Callable[[object], object] | None = None  # model value -> cell value (the inverse of parse)
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the template and the export
    help: str = ""  # what to write, for the instructions sheet (lazy translation)

    def cell(self, value):
        return self.to_cell(value) if self.to_cell is not None else value

    def export_value(self, obj):
        """The cell an export writes for a record: its field through to_cell."""
        return self.cell(getattr(obj, self.key))

    def xlsx(self, choices: Sequence[str] | None = None) -> XlsxColumn:
        """The same column in a written workbook (export or blank template)."""
        return XlsxColumn(
            self.header,
            self.kind,
            self.width,
            self.required,
            tuple(choices or self.choices),
            self.export_value,
        )


def display(cell) -> str:
    """A cell value as text for the preview page (before → after)."""
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return f"{cell.normalize():f}"
    return shown(cell)


@dataclass
class SheetLayout:
    name: str
    header_row: int  # Excel row number
    positions: dict[str, int]  # column key -> 0-based index
    headers: dict[str, str]  # column key -> header as written
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (header as written, letter)
    expected: dict[str, str] = field(default_factory=dict)  # column key -> the template's header
    preamble: list[str] = field(default_factory=list)  # the texts above the header row (title, units row)

    def locate(self, key: str) -> tuple[str, str]:
        """(header, letter); a column the sheet lacks is named by the template's header, without a letter."""
        if key not in self.positions:
            return self.expected.get(key, ""), ""
        return self.headers[key], column_letter(self.positions[key])


NOTHING_FAILED: frozenset[str] = frozenset()  # shared by every row whose cells all parsed (most rows)


@dataclass(slots=True)  # slots: a million rows are held at once while a workbook is planned
class ParsedRow:
    layout: SheetLayout
    number: int  # Excel row number
    values: dict[str, object]  # clean values of the columns present and parsed without error
    failed: set[str] | frozenset[str] = NOTHING_FAILED  # keys of cells that did not parse (read only)

    def fail(self, key: str) -> None:
        if not self.failed:
            self.failed = set()
        self.failed.add(key)

    @property
    def sheet(self) -> str:
        return self.layout.name

    @property
    def present(self) -> set[str]:
        return set(self.layout.positions)

    def error(self, key: str, reason: str) -> RowError:
        header, letter = self.layout.locate(key)
        return RowError(self.sheet, self.number, header, letter, str(reason))

    def errors_from(self, exc: ValidationError) -> list[RowError]:
        """A ValidationError keyed by field (services, full_clean) as errors on the matching cells."""
        return [error for _key, error in self.keyed_errors_from(exc)]

    def keyed_errors_from(self, exc: ValidationError) -> list[tuple[str, RowError]]:
        if not hasattr(exc, "error_dict"):
            return [("", self.error("", message)) for message in exc.messages]
        return [
            (key, self.error(key, message))
            for key, messages in exc.message_dict.items()
            for message in messages
        ]


@dataclass
class ReadResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sheets: list[SheetLayout] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)  # hidden or very hidden: never read
    note_rows: list[tuple[str, int]] = field(default_factory=list)  # (sheet, row) of notes and signatures
    file_notices: list[str] = field(default_factory=list)  # e.g. the encoding of a .csv
    fatal: bool = False  # the file could not be read at all
    progress: Progress = field(default=no_progress, repr=False)
    total_rows: int | None = None
    rows_seen: int = 0

    @property
    def notices(self) -> list[str]:
        out = list(self.file_notices)
        out.extend(sheet_notices(self.hidden_sheets, self.note_rows))
        unlabelled = _("(no header)")
        for sheet in self.sheets:
            if sheet.ignored:
                names = join_list(f"{header or unlabelled} ({letter})" for header, letter in sheet.ignored)
                out.append(
                    _("Sheet “%(sheet)s”: columns not read: %(columns)s")
                    % {"sheet": sheet.name, "columns": names}
                )
        if self.skipped_sheets and self.sheets:
            out.append(
                _("Sheets without a header row, not read: %(sheets)s")
                % {"sheets": join_list(self.skipped_sheets)}
            )
        return out


def sheet_notices(hidden: Sequence[str], note_rows: Sequence[tuple[str, int]]) -> list[str]:
    """What every reader says it did not read: hidden sheets, and the notes and signature lines."""
    out = []
    if hidden:
        out.append(_("Hidden sheets, not read: %(sheets)s") % {"sheets": join_list(hidden)})
    by_sheet: dict[str, list[int]] = {}
    for sheet, row in note_rows:
        by_sheet.setdefault(sheet, []).append(row)
    for sheet, rows in by_sheet.items():
        out.append(
            _("Sheet “%(sheet)s”: rows %(rows)s are notes or signatures, not read")
            % {"sheet": sheet, "rows": join_list(rows)}
        )
    return out


def file_error(reason: str) -> RowError:
    return RowError(reason=str(reason))


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), and encrypted workbooks
XLSX, XLS, CSV = "xlsx", "xls", "csv"
FORMAT_NAMES = ".xlsx, .xls, .csv"  # what every upload accepts (the file input's accept list too)


def file_format(content: bytes, file_name: str = "") -> str | None:
    """XLSX, XLS or CSV by the bytes (a .csv by its name: text has no signature); None for anything else."""
    if content.startswith(OLE_SIGNATURE):
        return XLS
    if zipfile.is_zipfile(io.BytesIO(content)):
        return XLSX
    if file_name.lower().endswith(".csv"):
        return CSV
    return None


def check_file(content: bytes, file_name: str = "") -> list[RowError]:
    """Problems that make the whole file unreadable: too big, empty, not a workbook (.xlsx, .xls) or .csv."""
    limit = settings.JINGKAI_IMPORT_MAX_BYTES
    if len(content) > limit:
        return [
            file_error(
                _("The file is %(size)s MB; at most %(max)s MB may be imported at once")
                % {"size": number_format(len(content) / 2**20, 1), "max": number_format(limit / 2**20, 1)}
            )
        ]
    if not content:
        return [file_error(_("The file is empty"))]
    kind = file_format(content, file_name)
    if kind is None:
        return [
            file_error(
                _("“%(name)s” is not an Excel workbook (.xlsx or .xls) or a .csv file")
                % {"name": file_name or "?"}
            )
        ]
    if kind != XLSX:
        return []
    # A workbook is a zip: a small upload can unpack into gigabytes. Refuse before parsing anything.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > settings.JINGKAI_IMPORT_MAX_UNPACKED_BYTES:
        return [
            file_error(
                _("The workbook unpacks to %(size)s MB; at most %(max)s MB may be imported at once")
                % {
                    "size": number_format(unpacked / 2**20, 1),
                    "max": number_format(settings.JINGKAI_IMPORT_MAX_UNPACKED_BYTES / 2**20, 1),
                }
            )
        ]
    return []


@dataclass
class Sheet:
    name: str
    grid: list[list]  # the cells as Python values, rows from A1 (empty area kept)
    visible: bool = True  # False for hidden and very hidden sheets: no reader reads them


@dataclass
class OpenedWorkbook:
    sheets: list[Sheet] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # e.g. the encoding a .csv was read in

    @property
    def fatal(self) -> bool:
        return bool(self.errors)

    @property
    def visible(self) -> list[Sheet]:
        return [sheet for sheet in self.sheets if sheet.visible]

    @property
    def hidden(self) -> list[str]:
        return [sheet.name for sheet in self.sheets if not sheet.visible]


def open_workbook(content: bytes, file_name: str = "") -> OpenedWorkbook:
    """Every worksheet's cells (hidden ones marked), or the file-level errors that make the file unreadable.

    The one place where bytes become cells for every reader (core's row reader and the statistics reader):
    .xlsx and .xls through python-calamine, .csv decoded by decode_csv(); the file checks, the per-sheet
    cell limit and the refusal of a damaged file are the same for all.
    """
    opened = OpenedWorkbook(errors=check_file(content, file_name))
    if opened.errors:
        return opened
    kind = file_format(content, file_name)
    if kind == CSV:
        return _open_csv(content, file_name, opened)
    oversized = []
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            visible = meta.visible == python_calamine.SheetVisibleEnum.Visible
            if not visible:  # never read, only named in the preview
                opened.sheets.append(Sheet(meta.name, [], False))
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            # Checked before the cells become Python objects, which is where memory would run out.
            # total_height/total_width are the last row/column index (0-based) counted from A1.
            if (sheet.total_height + 1) * (sheet.total_width + 1) > settings.JINGKAI_IMPORT_MAX_CELLS:
                oversized.append(meta.name)
                continue
            opened.sheets.append(Sheet(meta.name, sheet.to_python(skip_empty_area=False), visible))
    except Exception:  # calamine raises several unrelated types for a damaged or foreign file
        opened.sheets = []
        if kind == XLS:
            reason = _(
                "“%(name)s” could not be read as an Excel workbook: it may be damaged or protected by a "
                "password (remove the password and save it again)"
            )
        else:
            reason = _("“%(name)s” could not be read as an Excel .xlsx workbook")
        opened.errors = [file_error(reason % {"name": file_name or "?"})]
        return opened
    if oversized:
        opened.sheets = []
        opened.errors = [too_many_cells(name) for name in oversized]
    return opened


def too_many_cells(sheet: str) -> RowError:
    return RowError(
        sheet=sheet,
        reason=_("The sheet has more than %(max)s cells; split it into smaller files")
        % {"max": number_format(settings.JINGKAI_IMPORT_MAX_CELLS)},
    )


# The encodings a .csv may come in, tried in this order: UTF-8 (a BOM, as Excel writes "CSV UTF-8", is
# dropped), then GB18030, the superset of GBK and GB2312 that Excel and WPS write for "CSV" on a Chinese
# Windows. A file valid in neither is refused rather than read with replacement characters.
CSV_ENCODINGS = ("utf-8", "gb18030")


def decode_csv(content: bytes) -> tuple[str, str] | None:
    """(text, encoding) or None when the bytes are neither UTF-8 nor GB18030."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
        try:
            return content.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            return None
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding), encoding.upper()
        except UnicodeDecodeError:
            continue
    return None


def _open_csv(content: bytes, file_name: str, opened: OpenedWorkbook) -> OpenedWorkbook:
    decoded = decode_csv(content)
    if decoded is None or "\x00" in decoded[0]:
        opened.errors = [
            file_error(
                _("“%(name)s” is neither UTF-8 nor GB18030 (GBK) text: save it again as “CSV UTF-8”")
                % {"name": file_name or "?"}
            )
        ]
        return opened
    text_content, encoding = decoded
    sample = text_content[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(row) for row in csv.reader(io.StringIO(text_content, newline=""), dialect)]
    width = max((len(row) for row in rows), default=0)
    name = (file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "CSV")[:31]  # the file's one "sheet"
    if len(rows) * max(width, 1) > settings.JINGKAI_IMPORT_MAX_CELLS:
        opened.errors = [too_many_cells(name)]
        return opened
    grid = [row + [""] * (width - len(row)) for row in rows]
    opened.sheets.append(Sheet(name, grid, True))
    opened.notices.append(
        _("“%(name)s” was read as %(encoding)s text") % {"name": file_name or "?", "encoding": encoding}
    )
    return opened


def read_workbook(
    content: bytes,
    columns: Sequence[Column],
    *,
    file_name: str = "",
    min_header_matches: int = MIN_HEADER_MATCHES,
    progress: Progress | None = None,
) -> ReadResult:
    """Parse every sheet that has a header row; never stops at the first problem.

    progress(done, total, stage) is called every PROGRESS_EVERY rows (total: the rows of the sheets read).
    """
    result = ReadResult()
    opened = open_workbook(content, file_name)
    if opened.fatal:
        result.errors, result.fatal = opened.errors, True
        return result
    result.progress = progress or no_progress
    result.total_rows = sum(len(sheet.grid) for sheet in opened.visible)

    result.hidden_sheets = opened.hidden
    result.file_notices = list(opened.notices)
    for sheet in opened.visible:
        layout, sheet_errors = _find_header(sheet.name, sheet.grid, columns, min_header_matches)
        if layout is None:
            result.skipped_sheets.append(sheet.name)
            continue
        layout.preamble = [
            shown(cell)
            for cells in sheet.grid[: layout.header_row - 1]
            for cell in cells
            if not is_blank(cell)
        ]
        result.sheets.append(layout)
        result.errors.extend(sheet_errors)
        _read_rows(layout, sheet.grid, columns, result)

    if not result.sheets:
        expected = join_list(c.header for c in columns if c.required) or join_list(
            c.header for c in columns[:3]
        )
        result.errors.append(
            file_error(
                _(
                    "No header row found: no sheet has a row, among its first %(rows)d, with the column headers (%(headers)s …)"
                )
                % {"rows": HEADER_SEARCH_ROWS, "headers": expected}
            )
        )
        result.fatal = True
    elif not result.rows and not result.errors:
        result.errors.append(file_error(_("The workbook has a header row but no data rows")))
    return result


def _find_header(name, grid, columns, min_matches) -> tuple[SheetLayout | None, list[RowError]]:
    by_header = {normalize_header(h): c for c in columns for h in (c.header, *c.aliases)}

    def column_of(cell) -> Column | None:
        return None if is_blank(cell) else by_header.get(normalize_header(shown(cell)))

    best_index, best_count = None, 0
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        count = len({column.key for column in map(column_of, cells) if column is not None})
        if count > best_count:
            best_index, best_count = index, count
    if best_index is None or best_count < min(min_matches, len(columns)):
        return None, []

    header_row = best_index + 1
    layout = SheetLayout(name, header_row, {}, {}, expected={c.key: c.header for c in columns})
    errors = []
    for position, cell in enumerate(grid[best_index]):
        if is_blank(cell):
            continue
        written = shown(cell)
        column = column_of(cell)
        if column is None:
            layout.ignored.append((written, column_letter(position)))
        elif column.key in layout.positions:
            first = column_letter(layout.positions[column.key])
            errors.append(
                RowError(
                    name,
                    header_row,
                    written,
                    column_letter(position),
                    _("Column “%(header)s” appears twice (columns %(first)s and %(second)s)")
                    % {"header": written, "first": first, "second": column_letter(position)},
                )
            )
        else:
            layout.positions[column.key] = position
            layout.headers[column.key] = written
    for column in columns:
        if column.required and column.key not in layout.positions:
            errors.append(
                RowError(
                    name,
                    header_row,
                    column.header,
                    "",
                    _("Required column “%(header)s” is missing from the header row")
                    % {"header": column.header},
                )
            )
    return layout, errors


def _read_rows(layout: SheetLayout, grid, columns: Sequence[Column], result: ReadResult) -> None:
    known = set(layout.positions.values())
    header_cells = grid[layout.header_row - 1]
    unlabelled: set[int] = set()
    for index in range(layout.header_row, len(grid)):
        result.rows_seen += 1
        if result.rows_seen % PROGRESS_EVERY == 0:
            result.progress(result.rows_seen, result.total_rows, str(READING))
        cells = grid[index]
        if all(is_blank(cell) for cell in cells):
            continue
        if is_note_row(cells):
            result.note_rows.append((layout.name, index + 1))
            continue
        row = ParsedRow(layout, index + 1, {})
        for column in columns:
            position = layout.positions.get(column.key)
            if position is None:
                continue
            value = cells[position] if position < len(cells) else ""
            if is_blank(value):
                if column.required:
                    row.fail(column.key)
                    result.errors.append(row.error(column.key, _("Required: this cell must not be blank")))
                else:
                    row.values[column.key] = column.blank
                continue
            try:
                row.values[column.key] = column.parse(value)
            except CellError as exc:
                row.fail(column.key)
                result.errors.append(replace(row.error(column.key, str(exc)), text=shown(value)[:200]))
        result.rows.append(row)
        for position, cell in enumerate(cells):
            unlabelled_cell = position >= len(header_cells) or is_blank(header_cells[position])
            if position not in known and unlabelled_cell and not is_blank(cell):
                unlabelled.add(position)
    # Data under a blank header is not read: say so rather than drop it silently.
    layout.ignored.extend(("", column_letter(p)) for p in sorted(unlabelled))


# --- Reports --------------------------------------------------------------------------------------


@dataclass(slots=True)
class PlannedRow:
    sheet: str
    row: int
    action: str  # CREATE, UPDATE or UNCHANGED
    key: str  # what identifies the record, e.g. the credit code
    label: str  # what a person recognises, e.g. the name
    changes: list[dict] = field(default_factory=list)  # [{"column", "before", "after"}] for an update
    data: dict = field(default_factory=dict, repr=False)  # clean values to apply (not stored)
    instance: object = field(default=None, repr=False)  # the record an update applies to
    source: ParsedRow | None = field(default=None, repr=False)  # to locate an error found while applying

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "key": self.key,
            "label": self.label,
            "changes": self.changes,
        }


@dataclass
class ImportReport:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    sheet_order: list[str] = field(default_factory=list)
    header_rows: set[tuple[str, int]] = field(default_factory=set)  # (sheet, row): not data rows
    options: dict = field(
        default_factory=dict
    )  # chosen at upload (kept on the batch: preview and commit agree)
    changed: list[RowError] = field(default_factory=list)  # a commit: where the plan differs from the preview

    @property
    def ok(self) -> bool:
        return not self.errors and not self.changed

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        for row in self.rows:
            counts[row.action] += 1
        counts["error_rows"] = len(
            {(e.sheet, e.row) for e in self.errors if e.row is not None} - self.header_rows
        )
        counts["errors"] = len(self.errors)
        return counts

    def sorted_errors(self) -> list[RowError]:
        order = {name: i for i, name in enumerate(self.sheet_order)}

        def key(error: RowError):
            letter = error.letter
            return (order.get(error.sheet, -1), error.row or 0, len(letter), letter)

        return sorted(self.errors, key=key)

    def to_summary(self) -> dict:
        """JSON-safe and small, for ImportBatch.summary: the counts, the notices and the first errors.

        Every error and every planned row is stored in ImportResultChunk rows (store_results()); the preview
        page reads them a page at a time.
        """
        summary = {
            "counts": self.counts,
            "errors": [e.as_dict() for e in self.sorted_errors()[:SUMMARY_ERRORS]],
            "notices": [str(n) for n in self.notices],
        }
        if self.changed:
            summary["changed"] = [e.as_dict() for e in self.changed]
        if self.options:
            summary["options"] = self.options
        return summary


def start_report(read: ReadResult) -> ImportReport:
    """A report holding what reading found: file, sheet and cell errors, and notices."""
    return ImportReport(
        errors=list(read.errors),
        notices=read.notices,
        sheet_order=[s.name for s in read.sheets],
        header_rows={(s.name, s.header_row) for s in read.sheets},
    )


# --- Batches --------------------------------------------------------------------------------------


def _content_of(batch_id: int) -> bytes:
    return ImportBatch.objects.filter(pk=batch_id).values_list("content", flat=True).first() or b""


def _json_safe(item):
    """What the item reads back as once stored in a JSONField (tuples as lists, dates as text)."""
    return json.loads(json.dumps(item, default=str))


def plan_digest(report: ImportReport) -> str:
    """A fingerprint of what a commit would do: the counts and every planned row."""
    digest = hashlib.sha256(json.dumps(report.counts, sort_keys=True).encode())
    for row in report.rows:
        digest.update(json.dumps(row.as_dict(), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def store_results(batch: ImportBatch, report: ImportReport, progress: Progress = no_progress) -> dict:
    """Replace the batch's stored results by the report's (every error, sorted, then every planned row, in
    chunks of RESULT_CHUNK) and return the summary to keep on the batch (the caller saves it).

    Streams: the rows become JSON one chunk at a time and are inserted STORE_BATCH chunks per statement.
    """
    ImportResultChunk.objects.filter(batch_id=batch.pk).delete()
    errors = report.sorted_errors()
    total = len(errors) + len(report.rows)
    done, pending = 0, []
    parts = (
        (ImportResultChunk.Part.ERROR, (e.as_dict() for e in errors)),
        (ImportResultChunk.Part.ROW, (r.as_dict() for r in report.rows)),
    )
    for part, items in parts:
        for number, chunk in enumerate(chunked(items, RESULT_CHUNK)):
            pending.append(ImportResultChunk(batch_id=batch.pk, part=part, number=number, items=chunk))
            done += len(chunk)
            if len(pending) == STORE_BATCH:
                ImportResultChunk.objects.bulk_create(pending)
                pending = []
                progress(done, total, str(CHECKING))
    ImportResultChunk.objects.bulk_create(pending)
    progress(total, total, str(CHECKING))
    summary = report.to_summary()
    summary["results"] = {
        "version": RESULTS_VERSION,
        "sha256": batch.sha256,
        "errors": len(errors),
        "rows": len(report.rows),
        "counts": report.counts,
        "plan": plan_digest(report),
        "at": timezone.now().isoformat(),
    }
    return summary


def results_current(batch: ImportBatch) -> bool:
    """The batch's stored results answer its preview page (no need to validate the file again)."""
    results = (batch.summary or {}).get("results") or {}
    return batch.status == ImportBatch.Status.COMMITTED or (
        results.get("version") == RESULTS_VERSION and results.get("sha256") == batch.sha256
    )


class StoredResults:
    """A batch's stored errors then planned rows as one sequence of (part, item), read a slice at a time.

    What a Paginator pages: a page of PREVIEW_PAGE items reads at most one chunk of each part.
    """

    def __init__(self, batch: ImportBatch):
        results = (batch.summary or {}).get("results") or {}
        self.batch_id = batch.pk
        self.errors, self.rows = results.get("errors", 0), results.get("rows", 0)

    def __len__(self) -> int:
        return self.errors + self.rows

    def __getitem__(self, index: slice) -> list[tuple[str, dict]]:
        start, stop, _step = index.indices(len(self))
        out = self._slice(ImportResultChunk.Part.ERROR, start, min(stop, self.errors))
        return out + self._slice(
            ImportResultChunk.Part.ROW, max(start - self.errors, 0), max(stop - self.errors, 0)
        )

    def _slice(self, part: str, start: int, stop: int) -> list[tuple[str, dict]]:
        if start >= stop:
            return []
        first, last = start // RESULT_CHUNK, (stop - 1) // RESULT_CHUNK
        chunks = ImportResultChunk.objects.filter(
            batch_id=self.batch_id, part=part, number__gte=first, number__lte=last
        ).order_by("number")
        items = [item for chunk in chunks.values_list("items", flat=True) for item in chunk]
        offset = first * RESULT_CHUNK
        return [(str(part), item) for item in items[start - offset : stop - offset]]


def results_page(batch: ImportBatch, number):
    """One page (Paginator page) of the stored results: its object_list is [(part, item)]."""
    from django.core.paginator import Paginator

    return Paginator(StoredResults(batch), PREVIEW_PAGE).get_page(number)


def stored_errors(batch: ImportBatch) -> list[dict]:
    """Every stored error of a batch, in the preview's order (the API lists them all)."""
    chunks = (
        ImportResultChunk.objects.filter(batch_id=batch.pk, part=ImportResultChunk.Part.ERROR)
        .order_by("number")
        .values_list("items", flat=True)
    )
    return [item for chunk in chunks for item in chunk]


def record_upload(
    kind: str, file_name: str, content: bytes, user, summary: dict | None = None
) -> ImportBatch:
    """summary: what the importer must know at preview and commit too (e.g. options chosen at upload)."""
    return ImportBatch.objects.create(
        kind=kind,
        file_name=file_name[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        summary=summary or {},
    )


class Importer:
    """One kind of upload: a subclass in <app>/importers.py, served by the kernel's pages (core/import_views.py).

    A subclass sets `kind` (ImportBatch.kind), `namespace` (its URL names are <namespace>:import and
    <namespace>:import_preview, and <namespace>:import_template when it offers a blank template) and either
    `columns` or its own `read()`, then implements the two verbs of its domain:

    - `plan(read, report, user)`: check every row against the database and put what would happen into
      report.rows (PlannedRow) and every problem, located, into report.errors;
    - `apply(report, user, batch)`: write report.rows through the app's services; raise ImportRejected with
      located errors to undo every row.

    Hooks with a default: `may_import(user)` (the permission; every page, API call, preview and commit checks
    it), `read()` and `start_report()` (a reader of another shape, e.g. the statistics workbook's columnar
    one), `upload_options(form)` and `prepare_options(options)` (what the upload form chose besides the file,
    resolved once and kept on the batch so that preview and commit read the file the same way),
    `template_workbook(user)`, `instructions()`, `headers()`, `preview_lead(summary)` and
    `committed_message(report)`. The other attributes are the words of the pages.

    The kernel keeps the guarantees: nothing is written before the commit; the commit locks the batch,
    validates the stored file again inside the lock, applies it in a savepoint (all or nothing) and commits a
    batch at most once (BatchAlreadyCommitted).
    """

    kind: str = ""
    namespace: str = ""
    columns: Sequence[Column] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind:
            IMPORTERS.setdefault(cls.kind, cls)  # the first class of a kind is its importer

    min_header_matches: int = MIN_HEADER_MATCHES
    form_class = None  # the upload form; None: core.forms.WorkbookUploadForm
    denied = gettext_lazy("Only a zone administrator may import.")  # the PermissionDenied message

    # The words of the pages (templates/imports/upload.html and preview.html).
    title = gettext_lazy("Import")  # the upload page's title, and the preview page's way back
    heading = ""  # the upload page's <h1> (default: the title)
    intro = ""  # a paragraph above the form
    upload_note = gettext_lazy(
        "Nothing is written at this step: the next page shows every error and every change the file would make, "
        "and asks you to confirm."
    )
    back: tuple[str, str] | None = None  # (URL name, label) of the link above the upload page
    links: Sequence[tuple[str, str]] = ()  # (URL name, label) of the buttons next to the upload button
    submit_label = gettext_lazy("Upload and check")
    commit_label = gettext_lazy("Confirm the import")
    headers_label = gettext_lazy("Columns (* required):")
    count_labels = {
        CREATE: gettext_lazy("to add"),
        UPDATE: gettext_lazy("to update"),
        UNCHANGED: gettext_lazy("unchanged"),
    }
    extra_counts: Sequence[tuple[str, str]] = ()  # (count key, label) shown after the three above
    action_labels = {
        CREATE: gettext_lazy("New"),
        UPDATE: gettext_lazy("Update"),
        UNCHANGED: gettext_lazy("Unchanged"),
    }
    key_label = gettext_lazy("Credit code")  # the rows table's column of PlannedRow.key
    label_label = gettext_lazy("Name")  # … and of PlannedRow.label
    rows_note = ""  # e.g. "first 200" when the summary keeps a sample of the rows

    # --- permission ---------------------------------------------------------------------------------
    # TODO(shape-shell): unify with the app's permissions.py predicate (can_import) once it exists.

    @staticmethod
    def may_import(user) -> bool:
        return bool(user and user.is_authenticated and user.is_zone_admin)

    @classmethod
    def check_permission(cls, user) -> None:
        if not cls.may_import(user):
            raise PermissionDenied(cls.denied)

    # --- reading and checking -----------------------------------------------------------------------

    def read(self, content: bytes, file_name: str, options: dict):
        """What the file holds; any object with `fatal` that start_report() understands."""
        return read_workbook(
            content,
            self.columns,
            file_name=file_name,
            min_header_matches=self.min_header_matches,
            progress=self.progress,
        )

    def start_report(self, read) -> ImportReport:
        return start_report(read)

    def plan(self, read, report: ImportReport, user) -> None:
        raise NotImplementedError

    def apply(self, report: ImportReport, user, batch: ImportBatch) -> None:
        raise NotImplementedError

    progress: Progress = staticmethod(no_progress)  # set by preview_batch / commit_batch for one run

    def validate(
        self, content: bytes, user, file_name: str = "", options: dict | None = None
    ) -> ImportReport:
        """Read and check a whole file; the report lists every error and classifies every good row."""
        self.check_permission(user)
        options = options or {}
        read = self.read(content, file_name, options)
        rows = len(getattr(read, "rows", None) or ())
        read_total = getattr(read, "total_rows", None) or rows  # the kernel reader counts every sheet row
        self.progress(read_total, read_total, str(READING))
        report = self.start_report(read)
        report.options = options
        if not read.fatal:
            self.progress(0, rows, str(CHECKING))  # then store_results() counts on, or the commit writes
            self.plan(read, report, user)
        return report

    # --- the batch ----------------------------------------------------------------------------------

    def upload_options(self, form) -> dict:
        """What the upload form chose besides the file (JSON-safe)."""
        return {}

    def prepare_options(self, options: dict) -> dict:
        """Resolve the options once, at upload (raise ValidationError keyed by the form field)."""
        return options

    def record_upload(self, file_name: str, content: bytes, user, options: dict | None = None) -> ImportBatch:
        options = self.prepare_options(dict(options or {}))
        return record_upload(
            self.kind, file_name, content, user, summary={"options": options} if options else None
        )

    @staticmethod
    def options_of(batch: ImportBatch) -> dict:
        return (batch.summary or {}).get("options", {})

    def preview_batch(self, batch: ImportBatch, user, progress: Progress | None = None) -> ImportReport:
        """Validate the stored file once and store the outcome: the status, the summary and every error and
        planned row (store_results). The preview page reads them from there and never validates again.

        The results are written under the batch's lock and only while it is not committed (a commit that ran
        meanwhile keeps what it applied); a batch deleted meanwhile stores nothing.
        """
        self.progress = progress or no_progress
        content = batch.content if "content" in batch.__dict__ else _content_of(batch.pk)
        report = self.validate(bytes(content), user, batch.file_name, self.options_of(batch))
        with transaction.atomic():
            locked = (
                ImportBatch.objects.select_for_update()
                .defer("content")
                .filter(pk=batch.pk)
                .exclude(status=ImportBatch.Status.COMMITTED)
                .first()
            )
            if locked is None:
                return report
            batch.status = ImportBatch.Status.PREVIEWED if report.ok else ImportBatch.Status.REJECTED
            batch.summary = store_results(batch, report, self.progress)
            batch.save(update_fields=["status", "summary"])
        return report

    def commit_batch(
        self, batch_id: int, user, progress: Progress | None = None
    ) -> tuple[ImportBatch, ImportReport]:
        """Re-validate the stored file and apply it all-or-nothing; a batch is committed at most once.

        The batch row is locked first so that two clicks on "import" cannot both apply it. Validation is
        repeated inside the lock because the database may have changed since the preview: when the plan now
        differs from the stored preview (or the stored file changed), nothing is applied, the differences are
        listed in report.changed, located, and the new plan is stored as the preview to confirm again.
        """
        self.progress = progress or no_progress
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id, kind=self.kind)
            if batch.status == ImportBatch.Status.COMMITTED:
                raise BatchAlreadyCommitted
            previewed = (batch.summary or {}).get("results")
            report = self.validate(bytes(batch.content), user, batch.file_name, self.options_of(batch))
            if previewed:
                report.changed = self.differences(batch, previewed, report)
            if report.ok:
                planned = len(report.rows)
                self.progress(0, planned, str(WRITING))
                try:
                    with (
                        transaction.atomic()
                    ):  # a savepoint: a failure undoes every row, not the batch status
                        self.apply(report, user, batch)
                except ImportRejected as exc:
                    report.errors.extend(exc.errors)
            if report.ok:
                batch.status = ImportBatch.Status.COMMITTED
                batch.committed_at = timezone.now()
            elif report.changed and not report.errors:
                batch.status = ImportBatch.Status.PREVIEWED  # the new plan is the preview to confirm
            else:
                batch.status = ImportBatch.Status.REJECTED
            batch.summary = store_results(batch, report)
            batch.save(update_fields=["status", "summary", "committed_at"])
            if report.ok:
                self.progress(planned, planned, str(WRITING))
            if report.ok:
                # In the commit's transaction: an import that is undone leaves no event, and none is missing.
                _audit_commit(batch, report, user)
        return batch, report

    def differences(self, batch: ImportBatch, previewed: dict, report: ImportReport) -> list[RowError]:
        """Where the plan the commit would apply differs from the stored preview, located by sheet and row.

        Rows are compared in order (the same file gives the same rows in the same order); a changed file is
        said first. At most CHANGED_SHOWN rows are listed, then how many more differ.
        """
        out = []
        if previewed.get("sha256") != batch.sha256:
            out.append(file_error(_("The stored file is not the one that was previewed")))
        if report.errors or previewed.get("plan") == plan_digest(report):
            return out  # with errors, nothing is applied anyway: they are what the page shows
        labels = {key: str(label) for key, label in self.action_labels.items()}
        differing = 0

        def differ(error: RowError) -> None:
            nonlocal differing
            differing += 1
            if differing <= CHANGED_SHOWN:
                out.append(error)

        new_rows = iter(report.rows)
        chunks = (
            ImportResultChunk.objects.filter(batch=batch, part=ImportResultChunk.Part.ROW)
            .order_by("number")
            .values_list("items", flat=True)
        )
        for items in chunks.iterator(chunk_size=4):
            for before in items:
                row = next(new_rows, None)
                if row is None:
                    differ(
                        RowError(
                            before.get("sheet", ""),
                            before.get("row"),
                            reason=_("This row was in the preview and is no longer planned"),
                        )
                    )
                    continue
                after = _json_safe(row.as_dict())
                if after == before:
                    continue
                if before.get("action") != after["action"]:
                    reason = _("The preview showed “%(before)s” for this row; it is now “%(after)s”") % {
                        "before": labels.get(before.get("action"), before.get("action")),
                        "after": labels.get(after["action"], after["action"]),
                    }
                else:
                    reason = _("What this row changes is not what the preview showed")
                differ(RowError(row.sheet, row.row, reason=reason))
        for row in new_rows:
            differ(RowError(row.sheet, row.row, reason=_("This row was not in the preview")))
        if differing > CHANGED_SHOWN:
            out.append(
                file_error(
                    _("… and %(count)d more rows differ from the preview")
                    % {"count": differing - CHANGED_SHOWN}
                )
            )
        if not differing and len(out) == (previewed.get("sha256") != batch.sha256):
            before, after = previewed.get("counts", {}), report.counts
            out.append(
                file_error(
                    _("The totals differ from the preview: %(before)s before, %(after)s now")
                    % {
                        "before": join_list(f"{labels[k]} {before.get(k, 0)}" for k in labels),
                        "after": join_list(f"{labels[k]} {after.get(k, 0)}" for k in labels),
                    }
                )
            )
        return out

    # --- what the pages show ------------------------------------------------------------------------

    def template_workbook(self, user) -> bytes:
        """The blank template offered at <namespace>:import_template (only importers that route it)."""
        raise NotImplementedError

    template_file_name = ""  # without .xlsx

    def instructions(self) -> list[str]:
        """How the file is read, one line each, for the upload page."""
        return []

    def headers(self) -> list[str]:
        """The headers in sheet order (* marks a required column), for the upload page."""
        return [column.xlsx().title for column in self.columns]

    def preview_lead(self, summary: dict) -> str:
        """A line under the preview's heading (e.g. the period a statistics file states)."""
        return ""

    def committed_message(self, report: ImportReport) -> str:
        return _("Imported: %(create)d added, %(update)d updated, %(unchanged)d unchanged.") % report.counts


IMPORTERS: dict[str, type[Importer]] = {}  # kind -> importer class, filled as the apps' importers load


def importer_for(kind: str) -> type[Importer] | None:
    """The importer of a batch kind; in a process that has not loaded the apps' URLs yet (a worker), they
    are loaded first: every importer is routed by its app's urls.py."""
    if kind not in IMPORTERS:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - imports every app's urls, hence its importers
        autodiscover_modules("importers")
    return IMPORTERS.get(kind)


def _batch_and_user(batch_id: int, user_id: int):
    from django.contrib.auth import get_user_model

    batch = ImportBatch.objects.defer("content").filter(pk=batch_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    importer = importer_for(batch.kind) if batch is not None else None
    return batch, user, importer


def _result(state: str, batch: ImportBatch | None, **extra) -> dict:
    """What a step returns (JSON-safe: a job keeps it as its result)."""
    out = {"state": state, "batch": batch.pk if batch is not None else None}
    if batch is not None:
        out["counts"] = (batch.summary or {}).get("counts", {})
    return {**out, **extra}


def preview_batch_work(batch_id: int, user_id: int, progress: Progress = no_progress) -> dict:
    """Validate a batch once and store its results (ids in, a JSON-safe result out).

    Idempotent: a batch whose results are stored (or that is committed) is not read again; a batch or user
    deleted since answers {"state": "missing"}. Progress: progress(done, total, stage) every PROGRESS_EVERY
    rows while reading, and per stored chunks while checking.
    """
    batch, user, importer = _batch_and_user(batch_id, user_id)
    if batch is None or user is None or importer is None:
        return _result("missing", None)
    if results_current(batch):
        return _result("stored", batch, status=batch.status)
    report = importer().preview_batch(batch, user, progress=progress)
    return _result("previewed" if report.ok else "rejected", batch, status=batch.status)


def commit_batch_work(batch_id: int, user_id: int, progress: Progress = no_progress) -> dict:
    """Commit a batch (Importer.commit_batch: locked, validated again, applied at most once).

    Idempotent: a committed batch answers {"state": "already"} and changes nothing; a batch or user deleted
    since answers {"state": "missing"}. Otherwise the state is "committed" (with the message to show),
    "changed" (the data changed since the preview: nothing applied, the new plan stored) or "refused".
    """
    batch, user, importer = _batch_and_user(batch_id, user_id)
    if batch is None or user is None or importer is None:
        return _result("missing", None)
    importer = importer()
    try:
        batch, report = importer.commit_batch(batch_id, user, progress=progress)
    except BatchAlreadyCommitted:
        return _result("already", batch, status=ImportBatch.Status.COMMITTED)
    except ImportBatch.DoesNotExist:  # deleted between the two reads
        return _result("missing", None)
    if report.ok:
        return _result("committed", batch, message=str(importer.committed_message(report)))
    return _result("changed" if report.changed else "refused", batch)


IMPORT_STEPS = {"preview": preview_batch_work, "commit": commit_batch_work}


def run_import_step(step: str, batch: ImportBatch, user, progress: Progress = no_progress) -> dict:
    """An import step ("preview" or "commit") in this process, its result returned (the statistics API, whose
    callers wait for the answer; the job below runs the same function)."""
    return IMPORT_STEPS[step](batch.pk, user.pk, progress=progress)


# --- the steps as background jobs (docs/development.md, "Jobs"; the pages start them) ----------------------

IMPORT_JOB_KINDS = {"preview": "core.import_preview", "commit": "core.import_commit"}
OUTCOMES = ("committed", "already", "refused", "changed", "rejected", "previewed", "missing")


def _job_step(step: str, job, *, batch_id: int) -> dict:
    from django.urls import reverse

    if job.user_id is None:
        raise jobs.JobFailed(_("The person who uploaded this file can no longer sign in."))
    result = IMPORT_STEPS[step](batch_id, job.user_id, progress=job.progress)
    if result.get("state") == "missing":
        raise jobs.JobFailed(_("This upload has been deleted since; upload the file again."))
    batch = ImportBatch.objects.filter(pk=batch_id).only("kind").first()
    importer = importer_for(batch.kind) if batch is not None else None
    if importer is not None:  # where the owner goes on: the preview page, told what the step found
        url = reverse(f"{importer.namespace}:import_preview", kwargs={"batch_id": batch_id})
        result = {**result, "next_url": f"{url}?outcome={result.get('state', '')}"}
    return {key: value for key, value in result.items() if _is_plain(value)}


def _is_plain(value) -> bool:
    return isinstance(value, str | int | float | bool | type(None) | list | dict)


@jobs.job_task(IMPORT_JOB_KINDS["preview"], label=gettext_lazy("Check an uploaded file"), retries=1)
def import_preview_job(job, *, batch_id: int):
    return _job_step("preview", job, batch_id=batch_id)


@jobs.job_task(IMPORT_JOB_KINDS["commit"], label=gettext_lazy("Import an uploaded file"), retries=0)
def import_commit_job(job, *, batch_id: int):
    return _job_step("commit", job, batch_id=batch_id)


IMPORT_TASKS = {"preview": import_preview_job, "commit": import_commit_job}


def start_import_step(step: str, batch: ImportBatch, user):
    """The pages' way to run a step: the Job (started now, or the one already under way for this batch and
    step, so a reload does not validate the file twice). A worker runs it; the page follows its progress."""
    running = (
        Job.objects.filter(
            kind=IMPORT_JOB_KINDS[step], user=user, state__in=[Job.State.QUEUED, Job.State.RUNNING]
        )
        .filter(args__batch_id=batch.pk)
        .first()
    )
    if running is not None:
        return running
    return jobs.enqueue(IMPORT_TASKS[step], user=user, args={"batch_id": batch.pk})


def _audit_commit(batch: ImportBatch, report: ImportReport, user) -> None:
    from jingkai.core import audit

    counts = report.counts
    rows = counts[CREATE] + counts[UPDATE] + counts[UNCHANGED]
    audit.record(
        audit.Kind.IMPORT_COMMIT,
        user=user,
        target=batch,
        summary=f"{batch.kind} {batch.file_name} ({rows})",
        import_kind=batch.kind,
        batch=batch.pk,
        file_name=batch.file_name,
        rows=rows,
        created=counts[CREATE],
        updated=counts[UPDATE],
        unchanged=counts[UNCHANGED],
        sha256=batch.sha256,
    )


def chunked(items: Iterable, size: int) -> Iterable[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
