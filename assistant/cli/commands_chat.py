"""`shortlist chat`: a conversation about a draft in the terminal, resumable by its id."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from assistant.cli.context import build_assistant, console, err_console, warm_up
from assistant.errors import ShortlistError

if TYPE_CHECKING:
    from assistant.chat import ChatEngine, Conversation, Turn

_HELP = "Type a question, '/draft FILE' to load a new version, '/quit' to leave."


def _print_sources(turn: Turn) -> None:
    sources = dict.fromkeys((c.ref, c.source) for c in turn.citations if c.kind != "draft")
    for ref, source in list(sources)[:6]:
        console.print(f"  [dim]source: {escape(ref)} — {escape(source)}[/dim]", highlight=False)
    for notice in turn.notices:
        console.print(f"  [yellow]note:[/yellow] {escape(notice)}", highlight=False)


def _say(engine: ChatEngine, conversation_id: str, message: str) -> None:
    console.print("[bold green]shortlist>[/bold green] ", end="")
    for kind, value in engine.stream_events(conversation_id, message):
        if kind == "delta":
            console.print(value, end="", markup=False, highlight=False, soft_wrap=True)
        else:
            console.print()
            _print_sources(value)  # type: ignore[arg-type]


def _load_draft(engine: ChatEngine, conversation: Conversation, path: Path) -> Conversation:
    document = engine.assistant.read_file(path)
    updated = engine.add_version(conversation.id, document.text, note=f"loaded from {path.name}")
    console.print(f"[dim]Loaded {escape(str(path))} as version {updated.versions[-1].number}.[/dim]", highlight=False)
    return updated


def chat(
    category: Annotated[str | None, typer.Option("--category", "-c", help="Category id or title")] = None,
    draft: Annotated[Path | None, typer.Option("--draft", "-d", help="The draft: .txt, .md, .docx or .pdf")] = None,
    conversation: Annotated[str | None, typer.Option("--conversation", help="Resume a conversation by id")] = None,
    programme: Annotated[str | None, typer.Option("--programme", "-p", help="Programme id, if ambiguous")] = None,
) -> None:
    """Talk about a draft: what is missing, how to improve a criterion, examples, eligibility, redrafts."""
    from assistant.chat import build_chat_engine

    assistant = build_assistant()
    warm_up(assistant, chat=True)
    engine = build_chat_engine(assistant)
    if conversation:
        current = engine.get(conversation)
        if category:
            current = engine.set_category(current.id, category, programme)
        if draft:
            current = _load_draft(engine, current, draft)
    else:
        text = engine.assistant.read_file(draft).text if draft else None
        current = engine.create(category, text, programme)
    console.print(
        f"Conversation [bold]{current.id}[/bold] ({escape(current.category or 'no category yet')}, "
        f"{len(current.versions)} draft version(s), answers from {engine.mode}). "
        f"Resume with: shortlist chat --conversation {current.id}", highlight=False,
    )
    console.print(f"[dim]{_HELP}[/dim]")
    while True:
        try:
            message = console.input("[bold cyan]you>[/bold cyan] ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        if not message:
            continue
        if message in ("/quit", "/exit", "/q"):
            break
        try:
            if message.startswith("/draft"):
                path = message.removeprefix("/draft").strip()
                if not path:
                    err_console.print("Give a file: /draft FILE")
                    continue
                current = _load_draft(engine, current, Path(path).expanduser())
            elif message.startswith("/"):
                console.print(f"[dim]{_HELP}[/dim]")
            else:
                _say(engine, current.id, message)
        except ShortlistError as exc:
            # One bad file or message must not end the conversation.
            err_console.print(f"[red]error:[/red] {escape(exc.message)}", highlight=False)
    console.print(f"Saved. Resume with: shortlist chat --conversation {current.id}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
