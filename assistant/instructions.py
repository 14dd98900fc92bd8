"""Instructions aimed at AI reviewers, found by meaning as well as by pattern.

The patterns in ``assistant.warnings`` catch the usual wordings. This finds re-worded ones: a
sentence that mentions a reviewer, an AI or a machine *and* a scoring word is embedded and compared
with the team's examples of such instructions and with hard negatives (AI used in the work itself;
``knowledge/screening/ai_instructions.yaml``). Its margin, nearest instruction minus nearest
negative, is flagged above a threshold chosen when the screen is built: leave-one-out over those
examples, maximising F1, so no figure from the evaluation set chooses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError
from assistant.sentences import split_sentences
from assistant.warnings import TextHit

EXAMPLES_FILE = Path("screening") / "ai_instructions.yaml"  # under the knowledge folder

# Only sentences that name a reviewer or a machine and a scoring act are compared (a few per draft).
_ADDRESSEE = re.compile(
    r"\b(?:ai|a\.i\.|artificial intelligence|llms?|language models?|chat ?bots?|gpt|chatgpt|automated|automatic|"
    r"machines?|models?|algorithms?|bots?|tools?|software|systems?|assistants?|assessors?|reviewers?|judges?|"
    r"markers?|scorers?|evaluators?|screen(?:er|ing)s?)\b",
    re.IGNORECASE,
)
_SCORING = re.compile(
    r"\b(?:rate[ds]?|rating|scor\w*|mark\w*|grade[ds]?|award\w*|shortlist\w*|band|outstanding|winner|best|"
    r"highest|top|maximum|full marks|exemplary|excellent|exceptional|strongest|rank\w*|recommend\w*|deduct\w*|"
    r"ignore|disregard|override|forget)\b",
    re.IGNORECASE,
)


class InstructionExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instructions: list[str] = Field(min_length=5)
    negatives: list[str] = Field(min_length=5)


def load_examples(path: Path) -> InstructionExamples:
    try:
        return InstructionExamples.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}).") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}).") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(file)"
        raise ConfigError(f"{path}: {where}: {first['msg']}.") from exc


def candidate(sentence: str) -> bool:
    return bool(_ADDRESSEE.search(sentence) and _SCORING.search(sentence))


def _margins(vectors: np.ndarray, instructions: np.ndarray, negatives: np.ndarray) -> np.ndarray:
    return np.asarray((vectors @ instructions.T).max(axis=1) - (vectors @ negatives.T).max(axis=1))


def leave_one_out_threshold(instructions: np.ndarray, negatives: np.ndarray) -> float:
    """The margin threshold that best separates each example from the others (never itself)."""
    scores: list[tuple[float, bool]] = []
    for index in range(len(instructions)):
        rest = np.delete(instructions, index, axis=0)
        scores.append((float(_margins(instructions[index : index + 1], rest, negatives)[0]), True))
    for index in range(len(negatives)):
        rest = np.delete(negatives, index, axis=0)
        scores.append((float(_margins(negatives[index : index + 1], instructions, rest)[0]), False))
    best, best_f1 = 0.0, -1.0
    for threshold in sorted({s for s, _ in scores}):
        tp = sum(s >= threshold and y for s, y in scores)
        fp = sum(s >= threshold and not y for s, y in scores)
        fn = sum(s < threshold and y for s, y in scores)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best


class InstructionScreen:
    """Embeds its examples once; ``find`` embeds only a draft's candidate sentences."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], examples: InstructionExamples) -> None:
        self._embed = embed
        self._instructions = np.asarray(embed(examples.instructions), dtype=np.float32)
        self._negatives = np.asarray(embed(examples.negatives), dtype=np.float32)
        self.threshold = leave_one_out_threshold(self._instructions, self._negatives)

    def find(self, text: str) -> list[TextHit]:
        spans = [s for s in split_sentences(text) if candidate(s.text(text))]
        if not spans:
            return []
        margins = _margins(self._embed([s.text(text) for s in spans]), self._instructions, self._negatives)
        return [
            TextHit("ai_instruction", "instruction aimed at reviewers (by meaning)", span.start, span.end)
            for span, margin in zip(spans, margins, strict=True)
            if margin >= self.threshold
        ]
