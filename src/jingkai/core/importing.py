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
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

import python_calamine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jingkai.core.models import ImportBatch
from jingkai.core.money import parse_decimal
from jingkai.core.xlsx import XlsxColumn

HEADER_SEARCH_ROWS = 20  # the header row may sit below a title or a few notes
MIN_HEADER_MATCHES = 2  # fewer known headers in a row: the sheet is notes, not data

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


# --- Errors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, located as Excel shows it. row is None for a problem with a whole file or sheet."""

    sheet: str = ""
    row: int | None = None
    column: str = ""  # the header as the user wrote it
    letter: str = ""  # A, B … AA
    reason: str = ""

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


@dataclass
class ParsedRow:
    layout: SheetLayout
    number: int  # Excel row number
    values: dict[str, object]  # clean values of the columns present and parsed without error
    failed: set[str] = field(default_factory=set)  # keys of cells that did not parse

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
) -> ReadResult:
    """Parse every sheet that has a header row; never stops at the first problem."""
    result = ReadResult()
    opened = open_workbook(content, file_name)
    if opened.fatal:
        result.errors, result.fatal = opened.errors, True
        return result

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
                    row.failed.add(column.key)
                    result.errors.append(row.error(column.key, _("Required: this cell must not be blank")))
                else:
                    row.values[column.key] = column.blank
                continue
            try:
                row.values[column.key] = column.parse(value)
            except CellError as exc:
                row.failed.add(column.key)
                result.errors.append(row.error(column.key, str(exc)))
        result.rows.append(row)
        for position, cell in enumerate(cells):
            unlabelled_cell = position >= len(header_cells) or is_blank(header_cells[position])
            if position not in known and unlabelled_cell and not is_blank(cell):
                unlabelled.add(position)
    # Data under a blank header is not read: say so rather than drop it silently.
    layout.ignored.extend(("", column_letter(p)) for p in sorted(unlabelled))


# --- Reports --------------------------------------------------------------------------------------


@dataclass
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

    @property
    def ok(self) -> bool:
        return not self.errors

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
        """JSON-safe, for ImportBatch.summary and the preview page."""
        summary = {
            "counts": self.counts,
            "errors": [e.as_dict() for e in self.sorted_errors()],
            "rows": [r.as_dict() for r in self.rows],
            "notices": [str(n) for n in self.notices],
        }
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
            content, self.columns, file_name=file_name, min_header_matches=self.min_header_matches
        )

    def start_report(self, read) -> ImportReport:
        return start_report(read)

    def plan(self, read, report: ImportReport, user) -> None:
        raise NotImplementedError

    def apply(self, report: ImportReport, user, batch: ImportBatch) -> None:
        raise NotImplementedError

    def validate(
        self, content: bytes, user, file_name: str = "", options: dict | None = None
    ) -> ImportReport:
        """Read and check a whole file; the report lists every error and classifies every good row."""
        self.check_permission(user)
        options = options or {}
        read = self.read(content, file_name, options)
        report = self.start_report(read)
        report.options = options
        if not read.fatal:
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

    def preview_batch(self, batch: ImportBatch, user) -> ImportReport:
        """Validate the stored file and remember the outcome on the batch (the upload list shows it)."""
        report = self.validate(bytes(batch.content), user, batch.file_name, self.options_of(batch))
        batch.status = ImportBatch.Status.PREVIEWED if report.ok else ImportBatch.Status.REJECTED
        batch.summary = report.to_summary()
        batch.save(update_fields=["status", "summary"])
        return report

    def commit_batch(self, batch_id: int, user) -> tuple[ImportBatch, ImportReport]:
        """Re-validate the stored file and apply it all-or-nothing; a batch is committed at most once.

        The batch row is locked first so that two clicks on "import" cannot both apply it. Validation is
        repeated inside the lock because the database may have changed since the preview.
        """
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id, kind=self.kind)
            if batch.status == ImportBatch.Status.COMMITTED:
                raise BatchAlreadyCommitted
            report = self.validate(bytes(batch.content), user, batch.file_name, self.options_of(batch))
            if report.ok:
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
            else:
                batch.status = ImportBatch.Status.REJECTED
            batch.summary = report.to_summary()
            batch.save(update_fields=["status", "summary", "committed_at"])
            if report.ok:
                # In the commit's transaction: an import that is undone leaves no event, and none is missing.
                _audit_commit(batch, report, user)
        return batch, report

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
