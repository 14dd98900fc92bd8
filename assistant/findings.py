"""Per-criterion judgements built from detected evidence: anchors for suggestions, bands, warnings."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.evidence.detector import SentenceEvidence
from assistant.evidence.rules import FUTURE, PASSIVE_CARE, SPREAD, VAGUE_PARTNER
from assistant.packs import Criterion, Programme
from assistant.review import Band, CriterionReview, Evidence, Warning
from assistant.sections import SectionMap
from assistant.sentences import count_words
from assistant.taxonomy import EvidenceType
from assistant.warnings import TextHit, find_ai_instructions, find_pii

_GENERIC_TEAM = re.compile(
    r"\b(?:the team|we|our team|the project team|the service)\b.{0,60}\b(?:developed|designed|created|introduced|"
    r"implemented|launched|built|set up|delivered)\b",
    re.IGNORECASE,
)
_VAGUE_VALUE = re.compile(r"\b(?:efficien\w*|cost[- ]effective|productiv\w*|value for money|saving\w*|cheaper)\b", re.I)


def evidence_item(finding: SentenceEvidence, evidence_type: EvidenceType) -> Evidence:
    return Evidence(
        type=evidence_type,
        quote=finding.text,
        start=finding.span.start,
        end=finding.span.end,
        confidence=round(finding.probabilities.get(evidence_type, 0.0), 3),
    )


def anchor_for(
    evidence_type: EvidenceType, sentences: list[SentenceEvidence], claims: list[Evidence]
) -> Evidence | None:
    """The draft sentence a suggestion for this gap should build on, if there is an obvious one."""

    def first(predicate: Callable[[SentenceEvidence], bool], as_type: EvidenceType) -> Evidence | None:
        for finding in sentences:
            if predicate(finding):
                return evidence_item(finding, as_type)
        return None

    if evidence_type == "baseline":
        return first(lambda f: "metric" in f.types and "baseline" not in f.types, "metric")
    if evidence_type in ("metric", "testimonial"):
        return claims[0] if claims else None
    if evidence_type == "patient_involvement":
        return first(lambda f: bool(PASSIVE_CARE.search(f.text)), "metric")
    if evidence_type == "staff_involvement":
        return first(lambda f: bool(_GENERIC_TEAM.search(f.text)), "metric")
    if evidence_type == "spread":
        return first(lambda f: bool(SPREAD.search(f.text) and FUTURE.search(f.text)), "spread")
    if evidence_type == "value":
        return first(lambda f: bool(_VAGUE_VALUE.search(f.text)) and "value" not in f.types, "value")
    if evidence_type == "partnership":
        return first(lambda f: bool(VAGUE_PARTNER.search(f.text)), "partnership")
    return None


def estimate_band(programme: Programme, criterion: Criterion, found: set[EvidenceType], words: int) -> Band | None:
    if not programme.scoring:
        return None
    expected = set(criterion.expects)
    coverage = len(found & expected) / len(expected) if expected else 1.0
    chosen = programme.scoring[0]
    if words > 0:
        for band in programme.scoring:
            required = set(band.requires) & (expected | {"metric"})
            if band.min_coverage <= coverage and required <= found:
                chosen = band
        if chosen is programme.scoring[0] and len(programme.scoring) > 1 and programme.scoring[1].min_coverage == 0:
            chosen = programme.scoring[1]
    return Band(band=chosen.band, descriptor=chosen.descriptor, coverage=round(coverage, 3))


HIDDEN_NOTE = "It is hidden in the file (hidden, white or tiny text)."


def _locate(text: str, piece: str) -> tuple[int, int] | None:
    """Where a hidden piece sits in the draft text, whatever whitespace the file's layout put between words."""
    words = piece.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (match.start(), match.end()) if match else None


def placed(warnings: list[Warning], criteria: Sequence[CriterionReview]) -> list[Warning]:
    """Name the criterion whose answer holds each quoted warning, so the entrant can find it."""
    result = []
    for warning in warnings:
        if warning.criterion is None and warning.start is not None:
            owner = next((item.id for item in criteria for section in item.sections
                          if section.start <= warning.start < section.end), None)
            warning = warning.model_copy(update={"criterion": owner}) if owner else warning
        result.append(warning)
    return result


def with_instructions_by_meaning(text: str, hits: Sequence[TextHit], warnings: list[Warning]) -> list[Warning]:
    """Add the re-worded instructions no pattern caught (``Assistant.find_instructions_by_meaning``)."""
    taken = [(w.start, w.end) for w in warnings if w.kind == "ai_instruction" and w.start is not None]
    added = [
        Warning(
            kind="ai_instruction",
            message="This sentence reads as an instruction to AI or automated reviewers; judges will see it as "
            "gaming the scoring.",
            quote=hit.quote(text), start=hit.start, end=hit.end,
        )
        for hit in hits if not any(start < hit.end and hit.start < (end or 0) for start, end in taken)
    ]
    return [*warnings, *added]


def hidden_text_warnings(text: str, hidden: Sequence[str], warnings: list[Warning]) -> list[Warning]:
    """Say which warnings quote hidden text; hidden text that no warning covers gets its own warning."""
    result = list(warnings)
    for piece in dict.fromkeys(h for h in hidden if len(h.split()) >= 3):
        place = _locate(text, piece)
        if place is None:
            continue
        start, end = place
        covering = [
            i for i, w in enumerate(result)
            if w.kind == "ai_instruction" and w.start is not None and w.end is not None
            and w.start < end and start < w.end
        ]
        for i in covering:
            if HIDDEN_NOTE not in result[i].message:
                result[i] = result[i].model_copy(update={"message": f"{result[i].message} {HIDDEN_NOTE}"})
        if not covering:
            result.append(Warning(
                kind="ai_instruction",
                message="Text hidden in the file (hidden, white or tiny text): judges' screening reads it and will "
                "flag it; make it visible or remove it.",
                quote=text[start:end], start=start, end=end,
            ))
    return result


def review_warnings(text: str, criteria: list[CriterionReview], section_map: SectionMap) -> list[Warning]:
    warnings: list[Warning] = []
    for hit in find_pii(text):
        warnings.append(
            Warning(
                kind="pii",
                message=f"Possible patient-identifiable information ({hit.label}); remove it before submitting.",
                quote=hit.quote(text),
                start=hit.start,
                end=hit.end,
            )
        )
    for hit in find_ai_instructions(text):
        warnings.append(
            Warning(
                kind="ai_instruction",
                message="This sentence addresses AI or automated reviewers; judges will see it as gaming the scoring.",
                quote=hit.quote(text),
                start=hit.start,
                end=hit.end,
            )
        )
    for item in criteria:
        if item.over_limit and item.word_limit:
            warnings.append(
                Warning(
                    kind="over_limit",
                    criterion=item.id,
                    message=f"{item.title} has {item.word_count} words, over the limit of {item.word_limit}.",
                )
            )
        for section in item.sections:
            if section.method == "content" and section.confidence < 0.5:
                warnings.append(
                    Warning(
                        kind="low_confidence_section",
                        criterion=item.id,
                        start=section.start,
                        end=section.end,
                        quote=text[section.start : section.end][:200],
                        message=f"Shortlist is unsure this text answers {item.title}; add headings to be certain.",
                    )
                )
    for span in section_map.unassigned:
        if count_words(span.text(text)) >= 15:
            warnings.append(
                Warning(
                    kind="unassigned_text",
                    start=span.start,
                    end=span.end,
                    quote=span.text(text)[:200],
                    message="This text answers none of the criteria; move it under a criterion or cut it.",
                )
            )
    return warnings
