"""`shortlist check`: the organiser's batch pre-check."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from assistant.batch import load_mapping, load_path, run_batch, write_report
from assistant.batch.report import RULE_LABELS
from assistant.cli.context import console, err_console, print_json, progress_bar
from assistant.documents import SUFFIXES
from assistant.errors import InvalidInput
from assistant.service import Assistant
from assistant.settings import get_settings


def _previous_texts(assistant: Assistant, paths: list[Path]) -> list[str]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            files.append(path)
    texts = []
    for file in files:
        try:
            texts.append(assistant.read_file(file).text)
        except InvalidInput as exc:
            err_console.print(f"[yellow]skipped previous entry[/yellow] {escape(exc.message)}", highlight=False)
    return texts


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops a batch as Ctrl-C does: workers are shut down and finished entries stay cached."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        before = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (e.g. called from a test runner's worker thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def check(
    input_path: Annotated[Path, typer.Argument(
        metavar="INPUT",
        help="A folder of documents with manifest.csv (or NAME.yaml beside each), a CSV/XLSX export, or a ZIP",
    )],
    programme: Annotated[str | None, typer.Option(
        "--programme", "-p",
        help="Programme id (see 'shortlist packs list'); inferred when the entries' categories name one programme",
    )] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the report: .html, .csv or .json")] = None,
    columns: Annotated[Path | None, typer.Option("--columns", help="YAML/TOML column mapping (spreadsheets)")] = None,
    previous: Annotated[list[Path] | None, typer.Option(
        "--previous", help="Earlier entries (folder or file) to compare re-entries with; repeatable"
    )] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, max=64, help="Processes to use")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON report on stdout")] = False,
    full_review: Annotated[bool, typer.Option(
        "--full-review",
        help="Run the entrant's whole review behind the rules instead of the faster screening review "
        "(same as SHORTLIST_ELIGIBILITY_REVIEW=full)",
    )] = False,
) -> None:
    """Pre-check a batch of entries for eligibility and completeness; flags come with reasons and quotes."""
    started = time.perf_counter()
    settings = get_settings()
    if full_review:
        settings = settings.model_copy(update={"eligibility_review": "full"})
    assistant = Assistant.from_settings(settings)
    mapping = load_mapping(columns) if columns else None
    if programme is None:
        # Read the batch once to see which categories it names, then once more against their programme.
        first = load_path(input_path, programme=assistant.packs.programmes[0], mapping=mapping,
                          limits=assistant.settings.limits)
        resolved = assistant.packs.infer_programme(item.category for item in first)
        err_console.print(f"programme: {resolved.id} (from the entries' categories)", highlight=False)
    else:
        resolved = assistant.packs.programme(programme)
    items = load_path(input_path, programme=resolved, mapping=mapping, limits=assistant.settings.limits)
    previous_texts = _previous_texts(assistant, previous or [])
    counts = {"last": 0, "reused": -1}
    with progress_bar("checking entries", len(items)) as advance, _terminate_as_interrupt():

        def progress(done: int, total: int) -> None:
            if counts["reused"] < 0:
                counts["reused"] = done
            advance(done - counts["last"])
            counts["last"] = done

        try:
            report = run_batch(
                assistant, items, resolved, previous=previous_texts, workers=workers, progress=progress
            )
        except KeyboardInterrupt:
            err_console.print(
                f"[yellow]interrupted[/yellow]: {counts['last']} of {len(items)} entries are checked and saved; "
                "run the same command again to resume.",
                highlight=False,
            )
            raise typer.Exit(130) from None
    if out is not None:
        write_report(report, out, assistant.settings.prompts_dir)
    elapsed = time.perf_counter() - started
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    summary = report.summary
    console.print(
        f"[bold]{escape(report.programme_name)}[/bold]: {summary.total} entries — "
        f"[green]{summary.eligible} eligible[/green], [yellow]{summary.needs_review} need review[/yellow], "
        f"[red]{summary.ineligible} ineligible[/red] ({max(counts['reused'], 0)} reused from an earlier run, "
        f"{elapsed:.1f}s)",
        highlight=False,
    )
    flagged = [e for e in report.entries if e.verdict != "eligible"]
    if flagged:
        table = Table()
        for column in ("entry", "category", "verdict", "flags"):
            table.add_column(column)
        for entry in flagged:
            flags = [f"{RULE_LABELS.get(r.rule, r.rule)} ({r.status.replace('_', ' ')})" for r in entry.rules
                     if r.status != "pass"]
            colour = "red" if entry.verdict == "ineligible" else "yellow"
            table.add_row(escape(entry.id), escape(entry.category), f"[{colour}]{entry.verdict}[/{colour}]",
                          escape(", ".join(flags)))
        console.print(table)
    if out is not None:
        console.print(f"report written to {escape(str(out))}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
