"""Reading a ZIP of entries without trusting it: no path traversal, no links, no zip bombs.

Unsafe members are refused one by one with a reason (an entry that needs one is reported as
unreadable); the rest of the archive is still used.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from assistant.errors import InvalidInput

MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 512_000_000
MAX_RATIO = 100  # uncompressed/compressed; ordinary documents stay far below this
RATIO_FLOOR = 1_000_000  # small members may compress well without being bombs


@dataclass
class ArchiveFiles:
    files: dict[str, bytes] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def _safe_name(raw: str) -> str | None:
    name = raw.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in path.parts or "\x00" in name:
        return None
    return str(path)


def read_zip(data: bytes, *, max_member_bytes: int, max_total_bytes: int = MAX_TOTAL_BYTES) -> ArchiveFiles:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput("The upload is not a readable ZIP archive; zip the folder again and retry.") from exc
    if len(members) > MAX_MEMBERS:
        raise InvalidInput(f"The archive holds {len(members):,} files, more than {MAX_MEMBERS:,}; split the batch.")
    result = ArchiveFiles()
    total = 0
    for info in members:
        if info.is_dir():
            continue
        name = _safe_name(info.filename)
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if any(part.startswith(("__MACOSX", "._")) for part in parts):
            continue
        if name is None:
            result.refused[info.filename] = "its path leaves the archive folder (path traversal); it was not read"
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            result.refused[name] = "it is a symbolic link; it was not followed"
            continue
        if info.flag_bits & 0x1:
            result.refused[name] = "it is encrypted in the archive; add it without a password"
            continue
        if info.file_size > max_member_bytes:
            result.refused[name] = (
                f"it expands to {info.file_size:,} bytes, more than the limit of {max_member_bytes:,}"
            )
            continue
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            result.refused[name] = "it compresses suspiciously well (a possible zip bomb); it was not expanded"
            continue
        total += info.file_size
        if total > max_total_bytes:
            result.refused[name] = f"the archive expands to more than {max_total_bytes:,} bytes; split the batch"
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(max_member_bytes + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            result.refused[name] = f"it is damaged in the archive ({type(exc).__name__})"
            continue
        if len(content) > max_member_bytes:
            result.refused[name] = f"it expands to more than {max_member_bytes:,} bytes"
            continue
        result.files[name] = content
    return result
