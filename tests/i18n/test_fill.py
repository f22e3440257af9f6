"""core.i18n.fill: a fuzzy entry filled from the pending translations loses every trace of its old msgid."""

from __future__ import annotations

import polib

from jingkai.core.i18n import fill


def test_filling_a_fuzzy_plural_clears_its_previous_msgids():
    po = polib.POFile()
    entry = polib.POEntry(
        msgid="%(count)d new notification",
        msgid_plural="%(count)d new notifications",
        msgstr_plural={0: "旧译文"},
        flags=["fuzzy"],
        previous_msgid="%(count)d notification",
        previous_msgid_plural="%(count)d notifications",
    )
    po.append(entry)
    pending = {
        "%(count)d new notification": "%(count)d 条新通知",
        "%(count)d new notifications": "%(count)d 条新通知",
    }
    assert fill(po, pending) == 1
    assert entry.msgstr_plural == {0: "%(count)d 条新通知"}
    assert "fuzzy" not in entry.flags
    assert entry.previous_msgid is None
    assert entry.previous_msgid_plural is None
    # msgfmt rejects a "#| msgid_plural" line without its "#| msgid": none may be left.
    assert "#|" not in str(po)
