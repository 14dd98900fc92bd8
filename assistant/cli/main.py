"""One Typer app; each use case registers its commands from its own module."""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console

from assistant.cli import commands_knowledge, commands_review
from assistant.errors import ShortlistError

app = typer.Typer(
    name="shortlist",
    help="Review healthcare award entries criterion by criterion and show the evidence that is missing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
commands_review.register(app)
commands_knowledge.register(app)

for module_name in ("commands_serve", "commands_check", "commands_eval", "commands_chat"):
    try:
        module = __import__(f"assistant.cli.{module_name}", fromlist=["register"])
    except ModuleNotFoundError as exc:
        if exc.name != f"assistant.cli.{module_name}":
            raise
        continue
    module.register(app)


def main() -> None:
    """Entry point: library errors become one line on stderr and exit code 1."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        # Outside standalone mode click returns a command's exit code instead of exiting.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except ShortlistError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        Console(stderr=True).print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        # Typer vendors its own copy of click (typer._click), whose exceptions are not click's; both
        # carry show() and exit_code, which is what a usage error needs: the usage line, one error, exit 2.
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        raise
