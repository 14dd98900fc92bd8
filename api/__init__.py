"""Shortlist's web API and page; ``create_app`` is the only entry point."""

from api.app import create_app

__all__ = ["create_app"]
