"""Review a draft criterion by criterion: sections → sentences → evidence → gaps → exemplars → band."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from jinja2 import Environment, StrictUndefined
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.backends.embeddings import VectorEmbeddings
from assistant.backends.store import KnowledgeStore, where_clause
from assistant.errors import ConfigError
from assistant.evidence.detector import EvidenceDetector, SentenceEvidence
from assistant.evidence.rules import FUTURE, PASSIVE_CARE, SPREAD, VAGUE_PARTNER
from assistant.packs import Category, Criterion, Programme
from assistant.review import (
    Band,
    CategoryRef,
    CriterionReview,
    Evidence,
    Example,
    Missing,
    ProgrammeRef,
    Review,
    ReviewMeta,
    SectionInfo,
    TextSpan,
    Warning,
)
from assistant.sections import SectionMap, _criterion_texts, find_sections, normalise
from assistant.sentences import Span, count_words, split_sentences
from assistant.taxonomy import EVIDENCE_TYPES, LABELS, EvidenceType
from assistant.warnings import find_ai_instructions, find_pii

_GENERIC_TEAM = re.compile(
    r"\b(?:the team|we|our team|the project team|the service)\b.{0,60}\b(?:developed|designed|created|introduced|"
    r"implemented|launched|built|set up|delivered)\b",
    re.IGNORECASE,
)
_VAGUE_VALUE = re.compile(r"\b(?:efficien\w*|cost[- ]effective|productiv\w*|value for money|saving\w*|cheaper)\b", re.I)


class AdviceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    why: str
    suggestion: str
    anchored: str


class Advice:
    """Why each evidence type matters and how to add it, rendered per criterion and anchor."""

    def __init__(self, entries: dict[EvidenceType, AdviceEntry]) -> None:
        self._entries = entries
        self._env = Environment(undefined=StrictUndefined, autoescape=False)

    @classmethod
    def load(cls, path: Path) -> Advice:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            entries = {t: AdviceEntry.model_validate(raw[t]) for t in EVIDENCE_TYPES}
        except KeyError as exc:
            raise ConfigError(f"{path}: {exc.args[0]}: advice for this evidence type is missing.") from exc
        except ValidationError as exc:
            raise ConfigError(f"{path}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from exc
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot be read as YAML ({exc}).") from exc
        extra = set(raw) - set(EVIDENCE_TYPES)
        if extra:
            raise ConfigError(f"{path}: {sorted(extra)}: not evidence types of the taxonomy.")
        return cls(entries)

    def render(self, evidence_type: EvidenceType, criterion: Criterion, anchor: str | None) -> tuple[str, str]:
        entry = self._entries[evidence_type]
        context = {"criterion": criterion.title, "questions": criterion.questions, "anchor": anchor or ""}
        why = self._env.from_string(entry.why).render(context)
        template = entry.anchored if anchor else entry.suggestion
        return why.strip(), self._env.from_string(template).render(context).strip()


@dataclass
class _CriterionContext:
    criterion: Criterion
    spans: list[Span]
    sentences: list[SentenceEvidence]
    vector: np.ndarray | None


class Reviewer:
    """Turns a draft into a Review; the knowledge base is already embedded in the store."""

    def __init__(
        self,
        *,
        embeddings: VectorEmbeddings,
        detector: Callable[[], EvidenceDetector],
        store: Callable[[], KnowledgeStore | None],
        advice: Advice,
        knowledge_hash: str,
    ) -> None:
        self._embeddings = embeddings
        self._detector = detector
        self._store = store
        self._advice = advice
        self._knowledge_hash = knowledge_hash
        self._criterion_vectors: dict[tuple[str, str], np.ndarray] = {}

    def criterion_vectors(self, programme: Programme, category: Category) -> np.ndarray:
        key = (programme.id, category.id)
        if key not in self._criterion_vectors:
            self._criterion_vectors[key] = self._embeddings.embed_array(_criterion_texts(programme, category))
        return self._criterion_vectors[key]

    def sections(self, text: str, programme: Programme, category: Category) -> SectionMap:
        return find_sections(
            text,
            programme=programme,
            category=category,
            embed=self._embeddings.embed_array,
            criterion_vectors=self.criterion_vectors(programme, category),
        )

    def review(self, text: str, programme: Programme, category: Category, *, examples: bool = True) -> Review:
        started = time.perf_counter()
        detector = self._detector()
        section_map = self.sections(text, programme, category)
        contexts: list[_CriterionContext] = []
        all_spans: list[Span] = []
        owners: list[int] = []
        for index, criterion in enumerate(category.criteria):
            spans = [s.span for s in section_map.for_criterion(criterion.id)]
            contexts.append(_CriterionContext(criterion, spans, [], None))
            for span in spans:
                for sentence in split_sentences(text, span.start, span.end):
                    all_spans.append(sentence)
                    owners.append(index)
        vectors = self._embeddings.embed_array([s.text(text) for s in all_spans])
        detected = detector.detect_spans(text, all_spans, vectors) if all_spans else []
        for position, (owner, finding) in enumerate(zip(owners, detected, strict=True)):
            contexts[owner].sentences.append(finding)
            del position
        draft_vector = _mean(vectors)
        for index, context in enumerate(contexts):
            rows = [i for i, owner in enumerate(owners) if owner == index]
            context.vector = _mean(vectors[rows]) if rows else draft_vector

        criteria = [
            self._criterion_review(text, programme, context, section_map, examples=examples) for context in contexts
        ]
        warnings = _warnings(text, criteria, section_map)
        return Review(
            programme=ProgrammeRef(id=programme.id, name=programme.name, year=programme.year),
            category=CategoryRef(id=category.id, title=category.title),
            word_counting=programme.word_counting,
            criteria=criteria,
            unassigned=[TextSpan(text=s.text(text), start=s.start, end=s.end) for s in section_map.unassigned],
            warnings=warnings,
            meta=ReviewMeta(
                embedding_model=self._embeddings.model_id,
                detection=_detection_label(detector),
                knowledge_hash=self._knowledge_hash,
                elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
            ),
        )

    def _criterion_review(
        self,
        text: str,
        programme: Programme,
        context: _CriterionContext,
        section_map: SectionMap,
        *,
        examples: bool,
    ) -> CriterionReview:
        criterion = context.criterion
        sections = section_map.for_criterion(criterion.id)
        evidence: list[Evidence] = []
        claims: list[Evidence] = []
        for finding in context.sentences:
            for evidence_type in finding.types:
                item = Evidence(
                    type=evidence_type,
                    quote=finding.text,
                    start=finding.span.start,
                    end=finding.span.end,
                    confidence=round(finding.probabilities[evidence_type], 3),
                )
                (claims if evidence_type == "unsupported_claim" else evidence).append(item)
        found = {e.type for e in evidence}
        words = sum(count_words(text[s.start : s.end]) for s in context.spans)
        if programme.word_counting == "all_words":
            words += sum(count_words(s.heading or "") for s in sections)
        missing = [
            self._missing(evidence_type, criterion, context, claims, programme, examples=examples)
            for evidence_type in criterion.expects
            if evidence_type not in found
        ]
        return CriterionReview(
            id=criterion.id,
            title=criterion.title,
            questions=criterion.questions,
            expects=list(criterion.expects),
            section_found=bool(sections) and words > 0,
            sections=[
                SectionInfo(heading=s.heading, start=s.start, end=s.end, method=s.method, confidence=s.confidence)
                for s in sections
            ],
            word_count=words,
            word_limit=criterion.word_limit,
            over_limit=bool(criterion.word_limit and words > criterion.word_limit),
            evidence=evidence,
            missing=missing,
            unsupported_claims=claims,
            band=_band(programme, criterion, found, words),
        )

    def _missing(
        self,
        evidence_type: EvidenceType,
        criterion: Criterion,
        context: _CriterionContext,
        claims: list[Evidence],
        programme: Programme,
        *,
        examples: bool,
    ) -> Missing:
        anchor = _anchor(evidence_type, context.sentences, claims)
        why, suggestion = self._advice.render(evidence_type, criterion, anchor.quote if anchor else None)
        found_examples = self._examples(evidence_type, criterion, programme, context.vector) if examples else []
        return Missing(type=evidence_type, why=why, suggestion=suggestion, anchor=anchor, examples=found_examples)

    def _examples(
        self, evidence_type: EvidenceType, criterion: Criterion, programme: Programme, vector: np.ndarray | None
    ) -> list[Example]:
        store = self._store()
        if store is None or vector is None:
            return []
        query = vector.tolist()
        concept = {criterion.id, *(normalise(n).replace(" ", "-") for n in [*criterion.aliases, criterion.title])}
        concept |= {normalise(n).replace(" ", "-") for n in programme.equivalents(criterion.id)}
        hits = store.search(
            "exemplar", query, k=3,
            where=where_clause(programme=programme.id, criterion=criterion.id, evidence=evidence_type),
        )
        if len(hits) < 2:
            wider = store.search("exemplar", query, k=12, where=where_clause(evidence=evidence_type))
            wider.sort(key=lambda hit: (hit[0].criterion not in concept, -hit[1]))
            hits += [h for h in wider if h[0].id not in {p.id for p, _ in hits}]
        chosen: list[Example] = []
        seen_exemplars: set[str] = set()
        for passage, score in hits:
            exemplar_id = passage.id.split("#", 1)[0]
            if exemplar_id in seen_exemplars:
                continue
            seen_exemplars.add(exemplar_id)
            chosen.append(
                Example(
                    passage_id=passage.id, text=passage.text, source=passage.source,
                    criterion=passage.criterion, score=round(max(0.0, min(1.0, score)), 3),
                )
            )
            if len(chosen) == 2:
                break
        return chosen


def _mean(vectors: np.ndarray) -> np.ndarray | None:
    if len(vectors) == 0:
        return None
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def _evidence(finding: SentenceEvidence, evidence_type: EvidenceType) -> Evidence:
    return Evidence(
        type=evidence_type,
        quote=finding.text,
        start=finding.span.start,
        end=finding.span.end,
        confidence=round(finding.probabilities.get(evidence_type, 0.0), 3),
    )


def _anchor(
    evidence_type: EvidenceType, sentences: list[SentenceEvidence], claims: list[Evidence]
) -> Evidence | None:
    """The draft sentence a suggestion for this gap should build on, if there is an obvious one."""

    def first(predicate: Callable[[SentenceEvidence], bool], as_type: EvidenceType) -> Evidence | None:
        for finding in sentences:
            if predicate(finding):
                return _evidence(finding, as_type)
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


def _band(programme: Programme, criterion: Criterion, found: set[EvidenceType], words: int) -> Band | None:
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


def _warnings(text: str, criteria: list[CriterionReview], section_map: SectionMap) -> list[Warning]:
    warnings: list[Warning] = []
    for hit in find_pii(text):
        warnings.append(
            Warning(
                kind="pii", message=f"Possible patient-identifiable information ({hit.label}); remove it before submitting.",
                quote=hit.quote(text), start=hit.start, end=hit.end,
            )
        )
    for hit in find_ai_instructions(text):
        warnings.append(
            Warning(
                kind="ai_instruction",
                message="This sentence addresses AI or automated reviewers; judges will see it as an attempt to game scoring.",
                quote=hit.quote(text), start=hit.start, end=hit.end,
            )
        )
    for item in criteria:
        if item.over_limit and item.word_limit:
            warnings.append(
                Warning(
                    kind="over_limit", criterion=item.id,
                    message=f"{item.title} has {item.word_count} words, over the limit of {item.word_limit}.",
                )
            )
        for section in item.sections:
            if section.method == "content" and section.confidence < 0.5:
                warnings.append(
                    Warning(
                        kind="low_confidence_section", criterion=item.id, start=section.start, end=section.end,
                        quote=text[section.start : section.end][:200],
                        message=f"Shortlist is unsure this text answers {item.title}; add headings to be certain.",
                    )
                )
    for span in section_map.unassigned:
        if count_words(span.text(text)) >= 15:
            warnings.append(
                Warning(
                    kind="unassigned_text", start=span.start, end=span.end, quote=span.text(text)[:200],
                    message="This text answers none of the criteria; move it under a criterion or cut it.",
                )
            )
    return warnings


def _detection_label(detector: EvidenceDetector) -> str:
    parts = [name for name, on in (("rules", detector.use_rules), ("classifier", detector.use_classifier)) if on]
    return "+".join(parts) or "none"


__all__ = ["Advice", "Reviewer", "LABELS"]
