"""Shared pieces of the CLI: building the Assistant once and printing JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.service import Assistant
from assistant.settings import get_settings

console = Console()
err_console = Console(stderr=True)


def build_assistant() -> Assistant:
    return Assistant.from_settings(get_settings())


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


@contextmanager
def progress_bar(description: str, total: int | None, *, transient: bool = False) -> Iterator[Any]:
    """A rich progress bar on stderr, so JSON on stdout stays clean."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=transient,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)


def warm_up(assistant: Assistant, *, chat: bool = False) -> None:
    """Embed the knowledge base and train the evidence detector (and with ``chat``, the chat's message
    model), each only on first use, with progress bars that vanish when done; later runs load them from
    the data directory at once."""
    with progress_bar("knowledge  ", assistant.knowledge_size(), transient=True) as advance:
        assistant.ingest_knowledge(progress=advance)
    if assistant.settings.detection.classifier:
        with progress_bar("detector   ", assistant.detector_training_steps(), transient=True) as advance:
            assistant.prepare_detector(progress=advance)
    if chat:  # the chat's message model: fine-tuned once, then loaded from the data directory
        with progress_bar("messages   ", assistant.message_training_steps(), transient=True) as advance:
            assistant.prepare_messages(progress=advance)
