"""What a chat message mentions: a criterion, an evidence type, sectors, a pasted section.

Everything here is deterministic string work over the category's own names (titles, ids, aliases
and the programme crosswalk), so "my outcomes bit" and "the Impact section" land on the same
criterion in a programme that calls it Outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.packs import Category, Programme
from assistant.sections import criterion_names, normalise
from assistant.taxonomy import EvidenceType

_FILLER = {"and", "the", "of", "our", "your", "to", "for", "in", "a", "an", "with", "how", "what", "we", "is", "my"}
_ORDINAL = re.compile(r"\b(?:criterion|section|question|part|q)\s*(\d{1,2})\b", re.I)
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "last": -1}
_ORDINAL_PHRASE = re.compile(r"\b(first|second|third|fourth|fifth|sixth|last)\s+(?:criterion|section|question|part)\b")


def stem(word: str) -> str:
    for suffix in ("ments", "ment", "ness", "ions", "ion", "ing", "ies", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> list[str]:
    return [stem(w) for w in normalise(text).split() if w not in _FILLER]


def find_criterion(message: str, programme: Programme, category: Category) -> str | None:
    """The criterion a message is about, by position ("section 3") or by any of its names."""
    ordinal = _ORDINAL.search(message)
    number = int(ordinal.group(1)) if ordinal else None
    phrase = _ORDINAL_PHRASE.search(message.lower())
    if phrase:
        number = _ORDINAL_WORDS[phrase.group(1)]
    if number is not None and (number == -1 or 1 <= number <= len(category.criteria)):
        return category.criteria[number - 1 if number > 0 else -1].id

    words = stems(message)
    joined = f" {' '.join(words)} "
    best: tuple[float, int, str] | None = None  # score, -position, id
    for criterion in category.criteria:
        for name in criterion_names(programme, criterion):
            tokens = [stem(w) for w in name.split() if w not in _FILLER]
            if not tokens:
                continue
            phrase_at = joined.find(f" {' '.join(tokens)} ")
            present = [t for t in dict.fromkeys(tokens) if t in words]
            if phrase_at >= 0:
                score = len(tokens) + (0.5 if normalise(name) == normalise(criterion.title) else 0.0)
                position = phrase_at
            elif len(present) >= 2 and len(present) >= len(set(tokens)) / 2:
                score = 0.6 * len(present)
                position = joined.find(f" {present[0]} ")
            else:
                continue
            candidate = (score, -position, criterion.id)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else None


_EVIDENCE_WORDS: list[tuple[EvidenceType, re.Pattern[str]]] = [
    ("unsupported_claim", re.compile(r"unsupported|unbacked|claims? without|(?:just|mostly|only) claims|\bclaims\b|"
                                     r"backed (?:it |them |any of \w+ )?up|without a (?:figure|source)")),
    ("testimonial", re.compile(r"testimonial|testimonal|quotes?\b|quotation|what (?:patients|staff|a carer|carers|"
                               r"\w+) (?:might have |have |had )?said|case stud|patient stor")),
    ("patient_involvement", re.compile(r"patient (?:and public )?(?:involvement|engagement|voice)|"
                                       r"co-?(?:produc|design)|lived experience|carers? (?:involvement|involved)|"
                                       r"\bppg\b|patient participation|patient (?:panel|rep)|"
                                       r"patients? (?:were |was |ought to be )?(?:involved|mentioned)")),
    ("staff_involvement", re.compile(r"staff (?:involvement|engagement)|clinician(?:s|al)? (?:involvement|input)|"
                                     r"frontline staff|workforce involvement|staff (?:survey|morale|wellbeing)")),
    ("baseline", re.compile(r"baseline|starting point|comparison|benchmark|before and after|target")),
    ("value", re.compile(r"\bvalue\b|saving|saved|\bcost|\broi\b|return on investment|bed days|money|cash|£")),
    ("metric", re.compile(r"\bmetrics?\b|figures?|numbers|statistics|\bdata\b|measur|%|percent|reduction|"
                          r"\bspc\b|run chart|\brates?\b")),
    ("spread", re.compile(r"\bspread|roll(?:ed)?[- ]out|replicat|adopt|scal(?:e|ing) up|other (?:trusts|sites|"
                          r"pcns|practices|wards)")),
    ("sustainability", re.compile(r"sustain|business as usual|\bbau\b|recurrent funding|embedded")),
    ("partnership", re.compile(r"partner|joint working|collaborat|voluntary|charity|independent sector|supplier")),
]


def find_evidence_type(message: str) -> EvidenceType | None:
    lowered = message.lower()
    for evidence_type, pattern in _EVIDENCE_WORDS:
        if pattern.search(lowered):
            return evidence_type
    return None


_SECTOR_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("integrated_care", re.compile(r"\bicb\b|integrated care (?:board|system)|\bics\b")),
    ("nhs_commissioner", re.compile(r"\bccg\b|commissioner|clinical commissioning")),
    ("primary_care", re.compile(r"\bgp (?:practice|surgery)|general practice|primary care network|\bpcn\b")),
    ("nhs_provider", re.compile(r"\bnhs\b|foundation trust|hospital trust|\b(?:acute|community|ambulance|"
                                r"mental health) trust|\btrust\b")),
    ("local_authority", re.compile(r"council|local authority")),
    ("third_sector", re.compile(r"charity|third sector|voluntary|social enterprise|not[- ]for[- ]profit")),
    ("academic", re.compile(r"universit|academic")),
    ("social_care", re.compile(r"care home|social care|domiciliary")),
    ("public_sector", re.compile(r"public sector|public body")),
    ("private", re.compile(r"private|\bltd\b|\bplc\b|limited company|supplier|vendor|start-?up|"
                           r"\b(?:a|an) (?:\w+ )?(?:company|business|firm)\b|commercial")),
]
_SELF = re.compile(
    r"\b(?:we are|we're|were|we re|i am|i'm|im|i work (?:for|at|in)|we work (?:for|at|in)|our organi[sz]ation is|"
    r"the entrant is|the lead (?:entrant|organi[sz]ation) is|the lead is|entering as)\b(?P<own>[^.,;!?]*)",
    re.I,
)
_PARTNER_SPLIT = re.compile(r"\b(?:working with|with|alongside|partnered|partnering|and our partner|supplying)\b")


@dataclass(frozen=True)
class SectorMention:
    sector: str | None
    partner_sectors: tuple[str, ...]


def _sectors_in(text: str) -> list[str]:
    found = [name for name, pattern in _SECTOR_PATTERNS if pattern.search(text)]
    # "NHS trust" also matches the bare-trust rule; an ICB is not a provider.
    if "integrated_care" in found or "nhs_commissioner" in found or "primary_care" in found:
        found = [f for f in found if f != "nhs_provider" or re.search(r"\btrust\b", text)]
    return found


def find_sectors(message: str) -> SectorMention:
    """'we're a private company working with an NHS trust' → private, partners (nhs_provider,)."""
    lowered = message.lower().replace("’", "'")
    own_sector = None
    partners: list[str] = []
    match = _SELF.search(lowered)
    if match:
        own_clause, *rest = _PARTNER_SPLIT.split(match.group("own"), maxsplit=1)
        own = _sectors_in(own_clause)
        own_sector = own[0] if own else None
        partner_text = (rest[0] if rest else "") + " " + lowered[: match.start()] + " " + lowered[match.end():]
    else:
        partner_text = lowered if _PARTNER_SPLIT.search(lowered) else ""
    partners = [s for s in _sectors_in(partner_text) if s != own_sector]
    return SectorMention(own_sector, tuple(dict.fromkeys(partners)))


_FENCE = re.compile(r"^```\w*\n(.*?)\n?```$", re.S)
_LEAD = re.compile(r"^(?P<lead>[^:\n]{0,200}?)(?::\s*|\n+)(?P<body>\S.*)$", re.S)
_HEADING_FIRST = re.compile(r"^\s*(?:#{1,6}\s+[^\n]+|\*\*[^*\n]+\*\*:?|[A-Z][^\n.!?]{1,60}:?)\s*\n+(?=\S)")


@dataclass(frozen=True)
class Payload:
    lead: str  # the words before the pasted text ("here's my new spread section")
    text: str  # the pasted text itself, as given


# Words of a lead-in line ("Here is my new Spread section:"), as opposed to a heading ("Spread (revised)").
_LEAD_IN = re.compile(r"\b(?:here|here's|heres|my|our|i've|ive|i have|updated|new|rewritten|redone|this is|below|"
                      r"replace|use this)\b", re.I)
# Words that open a request to the assistant rather than a sentence of an entry.
_REQUEST_START = re.compile(
    r"^(?:how|what|whats|what's|can|could|would|should|is|are|do|does|did|please|pls|ignore|disregard|from now|"
    r"you|tell|give|show|make|write|help|why|which|where|when)\b", re.I)
_SPEAKER = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|me|my|you|u|your|pls|please)\b", re.I)


def _rough_sentences(text: str) -> list[str]:
    """Pieces ending in . ! or ?, enough to count sentences and questions (no spans needed)."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def _reads_as_prose(body: str) -> bool:
    """Entry text, not a question or an instruction to the assistant: it does not open like a request,
    and fewer than half of its sentences are questions."""
    sentences = _rough_sentences(body)
    questions = sum(1 for s in sentences if s.rstrip().endswith("?"))
    return not _REQUEST_START.match(body.strip()) and questions * 2 < max(len(sentences), 1)


def find_payload(message: str, *, min_words: int = 12) -> Payload | None:
    """Text pasted into a message, after a lead-in colon or line break, or with no lead at all, long
    enough to be a section and reading as entry prose rather than a question to the assistant."""
    stripped = message.strip()
    heading = _HEADING_FIRST.match(stripped)
    if heading and heading.group(0).strip().endswith(":") and _LEAD_IN.search(heading.group(0)):
        heading = None  # "Here is my new Scale section:" introduces the paste; it is not the paste's heading
    if heading and len(stripped[heading.end():].split()) >= min_words and _reads_as_prose(stripped[heading.end():]):
        return Payload(lead=heading.group(0).strip(), text=stripped)
    match = _LEAD.match(stripped)
    if match and len(match.group("lead").split()) <= 25:
        body = match.group("body").strip()
        fenced = _FENCE.match(body)
        if fenced:
            body = fenced.group(1).strip()
        if len(body) >= 2 and body[0] in "\"“'" and body[-1] in "\"”'":
            body = body[1:-1].strip()
        if len(body.split()) >= min_words and _reads_as_prose(body):
            return Payload(lead=match.group("lead").strip(), text=body)
    # A bare paste: several sentences of entry prose, no question, nobody speaking to the assistant.
    sentences = _rough_sentences(stripped)
    if len(stripped.split()) >= 35 and len(sentences) >= 3 and "?" not in stripped and not _SPEAKER.search(stripped) \
            and _reads_as_prose(stripped):
        return Payload(lead="", text=stripped)
    return None


def find_category(message: str, programmes: list[Programme]) -> tuple[str, str] | None:
    """A category named in a message by id or title, when a conversation has none yet."""
    lowered = f" {normalise(message)} "
    found = [
        (len(category.title), programme.id, category.id)
        for programme in programmes
        for category in programme.categories
        if re.search(rf"\b{re.escape(category.id)}\b", message.lower()) or f" {normalise(category.title)} " in lowered
    ]
    return max(found)[1:] if found else None
