"""The agent's tools, bound to one turn, and the ledger of what they returned.

The ledger is what makes LLM answers checkable: every tool result and passage a turn used becomes a
source for the grounding guard, and every draft sentence or passage in them a possible citation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.chat.citing import Citer
from assistant.chat.guard import Sources
from assistant.chat.mentions import SectorMention, find_criterion, find_evidence_type
from assistant.chat.models import Citation
from assistant.chat.tools import ChatTools
from assistant.errors import NotFound, ShortlistError
from assistant.knowledge import Passage
from assistant.review import CriterionReview, Review
from assistant.sentences import count_words

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from assistant.chat.compose import TurnContext


class Ledger:
    def __init__(self, ctx: TurnContext, tools: ChatTools) -> None:
        self.ctx = ctx
        self.tools = tools
        self.citer = Citer(ctx.version, ctx.programme, ctx.category)
        self.sources = Sources()
        if ctx.version:
            self.sources.add(ctx.version.text)

    # -- bookkeeping ----------------------------------------------------------------------
    def record(self, result: Any) -> str:
        text = json.dumps(result, ensure_ascii=False)
        self.sources.add(text)
        return text

    def passage(self, passage: Passage) -> dict[str, Any]:
        self.sources.add(passage.text)
        self.citer.passage(passage, passage.text)
        return {"id": passage.id, "source": passage.source, "text": passage.text}

    def citations_for(self, answer: str) -> list[Citation]:
        """The citations an answer uses: draft sentences it quotes, passages it names or quotes."""
        flat = " ".join(answer.split()).lower()
        used = [
            c for c in self.citer.citations
            if (c.kind == "draft" and " ".join(c.quote.split()).lower() in flat)
            or (c.kind != "draft" and (c.ref.lower() in flat or " ".join(c.quote.split()).lower()[:60] in flat))
        ]
        return used or self.citer.citations[:6]

    # -- tool bodies ----------------------------------------------------------------------
    def review(self) -> Review | None:
        ctx = self.ctx
        if ctx.version is None or ctx.programme is None or ctx.category is None:
            return None
        return self.tools.review(ctx.version.text, ctx.programme, ctx.category)

    def criterion_id(self, name: str) -> str:
        assert self.ctx.programme is not None and self.ctx.category is not None
        ids = {c.id for c in self.ctx.category.criteria}
        found = name if name in ids else find_criterion(name, self.ctx.programme, self.ctx.category)
        if not found:
            titles = ", ".join(c.title for c in self.ctx.category.criteria)
            raise NotFound(f"No criterion '{name}' in this category; use one of: {titles}.")
        return found

    def summary(self, item: CriterionReview) -> dict[str, Any]:
        return {
            "id": item.id, "title": item.title, "section_found": item.section_found, "words": item.word_count,
            "word_limit": item.word_limit, "band": item.band.band if item.band else None,
            "evidence": [{"type": e.type, "quote": self.citer.draft(e.quote, e.start, e.end)} for e in item.evidence],
            "missing": [m.type for m in item.missing],
            "unsupported_claims": [self.citer.draft(c.quote, c.start, c.end) for c in item.unsupported_claims],
        }


def _safe(ledger: Ledger, body: Any) -> str:
    """Run a tool body; errors go back to the model as text so it can recover, never as a crash."""
    try:
        return ledger.record(body())
    except ShortlistError as exc:
        return json.dumps({"error": exc.message})


def build_tools(ledger: Ledger) -> list[BaseTool]:
    from langchain_core.tools import StructuredTool

    ctx, tools = ledger.ctx, ledger.tools
    no_draft = {"error": "The entrant has not shared a draft yet; ask them to paste it."}

    def review_draft() -> str:
        """Review the draft criterion by criterion: evidence found (with exact quotes), missing evidence,
        unsupported claims, word counts and the estimated band."""
        review = ledger.review()
        return _safe(ledger, lambda: [ledger.summary(c) for c in review.criteria] if review else no_draft)

    def missing_evidence(criterion: str) -> str:
        """One criterion's missing evidence: why it matters, a concrete suggestion, the draft sentence to
        build on, and exemplar passages (with ids and sources) showing how others supplied it."""
        def body() -> Any:
            review = ledger.review()
            if review is None:
                return no_draft
            item = review.criterion(ledger.criterion_id(criterion))
            detail = ledger.summary(item)
            detail["questions"] = item.questions
            detail["gaps"] = [
                {"type": m.type, "why": m.why, "suggestion": m.suggestion,
                 "anchor": ledger.citer.draft(m.anchor.quote, m.anchor.start, m.anchor.end) if m.anchor else None,
                 "examples": [ledger.passage(p) for p in (tools.passage(e.passage_id) for e in m.examples) if p]}
                for m in item.missing
            ]
            return detail
        return _safe(ledger, body)

    def search_examples(query: str, criterion: str = "", evidence_type: str = "") -> str:
        """Search past entries (exemplars) for a criterion and/or evidence type; returns passages with ids."""
        def body() -> Any:
            item = None
            review = ledger.review()
            if criterion and review is not None:
                item = review.criterion(ledger.criterion_id(criterion))
            evidence = find_evidence_type(evidence_type) if evidence_type else None
            found = tools.examples(item, evidence=evidence, query=query, k=3)
            return [ledger.passage(p) for p in found]
        return _safe(ledger, body)

    def search_guidance(query: str) -> str:
        """Search Shortlist's guidance on writing award entries; returns passages with ids."""
        return _safe(ledger, lambda: [ledger.passage(p) for p in tools.guidance(query, k=2)])

    def check_eligibility(sector: str = "", partner_sectors: str = "") -> str:
        """Check the entry against the category's eligibility rules. sector: the lead organisation's kind,
        e.g. 'private company' or 'NHS trust'; partner_sectors: partners' kinds, comma-separated."""
        def body() -> Any:
            assert ctx.programme is not None and ctx.category is not None
            stated = ctx.request.sectors
            if sector:
                from assistant.chat.mentions import find_sectors

                parsed = find_sectors(f"we are {sector} working with {partner_sectors}")
                stated = SectorMention(parsed.sector, parsed.partner_sectors or stated.partner_sectors)
            result = tools.eligibility(ctx.version.text if ctx.version else "", programme=ctx.programme,
                                       category=ctx.category, sectors=stated, review=ledger.review())
            ledger.citer.rules(ctx.category.eligibility.notes.strip() or ctx.category.description)
            return {"verdict": result.verdict, "rules": [r.model_dump() for r in result.rules],
                    "notes": ctx.category.eligibility.notes}
        return _safe(ledger, body)

    def word_counts() -> str:
        """Word counts per criterion against their limits, and the draft's total."""
        def body() -> Any:
            review = ledger.review()
            if review is None or ctx.version is None:
                return no_draft
            return {"total": count_words(ctx.version.text), "counting": review.word_counting,
                    "criteria": [{"title": c.title, "words": c.word_count, "limit": c.word_limit,
                                  "over_limit": c.over_limit} for c in review.criteria]}
        return _safe(ledger, body)

    def criteria_questions(criterion: str = "") -> str:
        """What the judges ask under each criterion (or one), and the evidence types a strong answer carries."""
        def body() -> Any:
            assert ctx.category is not None
            chosen = [ctx.category.criterion(ledger.criterion_id(criterion))] if criterion else ctx.category.criteria
            return [ledger.citer.criterion(c) for c in chosen]
        return _safe(ledger, body)

    functions: list[Callable[..., str]] = [
        review_draft, missing_evidence, search_examples, search_guidance, check_eligibility, word_counts,
        criteria_questions,
    ]
    return [StructuredTool.from_function(func=f, name=f.__name__, description=(f.__doc__ or "").strip())
            for f in functions]
