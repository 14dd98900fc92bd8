"""Sentences read with their neighbours: quotations that run over several sentences, and passages."""

from __future__ import annotations

from assistant.evidence.context import sentence_contexts
from assistant.sentences import split_sentences


def _quoted(text: str) -> list[tuple[str, bool]]:
    spans = split_sentences(text)
    return [(span.text(text), context.quoted) for span, context in zip(spans, sentence_contexts(text, spans),
                                                                        strict=True)]


def test_every_sentence_of_an_attributed_quotation_is_quoted() -> None:
    text = (
        "We asked carers what changed. “It was chaos before. Now I know who to ring at night. "
        "I sleep again,” said one carer. Referrals rose by a third."
    )
    marks = dict(_quoted(text))
    assert marks["“It was chaos before."]
    assert marks["Now I know who to ring at night."]
    assert marks["I sleep again,” said one carer."]
    assert not marks["We asked carers what changed."]
    assert not marks["Referrals rose by a third."]


def test_speech_introduced_by_said_colon_is_quoted() -> None:
    text = 'One ward sister said: "Handover used to take an hour. It now takes twenty minutes." The audit followed.'
    marks = _quoted(text)
    assert [quoted for _, quoted in marks][:2] == [True, True]
    assert marks[-1] == ("The audit followed.", False)


def test_unattributed_quotation_is_not_marked() -> None:
    text = "The campaign was called “Think Kidneys. Act Early.” It ran in all practices."
    assert not any(quoted for _, quoted in _quoted(text))


def test_judges_words_are_not_a_quotation_of_patients_or_staff() -> None:
    text = "The judges said: “This is outstanding work. It should be everywhere.” We were delighted."
    assert not any(quoted for _, quoted in _quoted(text))


def test_neighbours_stop_at_a_blank_line() -> None:
    text = "Falls fell from 40 to 12.\n\nStaff redesigned the rota. It now runs itself."
    spans = split_sentences(text)
    contexts = sentence_contexts(text, spans)
    assert contexts[0].following is None and contexts[1].previous is None
    assert contexts[1].following == 2 and contexts[2].previous == 1
