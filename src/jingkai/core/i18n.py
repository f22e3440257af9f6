"""Keeping the zh_Hans catalogue complete.

UI strings are written in English in the code (gettext msgids) and translated in
`locale/zh_Hans/LC_MESSAGES/django.po`. `jingkai i18n` (see management/commands) refreshes the catalogue
with makemessages, fills new msgids from `locale/pending/*.json` (msgid → translation, written by whoever
added the strings; a pgettext entry is keyed "context\u0004msgid"), compiles it, and reports anything still untranslated. The test suite fails on an
untranslated or fuzzy entry, so the Chinese UI can never silently show English.
"""

from __future__ import annotations

import json
from pathlib import Path

import polib
from django.conf import settings

# The catalogue the settings name (settings.LOCALE_PATHS); the package directory holds it and is where
# makemessages scans.
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PACKAGE_DIR = LOCALE_DIR.parent
PO_PATH = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
PENDING_DIR = LOCALE_DIR / "pending"


def load_pending(pending_dir: Path = PENDING_DIR) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(pending_dir.glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def untranslated(po: polib.POFile) -> list[polib.POEntry]:
    """Entries a reader would see in English: empty, fuzzy, or a plural without its form."""
    out = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            out.append(entry)
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                out.append(entry)
        elif not entry.msgstr:
            out.append(entry)
    return out


def fill(po: polib.POFile, translations: dict[str, str]) -> int:
    """Fill untranslated or fuzzy entries from translations; returns how many were filled."""
    filled = 0
    for entry in untranslated(po):
        # Entries with a context (pgettext) are keyed "context\u0004msgid", as in GNU .mo files.
        text = translations.get(f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid)
        if not text:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: translations.get(entry.msgid_plural, text)}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
        filled += 1
    return filled


def drop_obsolete(po: polib.POFile) -> None:
    for entry in po.obsolete_entries():
        po.remove(entry)
