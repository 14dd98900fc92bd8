"""Jinja2 templates from ``prompts/``: the no-LLM answers and the LLM prompts, hashed for eval runs."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound

from assistant.errors import ConfigError


class PromptLibrary:
    """Renders ``<task>.<role>.j2`` templates; a missing variable is an error, never an empty string."""

    def __init__(self, directory: Path, *, prefixes: tuple[str, ...] = ("answer_", "agent.")) -> None:
        self.directory = directory
        self.prefixes = prefixes  # prompts/ is shared; these are the chat's templates
        self._env = Environment(
            loader=FileSystemLoader(str(directory)),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        return sorted(p.name for p in self.directory.glob("*.j2") if p.name.startswith(self.prefixes))

    def render(self, name: str, **context: Any) -> str:
        try:
            template = self._env.get_template(name)
            rendered = template.render(**context)
        except TemplateNotFound as exc:
            raise ConfigError(f"{self.directory / name}: prompt template is missing.") from exc
        except TemplateError as exc:
            raise ConfigError(f"{self.directory / name}: {exc}") from exc
        self.hash(name)
        return _tidy(rendered)

    def hash(self, name: str) -> str:
        """Short sha256 of a template's source, so eval numbers trace back to the wording used."""
        with self._lock:
            if name not in self._hashes:
                path = self.directory / name
                try:
                    self._hashes[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                except OSError as exc:
                    raise ConfigError(f"{path}: prompt template cannot be read ({exc}).") from exc
            return self._hashes[name]

    def hashes(self) -> dict[str, str]:
        return {name: self.hash(name) for name in self.names()}


def _tidy(text: str) -> str:
    """Collapse the blank lines that template control blocks leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy)
