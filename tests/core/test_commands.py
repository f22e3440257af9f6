"""The operations commands: uscc, token, check-coverage, holidays, serve."""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from jingkai import cli
from jingkai.core import calendar
from jingkai.core.management.commands.serve import JingkaiApplication
from jingkai.core.models import ApiToken, HolidayOverride
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CSV = ROOT / "docs" / "holidays-example.csv"
VALID = "91350100M000100Y43"
UNKNOWN_YEAR = calendar.OFFICIAL_LAST_YEAR + 1


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args, stdin=None):
    """call_command with captured output; returns (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue(), err.getvalue()


# --- uscc -------------------------------------------------------------------------------------------


def test_uscc_all_valid_exits_0():
    status, out, _ = run("uscc", VALID, "９１３５０１００ｍ０００１００ｙ４３")
    assert status == 0
    assert out.splitlines() == [f"{VALID}\tvalid", f"{VALID}\tvalid"]


def test_uscc_any_invalid_exits_1_with_the_reason():
    status, out, _ = run("uscc", VALID, VALID[:17] + "4")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == f"{VALID}\tvalid"
    code, verdict, reason = lines[1].split("\t")
    assert (code, verdict) == (VALID[:17] + "4", "invalid")
    assert "position 18" in reason and "3" in reason


def test_uscc_reads_codes_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{VALID}\n\n  91350100M000100Y4Z \n"))
    status, out, _ = run("uscc", "-")
    assert status == 1
    assert [line.split("\t")[1] for line in out.splitlines()] == ["valid", "invalid"]


def test_uscc_with_empty_stdin_is_an_error(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(CommandError):
        run("uscc", "-")


def test_uscc_exit_status_from_the_console_script():
    # The real process: exit codes are what shell scripts see.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jingkai.settings"}
    ok = subprocess.run(
        [sys.executable, "-m", "jingkai", "uscc", VALID], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "jingkai", "uscc", VALID, "123"], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[1].startswith("123\tinvalid\t")


def test_the_cli_maps_check_coverage_to_the_django_command(monkeypatch):
    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    cli.main(["check-coverage", "--year", "2022"])
    assert seen == [["jingkai", "check_coverage", "--year", "2022"]]


# --- token ------------------------------------------------------------------------------------------


def test_token_prints_a_token_that_authenticates(zone):
    status, out, err = run("token", "zone_admin", "--name", "nightly export")
    assert status == 0
    raw = out.strip()
    assert "\n" not in raw and raw.startswith("jk_")
    token = ApiToken.objects.authenticate(raw)
    assert token is not None
    assert token.user == zone["zone_admin"]
    assert token.name == "nightly export"
    assert token.prefix in err  # the advice names the token without repeating it
    assert raw not in err


def test_token_for_an_unknown_user_fails(db):
    with pytest.raises(CommandError, match="nobody"):
        run("token", "nobody")
    assert not ApiToken.objects.exists()


def test_token_for_an_inactive_user_fails(zone):
    user = zone["grid_officer"]
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="not active"):
        run("token", "grid_officer")
    assert not ApiToken.objects.filter(user=user).exists()


# --- check-coverage ---------------------------------------------------------------------------------


def test_check_coverage_exits_0_when_the_zone_is_covered(zone):
    status, out, _ = run("check_coverage")
    assert status == 0
    assert "No gaps for 2022" in out


def test_check_coverage_exits_1_and_lists_each_gap(zone):
    stray = f.EnterpriseFactory(name="未划网格精密有限公司")
    f.AnnualScaleFactory(enterprise=stray, year=2022, above_size=True)
    orphan_grid = f.GridFactory(name="第九网格")
    status, out, _ = run("check_coverage")
    assert status == 1
    lines = out.splitlines()
    assert f"above_no_grid\t未划网格精密有限公司 ({stray.uscc})\t" in out
    assert any(line.startswith("grid_no_leader\t第九网格\t") for line in lines)
    assert orphan_grid.name in out
    assert lines[-1] == "Gaps for 2022: 2 (enterprises: 1, grids or communities: 1)."


def test_check_coverage_year_decides_above_or_below(zone):
    # In 2021 nobody has 规上 data, so the two grid enterprises count as 规下 with no community.
    status, out, _ = run("check_coverage", "--year", "2021")
    assert status == 1
    kinds = sorted(line.split("\t")[0] for line in out.splitlines()[:-1])
    assert kinds == ["below_no_community", "below_no_community"]
    assert zone.above1.name in out and zone.above2.name in out


# --- holidays ---------------------------------------------------------------------------------------


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "notice.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_the_example_file_loads_and_loading_again_changes_nothing(db):
    status, out, _ = run("holidays", "load", str(EXAMPLE_CSV))
    assert status == 0
    rows = EXAMPLE_CSV.read_text(encoding="utf-8").strip().splitlines()[1:]
    assert HolidayOverride.objects.count() == len(rows)
    assert f": {len(rows)} (new {len(rows)}," in out
    before = list(
        HolidayOverride.objects.values_list("date", "is_working_day", "name", "source", "updated_at")
    )
    _, out, _ = run("holidays", "load", str(EXAMPLE_CSV))
    assert f"(new 0, changed 0, unchanged {len(rows)}, removed 0)" in out
    assert (
        list(HolidayOverride.objects.values_list("date", "is_working_day", "name", "source", "updated_at"))
        == before
    )


def test_the_example_file_agrees_with_chinesecalendar(db):
    # The shipped example is 2026 transcribed from chinesecalendar, not invented dates.
    import chinese_calendar

    run("holidays", "load", str(EXAMPLE_CSV))
    for override in HolidayOverride.objects.all():
        assert chinese_calendar.is_workday(override.date) == override.is_working_day, override


def test_a_bad_file_writes_nothing_and_names_each_line(db, tmp_path):
    path = write(
        tmp_path,
        "date,kind,name,source\n"
        f"{UNKNOWN_YEAR}-01-01,holiday,元旦,通知\n"
        f"{UNKNOWN_YEAR}-02-30,holiday,春节,通知\n"  # no such date
        f"{UNKNOWN_YEAR}-02-08,vacation,春节,通知\n"  # unknown kind
        "2025-10-09,workday,国庆节,通知\n"  # a Thursday cannot be an adjusted working day
        f"{UNKNOWN_YEAR}-01-01,holiday,元旦,通知\n"  # duplicate of line 2
        f"{UNKNOWN_YEAR}-05-01,holiday,,\n",  # no name, no source
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="Errors in .*: 5;"):
        call_command("holidays", "load", path, stderr=err)
    assert not HolidayOverride.objects.exists()
    messages = err.getvalue()
    for line in (3, 4, 5, 6, 7):
        assert f"Line {line}:" in messages
    assert "Line 2:" not in messages
    assert "already on line 2" in messages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("day,kind,name,source\n2026-01-01,holiday,元旦,x\n", "columns"),
        ("date,kind,name,source\n", "no dates"),
    ],
)
def test_files_without_rows_are_refused(db, tmp_path, text, message):
    err = io.StringIO()
    with pytest.raises(CommandError, match=": 1; nothing was loaded"):
        call_command("holidays", "load", write(tmp_path, text), stderr=err)
    assert message in err.getvalue()
    assert not HolidayOverride.objects.exists()


def test_a_missing_file_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("holidays", "load", str(tmp_path / "nope.csv"))


def test_a_gb18030_file_from_excel_loads(db, tmp_path):
    path = write(
        tmp_path, f"date,kind,name,source\n{UNKNOWN_YEAR}-01-01,holiday,元旦,国务院办公厅通知\n", "gb18030"
    )
    run("holidays", "load", path)
    assert HolidayOverride.objects.get().name == "元旦"


def test_a_corrected_notice_replaces_the_year(db, tmp_path):
    first = dt.date(UNKNOWN_YEAR, 1, 1)
    weekend = next(
        first + dt.timedelta(days=i) for i in range(7) if (first + dt.timedelta(days=i)).weekday() == 5
    )
    HolidayOverride.objects.create(
        date=dt.date(2025, 10, 9), is_working_day=False, name="other year", source="x"
    )
    run(
        "holidays",
        "load",
        write(tmp_path, f"date,kind,name,source\n{first},holiday,元旦,a\n{weekend},workday,元旦,a\n"),
    )
    status, out, _ = run(
        "holidays", "load", write(tmp_path, f"date,kind,name,source\n{first},holiday,元旦,b\n")
    )
    assert status == 0
    assert "(new 0, changed 1, unchanged 0, removed 1)" in out
    assert list(HolidayOverride.objects.filter(date__year=UNKNOWN_YEAR).values_list("date", "source")) == [
        (first, "b")
    ]
    assert HolidayOverride.objects.filter(date=dt.date(2025, 10, 9)).exists()  # other years untouched


def test_a_loaded_notice_drives_the_working_day_calendar(db, tmp_path):
    first = dt.date(UNKNOWN_YEAR, 1, 1)
    weekday = next(
        first + dt.timedelta(days=i) for i in range(1, 8) if (first + dt.timedelta(days=i)).weekday() == 2
    )
    run("holidays", "load", write(tmp_path, f"date,kind,name,source\n{weekday},holiday,测试假日,通知\n"))
    cal = calendar.WorkingCalendar()
    assert not cal.is_working_day(weekday)
    assert cal.warnings == []


def test_status_names_the_source_of_each_year(db):
    run("holidays", "load", str(EXAMPLE_CSV))
    status, out, _ = run("holidays", "status", "--from", "2025", "--to", str(UNKNOWN_YEAR))
    assert status == 0
    kinds = {int(line.split("\t")[0]): line.split("\t")[1] for line in out.splitlines()}
    expected = dict.fromkeys(range(2025, UNKNOWN_YEAR + 1), "official")
    expected.update({2026: "notice", UNKNOWN_YEAR: "weekends"})
    assert kinds == expected
    assert "dates in the table: 39" in out


def test_status_refuses_a_reversed_range(db):
    with pytest.raises(CommandError):
        run("holidays", "status", "--from", "2026", "--to", "2025")


# --- serve ------------------------------------------------------------------------------------------


def test_serve_configures_gunicorn_as_asked():
    app = JingkaiApplication(
        {"bind": "127.0.0.1:8123", "workers": 3, "worker_class": "gthread", "threads": 2}
    )
    assert app.cfg.bind == ["127.0.0.1:8123"]
    assert (app.cfg.workers, app.cfg.threads) == (3, 2)
    assert app.cfg.worker_class_str == "gthread"


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--workers", "0"]])
def test_serve_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("serve", *args)
