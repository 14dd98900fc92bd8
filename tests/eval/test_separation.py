"""Gold data is separate from knowledge/: no eval sentence is a sentence of the bank or an exemplar.

If an eval text reused a labelled bank sentence or an exemplar paragraph, the detector (trained on
the bank) and retrieval (which indexes the exemplars) would be scored on their own training data.
Sentences are compared after folding case and whitespace; fragments under four words (headings,
"Outcomes:") are too generic to count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import yaml

from assistant.sentences import split_sentences
from assistant.settings import REPO_ROOT

DATASETS = REPO_ROOT / "eval" / "datasets"
KNOWLEDGE = REPO_ROOT / "knowledge"
MIN_WORDS = 4


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _sentences(text: str) -> Iterator[str]:
    for span in split_sentences(text):
        yield span.text(text)


def _records(name: str) -> Iterator[tuple[int, dict[str, object]]]:
    path = DATASETS / name
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith(("#", "//")):
            yield number, json.loads(line)


def eval_sentences() -> Iterator[tuple[str, str]]:
    """(where, sentence) for every sentence of every eval dataset."""
    for name in ("evidence_gold.jsonl", "evidence_gold_second.jsonl"):
        for number, record in _records(name):
            for sentence in record["sentences"]:  # type: ignore[union-attr]
                yield f"{name}:{number}", sentence["text"]
            yield from ((f"{name}:{number}", s) for s in _sentences(str(record["text"])))
    for number, record in _records("drafts.jsonl"):
        yield from ((f"drafts.jsonl:{number}", s) for s in _sentences(str(record["text"])))
    for number, record in _records("chat.jsonl"):
        for field in ("draft", "request"):
            yield from ((f"chat.jsonl:{number}", s) for s in _sentences(str(record.get(field) or "")))
    for number, record in _records("eligibility.jsonl"):
        entry = record["entry"]
        texts = [str(entry.get("text") or ""), *map(str, entry.get("previous_entries") or [])]  # type: ignore[union-attr]
        for text in texts:
            yield from ((f"eligibility.jsonl:{number}", s) for s in _sentences(text))
    for number, record in _records("retrieval.jsonl"):
        yield f"retrieval.jsonl:{number}", str(record["query"])


def knowledge_sentences() -> dict[str, str]:
    """Normalised sentence -> where it lives in knowledge/."""
    found: dict[str, str] = {}
    for path in sorted((KNOWLEDGE / "evidence").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                found.setdefault(_normal(record["text"]), f"{path.name} {record['id']}")
    for path in sorted((KNOWLEDGE / "exemplars").glob("*.yaml")):
        exemplar = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, paragraph in enumerate(exemplar["paragraphs"], start=1):
            for sentence in _sentences(paragraph["text"]):
                found.setdefault(_normal(sentence), f"{path.stem}#p{index}")
    return found


def shared(pairs: Iterator[tuple[str, str]], knowledge: dict[str, str]) -> list[tuple[str, str, str]]:
    return sorted(
        {(where, sentence, knowledge[_normal(sentence)]) for where, sentence in pairs
         if len(sentence.split()) >= MIN_WORDS and _normal(sentence) in knowledge}
    )


def test_no_eval_sentence_appears_in_the_bank_or_the_exemplars() -> None:
    knowledge = knowledge_sentences()
    assert len(knowledge) > 700
    copied = shared(eval_sentences(), knowledge)
    assert not copied, "eval sentences copied from knowledge/:\n" + "\n".join(
        f"  {where}: {sentence!r} (= {source})" for where, sentence, source in copied[:20]
    )


def test_the_check_catches_a_bank_sentence_with_other_case_and_spacing() -> None:
    knowledge = knowledge_sentences()
    bank_sentence = next(s for s in knowledge if len(s.split()) >= MIN_WORDS)
    planted = "  " + bank_sentence.upper().replace(" ", "  ") + " "
    assert shared(iter([("planted.jsonl:1", planted)]), knowledge)
    assert not shared(iter([("planted.jsonl:1", "A sentence written only for this test today.")]), knowledge)
