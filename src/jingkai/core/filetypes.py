"""What a file is, read from its bytes, not its name (docs/security.md §4: attachments).

`sniff(head, zip_names)` names the type the content is; `matches(extension, upload)` says whether an upload's
bytes are what its extension claims. An Office Open XML file (.docx/.xlsx) is a zip whose [Content_Types].xml
and main part say which; .doc/.xls are OLE compound files (one signature for both, as the format has); an OFD
is a zip with OFD.xml; text is UTF-8 or GB 18030 without control bytes.
"""

from __future__ import annotations

import io
import zipfile

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "rar": (b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00"),
    "ole": (OLE,),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
}
# Extension -> the kinds of content it may hold.
EXPECTED = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg"},
    "jpeg": {"jpg"},
    "gif": {"gif"},
    "rar": {"rar"},
    "doc": {"ole"},
    "xls": {"ole"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "ofd": {"ofd"},
    "zip": {"zip", "docx", "xlsx", "ofd"},
    "txt": {"txt"},
}
HEAD_BYTES = 8192
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def _zip_kind(stream) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return ""
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


def _is_text(head: bytes) -> bool:
    if any(b in _CONTROL for b in head):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if encoding == "utf-8" and exc.start >= len(head) - 3 and len(head) == HEAD_BYTES:
                return True  # a character cut by the head's end
    return False


def sniff(stream) -> str:
    """The kind of content of a binary stream (pdf, png, jpg, gif, rar, ole, docx, xlsx, ofd, zip, txt), or ""."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    for kind, signatures in SIGNATURES.items():
        if any(head.startswith(s) for s in signatures):
            if kind == "zip":
                found = _zip_kind(stream)
                stream.seek(0)
                return found
            return kind
    if head and _is_text(head):
        return "txt"
    return ""


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def matches(upload) -> bool:
    """Whether an uploaded file's bytes are what its extension says."""
    expected = EXPECTED.get(extension_of(upload.name), set())
    stream = upload if hasattr(upload, "seek") else io.BytesIO(upload.read())
    return sniff(stream) in expected


def short_name(name: str, limit: int) -> str:
    """`name` cut to `limit` characters with its extension kept (报告……很长.pdf stays a .pdf)."""
    name = name.replace("/", "_").replace("\\", "_").strip() or "file"
    if len(name) <= limit:
        return name
    ext = extension_of(name)
    tail = f".{ext}" if ext and len(ext) < limit // 2 else ""
    return name[: limit - len(tail)] + tail
