"""Django's {# … #} comment ends on its own line: one spread over two lines is printed on the page (it was, on the
enterprise profile). Every template's comments open and close on one line; longer ones use {% comment %}."""

from __future__ import annotations

from pathlib import Path

import jingkai

ROOT = Path(jingkai.__file__).parent


def test_no_template_comment_spans_lines():
    open_comments = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert open_comments == []
    assert any(ROOT.rglob("*.html"))


def test_the_profile_shows_no_template_source(client, zone):
    client.force_login(zone["grid_officer"])
    page = client.get(zone.above1.get_absolute_url()).content.decode()
    assert "{#" not in page and "#}" not in page
