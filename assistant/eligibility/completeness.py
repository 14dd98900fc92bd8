"""Is the entry complete? Required criteria answered with substance, word limits, required evidence.

All three read the Review the pipeline produced, so they agree with what the entrant sees.
"""

from __future__ import annotations

from assistant.packs import Category, Programme
from assistant.review import CriterionReview, Review, RuleResult
from assistant.sentences import count_words, split_sentences
from assistant.taxonomy import LABELS

_QUOTE_CHARS = 300


def _opening(text: str, item: CriterionReview) -> str:
    """The first sentences of an answer, cut at a sentence end so the quote stays exact."""
    if not item.sections:
        return ""
    section = item.sections[0]
    sentences = split_sentences(text, section.start, section.end)
    if not sentences:
        return text[section.start : section.end].strip()
    end = sentences[0].end
    for sentence in sentences[1:]:
        if sentence.end - sentences[0].start > _QUOTE_CHARS:
            break
        end = sentence.end
    return text[sentences[0].start : end]


def _split(text: str, review: Review) -> str:
    """The split Shortlist made, for an organiser to check: each criterion with the words its answer opens with."""
    parts = []
    for item in review.criteria:
        if item.sections:
            words = text[item.sections[0].start : item.sections[0].end].split()[:6]
            parts.append(f"{item.title}: “{' '.join(words)}…”")
        else:
            parts.append(f"{item.title}: nothing")
    return "; ".join(parts)


def required_criteria(text: str, review: Review, category: Category) -> RuleResult:
    """Required criteria answered with substance. A failure must rest on something the organiser can see:
    when the answer was placed by content alignment (no heading names it), a missing or thin answer may be
    a boundary drawn in the wrong place, so it is ``needs_review`` with the split Shortlist made."""
    rules = category.eligibility
    required = rules.required_criteria or [c.id for c in category.criteria]
    minimum = rules.min_words_per_criterion
    aligned = any(s.method == "content" for item in review.criteria for s in item.sections)
    certain: list[str] = []
    unsure: list[str] = []
    thin: list[CriterionReview] = []
    for criterion_id in required:
        item = review.criterion(criterion_id)
        if not item.section_found:
            (unsure if aligned else certain).append(f"no answer found for {item.title}")
        elif item.word_count < minimum:
            thin.append(item)
            by_content = all(s.method == "content" for s in item.sections)
            (unsure if by_content else certain).append(
                f"{item.title} has only {item.word_count} words (at least {minimum} are needed)"
            )
    if not certain and not unsure:
        return RuleResult(
            rule="required_criteria", status="pass",
            reason=f"All {len(required)} required criteria are answered with at least {minimum} words.",
        )
    quotes = [q for q in (_opening(text, item) for item in thin) if q]
    reasons = []
    if certain:
        reasons.append("Required criteria are not answered with substance: " + "; ".join(certain) + ".")
    if unsure:
        reasons.append(
            "Could not tell which part answers " + _join([u.split(" for ")[-1].split(" has ")[0] for u in unsure])
           + " (no heading in the entry names it): " + "; ".join(unsure) + ". Shortlist's split: "
            + _split(text, review) + "."
        )
    return RuleResult(
        rule="required_criteria", status="fail" if certain else "needs_review", quotes=quotes, reason=" ".join(reasons)
    )


def _crossing_sentence(text: str, item: CriterionReview) -> str:
    """The sentence in which the answer passes its word limit."""
    assert item.word_limit is not None
    words = 0
    for section in item.sections:
        for sentence in split_sentences(text, section.start, section.end):
            words += count_words(sentence.text(text))
            if words > item.word_limit:
                return sentence.text(text)
    return ""


def word_limits(text: str, review: Review, programme: Programme, category: Category) -> RuleResult:
    limited = [item for item in review.criteria if item.word_limit]
    if not limited:
        reason = f"{programme.name} sets no word limit per criterion."
        return RuleResult(rule="word_limits", status="pass", reason=reason)
    over = [item for item in limited if item.over_limit]
    if not over:
        return RuleResult(
            rule="word_limits", status="pass",
            reason=f"Every answer is within its word limit ({_limits(limited)}).",
        )
    strict = category.eligibility.word_limits_strict
    details = ", ".join(f"{item.title} has {item.word_count} words (limit {item.word_limit})" for item in over)
    consequence = "the programme treats this as ineligible" if strict else "judges may stop reading at the limit"
    quotes = [q for q in (_crossing_sentence(text, item) for item in over) if q]
    return RuleResult(
        rule="word_limits", status="fail" if strict else "needs_review", quotes=quotes,
        reason=f"Over the word limit: {details}; {consequence}.",
    )


def category_requirements(review: Review, category: Category) -> RuleResult:
    required = category.eligibility.required_evidence
    if not required:
        return RuleResult(
            rule="category_requirements", status="pass", reason="The category sets no evidence requirement."
        )
    found: dict[str, str] = {}
    for item in review.criteria:
        for evidence in item.evidence:
            found.setdefault(evidence.type, evidence.quote)
    missing = [t for t in required if t not in found]
    if missing:
        return RuleResult(
            rule="category_requirements", status="fail",
            reason=f"The category requires {_join([LABELS[t].lower() for t in missing])}, "
            "but no sentence in the entry shows it.",
        )
    return RuleResult(
        rule="category_requirements", status="pass", quotes=[found[t] for t in required],
        reason=f"The entry shows {_join([LABELS[t].lower() for t in required])}, as the category requires.",
    )


def _limits(items: list[CriterionReview]) -> str:
    return ", ".join(f"{item.title} {item.word_count}/{item.word_limit}" for item in items)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
