from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.errors import ConfigError, NotFound
from assistant.packs import PackLibrary, load_programme
from assistant.settings import REPO_ROOT

PROGRAMMES = REPO_ROOT / "knowledge" / "programmes"


@pytest.mark.parametrize("path", sorted(PROGRAMMES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_pack_validates(path: Path) -> None:
    programme = load_programme(path)
    assert programme.id == path.stem
    for category in programme.categories:
        assert category.criteria, category.id
        for criterion in category.criteria:
            assert criterion.questions and criterion.expects


def test_seed_programmes_and_all_kent_medway_categories_are_shipped() -> None:
    library = PackLibrary.from_dir(PROGRAMMES)
    ids = {p.id for p in library.programmes}
    assert {
        "hsj-partnership-2019",
        "hsj-awards-2024",
        "kent-medway-qsi-2020",
        "hsj-awards-2025",
        "hsj-value-2025",
    } <= ids
    assert len(library.programme("kent-medway-qsi-2020").categories) == 8
    value = library.programme("hsj-value-2025")
    assert [b.band for b in value.scoring][0] == "0" and value.scoring[-1].band == "6+"
    assert all(c.word_limit == 400 for cat in value.categories for c in cat.criteria)


def test_broken_pack_error_names_file_and_field(tmp_path: Path) -> None:
    raw = yaml.safe_load((PROGRAMMES / "hsj-awards-2024.yaml").read_text())
    raw["criteria"][1]["expects"] = ["metric", "testimonials"]
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError) as caught:
        load_programme(broken)
    message = caught.value.message
    assert str(broken) in message
    assert "criteria.1.expects.1" in message


def test_unknown_field_is_rejected_with_its_path(tmp_path: Path) -> None:
    raw = yaml.safe_load((PROGRAMMES / "hsj-awards-2024.yaml").read_text())
    raw["categories"][0]["eligibility"]["sector_rule"] = "x"
    broken = tmp_path / "extra.yaml"
    broken.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=r"categories\.0\.eligibility\.sector_rule"):
        load_programme(broken)


def test_overlapping_categories_are_symmetric_and_must_exist(tmp_path: Path) -> None:
    kent = load_programme(PROGRAMMES / "kent-medway-qsi-2020.yaml")
    assert kent.overlapping("patient-public-qi", "secondary-care-qi")
    assert kent.overlapping("secondary-care-qi", "patient-public-qi")
    assert not kent.overlapping("primary-care-qi", "secondary-care-qi")
    raw = yaml.safe_load((PROGRAMMES / "hsj-awards-2024.yaml").read_text())
    raw["categories"][0]["overlaps"] = ["no-such-category"]
    broken = tmp_path / "overlap.yaml"
    broken.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="no-such-category"):
        load_programme(broken)


def test_category_lookup_by_id_title_and_qualified_ref() -> None:
    library = PackLibrary.from_dir(PROGRAMMES)
    programme, category = library.find_category("hsj-awards-2024/performance-recovery")
    assert (programme.id, category.id) == ("hsj-awards-2024", "performance-recovery")
    assert library.find_category("Performance Recovery Award")[1].id == "performance-recovery"
    with pytest.raises(NotFound, match="packs list"):
        library.find_category("no-such-category")
