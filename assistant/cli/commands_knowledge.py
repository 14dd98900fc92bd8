"""`shortlist packs …` and `shortlist ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assistant.cli.context import build_assistant, console, err_console, print_json, progress_bar
from assistant.errors import ShortlistError
from assistant.packs import PackLibrary, Programme, load_programme
from assistant.settings import get_settings

packs_app = typer.Typer(help="List, show and validate criteria packs.", no_args_is_help=True)


def _programme_json(programme: Programme) -> dict[str, object]:
    return {
        "id": programme.id,
        "name": programme.name,
        "year": programme.year,
        "deadline": programme.deadline.isoformat(),
        "categories": [
            {
                "id": category.id,
                "title": category.title,
                "criteria": [
                    {"id": c.id, "title": c.title, "expects": list(c.expects), "word_limit": c.word_limit}
                    for c in category.criteria
                ],
            }
            for category in programme.categories
        ],
    }


def _library() -> PackLibrary:
    return PackLibrary.from_dir(get_settings().knowledge_dir / "programmes")


@packs_app.command("list")
def packs_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts")] = False) -> None:
    """List programmes with their categories and criteria."""
    library = _library()
    if as_json:
        print_json([_programme_json(p) for p in library.programmes])
        return
    table = Table(title="Criteria packs")
    for column in ("programme", "year", "deadline", "categories"):
        table.add_column(column)
    for programme in library.programmes:
        table.add_row(
            f"{programme.name}\n[dim]{programme.id}[/dim]",
            str(programme.year),
            programme.deadline.isoformat(),
            "\n".join(f"{c.id} — {c.title}" for c in programme.categories),
        )
    console.print(table)


@packs_app.command("show")
def packs_show(
    programme_id: Annotated[str, typer.Argument(help="Programme id, e.g. hsj-awards-2025")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole validated pack as JSON")] = False,
) -> None:
    """Show one programme: categories, criteria, judges' questions, expected evidence and scoring."""
    programme = _library().programme(programme_id)
    if as_json:
        print_json(programme.model_dump(mode="json"))
        return
    console.print(f"[bold]{programme.name} {programme.year}[/bold] ({programme.id}) — deadline {programme.deadline}")
    for category in programme.categories:
        console.print(f"\n[bold cyan]{category.title}[/bold cyan] [dim]{category.id}[/dim]")
        for criterion in category.criteria:
            limit = f", {criterion.word_limit} words" if criterion.word_limit else ""
            console.print(
                f"  [bold]{criterion.title}[/bold] [dim]({criterion.id}{limit})[/dim] expects: "
                f"{', '.join(criterion.expects)}"
            )
            for question in criterion.questions:
                console.print(f"    • {question}")
    if programme.scoring:
        console.print("\n[bold]Scoring[/bold]")
        for band in programme.scoring:
            console.print(f"  {band.band}: {band.descriptor}")


@packs_app.command("validate")
def packs_validate(
    files: Annotated[list[Path] | None, typer.Argument(help="Pack files; default: every bundled pack")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Validate pack files; each mistake is reported as FILE: field.path: message."""
    paths = files or sorted((get_settings().knowledge_dir / "programmes").glob("*.y*ml"))
    results = []
    for path in paths:
        try:
            programme = load_programme(path)
            results.append({"file": str(path), "ok": True, "programme": programme.id, "error": None})
        except ShortlistError as exc:
            results.append({"file": str(path), "ok": False, "programme": None, "error": exc.message})
    if as_json:
        print_json(results)
    else:
        for result in results:
            if result["ok"]:
                console.print(f"[green]ok[/green]   {result['file']} ({result['programme']})")
            else:
                err_console.print(f"[red]fail[/red] {result['error']}", highlight=False, soft_wrap=True)
    if not all(r["ok"] for r in results):
        raise typer.Exit(1)


def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Your own past entries (.md/.txt/.docx/.pdf with NAME.yaml metadata); "
            "omit to sync the bundled knowledge only"
        ),
    ] = None,
) -> None:
    """Embed the knowledge base (and your own entries) into the vector store; re-runs add nothing new."""
    assistant = build_assistant()
    total = assistant.knowledge_size()
    with progress_bar("knowledge", total) as advance:
        report = assistant.ingest_knowledge(progress=advance)
    for result in report.results:
        console.print(
            f"{result.kind:<10} added {result.added:>4}  updated {result.updated:>4}  "
            f"removed {result.removed:>4}  unchanged {result.unchanged:>4}"
        )
    if paths:
        errors: list[str] = []
        with progress_bar("your entries", None) as advance:
            entries = assistant.ingest_entries(paths, progress=advance, on_error=errors.append)
        result = entries.results[0]
        console.print(
            f"{'entry':<10} added {result.added:>4}  updated {result.updated:>4}  "
            f"removed {result.removed:>4}  unchanged {result.unchanged:>4}"
        )
        for message in errors:
            err_console.print(f"[yellow]skipped:[/yellow] {message}", highlight=False, soft_wrap=True)
        report = type(report)(report.results + entries.results)
    console.print("nothing new" if report.changed == 0 else f"{report.changed} passages changed", highlight=False)
    console.print(f"store: {assistant.store.location}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(packs_app, name="packs")
    app.command("ingest")(ingest)
