"""Write the import corpus: each case of corpus.py as <case>.xlsx and <case>.xls, really saved by LibreOffice.

    .venv/bin/python tests/data/imports/make_corpus.py

Each source workbook is written with openpyxl into a temporary folder, then LibreOffice converts it twice
(`soffice --headless --convert-to xls` and `--convert-to xlsx`), so the committed .xlsx is LibreOffice's, not
openpyxl's. The CSV files are written directly.

Idempotent: LibreOffice stamps the time into every file it saves, so a file is replaced only when what it holds
(sheet names and states, merged ranges, every cell as python-calamine reads it) differs from the file already
here; running it twice changes nothing. LibreOffice runs with a private profile, so it works as root on a
headless machine and does not touch the user's own profile.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import python_calamine

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, for `tests.data.imports`

from tests.data.imports import corpus  # noqa: E402

PROFILE = "file:///tmp/lo-profile-corpus"
FIXED_TIME = dt.datetime(2023, 7, 10, 9, 0, 0)


def source_workbook(case: corpus.Case, path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in case.sheets:
        ws = book.create_sheet(sheet.name)
        for r, cells in enumerate(sheet.grid, start=1):
            for c, value in enumerate(cells, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text, even when it looks like a number
                    cell.number_format = "@"
        for merge in sheet.merges:
            ws.merge_cells(merge)
        ws.sheet_state = sheet.state
    active = next(i for i, s in enumerate(case.sheets) if s.state == "visible")
    book.active = active  # a hidden sheet cannot be the one a workbook opens on
    for i, ws in enumerate(book.worksheets):
        ws.sheet_view.tabSelected = i == active
    book.properties.creator = "jingkai corpus"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.save(path)


def convert(sources: list[Path], target: str, outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    command = [
        "soffice",
        f"-env:UserInstallation={PROFILE}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    missing = [s.name for s in sources if not (outdir / f"{s.stem}.{target}").exists()]
    if missing:
        raise SystemExit(f"LibreOffice did not write {target} for: {', '.join(missing)}")


def fingerprint(path: Path) -> tuple:
    """What a workbook holds, as the readers see it (not the bytes: LibreOffice stamps the time)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets = []
    for meta in book.sheets_metadata:
        sheet = book.get_sheet_by_name(meta.name)
        sheets.append(
            (
                meta.name,
                str(meta.visible),
                repr(sheet.merged_cell_ranges),
                repr(sheet.to_python(skip_empty_area=False)),
            )
        )
    return tuple(sheets)


def place(new: Path, target: Path) -> bool:
    """Copy new over target unless target already holds the same; True when written."""
    if target.exists() and fingerprint(target) == fingerprint(new):
        return False
    shutil.copyfile(new, target)
    return True


def csv_bytes(encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(corpus.ENT_HEADER)
    for firm in corpus.CSV_FIRMS:
        writer.writerow([firm.code, firm.name, firm.short_name, firm.capital, firm.currency, firm.address])
    return buffer.getvalue().encode(encoding)


def main() -> int:
    if shutil.which("soffice") is None:
        raise SystemExit("soffice (LibreOffice) is not installed")
    written, unchanged = [], []
    with tempfile.TemporaryDirectory(prefix="jingkai-corpus-") as tmp:
        work = Path(tmp)
        (work / "src").mkdir()
        sources = []
        for case in corpus.CASES.values():
            path = work / "src" / f"{case.name}.xlsx"
            source_workbook(case, path)
            sources.append(path)
        for ext in corpus.FORMATS:
            convert(sources, ext, work / ext)
            for case in corpus.CASES.values():
                name = f"{case.name}.{ext}"
                (written if place(work / ext / name, HERE / name) else unchanged).append(name)
    for name, encoding in corpus.CSV_FILES.items():
        content = csv_bytes(encoding)
        target = HERE / name
        if target.exists() and target.read_bytes() == content:
            unchanged.append(name)
        else:
            target.write_bytes(content)
            written.append(name)
    print(f"written: {len(written)} {' '.join(written)}")
    print(f"unchanged: {len(unchanged)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
