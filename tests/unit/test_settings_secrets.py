"""Secrets in settings (the database password, organiser keys, the LLM key) never reach run headers."""

from __future__ import annotations

import json

from assistant.settings import Settings
from assistant.tokens import digest, matches, new_token


def test_public_dump_masks_the_database_password_and_the_organiser_keys() -> None:
    settings = Settings.model_validate({
        "database": {"url": "postgresql://shortlist:hunter2-secret@db.internal:5432/shortlist"},
        "auth": {"organiser_keys": "alpha-key-123456, beta-key-654321 ,"},
    })
    dumped = json.dumps(settings.public_dump())
    assert "hunter2-secret" not in dumped and "alpha-key" not in dumped and "beta-key" not in dumped
    assert "postgresql://shortlist:***@db.internal:5432/shortlist" in dumped
    assert settings.public_dump()["auth"] == {"organiser_keys": "2 configured"}
    assert settings.database_url.endswith("hunter2-secret@db.internal:5432/shortlist")


def test_keys_are_kept_as_hashes_and_blank_entries_are_ignored() -> None:
    hashes = Settings.model_validate({"auth": {"organiser_keys": " one-key , ,two-key"}}).auth.key_hashes()
    assert hashes == {digest("one-key"), digest("two-key")}
    assert matches("two-key", hashes) and not matches("two-key ", hashes) and not matches("", hashes)
    assert not Settings().auth.key_hashes()


def test_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) >= 43 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


def test_without_a_url_the_database_is_sqlite_in_the_data_dir(tmp_path: object) -> None:
    settings = Settings.model_validate({"data_dir": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/shortlist.sqlite3"
