"""What a non-text input is, from its first bytes: the magic numbers of the formats that turn up named .txt, and
UTF-16 without a byte-order mark. A leaf of pure byte tests (no I/O, no imports) that both the file edges
(`fsutil.decode_utf8`) and the normaliser (`text.normalize`) ask before decoding."""
from __future__ import annotations

# Formats that turn up named .txt: (magic bytes at offset 0, what they are). Checked before any decoding.
_MAGIC = ((b"%PDF-", "PDF document (starts with %PDF-)"), (b"\x1f\x8b", "gzip-compressed data (starts with 1f 8b)"),
          (b"PK\x03\x04", "ZIP archive (a .docx, .epub, .zip...; starts with PK)"),
          (b"\x28\xb5\x2f\xfd", "zstd-compressed data"), (b"BZh", None), (b"\xfd7zXZ\x00", "xz-compressed data"),
          (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
          (b"\xd0\xcf\x11\xe0", "MS Office document (OLE)"), (b"\x7fELF", "executable (ELF)"))


def sniff_binary(data: bytes) -> str | None:
    """What a non-text input is, when its first bytes say so (PDF, gzip, ZIP, images, UTF-16/32 without a
    byte-order mark), else None. Looks at the first 4 KB only."""
    for magic, what in _MAGIC:
        if data.startswith(magic) and what:
            return what
    if data.startswith(b"BZh") and data[3:4].isdigit():
        return "bzip2-compressed data"
    head = data[:4096]
    if len(head) >= 4 and b"\x00" in head:  # (without a NUL byte neither half can be mostly NULs)
        even, odd = head[0::2], head[1::2]
        for zeros, other, order in ((odd, even, "little"), (even, odd, "big")):
            if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) <= 0.1 * len(other):
                return f"UTF-16 ({order}-endian) text without a byte-order mark (NUL in every other byte)"
    return None
