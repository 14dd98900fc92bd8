"""Eligibility read straight from the category's rules in the pack, for when the full eligibility
step (assistant/eligibility.py) is not installed. Flags, never rejects on a guess: anything the chat
cannot know (dates of results, an unstated sector) is 'needs_review' with the rule spelled out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from assistant.chat.mentions import SectorMention
from assistant.packs import Category, Programme
from assistant.review import Eligibility, Review, RuleResult
from assistant.taxonomy import LABELS


def _sector_names(sectors: Sequence[str]) -> str:
    return ", ".join(s.replace("_", " ") for s in sectors)


def _sector_rule(rule: str, allowed: Sequence[str], stated: str | None, who: str) -> RuleResult:
    if stated is None:
        return RuleResult(rule=rule, status="needs_review",
                          reason=f"{who} must be one of: {_sector_names(allowed)}; tell me which kind of "
                                 "organisation you are (e.g. 'we're a private company').")
    if stated in allowed:
        return RuleResult(rule=rule, status="pass", reason=f"{who} is {stated.replace('_', ' ')}, which is allowed.")
    return RuleResult(rule=rule, status="fail",
                      reason=f"{who} is {stated.replace('_', ' ')}, but must be one of: {_sector_names(allowed)}.")


def rules_from_pack(
    text: str, *, programme: Programme, category: Category, sectors: SectorMention, review: Review | None
) -> Eligibility:
    rules = category.eligibility
    results: list[RuleResult] = []
    if rules.primary_entrant_sectors:
        results.append(_sector_rule("primary_entrant_sector", list(rules.primary_entrant_sectors), sectors.sector,
                                    "The lead entrant"))
    if rules.allowed_entrant_sectors:
        results.append(_sector_rule("allowed_entrant_sectors", list(rules.allowed_entrant_sectors), sectors.sector,
                                    "Every entrant organisation"))
    if rules.required_partner_sectors:
        allowed = list(rules.required_partner_sectors)
        named = [s for s in sectors.partner_sectors if s in allowed]
        results.append(RuleResult(
            rule="required_partner_sector",
            status="pass" if named else "needs_review",
            reason=(f"You work with a {named[0].replace('_', ' ')} partner, as required." if named else
                    f"At least one named partner must be: {_sector_names(allowed)}."),
        ))
    if rules.evidence_window_months:
        start = programme.deadline - dt.timedelta(days=round(rules.evidence_window_months * 30.44))
        results.append(RuleResult(
            rule="evidence_window", status="needs_review",
            reason=f"Results must fall within the {rules.evidence_window_months} months before the deadline "
                   f"({programme.deadline:%d %B %Y}), i.e. after about {start:%B %Y}; check the dates in your draft.",
        ))
    if review is not None:
        results += _review_rules(review, category)
    verdict = ("ineligible" if any(r.status == "fail" for r in results)
               else "needs_review" if any(r.status == "needs_review" for r in results) else "eligible")
    return Eligibility(verdict=verdict, rules=results)


def _review_rules(review: Review, category: Category) -> list[RuleResult]:
    rules = category.eligibility
    results: list[RuleResult] = []
    for evidence_type in rules.required_evidence:
        quotes = [e.quote for c in review.criteria for e in c.evidence if e.type == evidence_type][:2]
        results.append(RuleResult(
            rule=f"required_evidence:{evidence_type}", status="pass" if quotes else "fail", quotes=quotes,
            reason=(f"The entry shows {LABELS[evidence_type].lower()}, as this category requires." if quotes else
                    f"This category requires {LABELS[evidence_type].lower()}, and the draft shows none."),
        ))
    required = set(rules.required_criteria or [c.id for c in review.criteria])
    thin = [c for c in review.criteria if c.id in required and c.word_count < rules.min_words_per_criterion]
    results.append(RuleResult(
        rule="criteria_answered", status="needs_review" if thin else "pass",
        reason=(f"Under {rules.min_words_per_criterion} words: "
                + ", ".join(f"{c.title} ({c.word_count})" for c in thin)
                if thin else "Every required criterion has an answer of substance."),
    ))
    over = [c for c in review.criteria if c.over_limit]
    if over:
        results.append(RuleResult(
            rule="word_limits", status="fail" if rules.word_limits_strict else "needs_review",
            reason="Over the word limit: " + ", ".join(f"{c.title} ({c.word_count}/{c.word_limit})" for c in over),
        ))
    return results
