"""The composition root: ``Assistant.from_settings(settings)`` wires every component once.

Nothing here runs at import. Heavy pieces (the embedding model, the vector store, the trained
detector) are built on first use and then reused for the life of the process.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.advice import Advice
from assistant.backends.embeddings import VectorEmbeddings, build_embeddings
from assistant.backends.store import KINDS, KnowledgeStore, SyncResult
from assistant.documents import Document, check_text, read_document, read_path
from assistant.errors import InvalidInput
from assistant.evidence.calibration import STORED_FEATURES, THRESHOLDS_FILE, load_thresholds
from assistant.evidence.detector import EvidenceDetector, SentenceEvidence
from assistant.evidence.training import training_digest, training_steps
from assistant.findings import hidden_text_warnings, placed, with_instructions_by_meaning
from assistant.instructions import EXAMPLES_FILE, InstructionScreen, load_examples
from assistant.knowledge import Knowledge, Passage, PassageKind
from assistant.packs import Category, PackLibrary, Programme
from assistant.review import Evidence, Review
from assistant.reviewer import Reviewer
from assistant.settings import Settings
from assistant.warnings import TextHit

if TYPE_CHECKING:
    from assistant.chat.understanding import MessageModel
    from assistant.eligibility import Entrant

log = logging.getLogger(__name__)
Progress = Callable[[int], None]


def knowledge_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class IngestReport:
    results: list[SyncResult]

    @property
    def changed(self) -> int:
        return sum(r.changed for r in self.results)


class Assistant:
    """Everything a CLI command, API handler or eval run needs, built from one Settings."""

    def __init__(
        self,
        *,
        settings: Settings,
        knowledge: Knowledge,
        embeddings: VectorEmbeddings,
        store: KnowledgeStore,
        advice: Advice,
    ) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.embeddings = embeddings
        self.store = store
        self.knowledge_hash = knowledge_hash(settings.knowledge_dir)
        self._detector: EvidenceDetector | None = None
        self._instruction_screen: InstructionScreen | None = None
        self._messages: MessageModel | None = None
        self._instruction_hits: dict[str, list[TextHit]] = {}
        self._ingested = False
        self._lock = threading.RLock()
        self.reviewer = Reviewer(
            embeddings=embeddings,
            detector=lambda: self.detector,
            store=self._ready_store,
            advice=advice,
            knowledge_hash=self.knowledge_hash,
            expected_threshold=settings.detection.expected_threshold,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        knowledge = Knowledge.load(settings.knowledge_dir)
        embeddings = build_embeddings(
            settings.embeddings.model,
            batch_size=settings.embeddings.batch_size,
            verify=settings.embeddings.verify_sha256,
            threads=settings.embeddings.threads,
        )
        store = KnowledgeStore(
            embeddings=embeddings,
            path=settings.chroma_dir,
            url=settings.store.url,
            prefix=settings.store.collection_prefix,
        )
        advice = Advice.load(settings.knowledge_dir / "advice.yaml")
        return cls(settings=settings, knowledge=knowledge, embeddings=embeddings, store=store, advice=advice)

    @property
    def packs(self) -> PackLibrary:
        return self.knowledge.packs

    # -- knowledge base ---------------------------------------------------------------------
    def ingest_knowledge(self, progress: Progress | None = None) -> IngestReport:
        """Sync the bundled knowledge into the store; a second run changes nothing."""
        with self._lock:
            passages = self.knowledge.passages()
            results = [self.store.sync(kind, passages[kind], progress=progress) for kind in passages]
            self._ingested = True
            return IngestReport(results)

    def knowledge_size(self) -> int:
        return sum(len(p) for p in self.knowledge.passages().values())

    def ensure_ingested(self) -> None:
        if not self._ingested:
            self.ingest_knowledge()

    def _ready_store(self) -> KnowledgeStore:
        self.ensure_ingested()
        return self.store

    def ingest_entries(
        self, paths: list[Path], *, progress: Progress | None = None, on_error: Callable[[str], None] | None = None
    ) -> IngestReport:
        """Add an organiser's own past entries (documents with a metadata sidecar) to the store."""
        from assistant.entries import entry_passages, find_entry_files

        files = find_entry_files(paths)
        passages: list[Passage] = []
        for path in files:
            try:
                passages.extend(entry_passages(self, path))
            except InvalidInput as exc:
                if on_error is None:
                    raise
                on_error(exc.message)
        roots = [str(p.resolve()) for p in paths]
        result = self.store.sync(
            "entry",
            passages,
            scope=lambda meta: str(meta.get("source_file", "")).startswith(tuple(roots)),
            progress=progress,
        )
        return IngestReport([result])

    # -- detection and review ---------------------------------------------------------------
    @property
    def detector(self) -> EvidenceDetector:
        return self.prepare_detector()

    def find_instructions_by_meaning(self, text: str) -> list[TextHit]:
        """Re-worded instructions to AI reviewers (``assistant.instructions``); none if no examples ship."""
        with self._lock:
            if self._instruction_screen is None:
                path = self.knowledge.root / EXAMPLES_FILE
                if not path.is_file():
                    return []
                self._instruction_screen = InstructionScreen(self.embeddings.embed_array, load_examples(path))
            screen = self._instruction_screen
            key = hashlib.sha256(text.encode()).hexdigest()
            # A review and its eligibility read the same text; the last server.texts_cached texts are kept.
            if key in self._instruction_hits:
                return self._instruction_hits[key]
        hits = screen.find(text)
        with self._lock:
            self._instruction_hits[key] = hits
            while len(self._instruction_hits) > self.settings.server.texts_cached:
                self._instruction_hits.pop(next(iter(self._instruction_hits)))
        return hits

    def detector_training_steps(self) -> int:
        """Progress units ``prepare_detector`` reports when it has to train (see ``training_steps``)."""
        real = self.knowledge.real if self.settings.detection.real_text else ()
        return training_steps(self.knowledge.bank, real, bank_embedded=True)

    def prepare_detector(self, progress: Callable[[int], None] | None = None) -> EvidenceDetector:
        """The evidence detector: loaded from the data dir's cache, or trained now (first use)."""
        with self._lock:
            if self._detector is None:
                detection = self.settings.detection
                bank = list(self.knowledge.bank)
                vectors = None
                if detection.classifier:
                    self.ensure_ingested()
                    stored, matrix = self.store.vectors("evidence")
                    order = {p.id: i for i, p in enumerate(stored)}
                    if all(s.id in order for s in bank) and len(matrix):
                        vectors = matrix[[order[s.id] for s in bank]]
                features = self.knowledge.root / "evidence" / STORED_FEATURES if detection.real_text else None
                thresholds = load_thresholds(self.knowledge.root / "evidence" / THRESHOLDS_FILE)
                real = self.knowledge.real if detection.real_text else ()
                stale = thresholds is not None and thresholds.trained_on != training_digest(bank, real, features)
                if detection.real_text and stale:
                    log.warning("evidence thresholds were calibrated on other training data; run 'shortlist eval "
                                "calibrate' to refresh them")
                self._detector = EvidenceDetector(
                    embed=self.embeddings.embed_array,
                    bank=bank,
                    real=real,
                    stored=features,
                    bank_vectors=vectors,
                    use_rules=detection.rules,
                    use_classifier=detection.classifier,
                    use_context=detection.context,
                    use_hard_cases=detection.hard_cases,
                    threshold=detection.threshold,
                    thresholds=thresholds.values() if thresholds is not None and detection.real_text else None,
                    cache_dir=self.settings.data_dir / "cache",
                    model_id=self.embeddings.model_id,
                    progress=progress,
                )
            return self._detector

    def prepare_messages(self, progress: Callable[[int], None] | None = None) -> MessageModel:
        """The chat's message classifier: loaded from the data dir's cache, or trained now (first use)."""
        from assistant.chat.understanding import MESSAGES_FILE, load_or_train

        with self._lock:
            if self._messages is None:
                def trainable() -> Any:
                    return self.embeddings.trainable_copy() if self.settings.chat_fine_tune else None

                self._messages = load_or_train(
                    self.knowledge.root / MESSAGES_FILE, self.embeddings.embed_array, trainable,
                    model_name=self.embeddings.model_id, cache_dir=self.settings.data_dir / "cache", progress=progress,
                )
            return self._messages

    def message_training_steps(self) -> int:
        """Progress units ``prepare_messages`` reports when it has to train."""
        from assistant.chat.understanding import MESSAGES_FILE, load_messages, train_steps

        tuned = self.settings.chat_fine_tune and not self.embeddings.model_id.startswith("fake:")
        return train_steps(load_messages(self.knowledge.root / MESSAGES_FILE), tuned=tuned)

    def resolve(self, category: str, programme: str | None = None) -> tuple[Programme, Category]:
        return self.packs.find_category(category, programme)

    def read_upload(self, name: str, data: bytes) -> Document:
        limits = self.settings.limits
        return read_document(name, data, max_bytes=limits.max_upload_bytes, max_chars=limits.max_draft_chars)

    def read_file(self, path: Path) -> Document:
        limits = self.settings.limits
        return read_path(path, max_bytes=limits.max_upload_bytes, max_chars=limits.max_draft_chars)

    def review(
        self,
        text: str,
        category: str,
        *,
        programme: str | None = None,
        examples: bool = True,
        entrant: Entrant | None = None,
        hidden: Sequence[str] = (),
    ) -> Review:
        """The review contract; with ``entrant`` (even an empty one) its ``eligibility`` is filled too,
        read from this same review, so the draft is embedded once. ``hidden`` is the text an uploaded file
        hides from readers; the warnings say which of their quotes it is, or quote it."""
        text = check_text(text, max_chars=self.settings.limits.max_draft_chars)
        resolved_programme, resolved_category = self.resolve(category, programme)
        review = self.reviewer.review(text, resolved_programme, resolved_category, examples=examples)
        warnings = with_instructions_by_meaning(text, self.find_instructions_by_meaning(text), review.warnings)
        if hidden:  # text the uploaded file hides from readers (``Document.hidden``)
            warnings = hidden_text_warnings(text, hidden, warnings)
        warnings = placed(warnings, review.criteria)
        if warnings != review.warnings:
            review = review.model_copy(update={"warnings": warnings})
        if entrant is None:
            return review
        from assistant.eligibility import EntryInput, check_eligibility

        entry = EntryInput(text=text, **entrant.model_dump())
        eligibility = check_eligibility(self, entry, resolved_programme, resolved_category, review=review)
        return review.model_copy(update={"eligibility": eligibility})

    def detect(self, text: str) -> list[SentenceEvidence]:
        text = check_text(text, max_chars=self.settings.limits.max_draft_chars)
        return self.detector.detect(text)

    def evidence(self, text: str) -> list[Evidence]:
        """Detection alone over a whole text, as the review contract's evidence items."""
        return [
            Evidence(type=t, quote=f.text, start=f.span.start, end=f.span.end, confidence=round(f.probabilities[t], 3))
            for f in self.detect(text)
            for t in f.types
        ]

    def search(self, kind: PassageKind, query: str, *, k: int = 4, **filters: str) -> list[tuple[Passage, float]]:
        from assistant.backends.store import where_clause

        if kind not in KINDS:
            raise InvalidInput(f"Unknown passage kind '{kind}'; use one of {', '.join(KINDS)}.")
        self.ensure_ingested()
        return self.store.search(kind, query, k=k, where=where_clause(**filters))  # type: ignore[arg-type]
