"""Run a batch: cached results first, the rest in parallel, then duplicates across the batch.

Workers are spawned processes, each building the Assistant once. Results come back in any order
and are put back in input order, so the report is the same however the work was split. A file
that crashes a worker is found by re-running the entries that were in flight one at a time.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from assistant.batch import worker
from assistant.batch.cache import ResultCache, context_key, item_key
from assistant.batch.models import BatchItem, BatchReport, EntryReport
from assistant.eligibility import similarity, verdict_of
from assistant.errors import BackendUnavailable
from assistant.packs import Programme
from assistant.review import RuleResult
from assistant.service import Assistant

log = logging.getLogger(__name__)

BatchProgress = Callable[[int, int], None]
_PREFILTER_COSINE = 0.8


def default_cache(assistant: Assistant) -> ResultCache:
    return ResultCache(assistant.settings.data_dir / "batches" / "cache.sqlite3")


def run_batch(
    assistant: Assistant,
    items: list[BatchItem],
    programme: Programme,
    *,
    previous: list[str] | None = None,
    workers: int | None = None,
    progress: BatchProgress | None = None,
    cache: ResultCache | None = None,
) -> BatchReport:
    """Check every item; entries whose inputs are unchanged since an earlier run come from the cache."""
    previous = previous or []
    workers = workers or assistant.settings.batch_workers
    own_cache = cache is None
    cache = cache or default_cache(assistant)
    try:
        return _run(assistant, items, programme, previous=previous, workers=workers, progress=progress, cache=cache)
    finally:
        if own_cache:
            cache.close()


def _run(
    assistant: Assistant,
    items: list[BatchItem],
    programme: Programme,
    *,
    previous: list[str],
    workers: int,
    progress: BatchProgress | None,
    cache: ResultCache,
) -> BatchReport:
    # Positions are the report's order; make them the items' indexes whatever the caller passed.
    items = [item if item.index == i else item.model_copy(update={"index": i}) for i, item in enumerate(items)]
    shared = context_key(
        settings=assistant.settings, knowledge_hash=assistant.knowledge_hash, programme=programme, previous=previous
    )
    keys = [item_key(shared, item) for item in items]
    cached = cache.get_many(keys)
    results: dict[int, dict[str, Any]] = {i: cached[k] for i, k in enumerate(keys) if k in cached}
    pending = [item for item in items if item.index not in results]
    total = len(items)
    if progress:
        progress(len(results), total)
    for index, payload in _execute(assistant, pending, programme, previous, workers):
        cache.put(keys[index], payload)
        results[index] = payload
        if progress:
            progress(len(results), total)
    reports = [EntryReport.model_validate(results[i]["report"]) for i in range(total)]
    signatures = [results[i]["signature"] for i in range(total)]
    return BatchReport.build(programme.id, f"{programme.name} {programme.year}", mark_duplicates(reports, signatures))


def _execute(
    assistant: Assistant, pending: list[BatchItem], programme: Programme, previous: list[str], workers: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    if not pending:
        return
    if workers <= 1 or len(pending) == 1:
        for item in pending:
            yield item.index, worker.check_item(assistant, item, programme, previous)
        return
    # Sync the knowledge base once here, so workers only read the store.
    assistant.ensure_ingested()
    yield from _pooled(assistant, pending, programme, previous, min(workers, len(pending)))


def _start_pool(assistant: Assistant, programme: Programme, previous: list[str], size: int) -> ProcessPoolExecutor:
    threads = max(1, (os.cpu_count() or 1) // size)
    pool = ProcessPoolExecutor(
        max_workers=size, mp_context=multiprocessing.get_context("spawn"), initializer=worker.init_worker,
        initargs=(assistant.settings, programme, previous, threads),
    )
    try:
        pool.submit(worker.ping).result()
    except BrokenProcessPool as exc:
        pool.shutdown(cancel_futures=True)
        raise BackendUnavailable(
            "The batch workers could not start (the model or the vector store failed to load); "
            "run with --workers 1 to see the error."
        ) from exc
    return pool


def _pooled(
    assistant: Assistant, pending: list[BatchItem], programme: Programme, previous: list[str], workers: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    remaining = list(pending)
    suspects: list[BatchItem] = []
    while remaining or suspects:
        # After a crash, the entries that were in flight run alone until the one that crashes is found.
        isolating = bool(suspects)
        batch = suspects if isolating else remaining
        pool = _start_pool(assistant, programme, previous, 1 if isolating else workers)
        finished: set[int] = set()
        broken = False
        try:
            futures = {pool.submit(worker.check_in_worker, item): item for item in batch}
            outstanding: set[Future[dict[str, Any]]] = set(futures)
            while outstanding and not broken:
                done, outstanding = wait(outstanding, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: futures[f].index):
                    try:
                        payload = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    finished.add(futures[future].index)
                    yield futures[future].index, payload
        finally:
            # Also reached when the caller stops early: never leave worker processes behind.
            pool.shutdown(wait=True, cancel_futures=True)
        unfinished = [item for item in batch if item.index not in finished]
        if not broken:
            if isolating:
                suspects = []
            else:
                remaining = []
            continue
        if isolating:
            culprit, suspects = unfinished[0], []
            remaining = unfinished[1:] + remaining
            log.warning("entry %s crashed a batch worker", culprit.id)
            report = worker.unreadable(culprit, "the file crashed the document reader; open and save it again")
            yield culprit.index, {"report": report.model_dump(mode="json"), "signature": None}
        else:
            suspects = unfinished[: workers + 1]
            remaining = unfinished[workers + 1 :]
        remaining.sort(key=lambda i: i.index)


def mark_duplicates(reports: list[EntryReport], signatures: list[dict[str, Any] | None]) -> list[EntryReport]:
    """Flag entries that are near-identical to another entry of the batch (wording, not topic)."""
    readable = [i for i, s in enumerate(signatures) if s is not None]
    if len(readable) < 2:
        return reports
    matrix = np.asarray([signatures[i]["vector"] for i in readable], dtype=np.float32)  # type: ignore[index]
    cosines = matrix @ matrix.T
    matches: dict[int, list[tuple[int, float]]] = {}
    for a in range(len(readable)):
        for b in np.nonzero(cosines[a, a + 1 :] >= _PREFILTER_COSINE)[0] + a + 1:
            i, j = readable[a], readable[int(b)]
            overlap = similarity.sketch_jaccard(signatures[i]["sketch"], signatures[j]["sketch"])  # type: ignore[index]
            if overlap >= similarity.DUPLICATE_JACCARD:
                matches.setdefault(i, []).append((j, overlap))
                matches.setdefault(j, []).append((i, overlap))
    updated = list(reports)
    for index, others in matches.items():
        updated[index] = _with_duplicates(reports[index], [(reports[j], overlap) for j, overlap in others])
    return updated


def _with_duplicates(report: EntryReport, others: list[tuple[EntryReport, float]]) -> EntryReport:
    existing = report.rule("duplicate_entry")
    parts = []
    for other, overlap in sorted(others, key=lambda pair: (pair[0].id, pair[0].category)):
        where = "the same category" if other.category == report.category else f"'{other.category}'"
        parts.append(f"entry {other.id} in {where} ({overlap:.0%} shared wording)")
    reason = "Near-identical to " + "; ".join(parts) + "; check it is not the same entry submitted more than once."
    if existing is not None and existing.status == "needs_review":
        reason = existing.reason + " " + reason
    rule = RuleResult(
        rule="duplicate_entry", status="needs_review", reason=reason, quotes=existing.quotes if existing else []
    )
    rules = [rule if r.rule == "duplicate_entry" else r for r in report.rules]
    return report.model_copy(update={"rules": rules, "verdict": verdict_of(rules)})
