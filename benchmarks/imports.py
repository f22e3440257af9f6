#!/usr/bin/env python3
"""Import preview benchmark: a 1,000,000-row enterprise workbook, its preview's peak memory and page size.

    .venv/bin/python benchmarks/imports.py [--rows 1000000] [--code SRC] [--label NAME]
    .venv/bin/python benchmarks/imports.py --code /work/main/src --label before --gets 1   # another checkout

What it does:
1. writes (once, kept as var/bench-imports-<rows>.xlsx) an enterprise workbook of N new enterprises with six
   columns (统一社会信用代码, 企业名称, 简称, 成立日期, 行业代码, 从业人员: N × 6 cells) with xlsxwriter in
   constant-memory mode; not timed;
2. in a fresh child process running the code of --code (default: this checkout's src), on a fresh SQLite database
   (var/bench-imports-<label>.sqlite3, migrated), with the import limits raised so that the file is accepted
   (JINGKAI_IMPORT_MAX_BYTES, _MAX_UNPACKED_BYTES, _MAX_CELLS): records the upload, then requests the preview
   page through Django's test client as a zone administrator: the first GET (which validates the file), a
   second GET, and page 2; for each, the time, the HTML size, the number of SQL queries is not counted (DEBUG is
   off) and the process's peak resident memory (ru_maxrss, which includes calamine's Rust allocations);
3. prints the figures against the target (peak ≤ 500 MB for the preview) with the machine's load (uptime) before
   and after, and writes benchmarks/out/imports-<label>-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
VAR = ROOT / "var"
TARGET_MB = 500
HEADERS = ["统一社会信用代码", "企业名称", "简称", "成立日期", "行业代码", "从业人员"]
LIMITS = {
    "JINGKAI_IMPORT_MAX_BYTES": str(1024 * 2**20),
    "JINGKAI_IMPORT_MAX_UNPACKED_BYTES": str(8 * 1024 * 2**20),
    "JINGKAI_IMPORT_MAX_CELLS": str(100_000_000),
    "JINGKAI_OTP_REQUIRED": "false",  # the benchmark's zone administrator signs in without a second factor
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


# --- the workbook -----------------------------------------------------------------------------------


def workbook(rows: int) -> Path:
    path = VAR / f"bench-imports-{rows}.xlsx"
    if path.exists():
        return path
    sys.path.insert(0, str(ROOT / "src"))
    import xlsxwriter

    from jingkai.core import uscc

    VAR.mkdir(exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("企业名录")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS)
    written, body = 0, 40_000_000
    while written < rows:
        body += 1
        try:
            code = uscc.make_code("91", "330482", f"{body:08d}")
        except ValueError:
            continue
        written += 1
        row = written
        sheet.write_string(row, 0, code)
        sheet.write_string(row, 1, f"基准导入测试{written}号有限公司")
        sheet.write_string(row, 2, f"基准{written}")
        sheet.write_datetime(
            row, 3, dt.datetime(2000 + written % 24, 1 + written % 12, 1 + written % 28), dates
        )
        sheet.write_string(row, 4, "C3421")
        sheet.write_number(row, 5, 10 + written % 500)
    book.close()
    return path


# --- the child: one preview, measured -------------------------------------------------------------------


def child(args) -> None:
    sys.path.insert(0, args.code)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jingkai.settings"
    database = VAR / f"bench-imports-{args.label}.sqlite3"
    os.environ["JINGKAI_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.update(LIMITS)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings

    # Plain static storage: a checkout whose settings use the manifest storage needs no collectstatic here.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**django.conf.settings.STORAGES, "staticfiles": plain}).enable()
    from django.urls import reverse

    from jingkai.core.models import Role, User
    from jingkai.enterprises.importers import EnterpriseImporter

    if args.migrate:  # in a process of its own, so that the measured one starts as small as a worker
        database.unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
        return
    admin = User.objects.create_user("bench_admin", password="x-Bench-2026!", role=Role.ZONE_ADMIN)
    User.objects.filter(pk=admin.pk).update(must_change_password=False)
    admin.refresh_from_db()
    content = Path(args.file).read_bytes()
    batch = EnterpriseImporter().record_upload(Path(args.file).name, content, admin)
    del content
    client = Client()
    client.force_login(admin)
    url = reverse("enterprises:import_preview", args=[batch.pk])
    result = {
        "code": args.code,
        "rows": args.rows,
        "file_mb": round(Path(args.file).stat().st_size / 2**20, 1),
    }
    result["before_mb"] = round(peak_mb())
    steps = (("first_get", {}), ("second_get", {}), ("page_2", {"page": 2}))
    for name, params in steps[: args.gets]:
        started = time.perf_counter()
        response = client.get(url, params)
        body = b"".join(response) if response.streaming else response.content
        result[name] = {
            "status": response.status_code,
            "seconds": round(time.perf_counter() - started, 2),
            "html_bytes": len(body),
            "peak_mb": round(peak_mb()),
        }
        if response.status_code != 200:
            result[name]["location"] = response.get("Location", "")
        del response, body
        print(f"  {name}: {result[name]}", flush=True)
    print("RESULT " + json.dumps(result), flush=True)


# --- the parent ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--code", default=str(ROOT / "src"), help="the src directory whose code is measured")
    parser.add_argument("--label", default="after")
    parser.add_argument("--gets", type=int, default=3, choices=(1, 2, 3),
                        help="requests measured: the first GET, a second GET, page 2 (1 for a slow old code path)")  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    load_before = uptime()
    print(f"load before: {load_before}", flush=True)
    started = time.perf_counter()
    path = workbook(args.rows)
    print(f"workbook: {path} ({path.stat().st_size / 2**20:.1f} MB, {time.perf_counter() - started:.0f} s)")
    command = [sys.executable, __file__, "--child", "--rows", str(args.rows), "--code", args.code,
               "--label", args.label, "--file", str(path), "--gets", str(args.gets)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": args.code}
    if Path(args.code).resolve() != (ROOT / "src").resolve():
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # another checkout is only read
    subprocess.run([*command, "--migrate"], env=env, check=True)
    process = subprocess.run(command, env=env, capture_output=True, text=True)
    sys.stdout.write(process.stdout)
    if process.returncode:
        sys.stderr.write(process.stderr[-4000:])
        return process.returncode
    line = next(line for line in process.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["load_before"], result["load_after"] = load_before, uptime()
    first = result["first_get"]
    verdict = "met" if first["peak_mb"] <= TARGET_MB else "missed"
    print(
        f"{args.label}: {args.rows:,} rows — preview peak {first['peak_mb']} MB (target ≤ {TARGET_MB} MB: "
        f"{verdict}), first GET {first['seconds']} s, {first['html_bytes'] / 2**20:.2f} MB of HTML"
        + (
            f"; second GET {result['second_get']['seconds']} s, {result['second_get']['html_bytes'] / 2**20:.2f} MB"
            if "second_get" in result
            else ""
        )
    )
    print(f"load after: {result['load_after']}")
    OUT.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"imports-{args.label}-{stamp}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
