"""Section finding: is each gold section's criterion found where the draft answers it?

A gold section counts as found when a predicted section for the same criterion overlaps at least
half of the gold section's text. Accuracy is reported overall and per heading style (exact
headings, variant headings, no headings).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput, ShortlistError
from assistant.packs import Category, Programme
from eval.datasets import DraftRecord
from eval.harness import Case, CaseResult, Figure, Metrics, Output, Score, Table
from eval.metrics import overlap
from eval.plots import grouped_bars

STYLES = ("exact", "variant", "none")


def resolve_drafts(
    assistant: Any, cases: Sequence[Case[DraftRecord]], dataset: Path
) -> dict[str, tuple[Programme, Category]]:
    """Programme and category per case; unknown ids are dataset errors naming line and field."""
    resolved: dict[str, tuple[Programme, Category]] = {}
    for case in cases:
        record = case.record
        try:
            programme, category = assistant.resolve(record.category, record.programme)
        except ShortlistError as exc:
            field = "programme" if "programme" in exc.message.lower() and "category" not in exc.message else "category"
            raise InvalidInput(f"{dataset}:{case.line}: {field}: {exc.message}") from exc
        known = {c.id for c in category.criteria}
        for index, section in enumerate(record.sections):
            if section.criterion not in known:
                raise InvalidInput(
                    f"{dataset}:{case.line}: sections.{index}.criterion: '{section.criterion}' is not a criterion of "
                    f"{programme.id}/{category.id} ({', '.join(sorted(known))})."
                )
        for criterion in record.present:
            if criterion not in known:
                raise InvalidInput(
                    f"{dataset}:{case.line}: present.{criterion}: not a criterion of {programme.id}/{category.id} "
                    f"({', '.join(sorted(known))})."
                )
        resolved[case.id] = (programme, category)
    return resolved


def judge_sections(
    gold: Sequence[tuple[str, tuple[int, int]]], predicted: Sequence[tuple[str | None, int, int]]
) -> list[tuple[bool, str | None]]:
    """For each gold (criterion, span): found?, and the criterion predicted over most of its text."""
    verdicts = []
    for criterion, span in gold:
        length = max(span[1] - span[0], 1)
        covered: dict[str | None, int] = defaultdict(int)
        for predicted_criterion, start, end in predicted:
            covered[predicted_criterion] += overlap(span, (start, end))
        best = max(covered.items(), key=lambda item: item[1], default=(None, 0))
        found = covered.get(criterion, 0) * 2 >= length
        verdicts.append((found, best[0] if best[1] else None))
    return verdicts


class DraftSuite:
    """Shared set-up for suites over the drafts dataset: the Assistant and each draft's category."""

    def __init__(self) -> None:
        self._assistant: Any = None
        self._resolved: dict[str, tuple[Programme, Category]] = {}

    def prepare(self, assistant: Any, cases: Sequence[Case[DraftRecord]], dataset: Path) -> str | None:
        self._assistant = assistant
        self._resolved = resolve_drafts(assistant, cases, dataset)
        return None


class SectionsSuite(DraftSuite):
    name = "sections"
    record = DraftRecord
    headline = {"accuracy": "Section-finding accuracy"}
    # When the review suite runs on the same drafts, its reviews (which find sections with the same
    # reviewer.sections call) are judged here instead of finding every draft's sections twice.
    derives_from = "review"

    def task(self, case: Case[DraftRecord]) -> Output:
        record = case.record
        programme, category = self._resolved[case.id]
        section_map = self._assistant.reviewer.sections(record.text, programme, category)
        return self._judge(case, [[s.criterion, s.start, s.end, s.method] for s in section_map.sections])

    def derive(self, case: Case[DraftRecord], review_output: Output) -> Output:
        return self._judge(case, review_output["sections"])

    @staticmethod
    def _judge(case: Case[DraftRecord], predicted: list[list[Any]]) -> Output:
        record = case.record
        gold = [(s.criterion, span) for s, span in zip(record.sections, record.spans(), strict=True)]
        verdicts = judge_sections(gold, [(c, start, end) for c, start, end, _ in predicted])
        return {
            "predicted": predicted,
            "gold": [
                {"criterion": criterion, "found": found, "predicted": best}
                for (criterion, _), (found, best) in zip(gold, verdicts, strict=True)
            ],
        }

    def evaluators(self) -> list[Any]:
        return [self._accuracy]

    @staticmethod
    def _accuracy(case: Case[DraftRecord], output: Output) -> list[Score]:
        rows = output["gold"]
        if not rows:
            return [Score("section_accuracy", None, "no gold sections")]
        wrong = [f"{r['criterion']} → {r['predicted'] or 'nothing'}" for r in rows if not r["found"]]
        return [Score("section_accuracy", round(1 - len(wrong) / len(rows), 4), "; ".join(wrong) or "all found")]

    def summarise(self, results: list[CaseResult]) -> Metrics:
        by_style: dict[str, list[bool]] = defaultdict(list)
        for r in results:
            if r.error is None:
                by_style[r.case.record.headings].extend(g["found"] for g in r.output["gold"])
        every = [found for values in by_style.values() for found in values]
        metrics: Metrics = {
            "drafts": sum(r.error is None for r in results),
            "sections": len(every),
            "accuracy": round(sum(every) / len(every), 4) if every else None,
        }
        for style in STYLES:
            values = by_style.get(style, [])
            metrics[f"accuracy.{style}"] = round(sum(values) / len(values), 4) if values else None
            metrics[f"sections.{style}"] = len(values)
        return metrics

    def report(self, results: list[CaseResult], metrics: Metrics, out_dir: Path) -> tuple[list[Figure], list[Table]]:
        grouped_bars(
            out_dir / "sections_accuracy.png", categories=["all", *STYLES], title="Section-finding accuracy",
            series={"accuracy": [metrics["accuracy"], *(metrics[f"accuracy.{s}"] for s in STYLES)]}, ylabel="accuracy",
        )
        misses = [
            [r.case.id, r.case.record.headings, g["criterion"], g["predicted"] or "—"]
            for r in results if r.error is None for g in r.output["gold"] if not g["found"]
        ]
        figure = Figure("sections_accuracy.png", "Accuracy by heading style",
                        "A gold section is found when a predicted section for its criterion covers ≥ 50% of its text.")
        return [figure], [
            Table("Per heading style", ["style", "sections", "accuracy"],
                  [[s, metrics[f"sections.{s}"], metrics[f"accuracy.{s}"]] for s in STYLES]),
            Table(f"Sections not found ({len(misses)})", ["draft", "headings", "criterion", "assigned instead"],
                  misses[:40]),
        ]


SUITE = SectionsSuite
