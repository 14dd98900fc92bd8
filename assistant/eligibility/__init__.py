"""Eligibility: the pack's declarative rules over entry metadata and text (see ``engine``)."""

from assistant.eligibility.engine import (
    RULE_IDS,
    Entrant,
    EntryInput,
    EntrySignature,
    Verdict,
    check_eligibility,
    evaluate_entry,
    verdict_of,
)

__all__ = [
    "RULE_IDS",
    "Entrant",
    "EntryInput",
    "EntrySignature",
    "Verdict",
    "check_eligibility",
    "evaluate_entry",
    "verdict_of",
]
