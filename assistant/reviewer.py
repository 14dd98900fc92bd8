"""Review a draft criterion by criterion: sections → sentences → evidence → gaps → exemplars → band."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from assistant.advice import Advice
from assistant.backends.embeddings import VectorEmbeddings
from assistant.backends.store import KnowledgeStore, where_clause
from assistant.evidence.detector import EvidenceDetector, SentenceEvidence, without
from assistant.evidence.hardcases import lone_result_not_a_baseline
from assistant.findings import anchor_for, estimate_band, review_warnings
from assistant.packs import Category, Criterion, Programme
from assistant.review import (
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
)
from assistant.sections import SectionMap, criterion_texts, find_sections, normalise
from assistant.sentences import Span, count_words, split_sentences
from assistant.taxonomy import EvidenceType


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
        expected_threshold: float = 0.5,
    ) -> None:
        self._expected_threshold = expected_threshold
        self._embeddings = embeddings
        self._detector = detector
        self._store = store
        self._advice = advice
        self._knowledge_hash = knowledge_hash
        self._criterion_vectors: dict[tuple[str, str], np.ndarray] = {}
        self._centroids: dict[tuple[str, str], np.ndarray] | None = None

    def criterion_vectors(self, programme: Programme, category: Category) -> np.ndarray:
        """One prototype per criterion: its questions blended with past answers to it, when we have them."""
        key = (programme.id, category.id)
        if key not in self._criterion_vectors:
            vectors = self._embeddings.embed_array(criterion_texts(programme, category))
            centroids = self._exemplar_centroids()
            for row, criterion in enumerate(category.criteria):
                centroid = centroids.get((programme.id, criterion.id))
                if centroid is not None:
                    blended = vectors[row] + centroid
                    vectors[row] = blended / float(np.linalg.norm(blended) or 1.0)
            self._criterion_vectors[key] = vectors
        return self._criterion_vectors[key]

    def _exemplar_centroids(self) -> dict[tuple[str, str], np.ndarray]:
        if self._centroids is None:
            self._centroids = {}
            store = self._store()
            if store is not None:
                passages, matrix = store.vectors("exemplar")
                groups: dict[tuple[str, str], list[int]] = {}
                for index, passage in enumerate(passages):
                    groups.setdefault((passage.programme, passage.criterion), []).append(index)
                for key, rows in groups.items():
                    mean = matrix[rows].mean(axis=0)
                    self._centroids[key] = mean / float(np.linalg.norm(mean) or 1.0)
        return self._centroids

    def sections(
        self,
        text: str,
        programme: Programme,
        category: Category,
        embed: Callable[[list[str]], np.ndarray] | None = None,
    ) -> SectionMap:
        embed = embed or self._embeddings.embed_array
        prototypes = self.criterion_vectors(programme, category)
        detector = self._detector()
        expects = [set(c.expects) for c in category.criteria]

        def paragraph_scores(paragraphs: list[Span]) -> np.ndarray:
            rows = []
            for paragraph in paragraphs:
                spans = split_sentences(text, paragraph.start, paragraph.end)
                vectors = embed([s.text(text) for s in spans])
                mean = _mean(vectors)
                found = {t for f in detector.detect_spans(text, spans, vectors) for t in f.types}
                similarity = prototypes @ mean if mean is not None else np.zeros(len(expects))
                # Evidence a criterion expects is a second, independent hint of where a paragraph belongs.
                rows.append(similarity + 0.1 * np.asarray([len(found & e) / max(len(e), 1) for e in expects]))
            return np.asarray(rows)

        return find_sections(
            text,
            programme=programme,
            category=category,
            embed=embed,
            criterion_vectors=prototypes,
            paragraph_scores=paragraph_scores,
        )

    def review(
        self,
        text: str,
        programme: Programme,
        category: Category,
        *,
        examples: bool = True,
        screen: Collection[EvidenceType] | None = None,
    ) -> Review:
        """The review of a draft. ``screen`` makes it a screening review for the eligibility engine:
        sections and word counts as always, but only the listed evidence types get the classifier's
        judgement (see ``EvidenceDetector.screen_spans``), and no examples are retrieved."""
        started = time.perf_counter()
        detector = self._detector()
        embed = _CachedEmbed(self._embeddings)
        section_map = self.sections(text, programme, category, embed)
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
        if screen is not None:
            examples = False
            detected = detector.screen_spans(text, all_spans, screen, embed) if all_spans else []
        else:
            vectors = embed([s.text(text) for s in all_spans])
            detected = detector.detect_spans(text, all_spans, vectors) if all_spans else []
            draft_vector = _mean(vectors)
            for index, context in enumerate(contexts):
                rows = [i for i, owner in enumerate(owners) if owner == index]
                context.vector = _mean(vectors[rows]) if rows else draft_vector
        for owner, finding in zip(owners, detected, strict=True):
            contexts[owner].sentences.append(_in_context(finding, contexts[owner].criterion))

        criteria = [
            self._criterion_review(text, programme, context, section_map, examples=examples) for context in contexts
        ]
        warnings = review_warnings(text, criteria, section_map)
        return Review(
            programme=ProgrammeRef(id=programme.id, name=programme.name, year=programme.year),
            category=CategoryRef(id=category.id, title=category.title),
            word_counting=programme.word_counting,
            criteria=criteria,
            unassigned=[TextSpan(text=s.text(text), start=s.start, end=s.end) for s in section_map.unassigned],
            warnings=warnings,
            meta=ReviewMeta(
                embedding_model=self._embeddings.model_id,
                detection=_detection_label(detector, screen),
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
            # Judges read a section looking for what the criterion asks for, so expected evidence
            # needs less certainty to count as present than evidence of other kinds.
            lenient = [
                t for t in criterion.expects
                if t not in finding.types and finding.probabilities.get(t, 0.0) >= self._expected_threshold
            ]
            for evidence_type in [*finding.types, *lenient]:
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
            band=estimate_band(programme, criterion, found, words),
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
        anchor = anchor_for(evidence_type, context.sentences, claims)
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
            "exemplar",
            query,
            k=3,
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
                    passage_id=passage.id,
                    text=passage.text,
                    source=passage.source,
                    criterion=passage.criterion,
                    score=round(max(0.0, min(1.0, score)), 3),
                )
            )
            if len(chosen) == 2:
                break
        return chosen


class _CachedEmbed:
    """Embeds each distinct text once per review: paragraphs and sections reuse sentence vectors."""

    def __init__(self, embeddings: VectorEmbeddings) -> None:
        self._embeddings = embeddings
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(missing, self._embeddings.embed_array(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self._embeddings.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


def _in_context(finding: SentenceEvidence, criterion: Criterion) -> SentenceEvidence:
    """Figures stated where the judges ask for the starting point are baselines (DESIGN.md hard cases); where
    they ask for results, a figure compared with nothing in its sentence is a result, not a baseline."""
    if criterion.asks_for_starting_point and "metric" in finding.types:
        probabilities = dict(finding.probabilities)
        probabilities["baseline"] = max(probabilities.get("baseline", 0.0), probabilities["metric"])
        return SentenceEvidence(finding.span, finding.text, probabilities, finding.threshold)
    # At or below half the threshold ``without`` would change nothing, so the sentence is not read again.
    if (criterion.asks_for_results and finding.probabilities.get("baseline", 0.0) > finding.threshold / 2
            and lone_result_not_a_baseline(finding.text)):
        return without(finding, "baseline")
    return finding


def _mean(vectors: np.ndarray) -> np.ndarray | None:
    if len(vectors) == 0:
        return None
    mean: np.ndarray = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def _detection_label(detector: EvidenceDetector, screen: Collection[EvidenceType] | None = None) -> str:
    parts = [name for name, on in (("rules", detector.use_rules), ("classifier", detector.use_classifier)) if on]
    label = "+".join(parts) or "none"
    if screen is not None:
        label += f" (screening for {', '.join(sorted(screen)) or 'sections only'})"
    return label


__all__ = ["Advice", "Reviewer"]
