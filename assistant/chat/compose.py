"""Default mode: answers composed from the tools' results through the templates in ``prompts/``.

Python gathers the facts (which sentences carry which evidence, what is missing, which exemplar
shows it) and the citations; templates only phrase them. Every answer is about this draft and this
criterion: it quotes the entrant's own sentences and names criteria and evidence types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.chat.citing import Citer
from assistant.chat.intents import Request
from assistant.chat.models import AnswerIntent, Choice, Citation, DraftVersion, Intent
from assistant.chat.prompts import PromptLibrary
from assistant.chat.tools import ChatTools
from assistant.packs import Category, Programme
from assistant.review import CriterionReview, Review
from assistant.sentences import count_words, split_sentences
from assistant.taxonomy import DEFINITIONS, LABELS

NEEDS_DRAFT: set[Intent] = {"missing_overall", "missing_criterion", "improve_criterion", "word_counts"}


@dataclass
class TurnContext:
    message: str
    request: Request
    programme: Programme | None
    category: Category | None
    version: DraftVersion | None  # the latest draft version before this turn
    versions: list[DraftVersion] = field(default_factory=list)  # every version before this turn, oldest first


@dataclass
class Answer:
    content: str
    intent: AnswerIntent
    criterion: str | None
    citations: list[Citation]
    notices: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)  # replies offered as buttons
    version: DraftVersion | None = None  # a draft version this turn created
    template: str = ""


def criterion_view(item: CriterionReview, citer: Citer) -> dict[str, Any]:
    """One criterion of a review, with its draft sentences cited, ready for a template."""
    found: dict[str, dict[str, Any]] = {}
    for evidence in item.evidence:
        entry = found.setdefault(evidence.quote, {"quote": citer.draft(evidence.quote, evidence.start, evidence.end),
                                                  "labels": []})
        if LABELS[evidence.type] not in entry["labels"]:
            entry["labels"].append(LABELS[evidence.type])
    return {
        "id": item.id, "title": item.title, "section_found": item.section_found, "questions": item.questions,
        "words": item.word_count, "limit": item.word_limit, "over_limit": item.over_limit,
        "band": item.band.band if item.band else None, "descriptor": item.band.descriptor if item.band else "",
        "expects": [LABELS[t] for t in item.expects],
        "found": list(found.values()),
        "found_labels": sorted({LABELS[e.type] for e in item.evidence}),
        "missing": [
            {"label": LABELS[m.type], "type": m.type, "why": m.why, "suggestion": m.suggestion,
             "anchor": citer.draft(m.anchor.quote, m.anchor.start, m.anchor.end) if m.anchor else ""}
            for m in item.missing
        ],
        "claims": [citer.draft(c.quote, c.start, c.end) for c in item.unsupported_claims],
        "says": _section_sentences(item, citer),
        # Claims that are already a gap's anchor: the gap's suggestion covers them.
        "other_claims": [c.quote for c in item.unsupported_claims
                         if c.quote not in {m.anchor.quote for m in item.missing if m.anchor}],
    }


class Composer:
    def __init__(self, tools: ChatTools, prompts: PromptLibrary) -> None:
        self.tools = tools
        self.prompts = prompts

    def answer(self, ctx: TurnContext) -> Answer:
        from assistant.chat import protect

        intent = ctx.request.intent
        citer = Citer(ctx.version, ctx.programme, ctx.category)
        if ctx.programme is None or ctx.category is None:
            return self.render("answer_needs_category", ctx, citer, programmes=self._programmes())
        if ctx.request.clarify:
            return protect.clarify(self, ctx, citer)
        if intent == "revise_section":
            from assistant.chat.revise import revise

            return protect.gate(self, ctx, citer) or revise(self, ctx, citer)
        simple = {"check_pasted": protect.check_pasted, "undo": protect.undo, "injection": protect.injection,
                  "invent_request": protect.invent, "off_topic": protect.off_topic}
        if intent in simple:
            return simple[intent](self, ctx, citer)
        if intent in NEEDS_DRAFT and ctx.version is None:
            return self.render("answer_needs_draft", ctx, citer, **self.base(ctx, citer),
                                criteria=[citer.criterion(c, questions=False) for c in ctx.category.criteria])
        handler = getattr(self, f"_{intent}")
        return handler(ctx, citer)  # type: ignore[no-any-return]

    # -- plumbing -------------------------------------------------------------------------
    def review(self, ctx: TurnContext) -> Review | None:
        if ctx.version is None or ctx.programme is None or ctx.category is None:
            return None
        return self.tools.review(ctx.version.text, ctx.programme, ctx.category)

    def render(self, task: str, ctx: TurnContext, citer: Citer, *, criterion: str | None = None,
                **context: Any) -> Answer:
        name = f"{task}.assistant.j2"
        content = self.prompts.render(name, **context)
        return Answer(content=content, intent=ctx.request.intent, criterion=criterion,
                      citations=citer.citations, template=name)

    def base(self, ctx: TurnContext, citer: Citer) -> dict[str, Any]:
        assert ctx.programme is not None and ctx.category is not None
        return {"programme": f"{ctx.programme.name} {ctx.programme.year}", "category": ctx.category.title,
                "version": ctx.version.number if ctx.version else None}

    def _programmes(self) -> list[dict[str, Any]]:
        return [
            {"name": f"{p.name} {p.year}", "categories": [{"id": f"{p.id}/{c.id}", "title": c.title}
                                                          for c in p.categories]}
            for p in self.tools.assistant.packs.programmes
        ]

    def _focus(self, ctx: TurnContext, review: Review | None) -> tuple[str, bool]:
        """The criterion a turn is about: the one asked for, else the weakest in the draft."""
        assert ctx.category is not None
        if ctx.request.criterion:
            return ctx.request.criterion, False
        if review is not None:
            return self.tools.weakest(review).id, True
        return ctx.category.criteria[0].id, True

    def _examples(self, ctx: TurnContext, citer: Citer, item: CriterionReview | None, title: str,
                  evidence: Any) -> list[dict[str, Any]]:
        query = f"{title}: {LABELS[evidence] if evidence else ''} {ctx.message}"
        return [citer.passage(p, self.tools.focus(p, evidence))
                for p in self.tools.examples(item, evidence=evidence, query=query)]

    # -- intents --------------------------------------------------------------------------
    def _missing_overall(self, ctx: TurnContext, citer: Citer) -> Answer:
        review = self.review(ctx)
        assert review is not None
        views = [criterion_view(item, citer) for item in review.criteria]
        weakest = self.tools.weakest(review)
        return self.render("answer_missing_overall", ctx, citer, **self.base(ctx, citer), criteria=views,
                            total_missing=review.missing_count, priority=weakest.title,
                            warnings=[w.message for w in review.warnings if w.kind in ("pii", "ai_instruction")])

    def _missing_criterion(self, ctx: TurnContext, citer: Citer) -> Answer:
        review = self.review(ctx)
        assert review is not None and ctx.category is not None
        criterion_id, _ = self._focus(ctx, review)
        item = review.criterion(criterion_id)
        view = criterion_view(item, citer)
        evidence = item.missing[0].type if item.missing else None
        examples = self._examples(ctx, citer, item, item.title, evidence) if evidence else []
        criterion = citer.criterion(ctx.category.criterion(criterion_id))
        return self.render("answer_missing", ctx, citer, criterion=criterion_id, **self.base(ctx, citer),
                            item=view, examples=examples, questions=criterion["questions"])

    def _improve_criterion(self, ctx: TurnContext, citer: Citer) -> Answer:
        review = self.review(ctx)
        assert review is not None and ctx.category is not None
        criterion_id, chosen = self._focus(ctx, review)
        item = review.criterion(criterion_id)
        view = criterion_view(item, citer)
        examples: dict[str, list[dict[str, Any]]] = {}
        for missing in item.missing[:3]:
            examples[missing.type] = self._examples(ctx, citer, item, item.title, missing.type)[:1]
        first_gap = item.missing[0].type if item.missing else None
        query = f"{LABELS[first_gap]}: {DEFINITIONS[first_gap]}" if first_gap else f"strengthen {item.title}"
        guidance = [citer.passage(p) for p in self.tools.guidance(query, evidence=first_gap, k=1)]
        longest = _longest_sentence(ctx.version.text if ctx.version else "", item)
        questions = citer.criterion(ctx.category.criterion(criterion_id))["questions"]
        return self.render("answer_improve", ctx, citer, criterion=criterion_id, **self.base(ctx, citer),
                            item=view, chosen=chosen, examples=examples, guidance=guidance, questions=questions,
                            longest=citer.draft(longest) if longest and item.over_limit else "")

    def _show_examples(self, ctx: TurnContext, citer: Citer) -> Answer:
        review = self.review(ctx)
        assert ctx.category is not None
        evidence = ctx.request.evidence_type
        criterion_id, chosen = self._focus(ctx, review)
        expecting = [c.id for c in ctx.category.criteria if evidence in c.expects]
        if chosen and expecting and criterion_id not in expecting:
            # "an example of a testimonial": show it where this category's judges expect testimonials.
            criterion_id, chosen = expecting[0], False
        criterion = ctx.category.criterion(criterion_id)
        item = review.criterion(criterion_id) if review else None
        if evidence is None:
            gaps = [m.type for m in item.missing] if item else []
            evidence = gaps[0] if gaps else (criterion.expects[0] if criterion.expects else None)
        view = criterion_view(item, citer) if item else None
        examples = self._examples(ctx, citer, item, criterion.title, evidence) or self._examples(
            ctx, citer, None, criterion.title, None)
        anchor = ""
        if item is not None:
            anchors = [m["anchor"] for m in view["missing"] if m["anchor"]] if view else []
            sentences = [f["quote"] for f in view["found"]] if view else []
            anchor = (anchors or sentences or [""])[0]
        return self.render("answer_examples", ctx, citer, criterion=criterion_id, **self.base(ctx, citer),
                            title=criterion.title, chosen=chosen, evidence=LABELS[evidence] if evidence else "",
                            examples=examples, anchor=anchor, item=view)

    def _judges_look_for(self, ctx: TurnContext, citer: Citer) -> Answer:
        review = self.review(ctx)
        assert ctx.programme is not None and ctx.category is not None
        chosen = [ctx.category.criterion(ctx.request.criterion)] if ctx.request.criterion else ctx.category.criteria
        criteria = [citer.criterion(c, questions=len(chosen) == 1) for c in chosen]
        views = {c.id: criterion_view(review.criterion(c.id), citer) for c in chosen} if review else {}
        guidance = [citer.passage(p) for p in self.tools.guidance(
            f"how judges score {chosen[0].title if len(chosen) == 1 else 'each criterion'}", k=2)]
        bands = [{"band": b.band, "descriptor": b.descriptor} for b in ctx.programme.scoring]
        return self.render("answer_judges", ctx, citer, criterion=ctx.request.criterion, **self.base(ctx, citer),
                            criteria=criteria, views=views, guidance=guidance, bands=bands)

    def _eligibility(self, ctx: TurnContext, citer: Citer) -> Answer:
        assert ctx.programme is not None and ctx.category is not None
        review = self.review(ctx)
        result = self.tools.eligibility(ctx.version.text if ctx.version else "", programme=ctx.programme,
                                        category=ctx.category, sectors=ctx.request.sectors, review=review)
        rules = ctx.category.eligibility
        citer.rules(rules.notes.strip() or ctx.category.description.strip())
        results = [
            {"rule": r.rule, "status": r.status, "reason": for_entrant(r.reason),
             "quotes": [citer.draft(q) for q in r.quotes if ctx.version and q in ctx.version.text]}
            for r in result.rules
        ]
        return self.render("answer_eligibility", ctx, citer, **self.base(ctx, citer), verdict=result.verdict,
                            rules=results, notes=rules.notes.strip(), sector=ctx.request.sectors.sector or "",
                            partners=list(ctx.request.sectors.partner_sectors),
                            deadline=f"{ctx.programme.deadline:%d %B %Y}")

    def _word_counts(self, ctx: TurnContext, citer: Citer) -> Answer:
        review = self.review(ctx)
        assert review is not None and ctx.version is not None and ctx.category is not None
        rows = []
        for item in review.criteria:
            longest = _longest_sentence(ctx.version.text, item) if item.over_limit else ""
            rows.append({"title": item.title, "words": item.word_count, "limit": item.word_limit,
                         "over": item.over_limit, "found": item.section_found,
                         "thin": item.word_count < ctx.category.eligibility.min_words_per_criterion,
                         "longest": citer.draft(longest) if longest else ""})
        counting = ("headings count towards the limit" if review.word_counting == "all_words"
                    else "headings are not counted")
        return self.render("answer_word_counts", ctx, citer, **self.base(ctx, citer), rows=rows,
                            total=count_words(ctx.version.text), counting=counting,
                            minimum=ctx.category.eligibility.min_words_per_criterion,
                            any_limit=any(r["limit"] for r in rows))

    def _criteria_question(self, ctx: TurnContext, citer: Citer) -> Answer:
        assert ctx.programme is not None and ctx.category is not None
        review = self.review(ctx)
        evidence = ctx.request.evidence_type
        if ctx.request.criterion is None and evidence is not None:
            carrying = [
                {"title": c.title, "quote": citer.draft(e.quote, e.start, e.end)}
                for c in (review.criteria if review else []) for e in c.evidence if e.type == evidence
            ][:2]
            guidance = [citer.passage(p) for p in self.tools.guidance(LABELS[evidence], evidence=evidence, k=1)]
            expecting = [c.title for c in ctx.category.criteria if evidence in c.expects]
            return self.render("answer_evidence_type", ctx, citer, **self.base(ctx, citer),
                                label=LABELS[evidence], definition=DEFINITIONS[evidence], carrying=carrying,
                                guidance=guidance, expecting=expecting)
        chosen = [ctx.category.criterion(ctx.request.criterion)] if ctx.request.criterion else ctx.category.criteria
        criteria = []
        for criterion in chosen:
            view = citer.criterion(criterion)
            names = [*criterion.aliases[:3], *ctx.programme.equivalents(criterion.id)]
            view["other_names"] = [n for n in dict.fromkeys(names) if n.casefold() != criterion.title.casefold()]
            if review is not None:
                item = review.criterion(criterion.id)
                view["draft_found"] = item.section_found
                view["first"] = citer.draft(item.evidence[0].quote, item.evidence[0].start,
                                            item.evidence[0].end) if item.evidence else ""
                view["asked_about"] = _asked_about(ctx.message, item, citer) if len(chosen) == 1 else []
            else:
                view["draft_found"], view["first"], view["asked_about"] = None, "", []
            criteria.append(view)
        return self.render("answer_criteria", ctx, citer, criterion=ctx.request.criterion,
                            **self.base(ctx, citer), criteria=criteria)

    def _help(self, ctx: TurnContext, citer: Citer) -> Answer:
        assert ctx.category is not None
        return self.render("answer_help", ctx, citer, **self.base(ctx, citer),
                            criteria=[c.title for c in ctx.category.criteria])


_SCORE_ASIDE = re.compile(r"\s*\((?:fit|nearest: '[^']*',)?\s*-?\d\.\d{2}\)|\s*\(fit -?\d\.\d{2}\)")
_SCORE_PHRASE = re.compile(r",? (?:and )?(?:its )?meaning (?:matches at |)-?\d\.\d{2}")


def for_entrant(reason: str) -> str:
    """An eligibility reason without the engine's internal similarity scores ("fit 0.41"), which mean
    nothing to an entrant; organisers see them in the pre-check report."""
    reason = re.sub(r"\(nearest: ('[^']*'), -?\d\.\d{2}\)", r"(nearest: \1)", reason)
    reason = _SCORE_ASIDE.sub("", reason)
    return _SCORE_PHRASE.sub("", reason)


def _section_sentences(item: CriterionReview, citer: Citer, limit: int = 2) -> list[str]:
    """The section's opening sentences, so even a criterion with no evidence is answered with its own words."""
    if citer.version is None or not item.section_found:
        return []
    text = citer.version.text
    spans = [s for section in item.sections for s in split_sentences(text, section.start, section.end)]
    return [citer.draft(s.text(text), s.start, s.end) for s in spans[:limit]]


def _asked_about(message: str, item: CriterionReview, citer: Citer, limit: int = 2) -> list[str]:
    """The section's sentences that share the most words with the question ("does it count if the
    families just got action plans?" → the sentence about action plans), cited."""
    from assistant.chat.mentions import stems

    if citer.version is None:
        return []
    asked = set(stems(message))
    text = citer.version.text
    spans = [s for section in item.sections for s in split_sentences(text, section.start, section.end)]
    scored = sorted(((len(asked & set(stems(s.text(text)))), -i, s) for i, s in enumerate(spans)),
                    key=lambda t: (t[0], t[1]), reverse=True)
    chosen = sorted((t for t in scored[:limit] if t[0] >= 2), key=lambda t: -t[1])
    return [citer.draft(s.text(text), s.start, s.end) for _, _, s in chosen]


def _longest_sentence(text: str, item: CriterionReview) -> str:
    sentences = [s.text(text) for section in item.sections for s in split_sentences(text, section.start, section.end)]
    return max(sentences, key=len) if sentences else ""
