"""'Here is my new version of the Spread section': splice, store a version, re-review, say what changed.

The splice is deterministic in both modes; no model ever edits the entrant's draft.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.chat.citing import Citer
from assistant.chat.models import DraftVersion
from assistant.chat.store import now
from assistant.chat.tools import answer_sections, splice_section
from assistant.compare import compare_reviews
from assistant.sections import match_heading, normalise
from assistant.taxonomy import LABELS

if TYPE_CHECKING:
    from assistant.chat.compose import Answer, Composer, TurnContext


def _headed_criteria(ctx: TurnContext, text: str) -> set[str]:
    assert ctx.programme is not None and ctx.category is not None
    found = set()
    for line in text.splitlines():
        if line.strip() and len(line.split()) <= 8:
            criterion_id, score, _ = match_heading(normalise(line), ctx.programme, ctx.category)
            if criterion_id and score >= 0.8:
                found.add(criterion_id)
    return found


def revise(composer: Composer, ctx: TurnContext, citer: Citer) -> Answer:
    assert ctx.programme is not None and ctx.category is not None and ctx.request.payload is not None
    pasted = ctx.request.payload.text
    criterion_id = ctx.request.criterion
    notices: list[str] = []
    whole = ctx.version is None or (criterion_id is None and len(_headed_criteria(ctx, pasted)) >= 2)
    before = composer.review(ctx)
    if whole:
        new_text = pasted
        note = "pasted in chat"
    else:
        if criterion_id is None:
            from assistant.chat.protect import target

            criterion_id, _ = target(composer, ctx, pasted)
            title = ctx.category.criterion(criterion_id).title
            notices.append(f"You did not name a criterion, so I read this as your {title} section; "
                           "say which criterion it answers if that is wrong.")
        assert before is not None and ctx.version is not None
        item = before.criterion(criterion_id)
        new_text = splice_section(ctx.version.text, item=item, programme=ctx.programme, category=ctx.category,
                                  new=pasted)
        note = f"{item.title} {'revised' if answer_sections(item) else 'added'} in chat"
    version = DraftVersion(number=ctx.version.number + 1 if ctx.version else 1, text=new_text,
                           created_at=now(), note=note)
    citer.version = version
    after = composer.tools.review(new_text, ctx.programme, ctx.category)
    changes: list[dict[str, Any]] = []
    if before is not None:
        for change in compare_reviews(before, after).criteria:
            if change.added or change.lost or change.band_moved or change.id == criterion_id:
                changes.append({
                    "title": change.title, "added": [LABELS[t] for t in change.added],
                    "lost": [LABELS[t] for t in change.lost], "band_before": change.band_before,
                    "band_after": change.band_after, "band_moved": change.band_moved,
                    "words_before": change.words_before, "words_after": change.words_after,
                })
    from assistant.chat.compose import criterion_view

    focus = [criterion_view(after.criterion(criterion_id), citer)] if criterion_id else [
        criterion_view(item, citer) for item in after.criteria]
    answer = composer.render(
        "answer_revise", ctx, citer, criterion=criterion_id, **composer.base(ctx, citer),
        new_version=version.number, old_version=ctx.version.number if ctx.version else None,
        replaced=bool(before and criterion_id and answer_sections(before.criterion(criterion_id))),
        whole=whole, focus=focus, changes=changes,
        missing_before=before.missing_count if before else None, missing_after=after.missing_count,
    )
    answer.version = version
    answer.notices = notices
    return answer
