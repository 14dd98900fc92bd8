"""Evidence detection against the gold sentences: per-type P/R/F1 at sentence, text and span level.

The detector runs over each whole text (``assistant.detect``), exactly as a user's draft is
handled. Its sentence spans are then aligned with the gold sentences by character overlap: a
predicted sentence counts for a gold sentence when their overlap covers at least half of either
one, so a detector that splits or merges sentences differently is still scored fairly. Span F1
uses the Feedback Prize rule instead: a predicted (type, span) matches a gold (type, span) only
when the overlap covers at least half of both.

Screening (what the eligibility engine uses): for every text and evidence type, does the screened
detection (``EvidenceDetector.screen_spans`` focused on that type) find the type somewhere exactly
when full detection does, at the reviewer's lenient threshold? ``screening.presence_agreement`` is
the share of (text, type) pairs where they agree; ``screening.embedded_share`` the share of
sentences the screen sent to the embedding model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.sentences import split_sentences
from assistant.taxonomy import EVIDENCE_TYPES, LABELS
from eval.datasets import EvidenceRecord, load_records
from eval.harness import Case, CaseResult, Figure, Metrics, Output, Score, Table
from eval.metrics import Counts, label_agreement, macro_f1, micro, multilabel_counts, overlap, span_counts
from eval.plots import confusion_grid, grouped_bars

TYPES: tuple[str, ...] = EVIDENCE_TYPES


def align(gold: Sequence[tuple[int, int]], predicted: Sequence[tuple[int, int, list[str]]]) -> list[set[str]]:
    """Predicted types for each gold sentence: the union over predicted sentences aligned with it."""
    aligned: list[set[str]] = [set() for _ in gold]
    for start, end, types in predicted:
        if not types:
            continue
        for index, span in enumerate(gold):
            shared = overlap(span, (start, end))
            if shared and (shared * 2 >= end - start or shared * 2 >= span[1] - span[0]):
                aligned[index].update(types)
    return aligned


def _span_counts(gold: list[tuple[tuple[int, int], set[str]]], predicted: list[tuple[int, int, list[str]]]) -> dict[
    str, Counts
]:
    counts = {}
    for evidence_type in TYPES:
        gold_spans = [span for span, labels in gold if evidence_type in labels]
        pred_spans = [(s, e) for s, e, types in predicted if evidence_type in types]
        counts[evidence_type] = span_counts(gold_spans, pred_spans)
    return counts


class EvidenceSuite:
    name = "evidence"
    record = EvidenceRecord
    headline = {
        "sentence.macro_f1": "Sentence macro-F1",
        "text.macro_f1": "Text macro-F1",
        "span.macro_f1": "Span F1 (Feedback Prize)",
        "screening.presence_agreement": "Screening finds what full detection finds",
    }

    def __init__(self) -> None:
        self._assistant: Any = None
        self._second: Path | None = None

    def prepare(self, assistant: Any, cases: Sequence[Case[EvidenceRecord]], dataset: Path) -> str | None:
        self._assistant = assistant
        second = dataset.with_name(f"{dataset.stem}_second{dataset.suffix}")
        self._second = second if second.is_file() else None
        assistant.detector  # noqa: B018 - train the classifier before the first case is timed
        return None

    def task(self, case: Case[EvidenceRecord]) -> Output:
        record = case.record
        detector = self._assistant.detector
        spans = split_sentences(record.text)
        sentences = [span.text(record.text) for span in spans]
        vectors = self._assistant.embeddings.embed_array(sentences) if detector.use_classifier else None
        findings = detector.detect_spans(record.text, spans, vectors)  # what assistant.detect does, embedded once
        predicted = [[f.span.start, f.span.end, list(f.types)] for f in findings]
        gold = record.spans()
        aligned = align(gold, [(s, e, t) for s, e, t in predicted])
        return {
            "predicted": [p for p in predicted if p[2]],
            "sentences": [
                {"gold": list(sentence.labels), "pred": [t for t in TYPES if t in types]}
                for sentence, types in zip(record.sentences, aligned, strict=True)
            ],
            "screening": self._screening(record.text, spans, findings, dict(zip(sentences, vectors, strict=True))
                                         if vectors is not None else {}),
        }

    def _screening(self, text: str, spans: list[Any], findings: list[Any], vectors: dict[str, Any]) -> Output:
        detector = self._assistant.detector
        lenient = self._assistant.settings.detection.expected_threshold
        embedded = 0

        def embed(texts: list[str]) -> Any:
            nonlocal embedded
            embedded += len(texts)
            return np.stack([vectors[t] for t in texts])

        presence = {}
        for t in TYPES:
            screened = detector.screen_spans(text, spans, [t], embed)
            presence[t] = [any(f.probabilities.get(t, 0.0) >= lenient for f in found) for found in (findings, screened)]
        return {"presence": presence, "embedded": embedded, "sentences": len(spans)}

    def evaluators(self) -> list[Any]:
        return [self._exact_sentences, self._text_types]

    @staticmethod
    def _exact_sentences(case: Case[EvidenceRecord], output: Output) -> list[Score]:
        rows = output["sentences"]
        wrong = [
            f"s{i + 1}: gold {sorted(r['gold']) or '∅'} vs {sorted(r['pred']) or '∅'}"
            for i, r in enumerate(rows) if set(r["gold"]) != set(r["pred"])
        ]
        value = 1 - len(wrong) / len(rows)
        return [Score("sentence_exact", round(value, 4), "; ".join(wrong[:6]) or "every sentence exact")]

    @staticmethod
    def _text_types(case: Case[EvidenceRecord], output: Output) -> list[Score]:
        gold = {t for r in output["sentences"] for t in r["gold"]}
        predicted = {t for p in output["predicted"] for t in p[2]}
        counts = micro(multilabel_counts([(gold, predicted)], TYPES))
        missed, extra = sorted(gold - predicted), sorted(predicted - gold)
        reason = "; ".join(part for part in (f"missed {missed}" if missed else "", f"extra {extra}" if extra else "")
                           if part)
        return [Score("text_f1", None if counts.f1 is None else round(counts.f1, 4), reason or "same types")]

    def summarise(self, results: list[CaseResult]) -> Metrics:
        done = [r for r in results if r.error is None]
        sentence_pairs = [(set(s["gold"]), set(s["pred"])) for r in done for s in r.output["sentences"]]
        text_pairs = [
            ({t for s in r.output["sentences"] for t in s["gold"]}, {t for p in r.output["predicted"] for t in p[2]})
            for r in done
        ]
        sentence = multilabel_counts(sentence_pairs, TYPES)
        text = multilabel_counts(text_pairs, TYPES)
        span: dict[str, Counts] = {t: Counts() for t in TYPES}
        for r in done:
            gold = list(zip(r.case.record.spans(), (set(s.labels) for s in r.case.record.sentences), strict=True))
            for t, counts in _span_counts(gold, [tuple(p) for p in r.output["predicted"]]).items():
                span[t] = span[t] + counts
        metrics: Metrics = {
            "texts": len(done),
            "sentences": len(sentence_pairs),
            "sentence.macro_f1": _r(macro_f1(sentence)),
            # The same mean over the types the set has gold examples of: a type with no gold sentence
            # scores 0 at the first false alarm, which says little about a small dev set.
            "sentence.macro_f1_supported": _r(macro_f1({t: c for t, c in sentence.items() if c.support})),
            "sentence.micro_f1": _r(micro(sentence).f1),
            "sentence.exact_match": _r(sum(g == p for g, p in sentence_pairs) / len(sentence_pairs))
            if sentence_pairs else None,
            "text.macro_f1": _r(macro_f1(text)),
            "text.micro_f1": _r(micro(text).f1),
            "span.macro_f1": _r(macro_f1(span)),
            "span.micro_f1": _r(micro(span).f1),
        }
        for level, per_type in (("sentence", sentence), ("text", text), ("span", span)):
            for t, counts in per_type.items():
                for key in ("precision", "recall", "f1"):
                    metrics[f"{level}.{t}.{key}"] = _r(getattr(counts, key))
                metrics[f"{level}.{t}.support"] = counts.support
                if level == "sentence":
                    metrics[f"sentence.{t}.confusion"] = [[counts.tn, counts.fp], [counts.fn, counts.tp]]
        metrics.update(_screening_metrics(done))
        metrics.update(self._agreement(results))
        return metrics

    def _agreement(self, results: list[CaseResult]) -> Metrics:
        """Cohen's kappa between the gold file and its double-labelled sample, per label."""
        if self._second is None:
            return {}
        first = {r.case.id: r.case.record for r in results}
        pairs: list[tuple[set[str], set[str]]] = []
        for _, second in load_records(self._second, EvidenceRecord):
            gold = first.get(second.id)
            if gold is None or [s.text for s in gold.sentences] != [s.text for s in second.sentences]:
                continue
            pairs.extend((set(a.labels), set(b.labels)) for a, b in zip(gold.sentences, second.sentences, strict=True))
        if not pairs:
            return {}
        metrics: Metrics = {"agreement.sentences": len(pairs), "agreement.file": self._second.name}
        per_type, mean_kappa, exact = label_agreement(pairs, TYPES)
        for t, (kappa, positives) in per_type.items():
            metrics[f"agreement.kappa.{t}"] = _r(kappa)
            metrics[f"agreement.positives.{t}"] = positives
        metrics["agreement.kappa_mean"] = _r(mean_kappa)
        metrics["agreement.exact_match"] = _r(exact)
        return metrics

    def report(self, results: list[CaseResult], metrics: Metrics, out_dir: Path) -> tuple[list[Figure], list[Table]]:
        labels = [LABELS[t] for t in TYPES]  # type: ignore[index]
        grouped_bars(
            out_dir / "evidence_f1.png", categories=labels, horizontal=True, title="F1 per evidence type",
            series={level: [metrics.get(f"{level}.{t}.f1") for t in TYPES] for level in ("sentence", "text", "span")},
            ylabel="F1",
        )
        confusion_grid(
            out_dir / "evidence_confusion.png",
            [(LABELS[t], metrics[f"sentence.{t}.confusion"], ["no", "yes"], ["no", "yes"]) for t in TYPES],  # type: ignore[index]
            title="Sentence-level confusion per type (rows: gold, columns: detector)",
            xlabel="detector", ylabel="gold",
        )
        figures = [
            Figure("evidence_f1.png", "F1 per evidence type",
                   "Sentence level: each gold sentence's types against the detector's aligned sentences. Text level: "
                   "the union of types per text. Span: Feedback Prize rule (overlap ≥ 0.5 of both spans)."),
            Figure("evidence_confusion.png", "Confusion per type",
                   "Counts of gold sentences; top-left is true negatives.", wide=True),
        ]
        per_type = Table(
            "Per evidence type", ["type", "support", "precision", "recall", "F1 (sentence)", "F1 (text)", "F1 (span)"],
            [[LABELS[t], metrics[f"sentence.{t}.support"], metrics[f"sentence.{t}.precision"],  # type: ignore[index]
              metrics[f"sentence.{t}.recall"], metrics[f"sentence.{t}.f1"], metrics[f"text.{t}.f1"],
              metrics[f"span.{t}.f1"]] for t in TYPES],
        )
        tables = [per_type]
        if "agreement.kappa_mean" in metrics:
            tables.append(Table(
                f"Labeller agreement ({metrics['agreement.sentences']} double-labelled sentences, "
                f"{metrics['agreement.file']})",
                ["type", "positives (gold / second)", "Cohen's kappa"],
                [[LABELS[t], " / ".join(map(str, metrics[f"agreement.positives.{t}"])),  # type: ignore[index]
                  metrics[f"agreement.kappa.{t}"] if metrics[f"agreement.kappa.{t}"] is not None else "n/a"]
                 for t in TYPES]
                + [["mean (defined labels)", "", metrics["agreement.kappa_mean"]],
                   ["exact label-set agreement", "", metrics["agreement.exact_match"]]],
            ))
        tables.append(_errors_table(results))
        return figures, tables


def _screening_metrics(done: list[CaseResult]) -> Metrics:
    pairs = [tuple(v) for r in done for v in r.output["screening"]["presence"].values()]
    looked = sum(r.output["screening"]["sentences"] for r in done) * len(TYPES)
    if not pairs:
        return {}
    return {
        "screening.presence_agreement": _r(sum(full == screen for full, screen in pairs) / len(pairs)),
        "screening.missed": sum(full and not screen for full, screen in pairs),
        "screening.embedded_share": _r(sum(r.output["screening"]["embedded"] for r in done) / looked)
        if looked else None,
    }


def _errors_table(results: list[CaseResult], limit: int = 30) -> Table:
    rows = []
    for result in results:
        if result.error:
            rows.append([result.case.id, "(case failed)", "", "", result.error])
            continue
        for sentence, row in zip(result.case.record.sentences, result.output["sentences"], strict=True):
            gold, pred = set(row["gold"]), set(row["pred"])
            if gold != pred:
                rows.append([result.case.id, sentence.text[:160], ", ".join(sorted(gold - pred)),
                             ", ".join(sorted(pred - gold)), ", ".join(sorted(gold)) or "—"])
    return Table(
        f"Sentences the detector got wrong ({len(rows)}; first {min(limit, len(rows))})",
        ["text", "sentence", "missed", "extra", "gold labels"], rows[:limit],
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class RealSuite(EvidenceSuite):
    """The same measures on the real-text dev split (docs/corpus.md): writers the detector never saw."""

    name = "evidence_real"


SUITE = EvidenceSuite
