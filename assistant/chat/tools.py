"""The tools a turn calls, shared by the template answers and the LLM agent.

They are the review's own steps (review a draft, one criterion's gaps, exemplar and guidance
search, eligibility, word counts) with a small cache, so several turns about one draft version
review it once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from assistant.chat.citing import excerpt
from assistant.chat.mentions import SectorMention
from assistant.knowledge import Passage, PassageKind
from assistant.packs import Category, Programme
from assistant.review import CriterionReview, Eligibility, Review, SectionInfo
from assistant.sections import match_heading, normalise
from assistant.sentences import split_sentences
from assistant.taxonomy import EvidenceType

if TYPE_CHECKING:
    from assistant.service import Assistant



class ChatTools:
    def __init__(self, assistant: Assistant, *, cache_size: int = 32) -> None:
        self.assistant = assistant
        self._reviews: OrderedDict[tuple[str, str, str], Review] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._passages: dict[str, Passage] | None = None
        self._focus: dict[tuple[str, str], str] = {}

    # -- review ---------------------------------------------------------------------------
    def review(self, text: str, programme: Programme, category: Category) -> Review:
        key = (hashlib.sha256(text.encode()).hexdigest(), programme.id, category.id)
        with self._lock:
            if key in self._reviews:
                self._reviews.move_to_end(key)
                return self._reviews[key]
        review = self.assistant.review(text, category.id, programme=programme.id)
        with self._lock:
            self._reviews[key] = review
            while len(self._reviews) > self._cache_size:
                self._reviews.popitem(last=False)
        return review

    @staticmethod
    def criterion(review: Review, criterion_id: str) -> CriterionReview:
        return review.criterion(criterion_id)

    @staticmethod
    def weakest(review: Review) -> CriterionReview:
        """The criterion to work on first: no section, then most gaps and claims, then lowest band."""
        return max(
            review.criteria,
            key=lambda c: (not c.section_found, len(c.missing) + len(c.unsupported_claims),
                           -float(c.band.coverage) if c.band else 0.0),
        )

    # -- knowledge ------------------------------------------------------------------------
    def passage(self, passage_id: str) -> Passage | None:
        with self._lock:
            if self._passages is None:
                self._passages = {
                    p.id: p for items in self.assistant.knowledge.passages().values() for p in items
                }
        return self._passages.get(passage_id)

    def search(
        self, kind: PassageKind, query: str, *, k: int = 3, criterion: str | None = None,
        evidence: EvidenceType | None = None, programme: str | None = None,
    ) -> list[Passage]:
        filters = {name: value for name, value in
                   (("criterion", criterion), ("evidence", evidence), ("programme", programme)) if value}
        hits = self.assistant.search(kind, query, k=k, **filters)
        return [passage for passage, _ in hits]

    def examples(
        self, item: CriterionReview | None, *, evidence: EvidenceType | None, query: str, k: int = 2,
    ) -> list[Passage]:
        """Exemplar passages for a criterion's gap: the review's own picks first, then a search."""
        chosen: list[Passage] = []
        if item is not None:
            for missing in item.missing:
                if evidence and missing.type != evidence:
                    continue
                chosen += [p for p in (self.passage(e.passage_id) for e in missing.examples) if p]
        # Criterion ids such as 'spread' or 'value' mean the same across programmes, so search wide.
        scopes: list[str | None] = [item.id] if item else []
        for scope in [*scopes, None]:
            if len(chosen) >= k:
                break
            chosen += self.search("exemplar", query, k=k + 2, criterion=scope, evidence=evidence)
        if len(chosen) < k and self.assistant.store.count("entry"):
            chosen += self.search("entry", query, k=k, evidence=evidence)
        unique: dict[str, Passage] = {}
        for passage in chosen:
            unique.setdefault(passage.id.split("#", 1)[0], passage)
        return list(unique.values())[:k]

    def focus(self, passage: Passage, evidence: EvidenceType | None) -> str:
        """The sentences of a passage that carry one kind of evidence, found by the review's detector,
        so an example of a testimonial shows the testimonial, not the paragraph's opening."""
        if evidence is None:
            return excerpt(passage.text)
        key = (passage.id, evidence)
        with self._lock:
            if key in self._focus:
                return self._focus[key]
        text = passage.text
        carrying = [f.span for f in self.assistant.detect(text) if evidence in f.types]
        if not carrying:
            shown = excerpt(text)
        else:
            start, end = carrying[0].start, carrying[min(1, len(carrying) - 1)].end
            if end - start > 480:
                end = carrying[0].end
            for sentence in split_sentences(text, end):
                if _quotes_balanced(text[start:end]):
                    break
                end = sentence.end  # a quotation split at its own full stop runs on to its close
            shown = text[start:end]
        with self._lock:
            self._focus[key] = shown
        return shown

    def guidance(self, query: str, *, evidence: EvidenceType | None = None, k: int = 2) -> list[Passage]:
        hits = self.search("guidance", query, k=k, evidence=evidence)
        return hits or self.search("guidance", query, k=k)

    # -- eligibility ----------------------------------------------------------------------
    def eligibility(
        self, text: str, *, programme: Programme, category: Category, sectors: SectorMention,
        review: Review | None,
    ) -> Eligibility:
        """The eligibility engine over the draft, reading the chat's own review of it when there is one."""
        from assistant.eligibility import EntryInput, check_eligibility

        entry = EntryInput(text=text, sector=sectors.sector, partner_sectors=list(sectors.partner_sectors))
        return check_eligibility(self.assistant, entry, programme, category, review=review)


def _quotes_balanced(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")


def answer_sections(item: CriterionReview) -> list[SectionInfo]:
    """The sections that hold the criterion's answer: text, or an empty body under its own heading.
    An empty match by meaning (say, the document title) is not somewhere to put an answer."""
    return sorted(
        (s for s in item.sections if s.end > s.start or s.method in ("heading", "heading_variant")),
        key=lambda s: s.start,
    )


def splice_section(text: str, *, item: CriterionReview, programme: Programme, category: Category, new: str) -> str:
    """Replace one criterion's section with new text, or append it under a heading when it was missing."""
    body = new.strip()
    first_line, _, rest = body.partition("\n")
    heading_named = match_heading(normalise(first_line), programme, category)
    has_own_heading = bool(rest.strip()) and heading_named[0] == item.id and heading_named[1] >= 0.6
    sections = answer_sections(item)
    if not sections:
        addition = body if has_own_heading else f"## {item.title}\n\n{body}"
        return f"{text.rstrip()}\n\n{addition}\n" if text.strip() else f"{addition}\n"
    if has_own_heading:
        body = rest.strip()
    spliced = text
    for section in reversed(sections[1:]):
        spliced = spliced[: section.start] + spliced[section.end :]
    first = sections[0]
    if first.start == first.end and first.end < len(spliced):
        body += "\n\n"  # an empty section ends where the next heading starts
    return spliced[: first.start] + body + spliced[first.end :]
