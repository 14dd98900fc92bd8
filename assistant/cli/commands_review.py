"""`shortlist review` and `shortlist evidence`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from assistant.cli.context import build_assistant, console, err_console, print_json, progress_bar, warm_up
from assistant.compare import ReviewChange, compare_reviews
from assistant.eligibility import Entrant
from assistant.eligibility.entrants import parse_sector
from assistant.errors import InvalidInput
from assistant.packs import SECTORS
from assistant.review import Review
from assistant.taxonomy import LABELS


def _print_review(review: Review) -> None:
    console.print(
        f"[bold]{review.programme.name} {review.programme.year}[/bold] — {review.category.title}", highlight=False
    )
    table = Table(show_lines=False)
    for column in ("criterion", "section", "words", "evidence found", "missing", "band"):
        table.add_column(column)
    for item in review.criteria:
        limit = f"/{item.word_limit}" if item.word_limit else ""
        words = f"[red]{item.word_count}{limit}[/red]" if item.over_limit else f"{item.word_count}{limit}"
        found = sorted({LABELS[e.type] for e in item.evidence})
        section = item.sections[0].method.replace("_", " ") if item.sections else "[red]not found[/red]"
        table.add_row(
            item.title,
            section,
            words,
            ", ".join(found) or "—",
            "[yellow]" + ", ".join(LABELS[m.type] for m in item.missing) + "[/yellow]"
            if item.missing
            else "[green]none[/green]",
            item.band.band if item.band else "—",
        )
    console.print(table)
    for item in review.criteria:
        if not item.missing and not item.unsupported_claims:
            continue
        lines = []
        for missing in item.missing:
            lines.append(f"[bold yellow]Missing {LABELS[missing.type].lower()}[/bold yellow] — {escape(missing.why)}")
            lines.append(f"  → {escape(missing.suggestion)}")
            for example in missing.examples[:1]:
                lines.append(f"  [dim]e.g. {escape(example.source)}: “{escape(example.text[:220])}…”[/dim]")
        for claim in item.unsupported_claims:
            lines.append(f"[magenta]Unsupported claim[/magenta]: “{escape(claim.quote)}”")
        console.print(Panel("\n".join(lines), title=item.title, title_align="left"), highlight=False)
    for warning in review.warnings:
        quote = f" “{warning.quote[:120]}”" if warning.quote else ""
        console.print(
            f"[red]warning[/red] {escape('[' + warning.kind + ']')} {escape(warning.message + quote)}", highlight=False
        )
    if review.eligibility is not None:
        colour = {"eligible": "green", "ineligible": "red"}.get(review.eligibility.verdict, "yellow")
        console.print(f"eligibility: [{colour}]{review.eligibility.verdict.replace('_', ' ')}[/{colour}]")
        for rule in review.eligibility.rules:
            if rule.status != "pass":
                console.print(f"  {escape(rule.rule)} ({rule.status.replace('_', ' ')}): {escape(rule.reason)}",
                              highlight=False)


def _print_change(change: ReviewChange) -> None:
    table = Table(title=f"Redraft compared ({change.missing_before} gaps before, {change.missing_after} after)")
    for column in ("criterion", "added", "lost", "band", "words"):
        table.add_column(column)
    for item in change.criteria:
        band = f"{item.band_before} → {item.band_after}" if item.band_moved else (item.band_after or "—")
        table.add_row(
            item.title,
            ", ".join(LABELS[t] for t in item.added) or "—",
            ", ".join(LABELS[t] for t in item.lost) or "—",
            band,
            f"{item.words_before} → {item.words_after}",
        )
    console.print(table)


def review(
    draft: Annotated[Path, typer.Argument(help="The draft: .txt, .md, .docx or .pdf")],
    category: Annotated[str, typer.Option("--category", "-c", help="Category id or title (or programme/category)")],
    programme: Annotated[
        str | None, typer.Option("--programme", "-p", help="Programme id, if the category is ambiguous")
    ] = None,
    against: Annotated[Path | None, typer.Option("--against", help="An earlier version: say what changed")] = None,
    examples: Annotated[bool, typer.Option("--examples/--no-examples", help="Retrieve exemplars for each gap")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the review contract as JSON")] = False,
    eligibility: Annotated[bool, typer.Option(
        "--eligibility", help="Also run the category's eligibility rules (implied by --organisation or --sector)"
    )] = False,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="The lead entrant, for eligibility")
    ] = None,
    sector: Annotated[str | None, typer.Option(
        "--sector", help=f"The lead entrant's sector, for eligibility: {', '.join(SECTORS)}"
    )] = None,
) -> None:
    """Review a draft against its category's criteria and list the missing evidence."""
    entrant = None
    if eligibility or organisation or sector:
        parsed = parse_sector(sector) if sector else None
        if sector and parsed is None:
            raise InvalidInput(f"Unknown sector '{sector}'; use one of {', '.join(SECTORS)}.")
        entrant = Entrant(organisation=organisation or "", sector=parsed)
    assistant = build_assistant()
    document = assistant.read_file(draft)
    warm_up(assistant)
    with err_console.status("Reviewing…"):
        result = assistant.review(document.text, category, programme=programme, examples=examples, entrant=entrant,
                                  hidden=document.hidden)
        previous = None
        if against is not None:
            old = assistant.read_file(against)
            previous = assistant.review(old.text, category, programme=programme, examples=False)
    if previous is not None:
        change = compare_reviews(previous, result)
        if as_json:
            print_json({"review": result.model_dump(mode="json"), "change": change.model_dump(mode="json")})
        else:
            _print_change(change)
        return
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        _print_review(result)


def evidence(
    file: Annotated[Path | None, typer.Argument(help="A text, .md, .docx or .pdf file")] = None,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help="JSONL records with 'id' and 'text'")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per text")] = False,
) -> None:
    """Detect evidence in whole texts, with no criteria: one result per text."""
    if (file is None) == (jsonl is None):
        raise InvalidInput("Give either a FILE or --jsonl FILE (not both).")
    assistant = build_assistant()
    if file is not None:
        records = [(str(file), assistant.read_file(file).text)]
    else:
        records = list(_read_jsonl(jsonl))  # type: ignore[arg-type]
    warm_up(assistant)
    with progress_bar("detecting", len(records)) as advance:
        for record_id, text in records:
            items = [e.model_dump(mode="json") for e in assistant.evidence(text)]
            if as_json:
                print_json({"id": record_id, "evidence": items})
            else:
                console.print(f"[bold]{record_id}[/bold]", highlight=False)
                for item in items:
                    console.print(f"  {LABELS[item['type']]:<32} “{escape(item['quote'])}”", highlight=False)
            advance()


def _read_jsonl(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file.")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{number}: not valid JSON ({exc.msg}).") from exc
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
            raise InvalidInput(f"{path}:{number}: each record needs an 'id' and a 'text' string.")
        records.append((str(record["id"]), record["text"]))
    return records


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    app.command("evidence")(evidence)
