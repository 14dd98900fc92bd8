from __future__ import annotations

from assistant.eligibility import EntryInput
from assistant.eligibility.entrants import entrant_sector, infer_sector, primary_entrant, required_partners
from assistant.packs import EligibilityRules

TEXT = "Meridian Home Dialysis Ltd worked with Southcote Hospitals NHS Trust on home dialysis."
PUBLIC = EligibilityRules(primary_entrant_sectors=["nhs_provider", "public_sector", "third_sector"])
PARTNERED = EligibilityRules(primary_entrant_sectors=["private"], required_partner_sectors=["nhs_provider"])


def test_primary_entrant_fails_a_declared_private_lead_in_a_public_category() -> None:
    entry = EntryInput(organisation="Meridian Home Dialysis Ltd", sector="private", text=TEXT)
    result = primary_entrant(entry, PUBLIC, TEXT)
    assert result.status == "fail"
    assert "private" in result.reason
    assert result.quotes == ["Meridian Home Dialysis Ltd"]


def test_primary_entrant_needs_review_when_the_sector_is_unknown() -> None:
    entry = EntryInput(organisation="Riverside Partners", text=TEXT)
    assert primary_entrant(entry, PUBLIC, TEXT).status == "needs_review"


def test_a_sector_inferred_from_the_name_flags_but_never_fails() -> None:
    entry = EntryInput(organisation="Meridian Home Dialysis Ltd", text=TEXT)
    assert primary_entrant(entry, PUBLIC, TEXT).status == "needs_review"
    nhs = EntryInput(organisation="Southcote Hospitals NHS Trust", text=TEXT)
    result = primary_entrant(nhs, PUBLIC, TEXT)
    assert result.status == "pass"
    assert "inferred" in result.reason


def test_entrant_sector_checks_joint_entrants_against_the_allowed_sectors() -> None:
    rules = EligibilityRules(allowed_entrant_sectors=["nhs_provider"])
    entry = EntryInput(sector="nhs_provider", partners=["Acme Ltd"], partner_sectors=["private"], text=TEXT)
    assert entrant_sector(entry, rules, TEXT).status == "fail"
    assert entrant_sector(entry, EligibilityRules(), TEXT).status == "pass"


def test_required_partners_fails_without_any_partner_and_passes_with_a_declared_one() -> None:
    bare = EntryInput(sector="private", text=TEXT)
    assert required_partners(bare, PARTNERED, TEXT).status == "fail"
    partnered = EntryInput(
        sector="private", partners=["Southcote Hospitals NHS Trust"], partner_sectors=["nhs_provider"], text=TEXT
    )
    result = required_partners(partnered, PARTNERED, TEXT)
    assert result.status == "pass"
    assert result.quotes == ["Southcote Hospitals NHS Trust"]


def test_required_partners_fails_when_declared_partners_are_the_wrong_sector() -> None:
    entry = EntryInput(sector="private", partners=["Acme Ltd"], partner_sectors=["private"], text=TEXT)
    assert required_partners(entry, PARTNERED, TEXT).status == "fail"


def test_required_partners_needs_review_when_partner_sectors_are_missing_and_unclear() -> None:
    entry = EntryInput(sector="private", partners=["Riverside Partners"], text=TEXT)
    assert required_partners(entry, PARTNERED, TEXT).status == "needs_review"


def test_infer_sector_reads_common_organisation_names() -> None:
    assert infer_sector("Eastmoor NHS Foundation Trust") == "nhs_provider"
    assert infer_sector("Eastmoor Borough Council") == "local_authority"
    assert infer_sector("North Kent Integrated Care Board") == "integrated_care"
    assert infer_sector("Acme Analytics Ltd") == "private"
    assert infer_sector("University of Eastmoor") == "academic"
    assert infer_sector("Riverside Partners") is None
