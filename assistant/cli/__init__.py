"""The ``shortlist`` command line."""

from assistant.cli.main import app, main

__all__ = ["app", "main"]
