"""DESIGN.md's hard cases, as rules that rule a type out of a sentence (and only those sentences)."""

from __future__ import annotations

import pytest

from assistant.evidence.hardcases import ruled_out


@pytest.mark.parametrize(
    ("sentence", "evidence_type"),
    [
        ("The service launched in September 2022.", "metric"),
        ("Workshops ran over six months.", "metric"),
        ("A team of 4 nurses runs the clinic.", "metric"),
        ("We received a grant of £30,000 from the charity.", "metric"),
        ("Patients aged 75 and over are eligible.", "metric"),
        ("We are now collecting data on readmissions and will report in the spring.", "metric"),
        ("Patients were informed by letter and posters in the waiting room.", "patient_involvement"),
        ("Families were kept informed through the newsletter.", "patient_involvement"),
        ("It runs only at the one hospital where it was developed.", "spread"),
        ("The model will be rolled out to three more wards next year.", "spread"),
        ("Several trusts have expressed an interest in the model.", "spread"),
        ("Waiting times fell to 6 weeks.", "baseline"),
        ("Falls with harm fell by 26%.", "baseline"),
        ("The director signed off the business case.", "partnership"),
        ("We worked with national organisations to share the learning.", "partnership"),
        ("The team developed the tool.", "staff_involvement"),
        ("All ward staff were trained in the new process.", "staff_involvement"),
        ('Judges called it "a beacon for the region".', "testimonial"),
    ],
)
def test_hard_case_rules_the_type_out(sentence: str, evidence_type: str) -> None:
    reasons = ruled_out(sentence)
    assert evidence_type in reasons, f"{evidence_type} should be ruled out of: {sentence}"
    assert reasons[evidence_type]  # a reason a person can read


@pytest.mark.parametrize(
    ("sentence", "evidence_type"),
    [
        ("The clinic has seen 2,050 patients since it opened in 2021.", "metric"),
        ("Length of stay fell by 1.3 days over 12 months.", "metric"),
        ("The service saved £212,000 a year.", "metric"),
        ("Readmissions halved.", "metric"),
        ("The partnership estimates avoided treatment costs of £450,000 over two years.", "metric"),
        ("Building the rules cost £41,000, so the project repaid its cost within two months of go-live.", "metric"),
        ("Fenwick Hospitals NHS Trust adopted our admission criteria for its own virtual ward in May 2024.", "spread"),
        ("Parents from the unit co-designed the discharge booklet with us.", "patient_involvement"),
        ("Two carers sit on the programme board.", "patient_involvement"),
        ("Both neighbouring trusts now use the checklist.", "spread"),
        ("The approach has been adopted by two trusts and could be used nationally.", "spread"),
        ("Waiting times fell from 14 weeks to 6 weeks.", "baseline"),
        ("Our 2022 audit found only 41% of charts complete.", "baseline"),
        ("We beat the 90% target every month.", "baseline"),
        ("Kent County Council and the PCN jointly staff the hub.", "partnership"),
        ("Ward nurses redesigned the handover in three workshops.", "staff_involvement"),
        ("“I knew who to ring,” said one carer.", "testimonial"),
    ],
)
def test_hard_case_rules_leave_real_evidence_alone(sentence: str, evidence_type: str) -> None:
    assert evidence_type not in ruled_out(sentence)
