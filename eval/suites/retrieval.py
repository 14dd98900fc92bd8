"""Retrieval: the assistant's vector search against a bm25s baseline over the same passages.

Both rank the passages of the query's kind with the query's filters applied; each is scored with
recall@k (k = 1, 3, 5, 10), MRR and nDCG@10 (binary relevance) against the judged passage ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput
from assistant.knowledge import Passage
from eval.datasets import RetrievalFilters, RetrievalRecord
from eval.harness import Case, CaseResult, Figure, Metrics, Output, Score, Table
from eval.metrics import mean, ndcg_at_k, recall_at_k, reciprocal_rank
from eval.plots import grouped_bars

KS = (1, 3, 5, 10)
METHODS = ("system", "bm25")


def passes(passage: Passage, filters: RetrievalFilters) -> bool:
    """The same filter semantics as the store's where-clause."""
    if filters.programme and passage.programme != filters.programme:
        return False
    if filters.category and passage.category != filters.category:
        return False
    if filters.criterion and passage.criterion != filters.criterion:
        return False
    return not (filters.evidence and filters.evidence not in passage.evidence)


class Bm25Index:
    """bm25s over one kind's passages; filters applied to the full ranking, zero scores dropped."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self._bm25s = bm25s
        self.passages = list(passages)
        self._retriever = bm25s.BM25()
        tokens = bm25s.tokenize([p.text for p in self.passages], stopwords="en", show_progress=False)
        self._retriever.index(tokens, show_progress=False)

    def search(self, query: str, *, k: int, filters: RetrievalFilters) -> list[str]:
        tokens = self._bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)
        if not tokens[0]:
            return []
        documents, scores = self._retriever.retrieve(tokens, k=len(self.passages), show_progress=False)
        ranked = []
        for index, score in zip(documents[0], scores[0], strict=True):
            passage = self.passages[int(index)]
            if score > 0 and passes(passage, filters):
                ranked.append(passage.id)
            if len(ranked) == k:
                break
        return ranked


def ranking_scores(ranked: Sequence[str], relevant: set[str]) -> dict[str, float]:
    scores = {f"recall@{k}": recall_at_k(ranked, relevant, k) for k in KS}
    scores["mrr"] = reciprocal_rank(ranked, relevant)
    scores["ndcg@10"] = ndcg_at_k(ranked, relevant, 10)
    return scores


class RetrievalSuite:
    name = "retrieval"
    record = RetrievalRecord
    headline = {"recall@5": "Recall@5 (system)", "bm25.recall@5": "Recall@5 (bm25s)", "ndcg@10": "nDCG@10 (system)"}

    def __init__(self) -> None:
        self._assistant: Any = None
        self._indexes: dict[str, Bm25Index] = {}

    def prepare(self, assistant: Any, cases: Sequence[Case[RetrievalRecord]], dataset: Path) -> str | None:
        self._assistant = assistant
        passages = assistant.knowledge.passages()
        for kind in ("exemplar", "guidance"):
            self._indexes[kind] = Bm25Index(passages[kind])
        for case in cases:
            known = {p.id for p in passages[case.record.kind]}
            for index, passage_id in enumerate(case.record.relevant):
                if passage_id not in known:
                    raise InvalidInput(
                        f"{dataset}:{case.line}: relevant.{index}: '{passage_id}' is not a {case.record.kind} "
                        "passage id (ids look like 'ex-virtual-ward-frailty#p3' or 'guide-baseline#p2')."
                    )
        assistant.ensure_ingested()
        return None

    def task(self, case: Case[RetrievalRecord]) -> Output:
        record = case.record
        hits = self._assistant.search(record.kind, record.query, k=10, **record.filters.as_kwargs())
        started = time.perf_counter()
        baseline = self._indexes[record.kind].search(record.query, k=10, filters=record.filters)
        return {
            "system": [p.id for p, _ in hits],
            "bm25": baseline,
            "bm25_ms": round((time.perf_counter() - started) * 1000, 2),
        }

    def evaluators(self) -> list[Any]:
        def ranks(case: Case[RetrievalRecord], output: Output) -> list[Score]:
            relevant = set(case.record.relevant)
            scores = []
            for method in METHODS:
                values = ranking_scores(output[method], relevant)
                first = next((i for i, pid in enumerate(output[method], 1) if pid in relevant), None)
                reason = f"first relevant at rank {first}" if first else "no relevant passage in the top 10"
                prefix = "" if method == "system" else "bm25."
                scores.append(Score(f"{prefix}recall@5", round(values["recall@5"], 4), reason))
                scores.append(Score(f"{prefix}mrr", round(values["mrr"], 4)))
            return scores

        return [ranks]

    def summarise(self, results: list[CaseResult]) -> Metrics:
        done = [r for r in results if r.error is None]
        metrics: Metrics = {"queries": len(done)}
        for method in METHODS:
            per_case = [ranking_scores(r.output[method], set(r.case.record.relevant)) for r in done]
            prefix = "" if method == "system" else "bm25."
            for key in [f"recall@{k}" for k in KS] + ["mrr", "ndcg@10"]:
                value = mean(s[key] for s in per_case)
                metrics[f"{prefix}{key}"] = None if value is None else round(value, 4)
        for key in [f"recall@{k}" for k in KS] + ["mrr", "ndcg@10"]:
            if metrics[key] is not None and metrics[f"bm25.{key}"] is not None:
                metrics[f"delta_vs_bm25.{key}"] = round(metrics[key] - metrics[f"bm25.{key}"], 4)
        for kind in ("exemplar", "guidance"):
            subset = [r for r in done if r.case.record.kind == kind]
            if subset:
                value = mean(recall_at_k(r.output["system"], set(r.case.record.relevant), 5) for r in subset)
                metrics[f"{kind}.recall@5"] = None if value is None else round(value, 4)
        return metrics

    def report(self, results: list[CaseResult], metrics: Metrics, out_dir: Path) -> tuple[list[Figure], list[Table]]:
        keys = [f"recall@{k}" for k in KS] + ["mrr", "ndcg@10"]
        grouped_bars(
            out_dir / "retrieval.png", categories=keys, title="Vector search vs bm25s (same passages, same filters)",
            series={"Shortlist search": [metrics[k] for k in keys],
                    "bm25s baseline": [metrics[f"bm25.{k}"] for k in keys]},
        )
        misses = []
        for r in results:
            if r.error:
                misses.append([r.case.id, r.case.record.query, "", r.error, ""])
                continue
            missed = set(r.case.record.relevant) - set(r.output["system"][:5])
            if missed:
                misses.append([r.case.id, r.case.record.query, ", ".join(sorted(missed)),
                               ", ".join(r.output["system"][:3]), ", ".join(r.output["bm25"][:3])])
        figure = Figure("retrieval.png", "Retrieval quality",
                        "Recall@k and MRR averaged over queries; nDCG@10 with binary relevance.")
        return [figure], [Table(
            f"Queries missing a relevant passage from the system's top 5 ({len(misses)})",
            ["query id", "query", "relevant but not in top 5", "system top 3", "bm25s top 3"], misses[:30],
        )]


SUITE = RetrievalSuite
