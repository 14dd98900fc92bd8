"""Turn an uploaded or local document into draft text: .txt, .md, .docx, .pdf.

Every refusal is one sentence saying what is wrong and what to do; nothing here crashes on a
hostile file. .docx keeps headings, bold-only lines and tables as separate lines so that the
section finder can see them.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}
MAX_PDF_PAGES = 200
MAX_DOCX_UNCOMPRESSED = 80_000_000


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    kind: str
    # Text the file holds but a reader would not see: hidden, white or ≤ 2-pt runs in .docx, text
    # drawn invisibly (render mode 3) or in white in a PDF. It is part of ``text``; judges' AI
    # screening reads it, so the review warns about it.
    hidden: tuple[str, ...] = ()


_WHITE = {"FFFFFF", "FEFEFE", "FDFDFD"}


def _hidden_run(run: object) -> bool:
    font = getattr(run, "font", None)
    if font is None:
        return False
    try:
        colour = str(font.color.rgb) if font.color is not None and font.color.type is not None else ""
    except (AttributeError, ValueError):
        colour = ""
    size = font.size.pt if font.size is not None else None
    return bool(font.hidden) or colour.upper() in _WHITE or (size is not None and size <= 2)


def _docx_hidden(paragraph: object) -> list[str]:
    """Runs of hidden text in one paragraph, adjacent hidden runs joined."""
    pieces: list[str] = []
    current = ""
    for run in getattr(paragraph, "runs", []):
        if _hidden_run(run):
            current += run.text
        elif current.strip():
            pieces.append(current.strip())
            current = ""
        else:
            current = ""
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _check_text(name: str, text: str, *, max_chars: int) -> str:
    if "\x00" in text:
        raise InvalidInput(f"{name}: looks like a binary file, not text; upload .txt, .md, .docx or .pdf.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InvalidInput(f"{name}: the document is empty; paste or upload the text of your draft.")
    if len(text) > max_chars:
        raise InvalidInput(
            f"{name}: the draft has {len(text):,} characters, more than the limit of {max_chars:,}; "
            "review one entry at a time."
        )
    return text


def _decode(name: str, data: bytes) -> str:
    if data.startswith(b"%PDF") or data.startswith(b"PK\x03\x04"):
        raise InvalidInput(f"{name}: this is a PDF or Word file named as text; give it a .pdf or .docx name.")
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name}: not readable text; save it as UTF-8 text, .docx or .pdf.") from exc
    if sum(ch.isprintable() or ch.isspace() for ch in text) < 0.95 * len(text):
        raise InvalidInput(f"{name}: looks like a binary file, not text; upload .txt, .md, .docx or .pdf.")
    return text


def _docx_text(name: str, data: bytes) -> tuple[str, list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNCOMPRESSED:
            raise InvalidInput(f"{name}: the Word file expands to more than 80 MB; it is too large to review.")
        if "word/document.xml" not in archive.namelist():
            raise InvalidInput(f"{name}: not a Word document (no word/document.xml); save it as .docx again.")
    except zipfile.BadZipFile as exc:
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise InvalidInput(
                f"{name}: this is an old .doc file or an encrypted document; save it as an unprotected .docx."
            ) from exc
        raise InvalidInput(f"{name}: the Word file is damaged or not a .docx; save it again and retry.") from exc
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except InvalidInput:
        raise
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors on bad files
        raise InvalidInput(f"{name}: the Word file could not be read ({type(exc).__name__}); save it again.") from exc
    lines: list[str] = []
    hidden: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(block, document)
            hidden.extend(_docx_hidden(paragraph))
            text = paragraph.text.strip()
            if not text:
                lines.append("")
                continue
            style = (paragraph.style.name or "") if paragraph.style is not None else ""
            runs = [r for r in paragraph.runs if r.text.strip()]
            if style.lower().startswith(("heading", "title")):
                lines.extend(["", f"## {text}", ""])
            elif runs and all(r.bold for r in runs) and len(text) < 120:
                lines.extend(["", f"**{text}**", ""])
            else:
                lines.extend([text, ""])
        elif tag == "tbl":
            table = Table(block, document)
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    value = cell.text.strip()
                    if value and value not in cells:
                        cells.append(value)
                if cells:
                    lines.append(" | ".join(cells))
            lines.append("")
    return "\n".join(lines).strip() + "\n", hidden


def _pdf_page(page: Any) -> tuple[str, list[str]]:
    """A page's text, and the parts drawn invisibly (render mode 3) or in white fill."""
    state = {"mode": 0, "white": False}
    hidden: list[str] = []

    def before(operator: Any, operands: Any, cm: Any, tm: Any) -> None:
        name = operator.decode() if isinstance(operator, bytes) else str(operator)
        try:
            if name == "Tr":
                state["mode"] = int(operands[0])
            elif name in ("rg", "sc", "scn") and len(operands) == 3:
                state["white"] = all(float(v) >= 0.98 for v in operands)
            elif name == "g" and len(operands) == 1:
                state["white"] = float(operands[0]) >= 0.98
            elif name == "k" and len(operands) == 4:
                state["white"] = all(float(v) <= 0.02 for v in operands)
            elif name == "BT":
                state["mode"] = 0
        except (TypeError, ValueError, IndexError):
            return

    def text(piece: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if piece.strip() and (state["mode"] == 3 or state["white"]):
            hidden.append(piece.strip())

    content = page.extract_text(visitor_operand_before=before, visitor_text=text) or ""
    return content, [" ".join(hidden)] if hidden else []


def _pdf_text(name: str, data: bytes) -> tuple[str, list[str]]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InvalidInput(f"{name}: the PDF is password-protected; remove the protection and upload it again.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InvalidInput(f"{name}: the PDF has {len(reader.pages)} pages, more than {MAX_PDF_PAGES}.")
        parsed = [_pdf_page(page) for page in reader.pages]
        pages = [content for content, _ in parsed]
        hidden = [piece for _, pieces in parsed for piece in pieces]
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise InvalidInput(f"{name}: the PDF is damaged or not a PDF; export it again and retry.") from exc
    except Exception as exc:  # pypdf surfaces assorted errors on hostile files
        raise InvalidInput(f"{name}: the PDF could not be read ({type(exc).__name__}); export it again.") from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text.strip():
        raise InvalidInput(f"{name}: the PDF has no text layer (a scan?); export it from Word or run OCR first.")
    return text, hidden


def read_document(name: str, data: bytes, *, max_bytes: int, max_chars: int) -> Document:
    """Parse bytes by the file's suffix; unknown suffixes are refused, not guessed."""
    suffix = Path(name).suffix.lower()
    if not data:
        raise InvalidInput(f"{name}: the file is empty.")
    if len(data) > max_bytes:
        raise InvalidInput(f"{name}: the file is {len(data):,} bytes, more than the limit of {max_bytes:,}.")
    if suffix in TEXT_SUFFIXES or suffix == "":
        return Document(name, _check_text(name, _decode(name, data), max_chars=max_chars), "text")
    if suffix == ".docx":
        text, hidden = _docx_text(name, data)
        return Document(name, _check_text(name, text, max_chars=max_chars), "docx", tuple(hidden))
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise InvalidInput(f"{name}: not a PDF file (it does not start with %PDF); export it again.")
        text, hidden = _pdf_text(name, data)
        return Document(name, _check_text(name, text, max_chars=max_chars), "pdf", tuple(hidden))
    raise InvalidInput(f"{name}: unsupported file type '{suffix}'; use .txt, .md, .docx or .pdf.")


def read_path(path: Path, *, max_bytes: int, max_chars: int) -> Document:
    if not path.exists():
        raise InvalidInput(f"{path}: no such file.")
    if not path.is_file():
        raise InvalidInput(f"{path}: not a file.")
    size = path.stat().st_size
    if size > max_bytes:
        raise InvalidInput(f"{path}: the file is {size:,} bytes, more than the limit of {max_bytes:,}.")
    return read_document(str(path), path.read_bytes(), max_bytes=max_bytes, max_chars=max_chars)


def check_text(text: str, *, max_chars: int, name: str = "draft") -> str:
    return _check_text(name, text, max_chars=max_chars)
