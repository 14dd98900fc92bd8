"""The evidence taxonomy shared by packs, detection, review, eval and the web page."""

from __future__ import annotations

from typing import Literal, get_args

EvidenceType = Literal[
    "metric",
    "baseline",
    "testimonial",
    "patient_involvement",
    "staff_involvement",
    "spread",
    "value",
    "sustainability",
    "partnership",
    "unsupported_claim",
]

EVIDENCE_TYPES: tuple[EvidenceType, ...] = get_args(EvidenceType)

# Types a strong answer should carry; unsupported_claim is a weakness, never "expected".
POSITIVE_TYPES: tuple[EvidenceType, ...] = tuple(t for t in EVIDENCE_TYPES if t != "unsupported_claim")

LABELS: dict[EvidenceType, str] = {
    "metric": "Quantified result",
    "baseline": "Baseline or comparison",
    "testimonial": "Testimonial",
    "patient_involvement": "Patient and public involvement",
    "staff_involvement": "Staff involvement",
    "spread": "Spread beyond the team",
    "value": "Financial or resource value",
    "sustainability": "Sustainability",
    "partnership": "Named partnership",
    "unsupported_claim": "Unsupported claim",
}

DEFINITIONS: dict[EvidenceType, str] = {
    "metric": "states a quantified result, output or reach of the work",
    "baseline": "compares a figure with a baseline, earlier period, control group, target or benchmark",
    "testimonial": "carries the words or attributed feedback of patients, carers, staff or partners",
    "patient_involvement": "says patients, carers or the public helped design, shape, govern or evaluate the work",
    "staff_involvement": "says frontline staff or clinicians helped design, lead or shape the change",
    "spread": "says the work was adopted, replicated, scaled or shared beyond the original team or site",
    "value": "states financial or resource value: savings, cost avoidance, ROI, staff hours or bed days released",
    "sustainability": "says how the change is sustained: recurrent funding, business as usual, results sustained",
    "partnership": "names partner organisations and what they jointly did",
    "unsupported_claim": "claims an improvement with no figure or specific evidence",
}
