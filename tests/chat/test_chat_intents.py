"""Intent understanding with the production message model: informal phrasings, typos, criterion names
across editions, follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.chat.intents import IntentReader, correct_typos
from assistant.chat.mentions import find_category, find_payload, find_sectors
from assistant.chat.models import Turn
from assistant.packs import Category, Programme
from assistant.service import Assistant


@pytest.fixture(scope="module")
def reader(real_assistant: Assistant) -> IntentReader:
    return IntentReader(real_assistant.prepare_messages)


@pytest.fixture(scope="module")
def recovery(real_assistant: Assistant) -> tuple[Programme, Category]:
    """HSJ Awards 2024, Performance Recovery: Ambition, Outcome, Spread, Value, Involvement."""
    return real_assistant.resolve("performance-recovery")


@pytest.fixture(scope="module")
def acute(real_assistant: Assistant) -> tuple[Programme, Category]:
    """HSJ Awards 2025, Acute Innovation: Ambition, Collaboration, Impact, Scale, Sustainability."""
    return real_assistant.resolve("acute-innovation")


@pytest.mark.parametrize(
    ("message", "intent", "criterion"),
    [
        ("whats missing from my outcomes bit?", "missing_criterion", "outcome"),
        ("whats mising frm my outcmes bit?", "missing_criterion", "outcome"),
        ("What's missing?", "missing_overall", None),
        ("can u show me how other winners did spread", "show_examples", "spread"),
        ("is this too long", "word_counts", None),
        ("how many words have i got", "word_counts", None),
        ("am i eligable? we're a private company", "eligibility", None),
        ("can we enter this if we're a charity?", "eligibility", None),
        ("how do i make the value section better", "improve_criterion", "value"),
        ("any tips for involvement?", "improve_criterion", "involvement"),
        ("what are the judges looking for in ambition", "judges_look_for", "ambition"),
        ("how is the Outcome criterion scored", "judges_look_for", "outcome"),
        ("what does the spread criterion mean", "criteria_question", "spread"),
        ("what counts as a testimonial", "criteria_question", None),
        ("what can you do", "help", None),
        ("here's my new spread section: The pathway went live at Northfield Hospital in May 2024 and "
         "two neighbouring trusts adopted our protocols that autumn.", "revise_section", "spread"),
    ],
)
def test_informal_messages_are_understood(
    reader: IntentReader, recovery: tuple[Programme, Category], message: str, intent: str, criterion: str | None
) -> None:
    programme, category = recovery
    request = reader.read(message, programme=programme, category=category)
    assert (request.intent, request.criterion) == (intent, criterion)


@pytest.mark.parametrize(
    ("message", "criterion"),
    [
        ("whats missing from my impact section", "outcome"),  # Impact is Outcome's name in 2025
        ("what's missing from scale", "spread"),
        ("whats missing in the results bit", "outcome"),  # an alias
        ("what's missing from section 5", "involvement"),
        ("what's missing from the last criterion", "involvement"),
    ],
)
def test_criteria_resolve_through_aliases_crosswalk_and_position(
    reader: IntentReader, recovery: tuple[Programme, Category], message: str, criterion: str
) -> None:
    programme, category = recovery
    assert reader.read(message, programme=programme, category=category).criterion == criterion


def test_same_words_resolve_to_the_other_editions_criterion(
    reader: IntentReader, acute: tuple[Programme, Category]
) -> None:
    programme, category = acute
    assert reader.read("whats missing from my outcomes bit?", programme=programme, category=category).criterion == (
        "impact")
    assert reader.read("show me how winners did spread", programme=programme, category=category).criterion == "scale"


def _turn(intent: str, criterion: str | None) -> Turn:
    return Turn(id="t", role="assistant", content="…", intent=intent, criterion=criterion, created_at=datetime.now(UTC))


def test_follow_ups_reuse_the_last_intent_and_criterion(
    reader: IntentReader, recovery: tuple[Programme, Category]
) -> None:
    programme, category = recovery
    previous = _turn("missing_criterion", "outcome")
    follow = reader.read("and spread?", programme=programme, category=category, previous=previous)
    assert (follow.intent, follow.criterion, follow.method) == ("missing_criterion", "spread", "follow_up")
    back = reader.read("how do i fix it", programme=programme, category=category, previous=previous)
    assert (back.intent, back.criterion) == ("improve_criterion", "outcome")


def test_typos_are_corrected_but_real_words_are_kept() -> None:
    assert correct_typos("is it eligable") == "is it eligible"
    assert correct_typos("show me exmaples") == "show me examples"
    assert correct_typos("what counts as a quote") == "what counts as a quote"
    assert correct_typos("on our wards") == "on our wards"


def test_sectors_are_read_from_plain_statements() -> None:
    mention = find_sectors("We're a private company working with an NHS trust")
    assert (mention.sector, mention.partner_sectors) == ("private", ("nhs_provider",))
    assert find_sectors("we are a GP practice").sector == "primary_care"
    assert find_sectors("Am I eligible?").sector is None


def test_pasted_sections_are_found_after_a_lead_in_or_heading() -> None:
    payload = find_payload("here is my new version of the Spread section:\n\n```\nWe shared the model with two "
                           "trusts, who adopted it in 2024 and treated 300 patients in the first year.\n```")
    assert payload is not None and payload.text.startswith("We shared") and not payload.text.endswith("```")
    headed = find_payload("## Spread\nWe shared the model with two trusts, who adopted it in 2024 and treated "
                          "300 patients in the first year.")
    assert headed is not None and headed.text.startswith("## Spread")
    assert find_payload("what's missing from spread?") is None


def test_a_category_named_in_a_message_is_found(fake_assistant: Assistant) -> None:
    assert find_category("it's for the performance recovery award", fake_assistant.packs.programmes) == (
        "hsj-awards-2024", "performance-recovery")
