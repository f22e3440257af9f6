"""The zh_Hans catalogue is complete: no UI string can reach a user untranslated."""

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from jingkai.core import i18n
from jingkai.settings import PACKAGE_DIR


def test_committed_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(i18n.PO_PATH))
    assert len(po) > 100
    assert [e.msgid for e in i18n.untranslated(po)] == []


def test_compiled_catalogue_matches_the_po_file():
    """The .mo that ships is compiled from the .po that is committed (no stale translations)."""
    po = polib.pofile(str(i18n.PO_PATH))
    mo = polib.mofile(str(i18n.PO_PATH.with_suffix(".mo")))
    # Keyed with the context: "Open" of a demand (未办结) and "Open" of a link (查看) are two entries.
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
    expected = {(e.msgctxt, e.msgid): e.msgstr for e in po if not e.msgid_plural and not e.obsolete}
    assert {k: compiled.get(k) for k in expected} == expected


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true", reason="needs GNU gettext"
)
def test_every_msgid_in_the_source_is_in_the_catalogue(tmp_path):
    # Extract from a copy of the source so the committed catalogue is left untouched.
    copy = tmp_path / "jingkai"
    shutil.copytree(
        PACKAGE_DIR,
        copy,
        ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo", "pending", "migrations"),
    )
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=["zh_Hans"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in i18n.untranslated(fresh)]
    assert missing == [], f"run `jingkai i18n` after adding translations to locale/pending: {missing[:20]}"


def test_the_ui_language_is_simplified_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("enterprise") == "企业"
        assert translation.gettext("Above designated size") == "规上"


def test_msgfmt_accepts_the_catalogue():
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt not installed")
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", os.devnull, str(i18n.PO_PATH)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_catalogue_path_is_inside_the_package():
    assert Path(i18n.PO_PATH).is_relative_to(PACKAGE_DIR)
