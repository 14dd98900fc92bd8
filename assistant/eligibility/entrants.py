"""Who may enter: the entrant's sector, the primary entrant, and the partners a category requires.

Sectors come from the entry's metadata. When the metadata leaves a sector out, it is inferred from
the organisation's name ("… NHS Foundation Trust", "… Ltd"); an inferred sector can clear a rule
but never fails one on its own, because a name is not proof of status — it is flagged for review.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from assistant.packs import SECTORS, EligibilityRules, Sector
from assistant.review import RuleResult

if TYPE_CHECKING:
    from assistant.eligibility.engine import EntryInput

SECTOR_LABELS: dict[str, str] = {
    "nhs_provider": "NHS provider",
    "nhs_commissioner": "NHS commissioner",
    "integrated_care": "integrated care",
    "primary_care": "primary care",
    "public_sector": "public sector",
    "local_authority": "local authority",
    "third_sector": "third sector",
    "social_care": "social care",
    "academic": "academic",
    "private": "private sector",
}

# Most specific first: "NHS Foundation Trust" before "Trust", "ICB" before "NHS".
_NAME_SECTORS: list[tuple[re.Pattern[str], Sector]] = [
    (re.compile(r"\b(?:integrated care (?:board|system|partnership)|ICB|ICS)\b", re.I), "integrated_care"),
    (re.compile(r"\b(?:clinical commissioning group|CCG|NHS England|commissioning support)\b", re.I),
     "nhs_commissioner"),
    (re.compile(r"\b(?:primary care network|PCN|surgery|medical (?:centre|practice)|health centre|GP practice|"
                r"general practice|group practice)\b", re.I), "primary_care"),
    (re.compile(r"\b(?:NHS (?:foundation )?trust|foundation trust|hospitals?|health board|ambulance service|"
                r"healthcare NHS|NHS)\b", re.I), "nhs_provider"),
    (re.compile(r"\b(?:borough|county|city|district|metropolitan|unitary)? ?council\b", re.I), "local_authority"),
    (re.compile(r"\b(?:university|college|academic health science (?:network|centre)|AHSN|institute of)\b", re.I),
     "academic"),
    (re.compile(r"\b(?:charity|charitable|foundation|hospice|trust for|association|society|CIC|community interest|"
                r"healthwatch|voluntary)\b", re.I), "third_sector"),
    (re.compile(r"\b(?:care homes?|domiciliary|home care|social care)\b", re.I), "social_care"),
    (re.compile(r"\b(?:ltd|limited|plc|llp|inc|gmbh|llc|pharmaceuticals?|technologies|solutions|systems)\b\.?",
                re.I), "private"),
    (re.compile(r"\b(?:police|fire (?:and rescue )?service|government|department of|public health)\b", re.I),
     "public_sector"),
]


_SYNONYMS: dict[str, Sector] = {
    "nhs": "nhs_provider", "nhs trust": "nhs_provider", "trust": "nhs_provider", "foundation trust": "nhs_provider",
    "hospital": "nhs_provider", "provider": "nhs_provider", "commissioner": "nhs_commissioner",
    "ccg": "nhs_commissioner", "icb": "integrated_care", "ics": "integrated_care",
    "integrated care board": "integrated_care", "gp": "primary_care", "general practice": "primary_care",
    "pcn": "primary_care", "public": "public_sector", "council": "local_authority",
    "local government": "local_authority", "charity": "third_sector", "voluntary": "third_sector",
    "vcse": "third_sector", "not for profit": "third_sector", "university": "academic",
    "private sector": "private", "commercial": "private", "company": "private", "supplier": "private",
    "industry": "private",
}


def parse_sector(raw: str) -> Sector | None:
    """A sector id from how an organiser wrote it ("NHS provider", "private-sector"); None if unknown."""
    key = re.sub(r"[\s-]+", "_", raw.strip().lower())
    if key in SECTORS:
        return cast(Sector, key)
    return _SYNONYMS.get(key.replace("_", " "))


def infer_sector(name: str) -> Sector | None:
    """A best guess from an organisation's name; None when the name says nothing about status."""
    for pattern, sector in _NAME_SECTORS:
        if pattern.search(name):
            return sector
    return None


def _labels(sectors: list[Sector] | list[str]) -> str:
    names = [SECTOR_LABELS.get(s, s) for s in sectors]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _entrant_sector(entry: EntryInput) -> tuple[Sector | None, bool]:
    """The entrant's sector and whether it was inferred rather than declared."""
    if entry.sector is not None:
        return entry.sector, False
    inferred = infer_sector(entry.organisation) if entry.organisation else None
    return inferred, inferred is not None


def _quotes(text: str, *names: str) -> list[str]:
    """Names of organisations exactly as the entry text spells them, where it does."""
    found = []
    for name in names:
        if name and name in text and name not in found:
            found.append(name)
    return found


def entrant_sector(entry: EntryInput, rules: EligibilityRules, text: str) -> RuleResult:
    allowed = rules.allowed_entrant_sectors
    if allowed is None:
        return RuleResult(rule="entrant_sector", status="pass", reason="The category admits entrants from any sector.")
    sector, inferred = _entrant_sector(entry)
    who = entry.organisation or "The entrant"
    quotes = _quotes(text, entry.organisation)
    if sector is None:
        return RuleResult(
            rule="entrant_sector", status="needs_review", quotes=quotes,
            reason=f"{who}'s sector is not given; check it is one of: {_labels(allowed)}.",
        )
    partners_outside = [s for s in entry.partner_sectors if s not in allowed]
    if sector not in allowed:
        status = "needs_review" if inferred else "fail"
        how = "appears from its name to be" if inferred else "is"
        return RuleResult(
            rule="entrant_sector", status=status, quotes=quotes,
            reason=f"{who} {how} {SECTOR_LABELS[sector]}, but the category admits only {_labels(allowed)} entrants.",
        )
    if partners_outside:
        return RuleResult(
            rule="entrant_sector", status="fail", quotes=_quotes(text, *entry.partners),
            reason=f"A joint entrant is {_labels(partners_outside)}, but the category admits only "
            f"{_labels(allowed)} organisations.",
        )
    note = " (inferred from its name)" if inferred else ""
    return RuleResult(
        rule="entrant_sector", status="pass", quotes=quotes,
        reason=f"{who} is {SECTOR_LABELS[sector]}{note}, which the category admits.",
    )


def primary_entrant(entry: EntryInput, rules: EligibilityRules, text: str) -> RuleResult:
    required = rules.primary_entrant_sectors
    if required is None:
        reason = "The category sets no rule for the lead entrant."
        return RuleResult(rule="primary_entrant", status="pass", reason=reason)
    sector, inferred = _entrant_sector(entry)
    who = entry.organisation or "The lead entrant"
    quotes = _quotes(text, entry.organisation)
    if sector is None:
        return RuleResult(
            rule="primary_entrant", status="needs_review", quotes=quotes,
            reason=f"{who}'s sector is not given; the lead entrant must be {_labels(required)}.",
        )
    if sector not in required:
        status = "needs_review" if inferred else "fail"
        how = "appears from its name to be" if inferred else "is"
        return RuleResult(
            rule="primary_entrant", status=status, quotes=quotes,
            reason=f"{who} {how} {SECTOR_LABELS[sector]}, but the lead entrant must be {_labels(required)}.",
        )
    note = " (inferred from its name)" if inferred else ""
    return RuleResult(
        rule="primary_entrant", status="pass", quotes=quotes,
        reason=f"{who} is {SECTOR_LABELS[sector]}{note}, which may lead an entry in this category.",
    )


def required_partners(entry: EntryInput, rules: EligibilityRules, text: str) -> RuleResult:
    required = rules.required_partner_sectors
    if not required:
        return RuleResult(rule="required_partners", status="pass", reason="The category requires no partner.")
    declared = [s for s in entry.partner_sectors if s in required]
    if declared:
        return RuleResult(
            rule="required_partners", status="pass", quotes=_quotes(text, *entry.partners),
            reason=f"A partner from the {SECTOR_LABELS[declared[0]]} sector is named, as the category requires.",
        )
    if entry.partner_sectors and len(entry.partner_sectors) >= len(entry.partners):
        return RuleResult(
            rule="required_partners", status="fail", quotes=_quotes(text, *entry.partners),
            reason=f"The partners are {_labels(entry.partner_sectors)}; the category needs at least one "
            f"{_labels(required)} partner.",
        )
    undeclared = entry.partners[len(entry.partner_sectors):] if entry.partner_sectors else entry.partners
    inferred = {name: infer_sector(name) for name in undeclared}
    matching = [name for name, sector in inferred.items() if sector in required]
    if matching:
        return RuleResult(
            rule="required_partners", status="pass", quotes=_quotes(text, *matching),
            reason=f"{matching[0]} appears from its name to be a {_labels(required)} partner; "
            "its sector is not declared.",
        )
    if undeclared:
        return RuleResult(
            rule="required_partners", status="needs_review", quotes=_quotes(text, *undeclared),
            reason=f"Partners are named ({', '.join(undeclared)}) but their sectors are not given; "
            f"check that one is {_labels(required)}.",
        )
    return RuleResult(
        rule="required_partners", status="fail",
        reason=f"No partner organisation is named; the category needs at least one {_labels(required)} partner.",
    )
