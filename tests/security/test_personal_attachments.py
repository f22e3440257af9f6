"""Attachments (docs/security.md §4): the content type is read from the bytes, not the name; a mismatch is a
clear error; a stored name keeps its extension."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jingkai.core import filetypes
from jingkai.demands import services


def office(main: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(main, "<x/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("a.txt", "x")
    return buffer.getvalue()


GOOD = {
    "pdf": b"%PDF-1.7\n...",
    "png": b"\x89PNG\r\n\x1a\n" + b"\0" * 20,
    "jpg": b"\xff\xd8\xff\xe0" + b"\0" * 20,
    "jpeg": b"\xff\xd8\xff\xe1" + b"\0" * 20,
    "gif": b"GIF89a" + b"\0" * 10,
    "doc": filetypes.OLE + b"\0" * 40,
    "xls": filetypes.OLE + b"\0" * 40,
    "docx": office("word/document.xml"),
    "xlsx": office("xl/workbook.xml"),
    "zip": plain_zip(),
    "rar": b"Rar!\x1a\x07\x00" + b"\0" * 10,
    "txt": "关于用电增容的说明\n".encode(),
    "ofd": None,
}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize("ext", [e for e, c in GOOD.items() if c is not None])
def test_a_file_whose_bytes_match_its_extension_passes(ext):
    assert filetypes.matches(upload(f"材料.{ext}", GOOD[ext]))
    services.validate_attachments([upload(f"材料.{ext}", GOOD[ext])])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("发票.pdf", b"MZ\x90\x00 an executable"),
        ("照片.jpg", b"%PDF-1.4"),
        ("报表.xlsx", office("word/document.xml")),
        ("报表.xlsx", plain_zip()),
        ("说明.docx", GOOD["xlsx"]),
        ("说明.txt", b"\x00\x01\x02binary"),
        ("旧表.xls", b"%PDF-1.4"),
        ("图.png", b""),
    ],
)
def test_a_mismatch_is_a_clear_error(name, content):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.validate_attachments([upload(name, content)])
    [message] = raised.value.message_dict["attachments"]
    assert name in message and "content is not" in message


@hsettings(max_examples=200, deadline=None)
@given(
    prefix=st.binary(max_size=64),
    ext=st.sampled_from(sorted(filetypes.EXPECTED)),
)
def test_random_bytes_pass_only_as_what_they_are(prefix, ext):
    """Whatever the bytes, a file passes only if sniffing them gives a kind its extension allows."""
    kind = filetypes.sniff(io.BytesIO(prefix))
    assert filetypes.matches(upload(f"x.{ext}", prefix)) is (kind in filetypes.EXPECTED[ext])
    if prefix.startswith(b"%PDF-"):
        assert kind == "pdf"
    if kind in {"pdf", "png", "jpg", "gif", "ole", "rar"}:
        assert not filetypes.matches(upload("x.txt", prefix))


@hsettings(max_examples=100, deadline=None)
@given(
    stem=st.text(min_size=1, max_size=400).filter(lambda s: "." not in s and s.strip()),
    ext=st.sampled_from(["pdf", "docx", "xlsx"]),
)
def test_a_shortened_name_keeps_its_extension(stem, ext):
    short = filetypes.short_name(f"{stem}.{ext}", 200)
    assert len(short) <= 200 and short.endswith(f".{ext}") and "/" not in short


@pytest.mark.django_db
def test_a_stored_attachment_keeps_its_name_and_extension(zone):
    from jingkai.demands.defaults import ensure_defaults
    from jingkai.demands.models import Channel, DemandCategory

    ensure_defaults()
    long_name = "很长的文件名" * 50 + ".pdf"
    demand = services.submit_demand(
        actor=zone.users["zone_admin"],
        enterprise=zone.above1,
        category=DemandCategory.objects.get(code="policy-consult"),
        description="附件",
        channel=Channel.HOTLINE,
        attachments=[upload(long_name, GOOD["pdf"])],
    )
    attachment = demand.attachments.get()
    assert attachment.name.endswith(".pdf") and len(attachment.name) <= 200
    assert attachment.file.name.endswith(".pdf")
