"""Checking one batch item: parse its document, run the eligibility engine, never raise for bad input.

The same function runs in-process (one worker) or in pool processes, each of which builds its own
Assistant once in the initializer and keeps it for every entry it checks.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

from assistant.batch.models import INPUT_RULE, BatchItem, EntryReport
from assistant.eligibility import EntryInput, evaluate_entry, verdict_of
from assistant.eligibility.entrants import parse_sector
from assistant.errors import BackendUnavailable, ConfigError, InvalidInput, NotFound
from assistant.packs import SECTORS, Programme, Sector
from assistant.review import RuleResult
from assistant.service import Assistant
from assistant.settings import Settings

log = logging.getLogger(__name__)

def parse_deadline(raw: str) -> dt.date | None:
    raw = raw.strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(raw, form).date()
        except ValueError:
            continue
    return None


def entry_input(item: BatchItem, text: str, previous: list[str]) -> tuple[EntryInput, list[str]]:
    """The engine's input from an item's metadata, and notes on any metadata that could not be used."""
    notes = []
    sector = parse_sector(item.sector) if item.sector else None
    if item.sector and sector is None:
        notes.append(f"the sector '{item.sector}' is not one Shortlist knows ({', '.join(SECTORS)})")
    partner_sectors: list[Sector] = []
    for raw in item.partner_sectors:
        parsed = parse_sector(raw)
        if parsed is None:
            notes.append(f"the partner sector '{raw}' is not one Shortlist knows")
        else:
            partner_sectors.append(parsed)
    deadline = parse_deadline(item.deadline) if item.deadline else None
    if item.deadline and deadline is None:
        notes.append(f"the deadline '{item.deadline}' is not a date (use YYYY-MM-DD); the programme's was used")
    entry = EntryInput(
        id=item.id, organisation=item.organisation, sector=sector, partners=item.partners,
        partner_sectors=partner_sectors, text=text, previous_entries=previous, deadline=deadline,
        other_categories=item.other_categories,
    )
    return entry, notes


def unreadable(item: BatchItem, reason: str, category: str | None = None) -> EntryReport:
    reason = reason.rstrip(".") + "."
    return EntryReport(
        id=item.id, category=category or item.category, source=item.source, verdict="needs_review",
        rules=[RuleResult(rule=INPUT_RULE, status="fail", reason=f"The entry could not be checked: {reason}")],
    )


def check_item(
    assistant: Assistant, item: BatchItem, programme: Programme, previous: list[str]
) -> dict[str, Any]:
    """The cacheable result for one item: its report and, when it was read, its signature."""
    if item.error:
        return {"report": unreadable(item, item.error).model_dump(mode="json"), "signature": None}
    try:
        category = programme.category(item.category)
    except NotFound:
        reason = f"the category '{item.category}' is not in {programme.name} {programme.year}" if item.category \
            else "no category is given"
        return {"report": unreadable(item, reason).model_dump(mode="json"), "signature": None}
    try:
        hidden: tuple[str, ...] = ()
        if item.text is not None:
            text = item.text
        else:
            document = assistant.read_upload(item.file_name or item.source, item.data or b"")
            text, hidden = document.text, document.hidden
        entry, notes = entry_input(item, text, previous)
        entry = entry.model_copy(update={"hidden": list(hidden)})
        eligibility, signature = evaluate_entry(assistant, entry, programme, category)
    except InvalidInput as exc:
        return {"report": unreadable(item, exc.message, category.id).model_dump(mode="json"), "signature": None}
    except (ConfigError, BackendUnavailable):
        raise
    except Exception as exc:  # a hostile file may break a parser in ways no one lists; never stop the batch
        log.exception("checking entry %s failed", item.id)
        report = unreadable(item, f"reading or checking it failed ({type(exc).__name__})", category.id)
        return {"report": report.model_dump(mode="json"), "signature": None}
    rules = eligibility.rules
    if notes:
        reason = "Check the metadata: " + "; ".join(notes) + "."
        note = RuleResult(rule=INPUT_RULE, status="needs_review", reason=reason)
        rules = [note, *eligibility.rules]
    report = EntryReport(
        id=item.id, category=category.id, source=item.source, verdict=verdict_of(rules), rules=rules
    )
    fingerprint = {"vector": signature.vector, "sketch": signature.sketch}
    return {"report": report.model_dump(mode="json"), "signature": fingerprint}


# -- pool processes ---------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def init_worker(settings: Settings, programme: Programme, previous: list[str], threads: int) -> None:
    """Build this process's Assistant once; set the thread count before the model library loads."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["MKL_NUM_THREADS"] = str(threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    assistant = Assistant.from_settings(settings)
    assistant.ensure_ingested()
    assistant.embeddings.embed_array(["warm up"])
    assistant.detector  # noqa: B018 - train the detector now, not inside the first entry
    _WORKER.update(assistant=assistant, programme=programme, previous=previous)


def ping() -> bool:
    return bool(_WORKER)


def check_in_worker(item: BatchItem) -> dict[str, Any]:
    return check_item(_WORKER["assistant"], item, _WORKER["programme"], _WORKER["previous"])
