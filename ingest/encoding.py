"""Turn a web page's bytes into text, trusting the bytes over what the page declares.

Pages lie about their encoding: a page saved or served as Windows-1252 may still say
`<meta charset="utf-8">`, and decoding it as UTF-8 turns "Café Église" into "Caf� �glise". Here:

- a byte-order mark decides (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
- UTF-16 without a mark is recognised by its zero bytes;
- otherwise the declared charset is tried strictly; when it is UTF-8 (or nothing is declared) and
  some bytes are not valid UTF-8, those bytes alone are read as Windows-1252, the commonest
  mislabelling, and counted (`repaired_bytes`) so the caller can say so.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

REPLACEMENT = "\ufffd"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # what the bytes were read as
    declared: str | None  # what the page says it is
    repaired_bytes: int  # bytes that were not valid in the declared encoding, read as Windows-1252

    @property
    def note(self) -> str | None:
        """A sentence for the log when the page was not what it declared, else None."""
        if self.repaired_bytes:
            return (
                f"{self.repaired_bytes} bytes are not valid {self.declared or 'UTF-8'} although the page "
                "declares it; they were read as Windows-1252"
            )
        return None


def decode(content: bytes) -> DecodedText:
    declared_match = _DECLARED.search(content[:4096])
    declared = _normalise(declared_match.group(1).decode("ascii", "replace")) if declared_match else None
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return DecodedText(content[len(bom) :].decode(encoding, errors="replace"), encoding, declared, 0)
    unmarked_utf16 = _unmarked_utf16(content)
    if unmarked_utf16:
        return DecodedText(content.decode(unmarked_utf16, errors="replace"), unmarked_utf16, declared, 0)
    encoding = declared if declared and _known(declared) and declared != "utf-8" else "utf-8"
    try:
        return DecodedText(content.decode(encoding), encoding, declared, 0)
    except UnicodeDecodeError:
        pass
    if encoding != "utf-8":
        return DecodedText(content.decode(encoding, errors="replace"), encoding, declared, 0)
    parts: list[str] = []
    position = repaired = 0
    while True:
        try:
            parts.append(content[position:].decode("utf-8"))
            break
        except UnicodeDecodeError as error:
            parts.append(content[position : position + error.start].decode("utf-8"))
            bad = content[position + error.start : position + error.end]
            parts.append("".join(_windows_1252(byte) for byte in bad))
            repaired += len(bad)
            position += error.end
    return DecodedText("".join(parts), "utf-8 (invalid bytes as windows-1252)", declared, repaired)


def _windows_1252(byte: int) -> str:
    """One byte as Windows-1252 (its five unassigned bytes as Latin-1)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")


def _unmarked_utf16(content: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII markup leaves every other byte zero."""
    sample = content[:2048]
    if len(sample) < 8 or sample.count(0) < len(sample) // 4:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    return "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"


def _normalise(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True
