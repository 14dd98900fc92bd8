"""Collect the citations of one answer while building what its template shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.chat.models import Citation, DraftVersion
from assistant.knowledge import Passage
from assistant.packs import Category, Criterion, Programme
from assistant.review import Evidence
from assistant.sentences import split_sentences
from assistant.taxonomy import DEFINITIONS, LABELS


def excerpt(text: str, limit: int = 320) -> str:
    """Whole leading sentences of a passage, so what is shown is an exact substring of it."""
    sentences = split_sentences(text)
    if not sentences:
        return text[:limit]
    end = sentences[0].end
    for sentence in sentences[1:]:
        if sentence.end - sentences[0].start > limit:
            break
        end = sentence.end
    return text[sentences[0].start : end]


@dataclass
class Citer:
    version: DraftVersion | None
    programme: Programme | None
    category: Category | None
    citations: list[Citation] = field(default_factory=list)

    def _add(self, citation: Citation) -> None:
        if citation not in self.citations:
            self.citations.append(citation)

    def draft(self, quote: str, start: int | None = None, end: int | None = None) -> str:
        """Cite a sentence of the current draft version; offsets are found when not given."""
        if self.version is not None:
            if start is None:
                found = self.version.text.find(quote)
                start, end = (found, found + len(quote)) if found >= 0 else (None, None)
            self._add(Citation(kind="draft", ref="draft", quote=quote, start=start, end=end,
                               source=f"your draft, version {self.version.number}"))
        return quote

    def evidence(self, item: Evidence) -> dict[str, Any]:
        return {"label": LABELS[item.type], "type": item.type, "quote": self.draft(item.quote, item.start, item.end)}

    def passage(self, passage: Passage, shown: str | None = None) -> dict[str, Any]:
        """Cite a knowledge passage; ``shown`` is the part quoted (an exact substring), else its opening."""
        shown = shown or excerpt(passage.text)
        kind = passage.kind if passage.kind in ("exemplar", "guidance", "entry") else "criteria"
        self._add(Citation(kind=kind, ref=passage.id, quote=shown, source=passage.source))
        return {"id": passage.id, "source": passage.source, "text": shown,
                "labels": [LABELS[t] for t in passage.evidence if t != "unsupported_claim"]}

    def criterion(self, criterion: Criterion, *, questions: bool = True) -> dict[str, Any]:
        where = ""
        if self.programme and self.category:
            where = f"{self.programme.name} {self.programme.year} — {self.category.title}: "
        if questions:
            for question in criterion.questions:
                self._add(Citation(kind="criteria", ref=criterion.id, quote=question, source=where + criterion.title))
        return {
            "id": criterion.id, "title": criterion.title, "questions": criterion.questions,
            "expects": [{"label": LABELS[t], "definition": DEFINITIONS[t]} for t in criterion.expects],
            "word_limit": criterion.word_limit,
        }

    def rules(self, text: str) -> None:
        if self.programme and self.category:
            self._add(Citation(kind="criteria", ref=f"{self.category.id}#eligibility", quote=text,
                               source=f"{self.programme.name} {self.programme.year} — {self.category.title}: "
                                      "eligibility rules"))

