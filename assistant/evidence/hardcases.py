"""The hard cases DESIGN.md decides, as explicit rules that rule a type out of a sentence.

The classifier learns from examples; these rules hold whatever it learned. Each returns the reason
a type cannot apply, so a reviewer (and a test) can see why evidence was not reported:

- a launch date, duration, team size, age or grant amount is not a quantified result (metric);
- a measurement plan ("we are now collecting data") is not a result (metric);
- informing patients, or patients receiving care, is not patient involvement;
- a named group of frontline staff must shape the work for staff involvement ("the team
  developed the tool" is not), and staff receiving training is not;
- future tense, plans, interest and "only at the one site" are not spread;
- a single figure with no reference point is not a baseline;
- internal roles and unnamed partners are not a partnership;
- judges' comments are not testimonials.
"""

from __future__ import annotations

import re

from assistant.evidence.rules import (
    BASELINE,
    COUNT_UNIT,
    DATE_WORDS,
    FRACTION_WORDS,
    FRONTLINE,
    JUDGES,
    NOT_RESULT_NUMBER,
    NUMBER,
    ORGANISATION,
    PATIENTS,
    PERCENT,
    VAGUE_PARTNER,
    VALUE,
    WORD_NUMBER,
    YEAR,
    has_result_number,
)
from assistant.taxonomy import EvidenceType


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_UNIT = r"(?:days?|weeks?|months?|years?|quarters?|hours?)"
DURATION = _rx(
    rf"\b(?:over|for|during|within|across|in|after|since|throughout|lasting|of)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+|"
    rf"our\s+|just\s+|around\s+|about\s+|nearly\s+|almost\s+)?(?:first\s+|past\s+|last\s+|next\s+|following\s+|initial\s+)?"
    rf"(?:{NUMBER}|{WORD_NUMBER})[- ]{_UNIT}\b|\b(?:{NUMBER}|{WORD_NUMBER})[- ](?:day|week|month|year)[- ](?:long\s+)?"
    r"(?:pilot|project|programme|period|trial|contract|placement|test|phase|course|plan|rotation|fellowship)\b|"
    rf"\b(?:{NUMBER}|{WORD_NUMBER})[- ]{_UNIT}\s+(?:ago|later|after|before|into)\b"
)
_DATE = _rx(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\b(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?(?:\s+(?:19|20)\d{2})?|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)
MEASUREMENT_PLAN = _rx(
    r"\b(?:we are (?:now |currently |still )?(?:collecting|gathering|measuring|monitoring|tracking|auditing|evaluating)|"
    r"(?:will|plans? to|intends? to|going to|aims? to|we hope to) (?:collect|gather|measure|monitor|track|audit|evaluate|"
    r"report|analyse|analyze|assess|review)|data (?:collection )?(?:is|are) (?:now |still )?being (?:collected|gathered|analysed)|"
    r"(?:data collection|evaluation|the audit|an audit|analysis) (?:is|are) (?:now |currently )?(?:under ?way|ongoing|"
    r"planned|due|in progress)|results? (?:are|is) (?:not yet available|awaited|expected|due|pending)|"
    r"too early to (?:say|tell|measure)|will be (?:measured|evaluated|audited|monitored|reported))\b"
)

INFORMED = _rx(
    r"\b(?:informed|notified|made aware|kept (?:up to date|updated|in the loop)|told about|sent (?:a |an )?(?:letters?|"
    r"texts?|leaflets?|reminders?|invitations?|information)|(?:by|via|through) (?:a )?(?:letters?|post|texts?|sms|e-?mails?|"
    r"posters?|leaflets?|newsletters?|the website|social media)|posters?|leaflets?|information packs?|"
    r"(?:received|were (?:given|offered|sent|seen|treated|referred|contacted|invited to attend|signposted)))\b"
)
PATIENT_SHAPING = _rx(
    r"\b(?:co-?design\w*|co-?produc\w*|co-?creat\w*|co-?develop\w*|co-?deliver\w*|co-?led|co-?lead\w*|helped (?:to )?"
    r"(?:design|develop|shape|write|choose|create|test|plan|evaluate|decide)|shap\w+|workshops?|focus groups?|panels?|"
    r"steering group|board|advis\w+|tested|user[- ]test\w*|evaluat\w+|chose|decided|designed|redesigned|wrote|"
    r"written by|led by|lived experience|experts? by experience|representatives?|partners|members? of|sat on|sit on|"
    r"their (?:feedback|views|ideas|suggestions|input) (?:shaped|led|informed|changed)|(?:in response to|following|based on) "
    r"(?:their|patient|carer|family) (?:feedback|views|suggestions))\b"
)

STAFF_GROUP = _rx(
    r"\b(?:colleagues|workforce|team members|practitioners|employees|people who work|those who deliver|front-?line)\b"
)
STAFF_RECEIVING = _rx(
    r"\b(?:staff|nurses|colleagues|clinicians|doctors|teams?)\b.{0,40}?\b(?:were|was|have been|has been|had been|are|is)"
    r"\s+(?:\w+\s+)?(?:trained|given|provided|offered|sent|reminded|told|informed|asked to (?:complete|attend)|"
    r"supported|upskilled|educated|briefed|equipped)\b"
)
STAFF_SHAPING = _rx(
    r"\b(?:co-?design\w*|co-?produc\w*|design\w*|redesign\w*|shap\w+|led|lead(?:s|ing)?|devis\w+|came up with|"
    r"suggest\w*|propos\w*|wrote|drafted|chose|ideas?|input|owned|champion\w*|drove|built|created|tested|trialled|"
    r"piloted|mapp\w+|workshops?|pdsa|involv\w+|engag\w+|consult\w+|decid\w+|agreed|developed|voted|asked for)\b"
)

PAST_SPREAD = _rx(
    r"\b(?:has|have|had|was|were|is now|are now|been)\s+(?:now\s+|since\s+|also\s+|already\s+|successfully\s+|subsequently\s+)?"
    r"(?:been\s+)?(?:adopted|rolled|replicated|implemented|introduced|extended|expanded|spread|scaled|shared|presented|"
    r"published|taken up|used|commissioned|launched)\b|\bnow (?:used|in use|live|running|operating|offered|available)"
    r" (?:in|by|across|at|to)\b|(?<!be )(?<!to )\b(?:adopted|replicated|presented|published|downloaded|rolled out|spread)"
    r" (?:by|at|in|to|across|into|the)\b"
)
SPREAD_HOPE = _rx(
    r"\b(?:will|would|shall|could|might|(?<!in )(?<!\d )may(?! (?:19|20)\d\d)|plan(?:s|ned|ning)? to|intend\w* to|hope\w* to|aim(?:s|ing)? to|going to|"
    r"next (?:year|step|steps|phase)|in the future|potential(?:ly)? to|looking to|keen to|ambition (?:is|to)|want to|"
    r"wish to|expressed (?:an )?interest|interested in|asked (?:about|for)|enquir\w+|in discussions?)\b"
)
ONE_SITE = _rx(
    r"\b(?:only (?:at|in|on|within|for) (?:the |one |a single |this |our |its )|(?:one|single|same) (?:hospital|site|ward|"
    r"practice|trust|unit|team)\b.{0,30}\b(?:where|in which|that)\b.{0,30}\b(?:developed|started|began|piloted|created)|"
    r"not yet (?:been )?(?:spread|adopted|rolled out|used elsewhere|replicated)|(?:has|have) not (?:yet )?been "
    r"(?:adopted|spread|rolled out|replicated))"
)

REFERENCE_POINT = _rx(
    r"\b(?:aim(?:ed|s|ing)?|target\w*|goal|ambition|audit\w*|at the start|at baseline|starting point|previous\w*|"
    r"prior|before|historic\w*|used to|was only|were only|had been|originally|initially|last year|in the past|"
    r"(?:higher|lower|better|worse|faster|slower|greater|fewer|less|more likely|less likely|longer|shorter) than|"
    r"twice as|(?:three|four|five|\d+) times (?:as|more|higher|lower)|above|below|national|regional|average|"
    r"compared|versus|vs\.?|against|benchmark\w*|standard|ranked|ranking|highest|lowest|best|worst|record)\b"
)

INTERNAL_ONLY = _rx(
    r"\b(?:director|board|chief executive|executive team|chief nurse|senior leadership|leadership team|management team|"
    r"department|directorate|division|finance team|it team|estates|procurement team|governance team|colleagues|our team)\b"
)
NAMED_PARTNER = re.compile(
    r"\b(?:with|alongside|by|between|partners?(?:hip)?|and|from|including)\s+(?:the\s+|local\s+)?"
    r"(?:[A-Z][\w'&.-]+(?:\s+(?:of|and|for|&)?\s*[A-Z][\w'&.-]+)*)|\b[A-Z]{2,6}s?\b"
)


MONEY_SAVED = _rx(
    r"\b(?:sav(?:ed|es|ing|ings)|avoid\w*|releas\w*|freed|reduc\w*|cut|lower\w*)\b[^.;]{0,40}(?:£|\$|€)\s?\d|"
    r"(?:£|\$|€)\s?[\d,.]+\s?(?:k|m|bn|million|billion)?\s+(?:a year\s+|per year\s+|annually\s+)?"
    r"(?:saved|saving|savings|avoided|released|less)\b"
)
PAYBACK = _rx(r"\b(?:repaid|paid (?:for )?(?:itself|back)|pays for itself|payback|return on)\b")
GRANT_AMOUNT = _rx(
    rf"\b(?:grant|funding|bid|award|investment|budget|allocation|donation|cost|costs|costing|worth)\s+(?:of\s+|was\s+|is\s+)?"
    rf"(?:around\s+|about\s+|over\s+|nearly\s+)?(?:£|\$|€)\s?{NUMBER}\s?(?:k|m|bn|million|billion|thousand)?|"
    rf"\b(?:received|secured|awarded|won|granted|allocated|invested|raised|given|funded with|bid for)\s+(?:a |an |the )?"
    rf"(?:\w+\s+){{0,3}}?(?:£|\$|€)\s?{NUMBER}\s?(?:k|m|bn|million|billion|thousand)?"
)


def _figures(sentence: str) -> list[str]:
    """The numbers of a sentence that are not years, dates, ages or sizes."""
    cleaned = NOT_RESULT_NUMBER.sub(" ", _DATE.sub(" ", YEAR.sub(" ", sentence)))
    return re.findall(rf"{NUMBER}|\b{WORD_NUMBER}\b|halved|doubled|tripled", cleaned, re.IGNORECASE)


def not_a_metric(sentence: str) -> str | None:
    if VALUE.search(sentence) or PAYBACK.search(sentence) or MONEY_SAVED.search(sentence):
        return None  # money saved or avoided, or a payback period, is a result (DESIGN.md: value)
    if MEASUREMENT_PLAN.search(sentence) and not (PERCENT.search(sentence) or FRACTION_WORDS.search(sentence)):
        return "a measurement plan, not a result"
    has_figure = bool(re.search(r"\d", sentence) or re.search(rf"\b{WORD_NUMBER}\b", sentence, re.IGNORECASE))
    if not has_figure:
        return None
    cleaned = GRANT_AMOUNT.sub(" grant ", DURATION.sub(" ", _DATE.sub(" ", sentence)))
    if not has_result_number(cleaned) and not COUNT_UNIT.search(NOT_RESULT_NUMBER.sub(" ", YEAR.sub(" ", cleaned))):
        if DATE_WORDS.search(sentence) or YEAR.search(sentence) or DURATION.search(sentence):
            return "its figures are dates or durations, not results"
        if NOT_RESULT_NUMBER.search(sentence) or GRANT_AMOUNT.search(sentence):
            return "its figures are ages, team sizes or grant amounts, not results"
    return None


def not_patient_involvement(sentence: str) -> str | None:
    if PATIENTS.search(sentence) and INFORMED.search(sentence) and not PATIENT_SHAPING.search(sentence):
        return "patients were informed or received care; nothing says they shaped the work"
    return None


def not_staff_involvement(sentence: str) -> str | None:
    if not (FRONTLINE.search(sentence) or STAFF_GROUP.search(sentence)):
        return "no frontline staff group is named as shaping the work"
    if STAFF_RECEIVING.search(sentence) and not STAFF_SHAPING.search(STAFF_RECEIVING.sub(" ", sentence)):
        return "staff received something; nothing says they shaped the change"
    return None


def not_spread(sentence: str) -> str | None:
    if ONE_SITE.search(sentence) and not PAST_SPREAD.search(ONE_SITE.sub(" ", sentence)):
        return "the work runs only where it started"
    if SPREAD_HOPE.search(sentence) and not PAST_SPREAD.search(sentence):
        return "spread is planned, hoped for or asked about, not done"
    return None


def not_a_baseline(sentence: str) -> str | None:
    if BASELINE.search(sentence) or REFERENCE_POINT.search(sentence):
        return None
    figures = _figures(sentence)
    years = set(YEAR.findall(sentence))
    if len(figures) <= 1 and len(years) <= 1:
        return "a single figure with no reference point"
    return None


# "used to" is a reference point only before a measure: "reports used to take 11 days", not "tests that
# used to be sent away".
_USED_TO = r"used to (?:take|wait|last|be seen within|see|reach|average)"


def _narrowed(pattern: re.Pattern[str], pieces: dict[str, str]) -> re.Pattern[str]:
    """``pattern`` with some of its alternatives made stricter; a piece it no longer holds is an error, so an
    edit to the shared pattern cannot silently undo the narrowing."""
    source = pattern.pattern
    for loose, strict in pieces.items():
        if loose not in source:
            raise ValueError(f"{loose!r} is no longer in the pattern it narrows")
        source = source.replace(loose, strict)
    return _rx(source)


# A comparison stated in the sentence itself: "from X to Y", a target, an earlier period, a benchmark, an
# aim or audit. Narrower than REFERENCE_POINT and BASELINE: "before midday", "the average time" and "used to
# be sent away" compare nothing.
_COMPARISON = _narrowed(REFERENCE_POINT, {
    r"before|": r"before (?:the|this|our|its|their|we|it|introduc\w*|launch\w*|go-?live|implementation|"
    r"the (?:project|pilot|change|service))|",
    r"used to|": _USED_TO + "|",
    r"|average|": r"|(?:national|regional|england|peer|system|uk|local|above|below|than) average|",
})
_COMPARED = _narrowed(BASELINE, {r"|used to|": "|" + _USED_TO + "|"})


def lone_result_not_a_baseline(sentence: str) -> str | None:
    """Where the judges ask for results, a figure with no comparison in its sentence is the result itself.

    LABELLING.md §4.2: "fell to 5.1%" with no reference point in the same sentence is metric only. A
    review applies this in criteria that expect results; elsewhere a lone figure may describe the
    starting point, which is a baseline.
    """
    if _COMPARED.search(sentence) or _COMPARISON.search(sentence):
        return None
    return "a result with no reference point in its sentence"


def not_a_partnership(sentence: str) -> str | None:
    organisations = ORGANISATION.search(sentence)
    if VAGUE_PARTNER.search(sentence) and not organisations:
        return "the partners are not identified"
    if not organisations and not NAMED_PARTNER.search(sentence):
        if INTERNAL_ONLY.search(sentence):
            return "only internal roles or departments are named"
        return "no partner organisation is named"
    return None


def not_a_testimonial(sentence: str) -> str | None:
    if JUDGES.search(sentence):
        return "judges' comments are not testimonials"
    return None


CHECKS = {
    "metric": not_a_metric,
    "patient_involvement": not_patient_involvement,
    "staff_involvement": not_staff_involvement,
    "spread": not_spread,
    "baseline": not_a_baseline,
    "partnership": not_a_partnership,
    "testimonial": not_a_testimonial,
}


def ruled_out(sentence: str) -> dict[EvidenceType, str]:
    """Types this sentence cannot carry, each with the reason (DESIGN.md's hard cases)."""
    reasons: dict[EvidenceType, str] = {}
    for evidence_type, check in CHECKS.items():
        reason = check(sentence)
        if reason:
            reasons[evidence_type] = reason  # type: ignore[index]
    return reasons
