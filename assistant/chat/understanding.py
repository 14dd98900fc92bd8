"""Understanding a chat message by measurement: a classifier over the bundled embeddings and cue features.

The intent of a message is read by a logistic regression trained on the team's message set
(``knowledge/chat/messages.jsonl``): each message's words outside any pasted text are embedded with
the bundled MiniLM model and joined with named cue features (is there pasted text, does the message
say it replaces a section, does it address an AI, does it ask to make something up...). Nothing is
decided by the order of keyword rules. The model gives a probability per intent:

- a short follow-up ("and for scale?") leans toward the previous turn's intent by a weight chosen by
  cross-validation on the training set;
- a message that asks two things ("what's missing in impact and can you show me a winner") is split
  into its asks, each read on its own, and both are answered in order;
- below a confidence threshold (chosen by cross-validation so that answered messages are right at
  least ``TARGET_PRECISION`` of the time) the assistant asks one short question with the likely
  readings as choices.

The fitted model is cached under ``<data_dir>/cache`` keyed by the training file, the embedding
model and this code, so it trains once (a few seconds) on first use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.chat.mentions import Payload, find_payload
from assistant.chat.models import INTENTS, Intent
from assistant.errors import ConfigError
from assistant.taxonomy import EvidenceType
from assistant.warnings import find_ai_instructions

log = logging.getLogger(__name__)
Embed = Callable[[list[str]], np.ndarray]

MESSAGES_FILE = Path("chat") / "messages.jsonl"  # under the knowledge folder
CALIBRATION_FILE = Path("chat") / "calibration.json"
# Answered readings must be right this often in cross-validation; below the threshold that gives, ask.
TARGET_PRECISION = 0.95
# Never ask about more than this share of the training messages, whatever the precision.
MAX_CLARIFY_RATE = 0.12
FOLLOW_WEIGHTS = (0.0, 0.15, 0.3, 0.5, 0.8, 1.2, 2.0)
FOLDS = 5
C = 4.0


class MessageExample(BaseModel):
    """One labelled message (eval/datasets/messages/GUIDE.md)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    programme: str
    category: str
    message: str = Field(min_length=1)
    intents: list[Intent] = Field(min_length=1, max_length=2)
    criterion: str | None = None
    evidence_type: EvidenceType | None = None
    previous: dict[str, str | None] | None = None
    writer: str = ""

    @field_validator("previous")
    @classmethod
    def _previous_intent(cls, value: dict[str, str | None] | None) -> dict[str, str | None] | None:
        if value is not None and value.get("intent") not in INTENTS:
            raise ValueError(f"previous intent must be one of {', '.join(INTENTS)}")
        return value

    @property
    def previous_intent(self) -> str | None:
        return self.previous.get("intent") if self.previous else None


def load_messages(path: Path) -> list[MessageExample]:
    """Every record of a message file; a bad line is a ConfigError naming the file and line."""
    examples: list[MessageExample] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"Cannot read the chat message set {path}: {exc.strerror}.") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            examples.append(MessageExample.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0] if isinstance(exc, json.JSONDecodeError) else exc.errors()[0]["msg"]
            raise ConfigError(f"{path}:{number}: {first}") from exc
    if not examples:
        raise ConfigError(f"The chat message set {path} is empty.")
    return examples


# -- cue features: named, documented, and only ever weighed by the trained model -------------------
CUES: dict[str, re.Pattern[str]] = {
    "missing": re.compile(r"missing|lacking|\bgaps?\b|left out|what else|forg[oe]t|have (?:i|we) (?:covered|missed)|"
                          r"\bcover(?:s|ed|ing)?\b|\bomit|anything (?:else|wrong)"),
    "improve": re.compile(r"improv|\bbetter\b|strengthen|stronger|\bfix\b|\btips?\b|advice|suggest|\brewrite\b|"
                          r"\bpolish|\bweak|how (?:can|do|should|could|would) (?:i|we|you)\b|"
                          r"what (?:should|can) (?:i|we)"),
    "examples": re.compile(r"\bexamples?\b|\bwinn(?:er|ers|ing)\b|past (?:entries|winners)|other (?:trusts|teams|"
                           r"entries|entrants)|good looks like|\bshow me\b|exemplar|\bsamples?\b|see one"),
    "judges": re.compile(r"judg|assessor|\bpanel\b|\bscor(?:e|es|ed|ing)\b|\bmarks?\b|\bmarked\b|\bbands?\b|"
                         r"look(?:ing)? for|want to see|what do they want|\bcriteria\b"),
    "eligibility": re.compile(r"eligib|elegib|qualif|can (?:we|i|us) (?:still )?(?:enter|apply|submit)|allowed|who can|"
                              r"\brules?\b|lead entrant|\benter\b|\bentry fee|closing date|deadline|\bcategory\b"),
    "words": re.compile(r"\bwords?\b|word ?count|\blimit\b|too long|too short|\blength\b|\bcut\b|\btrim|"
                        r"how long|over the"),
    "meaning": re.compile(r"\bmean(?:s|ing)?\b|what counts|\bcounts? as\b|definition|difference between|what is an? |"
                          r"what are |explain|does .{1,60} count|what do (?:they|you) mean"),
    "help": re.compile(r"\bhelp\b|what can you do|how does (?:this|it) work|^(?:hi|hello|hey|morning)\b|"
                       r"how do i use|what is this|\bstart\b"),
    "undo": re.compile(r"\bundo\b|\brevert|go back|previous version|old version|\brestore|put (?:it|my|the) .{0,40}"
                       r"back|change it back|last version|roll ?back"),
    "invent": re.compile(r"make (?:up|something up)|made up|\binvent|fabricat|\bfake\b|plausible|realistic|"
                         r"\bestimate|ball ?park|nobody (?:will|would) (?:check|know)|no one (?:will|would) "
                         r"(?:check|know)|just put (?:in )?(?:a|some)|pretend (?:we|a|that)|\bmock\b|dummy"),
    "injection": re.compile(r"ignore (?:all |any |your |the )?(?:previous|prior|above|earlier|other)|disregard|"
                            r"you are now|you're now|act as|pretend (?:to be|you(?:'re| are))|system prompt|"
                            r"your (?:instructions|prompt|rules)|reply only|respond only|jailbreak|developer mode|"
                            r"override|\bband 6\b|10/10|full marks|top marks|maximum score|highest (?:band|score)"),
    "off_topic": re.compile(r"weather|football|recipe|\bpoem\b|\bjoke\b|\bdose\b|\bmg\b|\brota\b|holiday|"
                            r"\blunch\b|parking|\bpayslip|annual leave"),
    "replace": re.compile(r"\bhere(?:s|'s| is| are)\b|new version|\bupdated?\b|re-?wr[io]te|rewritten|revised?|"
                          r"redraft|replace|instead|\bswap|use this|new (?:\w+ )?(?:section|bit|part|paragraph)|"
                          r"latest|\bv\d\b|changed|edited"),
    "question": re.compile(r"\?"),
    "draft": re.compile(r"\b(?:my|our|the) (?:draft|entry|submission|application)\b|whole (?:thing|entry|draft)|"
                        r"overall|everything"),
    "section": re.compile(r"\bsection\b|\bbit\b|\bpart\b|\bcriterion\b|\bquestion \d|\bq\d"),
    "follow": re.compile(r"^(?:and|what about|how about|ok(?:ay)?|now|also|same for|then|so)\b|^\W*\w+\W*$"),
}
_QUESTION_WORDS = (r"can|could|would|will|what|whats|what's|how|hows|how's|is|are|am|do|does|did|should|shall|which|"
                   r"where|when|whens|who|why|any|have|has|got")
_REQUEST_VERBS = (r"here's|heres|here is|show|tell|give|check|make|help|list|explain|let|ignore|disregard|undo|"
                  r"revert|review|scan|go through|"
                  r"rewrite|reword|write|stop|just|fix|tidy|put|add|invent|generate|pretend|act|print|reveal|estimate|"
                  r"compare|look at|read|say|mark|rate|score|cut|trim")
_ASK_START = re.compile(rf"^(?:and |also |plus |then |oh and |now,? |so )?(?:{_QUESTION_WORDS}|{_REQUEST_VERBS})\b")
# Where one ask ends and the next begins: a sentence end, a line break, or a joining word before a new ask.
_SPLIT = re.compile(
    rf"(?<=[?.!])\s+|\n+|\s*(?:,\s*)?(?:\band then|\band also|\balso|\bplus|\bthen|\band|\bn|\+|&)\s+"
    rf"(?=(?:{_QUESTION_WORDS}|{_REQUEST_VERBS})\b)|,\s+(?=(?:is|are|does|do|can|could|what|whats|how|any)\b)")


# Cues that say what a message asks; a follow-up with none of them takes the previous turn's intent.
_ASKING = ("missing", "improve", "examples", "judges", "eligibility", "words", "meaning", "help", "undo", "invent",
           "injection", "off_topic")


def cue_vector(lead: str, *, has_payload: bool, payload_words: int, follow_up: bool, instruction: bool,
               headed: bool, previous: str | None) -> np.ndarray:
    """The non-embedding features of a message, in a fixed order (``CUE_NAMES``)."""
    values = [1.0 if pattern.search(lead) else 0.0 for pattern in CUES.values()]
    values += [
        1.0 if has_payload else 0.0,
        min(payload_words, 200) / 200.0,
        1.0 if has_payload and not lead.strip(" :\n-") else 0.0,
        1.0 if headed else 0.0,
        1.0 if previous else 0.0,
        1.0 if follow_up else 0.0,
        min(len(lead.split()), 60) / 60.0,
        1.0 if instruction else 0.0,
    ]
    return np.asarray(values, dtype=np.float32)


CUE_NAMES = [*CUES, "has_payload", "payload_words", "bare_paste", "headed_paste", "has_previous", "follow_up_form",
             "lead_words", "ai_instruction_pattern"]


# Words the intent cues and the criterion and evidence finders depend on; a typed word one or two
# edits away is read as it ("elegible", "sustainibility").
_VOCABULARY = (
    "missing lacking eligible eligibility qualify example examples winners winner judges judge looking score "
    "improve improvement better strengthen stronger length limit words count review feedback criterion criteria "
    "section outcomes outcome spread scale value impact ambition involvement collaboration sustainability "
    "partnership testimonial testimonials baseline metrics evidence exemplar question questions complete "
    "definition explain suggest advice covered rewrite revised updated version measurement engagement"
).split()
# Real words a single edit from a keyword that must stay as typed.
_PROTECTED = {
    "wards", "ward", "worth", "where", "there", "value", "values", "scales", "stale", "court", "missed", "simple",
    "sample", "judged", "scored", "scope", "seven", "shown", "score",
}

def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition is one edit), stopping early past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def correct_typos(text: str, extra_vocabulary: Sequence[str] = ()) -> str:
    vocabulary = set(_VOCABULARY) | {w for w in extra_vocabulary if len(w) >= 5}

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 5 or word in vocabulary or word in _PROTECTED:
            return word
        # An inflection of a keyword ("counts", "scaled") is not a typo and may matter to a rule.
        if any(word.startswith(v) or v.startswith(word) for v in vocabulary):
            return word
        limit = 1 if len(word) < 8 else 2
        best = min(vocabulary, key=lambda v: (_edit_distance(word, v, limit), v))
        return best if _edit_distance(word, best, limit) <= limit else word

    return re.sub(r"[a-z]+", fix, text)


def normalise(text: str) -> str:
    """Lower case, one kind of apostrophe, text-speak expanded, whitespace collapsed."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\bu\b", "you", text)
    text = re.sub(r"\br\b", "are", text)
    text = re.sub(r"\b(?:pls|plz)\b", "please", text)
    text = re.sub(r"\bwat\b", "what", text)
    text = re.sub(r"\bwhats\b", "what's", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Prepared:
    """A message as the classifier sees it."""

    lead: str  # normalised words outside any pasted text
    has_payload: bool
    payload_words: int
    previous: str | None
    instruction: bool
    headed: bool = False  # the paste opens with its own heading line, which is all the lead there is

    @property
    def follow_up(self) -> bool:
        """A short message that leans on the previous turn and asks nothing of its own ("and for scale?")."""
        if not self.previous or not CUES["follow"].search(self.lead) or len(self.lead.split()) > 8:
            return False
        return not any(CUES[name].search(self.lead) for name in _ASKING)

    @classmethod
    def of(cls, message: str, previous: str | None = None) -> Prepared:
        return cls.with_payload(message, find_payload(message), previous)

    @classmethod
    def with_payload(cls, message: str, payload: Payload | None, previous: str | None = None) -> Prepared:
        """As ``of``, for a caller that has found the message's pasted text already."""
        lead = payload.lead if payload else message
        return cls(lead=correct_typos(normalise(lead)), has_payload=payload is not None,
                   payload_words=len(payload.text.split()) if payload else 0, previous=previous,
                   instruction=bool(find_ai_instructions(message)),
                   headed=bool(payload and payload.lead and payload.text.startswith(payload.lead)))

    def cues(self) -> np.ndarray:
        return cue_vector(self.lead, has_payload=self.has_payload, payload_words=self.payload_words,
                          follow_up=self.follow_up, instruction=self.instruction, headed=self.headed,
                          previous=self.previous)


def asks(lead: str) -> list[str]:
    """The separate requests in a message's own words: sentences and 'and can you…' clauses that ask
    something. Statements of context ("the deadline is before that") are not asks."""
    parts = [p.strip(" ,;") for p in _SPLIT.split(lead) if p and p.strip(" ,;")]
    return [p for p in parts if len(p.split()) >= 2 and ("?" in p or _ASK_START.search(p))]


@dataclass
class Reading:
    """What a message asks, with how sure the model is."""

    intents: list[Intent]
    confidence: float
    alternatives: list[tuple[Intent, float]]  # the likeliest readings, best first
    clarify: bool
    parts: list[str] = field(default_factory=list)  # the words each intent was read from


@dataclass
class Calibration:
    """The choices made by cross-validation on the training set (``python -m eval.messages calibrate``),
    stored as data with the figures that chose them."""

    threshold: float = 0.35  # below it, ask which reading is meant
    follow_weight: float = 1.0
    split_threshold: float = 0.5
    trained_on: str = ""
    figures: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, digest: str) -> Calibration:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            calibration = cls(**data)
        except FileNotFoundError:
            log.warning("no message calibration at %s; using defaults", path)
            return cls()
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"Cannot read the message calibration {path}: {exc}") from exc
        if calibration.trained_on != digest:
            log.warning("the message calibration was made on another training set; run "
                        "'python -m eval.messages calibrate' to refresh it")
        return calibration

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, indent=2) + "\n", encoding="utf-8")


@dataclass
class MessageModel:
    classes: list[Intent]
    model: Any
    calibration: Calibration
    encode: Embed  # the (fine-tuned) encoder; not pickled

    def __getstate__(self) -> dict[str, Any]:
        return {"classes": self.classes, "model": self.model, "calibration": self.calibration}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.encode = _unset

    def probabilities(self, prepared: Sequence[Prepared]) -> np.ndarray:
        return _adjust(self.model.predict_proba(features(self.encode, prepared)), prepared, self.classes,
                       self.calibration.follow_weight)

    def read(self, prepared: Prepared) -> Reading:
        probs = self.probabilities([prepared])[0]
        order = np.argsort(-probs)
        alternatives = [(self.classes[i], float(probs[i])) for i in order[:3]]
        intents: list[Intent] = [alternatives[0][0]]
        parts = [prepared.lead]
        pieces = asks(prepared.lead)
        if len(pieces) >= 2 and not prepared.follow_up:
            sub = [Prepared(lead=p, has_payload=False, payload_words=0, previous=prepared.previous,
                            instruction=prepared.instruction) for p in pieces]
            chosen: list[tuple[Intent, str]] = []
            for piece, row in zip(pieces, self.probabilities(sub), strict=True):
                best = int(np.argmax(row))
                if row[best] >= self.calibration.split_threshold and self.classes[best] not in [c for c, _ in chosen]:
                    chosen.append((self.classes[best], piece))
            if len(chosen) >= 2 and alternatives[0][0] in [c for c, _ in chosen[:2]]:
                intents = [chosen[0][0], chosen[1][0]]
                parts = [chosen[0][1], chosen[1][1]]
        confidence = alternatives[0][1]
        return Reading(intents=intents, confidence=confidence, alternatives=alternatives,
                       clarify=len(intents) == 1 and confidence < self.calibration.threshold, parts=parts)


def _unset(texts: list[str]) -> np.ndarray:
    raise RuntimeError("message model loaded without its encoder")


def _first_ask(prepared: Prepared) -> str:
    pieces = asks(prepared.lead)
    return pieces[0] if pieces else (prepared.lead or "(pasted text)")


def features(encode: Embed, prepared: Sequence[Prepared]) -> np.ndarray:
    """[embedding of the message's own words, embedding of its first ask, cue features]."""
    wholes = [p.lead or "(pasted text)" for p in prepared]
    firsts = [_first_ask(p) for p in prepared]
    # A one-ask message's first ask is the message itself: each distinct text is encoded once.
    distinct = list(dict.fromkeys(wholes + firsts))
    vectors = dict(zip(distinct, encode(distinct).astype(np.float32), strict=True))
    whole = np.stack([vectors[text] for text in wholes])
    first = np.stack([vectors[text] for text in firsts])
    cues = np.stack([p.cues() for p in prepared])
    return np.hstack([whole, first, cues])


def _adjust(probs: np.ndarray, prepared: Sequence[Prepared], classes: Sequence[str], weight: float) -> np.ndarray:
    """A follow-up that asks nothing of its own leans toward the previous turn's intent."""
    if weight <= 0:
        return probs
    adjusted = probs.copy()
    index = {c: i for i, c in enumerate(classes)}
    for row, p in enumerate(prepared):
        if p.previous in index and p.follow_up:
            adjusted[row, index[p.previous]] += weight
            adjusted[row] /= adjusted[row].sum()
    return adjusted


def training_rows(examples: Sequence[MessageExample]) -> tuple[list[Prepared], list[str]]:
    """Each message with its main intent; a two-intent message's asks also train one intent each."""
    rows: list[Prepared] = []
    labels: list[str] = []
    for example in examples:
        prepared = Prepared.of(example.message, example.previous_intent)
        rows.append(prepared)
        labels.append(example.intents[0])
        pieces = asks(prepared.lead)
        if len(example.intents) == 2 and len(pieces) == 2:
            for piece, intent in zip(pieces, example.intents, strict=True):
                rows.append(Prepared(lead=piece, has_payload=False, payload_words=0, previous=None,
                                     instruction=prepared.instruction))
                labels.append(intent)
    return rows, labels


def _new_model() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000, class_weight="balanced")


Trainable = Callable[[], Any]  # a fresh copy of the sentence-transformers model, or None (no fine-tuning)


def train_steps(examples: Sequence[MessageExample], *, tuned: bool) -> int:
    from assistant.chat import tuning

    rows, _ = training_rows(examples)
    return (tuning.steps(len(rows)) if tuned else 0) + 2


def calibration_steps(examples: Sequence[MessageExample], *, tuned: bool) -> int:
    """Progress units ``calibrate`` reports: each fold's fine-tuning steps and two more."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray([e.intents[0] for e in examples])
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    return sum(train_steps([examples[i] for i in fit_index], tuned=tuned)
               for fit_index, _ in folds.split(np.zeros(len(labels)), labels))


def fit(examples: Sequence[MessageExample], embed: Embed, trainable: Trainable,
        progress: Callable[[int], None] | None = None) -> tuple[Any, Embed, Any]:
    """(classifier, encoder, fine-tuned model or None) trained on ``examples``."""
    from assistant.chat import tuning

    rows, labels = training_rows(examples)
    base = trainable()
    encode = embed
    if base is not None:
        tuned = tuning.fine_tune(base, [p.lead or "(pasted text)" for p in rows], labels, progress=progress)
        encode = tuning.encoder(tuned)
    matrix = features(encode, rows)
    if progress:
        progress(1)
    model = _new_model().fit(matrix, np.asarray(labels))
    if progress:
        progress(1)
    return model, encode, base


def calibrate(examples: Sequence[MessageExample], embed: Embed, trainable: Trainable, *, digest: str,
              progress: Callable[[int], None] | None = None) -> Calibration:
    """Choose the follow-up weight and the clarify threshold from out-of-fold readings (the encoder is
    fine-tuned again inside every fold, so no message is read by a model that saw it)."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray([e.intents[0] for e in examples])
    prepared = [Prepared.of(e.message, e.previous_intent) for e in examples]
    out_of_fold: np.ndarray | None = None
    classes: list[str] = sorted(set(labels))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for fit_index, test_index in folds.split(np.zeros(len(labels)), labels):
        model, encode, _ = fit([examples[i] for i in fit_index], embed, trainable, progress)
        probs = np.zeros((len(test_index), len(classes)))
        probs[:, [classes.index(c) for c in model.classes_]] = model.predict_proba(
            features(encode, [prepared[i] for i in test_index]))
        if out_of_fold is None:
            out_of_fold = np.zeros((len(labels), len(classes)))
        out_of_fold[test_index] = probs
    assert out_of_fold is not None

    def accuracy(weight: float) -> float:
        adjusted = _adjust(out_of_fold, prepared, classes, weight)
        return float(np.mean(np.asarray(classes)[adjusted.argmax(axis=1)] == labels))

    follow_weight = max(FOLLOW_WEIGHTS, key=lambda w: (round(accuracy(w), 4), -w))
    adjusted = _adjust(out_of_fold, prepared, classes, follow_weight)
    confidence = adjusted.max(axis=1)
    right = np.asarray(classes)[adjusted.argmax(axis=1)] == labels
    threshold = 0.0
    for candidate in np.unique(np.round(confidence, 3)):
        answered = confidence >= candidate
        if 1 - answered.mean() > MAX_CLARIFY_RATE:
            break
        threshold = float(candidate)
        if right[answered].mean() >= TARGET_PRECISION:
            break
    answered = confidence >= threshold
    figures = {
        "messages": float(len(labels)),
        "cv_accuracy": round(float(right.mean()), 4),
        "cv_accuracy_without_follow_up_lean": round(accuracy(0.0), 4),
        "cv_answered_accuracy": round(float(right[answered].mean()) if answered.any() else 0.0, 4),
        "cv_clarify_rate": round(float(1 - answered.mean()), 4),
    }
    return Calibration(threshold=round(threshold, 3), follow_weight=follow_weight,
                       split_threshold=max(0.5, round(threshold, 3)), trained_on=digest, figures=figures)


def training_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def cache_key(path: Path, model_name: str, tuned: bool) -> str:
    import sklearn

    digest = hashlib.sha256()
    digest.update(path.read_bytes())
    digest.update(f"{model_name}|{tuned}|{sklearn.__version__}".encode())
    for module in ("understanding.py", "tuning.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:20]


def load_or_train(path: Path, embed: Embed, trainable: Trainable, *, model_name: str, cache_dir: Path | None,
                  progress: Callable[[int], None] | None = None) -> MessageModel:
    """The message model for this training file: from the cache, or trained now and cached."""
    examples = load_messages(path)
    calibration = Calibration.load(path.with_name(CALIBRATION_FILE.name), training_digest(path))
    base = trainable()
    tuned = base is not None
    key = cache_key(path, model_name, tuned)
    head = cache_dir / f"messages-{key}.pkl" if cache_dir else None
    weights = cache_dir / f"messages-{key}.pt" if cache_dir else None
    if head is not None and weights is not None and head.is_file() and (weights.is_file() or not tuned):
        try:
            with head.open("rb") as handle:
                loaded = pickle.load(handle)  # our own cache file in the data dir, keyed by content hash
            encode = embed
            if tuned:
                import torch

                from assistant.chat import tuning

                base.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
                base.eval()
                encode = tuning.encoder(base)
            if isinstance(loaded, MessageModel):
                loaded.encode = encode
                loaded.calibration = calibration
                return loaded
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, RuntimeError):
            log.warning("message model cache %s unreadable; retraining", head)
    model, encode, tuned_model = fit(examples, embed, lambda: base, progress)
    result = MessageModel(classes=list(model.classes_), model=model, calibration=calibration, encode=encode)
    if head is not None and weights is not None:
        try:
            head.parent.mkdir(parents=True, exist_ok=True)
            if tuned_model is not None:
                import torch

                torch.save(tuned_model.state_dict(), weights.with_suffix(".tmp"))
                weights.with_suffix(".tmp").replace(weights)
            with head.with_suffix(".part").open("wb") as handle:
                pickle.dump(result, handle)
            head.with_suffix(".part").replace(head)
        except OSError as exc:
            log.warning("could not cache the message model (%s)", exc.strerror)
    return result
