"""Messages: how well the chat understands what entrants ask, on a message set written apart from its training set.

Each record is one message with what it asks (``intents``, in order), the criterion it is about and
the evidence type it names (eval/datasets/messages/GUIDE.md). The engine's reader runs on it as the
chat would (with the previous turn for follow-ups). Scores:

- ``intent_accuracy``: the main intent read (the top reading, even when the chat would ask a
  clarifying question) equals the record's first intent;
- ``answered_accuracy`` and ``clarify_rate``: how often the chat answers without asking, and how
  often those answers read the message right;
- ``both_asks``: for messages that ask two things, both read, in the order asked;
- ``criterion_accuracy`` and ``evidence_accuracy``: over records that name one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput, ShortlistError
from eval.datasets import MessageRecord
from eval.harness import Case, CaseResult, Figure, Metrics, Output, Score, Table
from eval.plots import confusion_grid


class MessagesSuite:
    name = "messages"
    record = MessageRecord
    headline = {
        "intent_accuracy": "Intent accuracy (held-out messages)",
        "answered_accuracy": "Accuracy when answered without asking",
        "clarify_rate": "Clarifying questions asked",
        "both_asks": "Two-question messages read in order",
    }

    def __init__(self) -> None:
        self._reader: Any = None
        self._resolved: dict[str, tuple[Any, Any]] = {}

    def prepare(self, assistant: Any, cases: Sequence[Case[MessageRecord]], dataset: Path) -> str | None:
        from assistant.chat.intents import IntentReader
        from assistant.chat.models import INTENTS

        for case in cases:
            unknown = [i for i in case.record.intents if i not in INTENTS]
            if unknown:
                raise InvalidInput(f"{dataset}:{case.line}: intents: unknown intent {unknown[0]!r}; use one of "
                                   f"{', '.join(INTENTS)}.")
            try:
                self._resolved[case.id] = assistant.resolve(case.record.category, case.record.programme)
            except ShortlistError as exc:
                raise InvalidInput(f"{dataset}:{case.line}: category: {exc.message}") from exc
        self._reader = IntentReader(assistant.prepare_messages)
        return None

    def task(self, case: Case[MessageRecord]) -> Output:
        from assistant.chat.models import Turn

        record = case.record
        programme, category = self._resolved[case.id]
        previous = None
        if record.previous is not None:
            previous = Turn(id="previous", role="assistant", content="", intent=record.previous.intent,
                            criterion=record.previous.criterion, created_at=datetime.now(UTC))
        request = self._reader.read(record.message, programme=programme, category=category, previous=previous)
        return {
            "intents": [request.intent, *[r.intent for r in request.also]],
            "criterion": request.criterion,
            "evidence_type": request.evidence_type,
            "confidence": round(request.confidence, 4),
            "clarify": request.clarify,
            "method": request.method,
        }

    def evaluators(self) -> list[Any]:
        def score(case: Case[MessageRecord], output: Output) -> list[Score]:
            record = case.record
            got = output["intents"]
            scores = [Score("intent", float(got[0] == record.intents[0]),
                            f"expected {record.intents[0]}, got {got[0]} ({output['confidence']:.2f})")]
            if len(record.intents) == 2:
                scores.append(Score("both_asks", float(got[:2] == record.intents),
                                    f"expected {record.intents}, got {got}"))
            if record.criterion:
                scores.append(Score("criterion", float(output["criterion"] == record.criterion),
                                    f"expected {record.criterion}, got {output['criterion']}"))
            if record.evidence_type:
                scores.append(Score("evidence", float(output["evidence_type"] == record.evidence_type),
                                    f"expected {record.evidence_type}, got {output['evidence_type']}"))
            return scores

        return [score]

    def summarise(self, results: list[CaseResult]) -> Metrics:
        from assistant.chat.models import INTENTS

        done = [r for r in results if r.error is None]

        def mean(name: str, rows: Sequence[CaseResult] = done) -> float | None:
            values = [s.value for r in rows for s in r.scores if s.name == name and s.value is not None]
            return round(sum(values) / len(values), 4) if values else None

        answered = [r for r in done if not r.output["clarify"]]
        metrics: Metrics = {
            "cases": len(done),
            "intent_accuracy": mean("intent"),
            "answered_accuracy": mean("intent", answered),
            "clarify_rate": round(1 - len(answered) / len(done), 4) if done else None,
            "both_asks": mean("both_asks"),
            "two_ask_cases": sum(1 for r in done if len(r.case.record.intents) == 2),
            "follow_up_accuracy": mean("intent", [r for r in done if r.case.record.previous is not None]),
            "criterion_accuracy": mean("criterion"),
            "evidence_accuracy": mean("evidence"),
            "intents": list(INTENTS),
        }
        pairs = [(r.case.record.intents[0], r.output["intents"][0]) for r in done]
        for intent in INTENTS:
            mine = [p for e, p in pairs if e == intent]
            predicted = [e for e, p in pairs if p == intent]
            if mine:
                metrics[f"intent.{intent}.recall"] = round(sum(p == intent for p in mine) / len(mine), 4)
                metrics[f"intent.{intent}.cases"] = len(mine)
            if predicted:
                metrics[f"intent.{intent}.precision"] = round(sum(e == intent for e in predicted) / len(predicted), 4)
        metrics["intent.confusion"] = [[sum(1 for e, p in pairs if e == row and p == col) for col in INTENTS]
                                       for row in INTENTS]
        return metrics

    def report(self, results: list[CaseResult], metrics: Metrics, out_dir: Path) -> tuple[list[Figure], list[Table]]:
        intents = metrics["intents"]
        confusion_grid(out_dir / "messages_confusion.png", [("intent", metrics["intent.confusion"], intents, intents)],
                       columns=1, title="Messages: expected intent (rows) vs read (columns)")
        per_intent = [[i, metrics.get(f"intent.{i}.cases", 0), metrics.get(f"intent.{i}.recall"),
                       metrics.get(f"intent.{i}.precision")] for i in intents]
        wrong = [[r.case.id, r.case.record.message[:120], r.case.record.intents[0],
                  r.output["intents"][0] if not r.error else r.error, r.output.get("confidence")]
                 for r in results if r.error or r.output["intents"][0] != r.case.record.intents[0]]
        confusions = Counter((row[2], row[3]) for row in wrong)
        return [Figure("messages_confusion.png", "Intent confusion",
                       "Rows: the intent the message asks; columns: the intent the chat read.", wide=True)], [
            Table("Per intent", ["intent", "cases", "recall", "precision"], per_intent),
            Table("Most frequent confusions", ["expected", "read", "messages"],
                  [[e, p, n] for (e, p), n in confusions.most_common(10)]),
            Table(f"Misread messages ({len(wrong)})", ["case", "message", "expected", "read", "confidence"],
                  wrong[:60]),
        ]


SUITE = MessagesSuite
