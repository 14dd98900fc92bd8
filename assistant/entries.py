"""An organiser's own past entries as retrievable passages.

Each document (.md/.txt/.docx/.pdf) needs a metadata sidecar beside it, ``NAME.yaml`` or
``NAME.EXT.yaml``, giving at least ``programme`` and ``category`` (and optionally ``title``,
``organisation``). The document is split into sections per criterion and then into paragraphs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.documents import SUFFIXES
from assistant.errors import InvalidInput, NotFound
from assistant.knowledge import Passage
from assistant.sentences import line_blocks

if TYPE_CHECKING:
    from assistant.service import Assistant


class EntryMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programme: str
    category: str
    title: str = ""
    organisation: str = ""
    year: int | None = None


def find_entry_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise NotFound(f"{path}: no such file or folder.")
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        files.extend(p for p in candidates if p.is_file() and p.suffix.lower() in SUFFIXES)
    return files


def _sidecar(path: Path) -> EntryMeta:
    for candidate in (path.with_name(path.name + ".yaml"), path.with_suffix(".yaml")):
        if candidate.is_file():
            try:
                return EntryMeta.model_validate(yaml.safe_load(candidate.read_text(encoding="utf-8")))
            except (yaml.YAMLError, ValidationError) as exc:
                raise InvalidInput(f"{candidate}: invalid entry metadata ({exc}).") from exc
    raise InvalidInput(f"{path}: no metadata sidecar; add {path.stem}.yaml with programme and category.")


def entry_passages(assistant: Assistant, path: Path) -> list[Passage]:
    meta = _sidecar(path)
    document = assistant.read_file(path)
    programme, category = assistant.resolve(meta.category, meta.programme)
    sections = assistant.reviewer.sections(document.text, programme, category)
    source = meta.title or path.stem
    if meta.organisation:
        source += f" — {meta.organisation}"
    passages: list[Passage] = []
    resolved = str(path.resolve())
    for section in sections.sections:
        for index, block in enumerate(line_blocks(document.text, section.start, section.end), start=1):
            body = block.text(document.text)
            if len(body.split()) < 8:
                continue
            types = sorted({t for f in assistant.detector.detect(body) for t in f.types if t != "unsupported_claim"})
            passages.append(
                Passage(
                    id=f"entry:{resolved}#{section.criterion}-{block.start}",
                    kind="entry",
                    text=body,
                    source=f"{source} (your entry)",
                    source_file=resolved,
                    programme=programme.id,
                    category=category.id,
                    criterion=section.criterion or "",
                    evidence=tuple(types),
                )
            )
            del index
    return passages
