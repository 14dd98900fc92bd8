"""How an entry compares with other texts: its categories, previous entries, the rest of a batch.

Meaning comes from the embedding model (the mean of a few chunk vectors, so a long entry is read
whole rather than cut at the model's 256 tokens); wording comes from hashed five-word shingles,
which tell a re-submitted text from a new entry on the same topic.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.packs import Category, Programme
from assistant.sentences import count_words, line_blocks, split_sentences

Embed = Callable[[list[str]], np.ndarray]

CHUNK_WORDS = 120
MAX_CHUNKS = 4
SHINGLE = 5
SKETCH_SIZE = 256
# Category fit: meaning dominates; keywords sharpen it. "Clearly closer" is a margin, not a tie.
KEYWORD_WEIGHT = 0.3
FIT_MARGIN = 0.05
# Re-entry: most of the wording reused, or the same meaning almost exactly.
REUSE_CONTAINMENT = 0.5
REUSE_COSINE = 0.95
# Near-identical entries within a batch.
DUPLICATE_JACCARD = 0.6

_WORD = re.compile(r"[a-z0-9]+")


def chunks(text: str) -> list[str]:
    """Paragraph-aligned chunks of up to ~120 words, at most four, spread evenly over the text."""
    pieces: list[str] = []
    current: list[str] = []
    words = 0
    for block in line_blocks(text):
        body = block.text(text)
        size = count_words(body)
        if current and words + size > CHUNK_WORDS:
            pieces.append(" ".join(current))
            current, words = [], 0
        current.append(body)
        words += size
    if current:
        pieces.append(" ".join(current))
    if len(pieces) > MAX_CHUNKS:
        step = (len(pieces) - 1) / (MAX_CHUNKS - 1)
        pieces = [pieces[round(i * step)] for i in range(MAX_CHUNKS)]
    return pieces


def text_vector(embed: Embed, text: str) -> np.ndarray:
    vectors = embed(chunks(text) or [text])
    mean: np.ndarray = vectors.mean(axis=0).astype(np.float32)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    grams = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams if g}


def sketch(hashes: set[int]) -> list[int]:
    """A bottom-k sketch: the smallest hashes estimate Jaccard similarity between large sets."""
    return sorted(hashes)[:SKETCH_SIZE]


def sketch_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    if not a or not b:
        return 0.0
    set_a, set_b = set(a), set(b)
    union = sorted(set_a | set_b)[:SKETCH_SIZE]
    return sum(1 for h in union if h in set_a and h in set_b) / len(union)


# -- category fit ----------------------------------------------------------------------------
def category_texts(programme: Programme, category: Category) -> list[str]:
    """What a category is about: its title and description, its topic words, and its questions."""
    criteria = " ".join(f"{c.title}: {' '.join(c.questions)}" for c in category.criteria)
    return [
        f"{category.title}. {category.description}",
        f"{category.title}: " + ", ".join(category.keywords) if category.keywords else category.title,
        criteria,
    ]


def category_profiles(embed: Embed, programme: Programme) -> np.ndarray:
    weights = np.asarray([0.5, 0.3, 0.2], dtype=np.float32)
    rows = []
    for category in programme.categories:
        vectors = embed(category_texts(programme, category))
        profile = (vectors * weights[:, None]).sum(axis=0)
        rows.append(profile / (float(np.linalg.norm(profile)) or 1.0))
    return np.stack(rows).astype(np.float32)


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    flags = 0 if keyword.isupper() else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)", flags)


def keyword_hits(text: str, category: Category) -> list[str]:
    return [k for k in category.keywords if _keyword_pattern(k).search(text)]


@dataclass(frozen=True)
class CategoryFit:
    category: Category
    cosine: float
    keywords: list[str]
    score: float


def category_fits(text: str, vector: np.ndarray, programme: Programme, profiles: np.ndarray) -> list[CategoryFit]:
    """Every category of the programme scored against the entry, best first (ties keep pack order)."""
    similarities = profiles @ vector
    fits = []
    for category, cosine in zip(programme.categories, similarities, strict=True):
        hits = keyword_hits(text, category)
        share = len(hits) / len(category.keywords) if category.keywords else 0.0
        fits.append(CategoryFit(category, float(cosine), hits, float(cosine) + KEYWORD_WEIGHT * share))
    order = sorted(range(len(fits)), key=lambda i: (-round(fits[i].score, 6), i))
    return [fits[i] for i in order]


def sentences_with(text: str, keywords: list[str], limit: int = 3) -> list[str]:
    patterns = [_keyword_pattern(k) for k in keywords]
    found: list[str] = []
    for span in split_sentences(text):
        sentence = span.text(text)
        if any(p.search(sentence) for p in patterns):
            found.append(sentence)
            if len(found) == limit:
                break
    return found


# -- re-use of wording -----------------------------------------------------------------------
def containment(entry: set[int], other: set[int]) -> float:
    """Share of the entry's shingles that also occur in the other text."""
    return len(entry & other) / len(entry) if entry else 0.0


def shared_sentences(text: str, other: str, limit: int = 3) -> list[str]:
    """The entry's longest sentences that appear word for word in the other text."""
    normalised = " ".join(_WORD.findall(other.lower()))
    shared = []
    for span in split_sentences(text):
        sentence = span.text(text)
        words = _WORD.findall(sentence.lower())
        if len(words) >= 6 and " ".join(words) in normalised:
            shared.append(sentence)
    return sorted(shared, key=lambda s: (-len(s), s))[:limit]


def opening_words(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
