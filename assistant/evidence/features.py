"""What the classifier sees for one sentence: its embedding, its neighbours', its words and the rules.

Training examples come from two places: the team's evidence bank (single sentences, no context)
and the real-text training split (every sentence of a real write-up, read among its neighbours).
Both go through ``Example`` so training and detection build features the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.evidence.context import Context, sentence_contexts
from assistant.evidence.rules import FEATURE_NAMES, RuleResult, apply_rules
from assistant.knowledge import BankSentence, RealText
from assistant.sentences import Span
from assistant.taxonomy import EVIDENCE_TYPES, EvidenceType

log = logging.getLogger(__name__)

# Neighbour rule scores the classifier sees: a figure, a quotation or a claim next door.
CONTEXT_TYPES: tuple[EvidenceType, ...] = ("metric", "baseline", "testimonial", "unsupported_claim", "value")


@dataclass(frozen=True)
class Example:
    """One sentence to score, with what its neighbours say (indices into the same list).

    ``vector`` is set when the embedding is known already (the bank's, from the store; the
    not-redistributed real texts', from their stored features, where ``text`` is empty).
    """

    text: str
    rules: RuleResult
    context: Context
    labels: frozenset[EvidenceType] = frozenset()
    weight: float = 1.0
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    group: str = ""


# A block is the sentences of one text, neighbour indices local to the block.
Block = list[Example]


def concat(blocks: Sequence[Block]) -> list[Example]:
    """One list of examples from blocks, with neighbour indices shifted to point into it."""
    examples: list[Example] = []
    for block in blocks:
        offset = len(examples)
        for example in block:
            context = example.context
            examples.append(replace(example, context=Context(
                None if context.previous is None else context.previous + offset,
                None if context.following is None else context.following + offset,
                context.quoted,
            )))
    return examples


def rule_vector(rules: RuleResult) -> list[float]:
    return [rules.scores.get(t, 0.0) for t in EVIDENCE_TYPES] + [rules.features.get(n, 0.0) for n in FEATURE_NAMES]


def examples_for_spans(text: str, spans: Sequence[Span], rules: Sequence[RuleResult] | None = None) -> list[Example]:
    sentences = [span.text(text) for span in spans]
    rules = list(rules) if rules is not None else [apply_rules(s) for s in sentences]
    contexts = sentence_contexts(text, list(spans))
    return [Example(s, r, c) for s, r, c in zip(sentences, rules, contexts, strict=True)]


def bank_blocks(bank: Sequence[BankSentence], vectors: np.ndarray | None = None) -> list[Block]:
    """Each bank sentence alone: the bank's sentences were written without neighbours."""
    return [
        [Example(s.text, apply_rules(s.text), Context(None, None, False), frozenset(s.labels),
                 vector=None if vectors is None else vectors[i], group="bank")]
        for i, s in enumerate(bank)
    ]


def real_blocks(texts: Sequence[RealText], weight: float) -> list[Block]:
    """Every labelled sentence of each real text, in order, read with its neighbours."""
    blocks: list[Block] = []
    for record in texts:
        spans = [Span(start, end) for start, end in record.spans()]
        blocks.append([
            replace(example, labels=frozenset(sentence.labels), weight=weight, group=record.group)
            for example, sentence in zip(examples_for_spans(record.text, spans), record.sentences, strict=True)
        ])
    return blocks


STORED_MODEL = "sentence-transformers:all-MiniLM-L6-v2"


def stored_blocks(path: Path, weight: float, *, model_id: str = STORED_MODEL) -> list[Block]:
    """Real texts whose licence does not allow redistribution, as features only (see docs/corpus.md).

    The file holds each sentence's embedding, rule vector, neighbours, quotation flag and labels, never
    its text. The rows are left out when the detector embeds with another model than the one that
    built them, or when their rule features were computed by other rules (other feature names).
    """
    if not path.is_file() or model_id != STORED_MODEL:
        return []
    with np.load(path, allow_pickle=False) as data:
        names = [str(n) for n in data["rule_names"]]
        if names != [*EVIDENCE_TYPES, *FEATURE_NAMES]:
            log.warning("%s was built with other rule features; its rows are left out of training", path)
            return []
        rows = zip(data["text_ids"], data["groups"], data["vectors"], data["rules"], data["previous"],
                   data["following"], data["quoted"], data["labels"], strict=True)
        blocks: dict[str, Block] = {}
        for text_id, group, vector, rule_row, previous, following, quoted, labels in rows:
            scores = {t: float(v) for t, v in zip(EVIDENCE_TYPES, rule_row, strict=False) if v}
            features = {n: float(v) for n, v in zip(FEATURE_NAMES, rule_row[len(EVIDENCE_TYPES):], strict=True)}
            context = Context(int(previous) if previous >= 0 else None, int(following) if following >= 0 else None,
                              bool(quoted))
            chosen = frozenset(t for t, on in zip(EVIDENCE_TYPES, labels, strict=True) if on)
            blocks.setdefault(str(text_id), []).append(Example(
                "", RuleResult(scores, features), context, chosen, weight,
                vector=np.asarray(vector, dtype=np.float32), group=str(group),
            ))
    return list(blocks.values())


def context_matrix(examples: Sequence[Example], vectors: np.ndarray) -> np.ndarray:
    """Neighbour features: the mean neighbour embedding and the neighbours' rule scores."""
    width = vectors.shape[1] if vectors.ndim == 2 else 0
    rows = np.zeros((len(examples), width + 2 * len(CONTEXT_TYPES) + 2), dtype=np.float64)
    for index, example in enumerate(examples):
        neighbours = [i for i in (example.context.previous, example.context.following) if i is not None]
        if neighbours and width:
            rows[index, :width] = vectors[neighbours].mean(axis=0)
        for slot, neighbour in enumerate((example.context.previous, example.context.following)):
            if neighbour is None:
                continue
            scores = examples[neighbour].rules.scores
            base = width + slot * len(CONTEXT_TYPES)
            rows[index, base : base + len(CONTEXT_TYPES)] = [scores.get(t, 0.0) for t in CONTEXT_TYPES]
        rows[index, -2] = float(example.context.quoted)
        rows[index, -1] = float(bool(neighbours))
    return rows


def feature_matrix(
    examples: Sequence[Example],
    vectors: np.ndarray,
    *,
    vectorizer: Any,
    use_rules: bool,
    use_context: bool,
) -> Any:
    from scipy import sparse

    parts = [sparse.csr_matrix(np.asarray(vectors, dtype=np.float64))]
    if vectorizer is not None:
        parts.append(vectorizer.transform([e.text for e in examples]))
    if use_rules:
        parts.append(sparse.csr_matrix(np.asarray([rule_vector(e.rules) for e in examples], dtype=np.float64)))
    if use_context:
        parts.append(sparse.csr_matrix(context_matrix(examples, vectors)))
    return sparse.hstack(parts, format="csr")
