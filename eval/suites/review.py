"""Gap detection: does the review say "missing" exactly where the draft's planted gaps are?

For every criterion of the draft's category and every evidence type it ``expects``, the gold says
missing when the type is not listed in ``present[criterion]`` (a criterion absent from
``present`` has no evidence). The review says missing when the type is in
``review.criterion(c).missing``. Over all these (criterion, type) decisions:

- precision of "missing" = true gaps flagged / all gaps flagged;
- recall of "missing" = true gaps flagged / all true gaps;
- false-missing rate = flagged gaps whose evidence is actually present / all gaps flagged
  (= 1 − precision): how often an entrant is told to add evidence they already have;
- false-found rate = planted gaps the review reports as present / all planted gaps (= 1 − recall):
  how often an entrant is told evidence is there when the section was written without it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.packs import Category
from eval.datasets import DraftRecord
from eval.harness import Case, CaseResult, Figure, Metrics, Output, Score, Table
from eval.metrics import Counts
from eval.plots import confusion_grid, grouped_bars
from eval.suites.sections import DraftSuite


def decisions(record: DraftRecord, category: Category, predicted_missing: dict[str, list[str]]) -> list[
    tuple[str, str, bool, bool]
]:
    """(criterion, type, gold missing, predicted missing) for every expected type of every criterion."""
    rows = []
    for criterion in category.criteria:
        present = set(record.present.get(criterion.id, []))
        flagged = set(predicted_missing.get(criterion.id, []))
        for evidence_type in criterion.expects:
            rows.append((criterion.id, str(evidence_type), evidence_type not in present, evidence_type in flagged))
    return rows


def tally(rows: Sequence[tuple[str, str, bool, bool]]) -> Counts:
    counts = Counts()
    for _, _, gold, predicted in rows:
        counts = counts + Counts(tp=int(gold and predicted), fp=int(predicted and not gold),
                                 fn=int(gold and not predicted), tn=int(not gold and not predicted))
    return counts


def gap_metrics(counts: Counts) -> dict[str, float | int | None]:
    flagged = counts.tp + counts.fp
    return {
        "missing.precision": _r(counts.precision),
        "missing.recall": _r(counts.recall),
        "missing.f1": _r(counts.f1),
        "false_missing_rate": _r(counts.fp / flagged) if flagged else None,
        # Of the expected evidence a section was written without, the share the review reports as present.
        "false_found_rate": _r(counts.fn / (counts.tp + counts.fn)) if counts.tp + counts.fn else None,
        "gaps.gold": counts.tp + counts.fn,
        "gaps.flagged": flagged,
        "decisions": counts.tp + counts.fp + counts.fn + counts.tn,
    }


class ReviewSuite(DraftSuite):
    name = "review"
    record = DraftRecord
    headline = {
        "missing.precision": "Gap precision",
        "missing.recall": "Gap recall",
        "false_missing_rate": "False-“missing” rate",
        "false_found_rate": "False-“found” rate",
    }

    def task(self, case: Case[DraftRecord]) -> Output:
        record = case.record
        programme, category = self._resolved[case.id]
        review = self._assistant.review(record.text, category.id, programme=programme.id, examples=False)
        return {
            "criteria": {
                c.id: {"missing": [m.type for m in c.missing], "found": sorted({e.type for e in c.evidence}),
                       "section_found": c.section_found}
                for c in review.criteria
            },
            "sections": [[c.id, s.start, s.end, s.method] for c in review.criteria for s in c.sections],
        }

    def _rows(self, result: CaseResult) -> list[tuple[str, str, bool, bool]]:
        _, category = self._resolved[result.case.id]
        flagged = {cid: item["missing"] for cid, item in result.output["criteria"].items()}
        return decisions(result.case.record, category, flagged)

    def evaluators(self) -> list[Any]:
        def gaps(case: Case[DraftRecord], output: Output) -> list[Score]:
            rows = self._rows(CaseResult(case, output, [], 0.0))
            counts = tally(rows)
            false_missing = [f"{c}/{t}" for c, t, gold, pred in rows if pred and not gold]
            missed = [f"{c}/{t}" for c, t, gold, pred in rows if gold and not pred]
            reason = "; ".join(part for part in (
                f"flagged but present: {', '.join(false_missing)}" if false_missing else "",
                f"gap not flagged: {', '.join(missed)}" if missed else "") if part)
            return [
                Score("gap_precision", _r(counts.precision), reason or "every gap right"),
                Score("gap_recall", _r(counts.recall)),
            ]

        return [gaps]

    def summarise(self, results: list[CaseResult]) -> Metrics:
        rows_by_case = [(r, self._rows(r)) for r in results if r.error is None]
        every = [row for _, rows in rows_by_case for row in rows]
        overall = tally(every)
        metrics: Metrics = {"drafts": len(rows_by_case), **gap_metrics(overall)}
        metrics["confusion"] = [[overall.tn, overall.fp], [overall.fn, overall.tp]]
        by_criterion: dict[str, list[tuple[str, str, bool, bool]]] = defaultdict(list)
        by_type: dict[str, list[tuple[str, str, bool, bool]]] = defaultdict(list)
        by_style: dict[str, list[tuple[str, str, bool, bool]]] = defaultdict(list)
        for result, rows in rows_by_case:
            for row in rows:
                by_criterion[row[0]].append(row)
                by_type[row[1]].append(row)
                by_style[result.case.record.headings].append(row)
        for prefix, groups in (("criterion", by_criterion), ("type", by_type), ("headings", by_style)):
            for key in sorted(groups):
                counts = tally(groups[key])
                for name, value in gap_metrics(counts).items():
                    if name in ("missing.precision", "missing.recall", "false_missing_rate", "gaps.gold"):
                        metrics[f"{prefix}.{key}.{name}"] = value
        return metrics

    def report(self, results: list[CaseResult], metrics: Metrics, out_dir: Path) -> tuple[list[Figure], list[Table]]:
        criteria = sorted({k.split(".")[1] for k in metrics if k.startswith("criterion.")})
        grouped_bars(
            out_dir / "review_gaps.png", horizontal=True, title="Gap detection per criterion (n = gold gaps)",
            categories=[f"{c} (n={metrics[f'criterion.{c}.gaps.gold']})" for c in criteria],
            series={
                "precision of missing": [metrics[f"criterion.{c}.missing.precision"] for c in criteria],
                "recall of missing": [metrics[f"criterion.{c}.missing.recall"] for c in criteria],
            },
        )
        confusion_grid(
            out_dir / "review_confusion.png",
            [("(criterion, type) pairs", metrics["confusion"], ["present", "missing"],
              ["not flagged", "flagged"])],
            title="Gold gap vs review's “missing”", xlabel="review", ylabel="gold",
        )
        false_missing = []
        for result in results:
            if result.error:
                continue
            for criterion, evidence_type, gold, predicted in self._rows(result):
                if predicted != gold:
                    false_missing.append([result.case.id, result.case.record.headings, criterion, evidence_type,
                                          "flagged but present" if predicted else "gap not flagged"])
        figures = [
            Figure("review_gaps.png", "Gap detection per criterion id",
                   "Criteria with the same id are pooled across programmes."),
            Figure("review_confusion.png", "Gold vs flagged", "Top-right: false “missing”; bottom-left: missed gaps."),
        ]
        types = sorted({k.split(".")[1] for k in metrics if k.startswith("type.")})
        return figures, [
            Table("Per evidence type", ["type", "gold gaps", "precision", "recall", "false-missing rate"],
                  [[t, metrics[f"type.{t}.gaps.gold"], metrics[f"type.{t}.missing.precision"],
                    metrics[f"type.{t}.missing.recall"], metrics[f"type.{t}.false_missing_rate"]] for t in types]),
            Table("Per heading style", ["headings", "gold gaps", "precision", "recall", "false-missing rate"],
                  [[s, metrics[f"headings.{s}.gaps.gold"], metrics[f"headings.{s}.missing.precision"],
                    metrics[f"headings.{s}.missing.recall"], metrics[f"headings.{s}.false_missing_rate"]]
                   for s in ("exact", "variant", "none") if f"headings.{s}.gaps.gold" in metrics]),
            Table(f"Wrong gap decisions ({len(false_missing)})", ["draft", "headings", "criterion", "type", "error"],
                  false_missing[:40]),
        ]


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


SUITE = ReviewSuite
