"""Chat: intent accuracy, citation validity, required-fact coverage and the no-invention rate.

- Citation validity: a draft citation's quote must equal ``draft[start:end]``; any other citation
  must name a passage that exists in the knowledge base, and its quote (if any) must be a part of
  that passage's text.
- Required-fact coverage: each ``must_mention`` criterion (by id or title) and evidence type (by
  id or label) must appear in the answer, each ``must_quote`` string must appear in it, and each
  ``must_cite`` kind must be among the answer's citations.
- No-invention: an answer invents when it contains a figure or quotation found in neither the
  draft, the request, the category's criteria nor any passage it cites (see ``eval.grounding``).
  The guard matters most with an LLM configured; in template mode it checks the templates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput, ShortlistError
from assistant.knowledge import Passage
from assistant.packs import Category, Programme
from assistant.taxonomy import LABELS
from eval.datasets import ChatRecord
from eval.grounding import Unsupported, claims, normalise, unsupported
from eval.harness import Case, CaseResult, Figure, Metrics, Output, Score, Table
from eval.plots import confusion_grid, grouped_bars

_KIND_ALIASES = {"criteria": "criterion", "criterion": "criterion"}


def _kind(kind: str) -> str:
    return _KIND_ALIASES.get(kind, kind)


def _later_version(citation: dict[str, Any]) -> bool:
    match = re.search(r"version (\d+)", str(citation.get("source") or ""))
    return bool(match and int(match.group(1)) > 1)


def citation_problem(
    citation: dict[str, Any],
    draft: str,
    passages: dict[str, Passage],
    category: Category | None = None,
    request: str = "",
) -> str | None:
    """Why a citation is invalid, or None when it checks out.

    A draft citation from a redraft the answer saved ("version 2") cannot be checked at its offsets;
    its quote must still come from the draft or the request. Criteria citations may name a criterion
    passage ("programme/category/criterion"), a criterion id of the case's category (quoting one of
    its questions) or "<category>#eligibility".
    """
    kind, quote = _kind(str(citation.get("kind", ""))), citation.get("quote") or ""
    ref = str(citation.get("ref") or "")
    if kind == "draft":
        start, end = citation.get("start"), citation.get("end")
        if _later_version(citation):
            # The answer saved a redraft; its offsets point into text the eval never sees.
            return None if quote and (quote in draft or quote in request) else "quote is in neither draft nor request"
        if not isinstance(start, int) or not isinstance(end, int):
            return "draft citation without offsets"
        if not (0 <= start < end <= len(draft)) or draft[start:end] != quote:
            return f"quote is not draft[{start}:{end}]"
        return None
    if kind == "message":
        start, end = citation.get("start"), citation.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or request[start:end] != quote:
            return f"quote is not request[{start}:{end}]"
        return None
    if kind == "entry":
        return None if ref else "entry citation without a ref"
    passage = passages.get(ref)
    text = passage.text if passage is not None else None
    if passage is None and kind == "exemplar" and "#" not in ref:
        passage = next((p for pid, p in passages.items() if pid.startswith(ref + "#")), None)
        text = passage.text if passage is not None else None
    if text is None and kind == "criterion" and category is not None:
        criteria = {c.id: c for c in category.criteria}
        if ref in criteria:
            text = " ".join([criteria[ref].title, *criteria[ref].questions])
        elif ref == f"{category.id}#eligibility":
            return None if quote else "eligibility citation without a quote"
    if text is None:
        return f"{kind} '{ref}' does not exist in the knowledge base"
    if quote:
        parts = [p for p in normalise(quote).replace("...", "…").split("…") if p.strip()]
        haystack = normalise(text)
        if not all(part.strip() in haystack for part in parts):
            return f"quote is not in {ref}"
    return None


def _mentions(content: str, options: Sequence[str]) -> bool:
    text = normalise(content)
    return any(normalise(option) in text for option in options if option)


class ChatSuite:
    name = "chat"
    record = ChatRecord
    headline = {
        "intent_accuracy": "Chat intent accuracy",
        "citation_validity": "Citation validity",
        "coverage": "Required-fact coverage",
        "no_invention_rate": "No-invention rate",
    }

    def __init__(self) -> None:
        self._engine: Any = None
        self._passages: dict[str, Passage] = {}
        self._resolved: dict[str, tuple[Programme, Category]] = {}
        self.llm = "none"
        self._templates: list[str] = []
        self._inventions: dict[str, list[Unsupported]] = {}

    def prepare(self, assistant: Any, cases: Sequence[Case[ChatRecord]], dataset: Path) -> str | None:
        try:
            from assistant.chat import build_chat_engine
        except ImportError as exc:
            return f"assistant.chat is not available ({exc})"
        for case in cases:
            try:
                self._resolved[case.id] = assistant.resolve(case.record.category, case.record.programme)
            except ShortlistError as exc:
                raise InvalidInput(f"{dataset}:{case.line}: category: {exc.message}") from exc
        self._engine = build_chat_engine(assistant)
        self._passages = {p.id: p for kind in assistant.knowledge.passages().values() for p in kind}
        self.llm = assistant.settings.llm.model
        prompts = Path(assistant.settings.prompts_dir)
        self._templates = [path.read_text(encoding="utf-8") for path in sorted(prompts.glob("*.j2"))]
        assistant.ensure_ingested()
        return None

    def task(self, case: Case[ChatRecord]) -> Output:
        record = case.record
        turn = self._engine.answer(record.draft, record.category, record.request, programme=record.programme)
        citations = [
            {key: getattr(c, key, None) for key in ("kind", "ref", "quote", "start", "end", "source")}
            for c in turn.citations
        ]
        return {
            "intent": str(turn.intent),
            "content": turn.content,
            "citations": citations,
            "notices": [str(n) for n in getattr(turn, "notices", [])],
        }

    def _sources(self, case: Case[ChatRecord], output: Output) -> list[str]:
        """What an answer may take figures and quotations from: the draft and the request, the category's
        criteria, the cited passages, the answer templates' own wording, and the review the engine made."""
        programme, category = self._resolved[case.id]
        facts = [f"{programme.name} {programme.year} {programme.deadline.isoformat()} {programme.deadline:%d %B %Y}",
                 category.title, category.description, category.eligibility.model_dump_json()]
        for criterion in category.criteria:
            facts.append(" ".join([criterion.title, *criterion.aliases, *criterion.questions,
                                   str(criterion.word_limit or "")]))
        cited = []
        for citation in output["citations"]:
            cited += [citation.get("quote") or "", citation.get("source") or ""]
            passage = self._passages.get(str(citation.get("ref") or ""))
            if passage is not None:
                cited.append(passage.text)
        return [case.record.draft, case.record.request, *facts, *cited, *self._templates]

    def _invented(self, case: Case[ChatRecord], output: Output) -> list[Unsupported]:
        """Unsupported figures and quotes; the engine's own review of the draft (cached by its tools, so
        usually free) is consulted only when something is not found elsewhere."""
        if case.id in self._inventions:
            return self._inventions[case.id]
        sources = self._sources(case, output)
        found = unsupported(output["content"], sources)
        if found and case.record.draft.strip():
            programme, category = self._resolved[case.id]
            review = self._engine.tools.review(case.record.draft, programme, category)
            found = unsupported(output["content"], [*sources, review.model_dump_json()])
        self._inventions[case.id] = found
        return found

    def _coverage(self, case: Case[ChatRecord], output: Output) -> list[tuple[str, str, bool]]:
        record, content = case.record, output["content"]
        _, category = self._resolved[case.id]
        titles = {c.id: c.title for c in category.criteria}
        items = []
        for criterion in record.must_mention.criteria:
            options = [criterion, criterion.replace("-", " "), titles.get(criterion, "")]
            items.append(("criteria", criterion, _mentions(content, options)))
        for evidence_type in record.must_mention.evidence:
            options = [evidence_type, evidence_type.replace("_", " "), LABELS[evidence_type]]
            items.append(("evidence", evidence_type, _mentions(content, options)))
        for quote in record.must_quote:
            items.append(("quote", quote, normalise(quote) in normalise(content)))
        kinds = {_kind(str(c.get("kind"))) for c in output["citations"]}
        for kind in record.must_cite:
            items.append(("cite", kind, _kind(kind) in kinds))
        return items

    def evaluators(self) -> list[Any]:
        def intent(case: Case[ChatRecord], output: Output) -> list[Score]:
            return [Score("intent", float(output["intent"] == case.record.intent),
                          f"expected {case.record.intent}, got {output['intent']}")]

        def citations(case: Case[ChatRecord], output: Output) -> list[Score]:
            category = self._resolved[case.id][1]
            problems = [
                p for c in output["citations"]
                if (p := citation_problem(c, case.record.draft, self._passages, category, case.record.request))
            ]
            total = len(output["citations"])
            return [Score("citation_validity", round(1 - len(problems) / total, 4) if total else None,
                          "; ".join(problems) or ("no citations" if not total else "all valid"))]

        def coverage(case: Case[ChatRecord], output: Output) -> list[Score]:
            items = self._coverage(case, output)
            missing = [f"{kind}:{value}" for kind, value, ok in items if not ok]
            return [Score("coverage", round(1 - len(missing) / len(items), 4) if items else None,
                          ("missing " + ", ".join(missing)) if missing else "all required facts present")]

        def invention(case: Case[ChatRecord], output: Output) -> list[Score]:
            found = self._invented(case, output)
            return [Score("no_invention", float(not found),
                          "; ".join(f"{u.kind} {u.text!r} in no source" for u in found) or "grounded")]

        return [intent, citations, coverage, invention]

    def summarise(self, results: list[CaseResult]) -> Metrics:
        done = [r for r in results if r.error is None]
        if not done:
            return {"cases": 0}
        citations = [(r, c) for r in done for c in r.output["citations"]]
        valid = sum(
            citation_problem(c, r.case.record.draft, self._passages, self._resolved[r.case.id][1],
                             r.case.record.request) is None
            for r, c in citations
        )
        items = [item for r in done for item in self._coverage(r.case, r.output)]
        invented = [self._invented(r.case, r.output) for r in done]
        claim_count = sum(claims(r.output["content"]) for r in done)
        metrics: Metrics = {
            "cases": len(done),
            "llm": self.llm,
            "intent_accuracy": round(sum(r.output["intent"] == r.case.record.intent for r in done) / len(done), 4),
            "citations": len(citations),
            "citation_validity": round(valid / len(citations), 4) if citations else None,
            "coverage": round(sum(ok for _, _, ok in items) / len(items), 4) if items else None,
            "no_invention_rate": round(sum(not found for found in invented) / len(done), 4),
            "invented_items": sum(len(found) for found in invented),
            "figures_and_quotes": claim_count,
        }
        for kind in ("criteria", "evidence", "quote", "cite"):
            subset = [ok for k, _, ok in items if k == kind]
            if subset:
                metrics[f"coverage.{kind}"] = round(sum(subset) / len(subset), 4)
        intents = sorted({r.case.record.intent for r in done} | {r.output["intent"] for r in done})
        metrics["intents"] = intents
        metrics["intent.confusion"] = [
            [sum(1 for r in done if r.case.record.intent == e and r.output["intent"] == p) for p in intents]
            for e in intents
        ]
        return metrics

    def report(self, results: list[CaseResult], metrics: Metrics, out_dir: Path) -> tuple[list[Figure], list[Table]]:
        if not metrics.get("cases"):
            return [], []
        keys = ["intent_accuracy", "citation_validity", "coverage", "no_invention_rate"]
        grouped_bars(out_dir / "chat.png", categories=[k.replace("_", " ") for k in keys], title="Chat answers",
                     series={"score": [metrics.get(k) for k in keys]})
        confusion_grid(out_dir / "chat_intents.png", [("intent", metrics["intent.confusion"], metrics["intents"],
                                                        metrics["intents"])], title="Intent: expected vs answered")
        problems = []
        for r in results:
            if r.error:
                problems.append([r.case.id, r.case.record.request[:100], r.error])
                continue
            bad = [s.reason for s in r.scores if s.value is not None and s.value < 1]
            if bad:
                problems.append([r.case.id, r.case.record.request[:100], " | ".join(bad)])
        tally = Counter(r.output["intent"] for r in results if r.error is None)
        return [
            Figure("chat.png", "Chat metrics", f"LLM: {metrics['llm']}. Intents answered: {dict(tally)}."),
            Figure("chat_intents.png", "Intent confusion", "Rows: expected intent; columns: the engine's intent."),
        ], [Table(f"Cases with a problem ({len(problems)})", ["case", "request", "problems"], problems[:40])]


SUITE = ChatSuite
