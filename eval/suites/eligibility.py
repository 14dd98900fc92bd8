"""Eligibility: verdict accuracy and, per rule, a confusion table of expected vs reported status.

Only the rules a case lists under ``expected.rules`` are scored; a listed rule the engine did not
report counts as status "absent".

Each case is also checked with the entrant's full review behind the rules; ``screening_agreement``
is the share of cases whose every rule status is the same under the screening review the engine
uses by default (batches rely on it for speed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput, ShortlistError
from eval.datasets import EligibilityRecord
from eval.harness import Case, CaseResult, Figure, Metrics, Output, Score, Table
from eval.metrics import confusion
from eval.plots import confusion_grid

VERDICTS = ["eligible", "ineligible", "needs_review"]
STATUSES = ["pass", "fail", "needs_review"]
REPORTED = [*STATUSES, "absent"]


def _load_engine() -> tuple[Any, Any] | str:
    try:
        from assistant.eligibility import EntryInput, check_eligibility
    except ImportError as exc:
        return f"assistant.eligibility is not available ({exc})"
    return EntryInput, check_eligibility


def _status(value: Any) -> str:
    text = str(getattr(value, "value", value))
    return text if text in STATUSES else "needs_review"


class EligibilitySuite:
    name = "eligibility"
    record = EligibilityRecord
    headline = {
        "accuracy": "Eligibility verdict accuracy",
        "rule_accuracy": "Rule status accuracy",
        "screening_agreement": "Screening review agrees with full review",
    }

    def __init__(self) -> None:
        self._assistant: Any = None
        self._entry: Any = None
        self._check: Any = None
        self._resolved: dict[str, tuple[Any, Any]] = {}

    def prepare(self, assistant: Any, cases: Sequence[Case[EligibilityRecord]], dataset: Path) -> str | None:
        engine = _load_engine()
        if isinstance(engine, str):
            return engine
        self._entry, self._check = engine
        self._assistant = assistant
        for case in cases:
            try:
                self._resolved[case.id] = assistant.resolve(case.record.category, case.record.programme)
            except ShortlistError as exc:
                raise InvalidInput(f"{dataset}:{case.line}: category: {exc.message}") from exc
        return None

    def task(self, case: Case[EligibilityRecord]) -> Output:
        record = case.record
        fields = record.entry.model_dump(exclude_none=True)
        fields.setdefault("id", case.id)
        known = getattr(self._entry, "model_fields", None)
        if known is not None:
            fields = {k: v for k, v in fields.items() if k in known}
            entry = self._entry.model_validate(fields)
        else:
            entry = self._entry(**fields)
        programme, category = self._resolved[case.id]
        result = self._check(self._assistant, entry, programme, category)
        full = self._check(self._assistant, entry, programme, category, mode="full")
        return {
            "verdict": str(getattr(result.verdict, "value", result.verdict)),
            "rules": {r.rule: _status(r.status) for r in result.rules},
            "reasons": {r.rule: r.reason for r in result.rules if r.rule in record.expected.rules},
            "full_review_rules": {r.rule: _status(r.status) for r in full.rules},
        }

    def evaluators(self) -> list[Any]:
        def verdict(case: Case[EligibilityRecord], output: Output) -> list[Score]:
            expected = case.record.expected
            wrong = [f"{rule}: expected {status}, got {output['rules'].get(rule, 'absent')}"
                     for rule, status in expected.rules.items() if output["rules"].get(rule) != status]
            others = [f"{rule}={status}" for rule, status in output["rules"].items()
                      if rule not in expected.rules and status != "pass"]
            rules = len(expected.rules)
            verdict_reason = f"expected {expected.verdict}, got {output['verdict']}"
            if others:
                verdict_reason += f" (rules the case does not list: {', '.join(others)})"
            return [
                Score("verdict", float(output["verdict"] == expected.verdict), verdict_reason),
                Score("rules", round(1 - len(wrong) / rules, 4) if rules else None, "; ".join(wrong)),
            ]

        return [verdict]

    def summarise(self, results: list[CaseResult]) -> Metrics:
        done = [r for r in results if r.error is None]
        verdicts = [(r.case.record.expected.verdict, r.output["verdict"]) for r in done]
        per_rule: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in done:
            for rule, status in r.case.record.expected.rules.items():
                per_rule[rule].append((status, r.output["rules"].get(rule, "absent")))
        pairs = [pair for values in per_rule.values() for pair in values]
        metrics: Metrics = {
            "cases": len(done),
            "accuracy": round(sum(e == p for e, p in verdicts) / len(verdicts), 4) if verdicts else None,
            "rule_accuracy": round(sum(e == p for e, p in pairs) / len(pairs), 4) if pairs else None,
            "screening_agreement": round(
                sum(r.output["rules"] == r.output["full_review_rules"] for r in done) / len(done), 4
            ) if done else None,
            "verdict.confusion": confusion([(e, p if p in VERDICTS else "needs_review") for e, p in verdicts],
                                           VERDICTS),
        }
        for verdict_name in VERDICTS:
            expected_here = [p for e, p in verdicts if e == verdict_name]
            if expected_here:
                metrics[f"verdict.{verdict_name}.recall"] = round(
                    sum(p == verdict_name for p in expected_here) / len(expected_here), 4)
        for rule in sorted(per_rule):
            values = per_rule[rule]
            metrics[f"rule.{rule}.accuracy"] = round(sum(e == p for e, p in values) / len(values), 4)
            metrics[f"rule.{rule}.cases"] = len(values)
            metrics[f"rule.{rule}.confusion"] = [
                [sum(1 for e, p in values if e == expected and p == reported) for reported in REPORTED]
                for expected in STATUSES
            ]
        return metrics

    def report(self, results: list[CaseResult], metrics: Metrics, out_dir: Path) -> tuple[list[Figure], list[Table]]:
        rules = sorted({k.split(".")[1] for k in metrics if k.startswith("rule.")})
        matrices = [("verdict", metrics["verdict.confusion"], VERDICTS, VERDICTS)]
        matrices += [(rule, metrics[f"rule.{rule}.confusion"], STATUSES, REPORTED) for rule in rules]
        confusion_grid(out_dir / "eligibility_confusion.png", matrices, columns=4,
                       title="Eligibility: expected (rows) vs reported (columns)")
        wrong = [
            [r.case.id, r.case.record.expected.verdict, r.output.get("verdict", "—") if not r.error else r.error,
             "; ".join(s.reason for s in r.scores if s.value not in (None, 1.0) and s.reason)]
            for r in results if r.error or r.output["verdict"] != r.case.record.expected.verdict
            or any(s.name == "rules" and s.value not in (None, 1.0) for s in r.scores)
        ]
        return [Figure("eligibility_confusion.png", "Confusion per rule",
                       "“absent” means the engine did not report a rule the case expects.", wide=True)], [
            Table("Per rule", ["rule", "cases", "accuracy"],
                  [[rule, metrics[f"rule.{rule}.cases"], metrics[f"rule.{rule}.accuracy"]] for rule in rules]),
            Table(f"Cases with a wrong verdict or rule ({len(wrong)})",
                  ["case", "expected verdict", "reported", "why"], wrong[:40]),
        ]


SUITE = EligibilitySuite
