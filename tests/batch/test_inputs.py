"""Reading batches: folders with a manifest or sidecars, spreadsheets with column mappings, hostile ZIPs."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from assistant.batch import ColumnMapping, load_mapping, load_path, load_upload
from assistant.batch.archives import read_zip
from assistant.errors import ConfigError, InvalidInput
from assistant.packs import PackLibrary, Programme
from assistant.settings import REPO_ROOT, LimitSettings

LIMITS = LimitSettings()
ANSWER = "We cut waits from 19 weeks to 9 weeks between 2023 and 2025 across three clinics."


@pytest.fixture(scope="module")
def programme() -> Programme:
    return PackLibrary.from_dir(REPO_ROOT / "knowledge" / "programmes").programme("hsj-awards-2025")


def test_a_manifest_folder_reads_metadata_and_files_in_manifest_order(programme: Programme, tmp_path: Path) -> None:
    (tmp_path / "b.md").write_text("## Ambition\n\nSecond entry.\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("## Ambition\n\nFirst entry.\n")
    (tmp_path / "manifest.csv").write_text(
        "id,file,category,organisation,sector,partners,partner_sectors,deadline\n"
        "E2,b.md,acute-innovation,Eastmoor NHS Trust,NHS provider,Acme Ltd; Eastmoor Council,private;local_authority,\n"
        "E1,docs/a.md,Patient Safety Award,,,,,2025-05-01\n"
    )
    items = load_path(tmp_path, programme=programme, mapping=None, limits=LIMITS)
    assert [i.id for i in items] == ["E2", "E1"]
    assert items[0].partners == ["Acme Ltd", "Eastmoor Council"]
    assert items[0].partner_sectors == ["private", "local_authority"]
    assert items[1].data == b"## Ambition\n\nFirst entry.\n"
    assert items[1].deadline == "2025-05-01"
    assert all(i.error is None for i in items)


def test_manifest_rows_that_escape_the_folder_or_miss_a_file_become_entry_errors(
    programme: Programme, tmp_path: Path
) -> None:
    (tmp_path / "manifest.csv").write_text(
        "id,file,category\nX1,../secret.md,acute-innovation\nX2,/etc/passwd,acute-innovation\nX3,gone.md,acute-innovation\n"
    )
    (tmp_path.parent / "secret.md").write_text("secret")
    items = load_path(tmp_path, programme=programme, mapping=None, limits=LIMITS)
    assert [i.data for i in items] == [None, None, None]
    assert "not a path inside" in (items[0].error or "")
    assert "not a path inside" in (items[1].error or "")
    assert "no such file" in (items[2].error or "")


def test_a_symlink_out_of_the_folder_is_not_followed(programme: Programme, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("secret")
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "link.md").symlink_to(outside)
    (folder / "manifest.csv").write_text("id,file,category\nL1,link.md,acute-innovation\n")
    [item] = load_path(folder, programme=programme, mapping=None, limits=LIMITS)
    assert item.data is None
    assert "outside the batch folder" in (item.error or "")


def test_a_manifest_without_the_required_columns_is_refused(programme: Programme, tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("name,path\nA,a.md\n")
    with pytest.raises(InvalidInput, match="id, file and category"):
        load_path(tmp_path, programme=programme, mapping=None, limits=LIMITS)


def test_sidecar_metadata_stands_in_for_a_manifest(programme: Programme, tmp_path: Path) -> None:
    (tmp_path / "entry.md").write_text("## Ambition\n\nText.\n")
    (tmp_path / "entry.yaml").write_text("id: S1\ncategory: patient-safety\nsector: nhs_provider\npartners: [A Ltd]\n")
    (tmp_path / "orphan.md").write_text("No metadata.")
    items = load_path(tmp_path, programme=programme, mapping=None, limits=LIMITS)
    assert [(i.id, i.category, i.partners) for i in items] == [("S1", "patient-safety", ["A Ltd"]), ("orphan", "", [])]
    assert "no manifest.csv" in (items[1].error or "")


def test_the_same_entry_in_two_categories_knows_about_the_other(programme: Programme, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("## Ambition\n\nSame text.\n")
    (tmp_path / "copy.md").write_text("## Ambition\n\nSame text.\n")
    (tmp_path / "manifest.csv").write_text(
        "id,file,category\nA,a.md,acute-innovation\nA,a.md,patient-safety\nB,copy.md,Digitising Patient Care Award\n"
    )
    items = load_path(tmp_path, programme=programme, mapping=None, limits=LIMITS)
    assert items[0].other_categories == ["digitising-patient-care", "patient-safety"]
    assert items[2].other_categories == ["acute-innovation", "patient-safety"]


def test_a_csv_export_maps_answer_columns_to_criteria_by_their_headers(programme: Programme, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Entry ID,Organisation,Sector,Category,Ambition,Q2 Collaboration,Impact,Spread,Notes\n"
        f"R1,Eastmoor NHS Trust,nhs_provider,acute-innovation,\"{ANSWER}\",Worked with the council.,"
        f"Waits fell.,Two trusts adopted it.,internal\n"
    )
    [item] = load_path(path, programme=programme, mapping=None, limits=LIMITS)
    assert (item.id, item.organisation, item.sector) == ("R1", "Eastmoor NHS Trust", "nhs_provider")
    assert item.text is not None
    assert item.text.index("## Ambition") < item.text.index("## Collaboration") < item.text.index("## Scale")
    assert ANSWER in item.text
    assert "internal" not in item.text


def test_an_xlsx_export_uses_a_yaml_column_mapping(programme: Programme, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Ref", "Lead", "Award", "Q1", "Q3"])
    sheet.append(["X1", "Eastmoor NHS Trust", "Patient Safety Award", ANSWER, "Falls fell by 40% in 2024."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    mapping_file = tmp_path / "columns.yaml"
    mapping_file.write_text("id: Ref\norganisation: Lead\ncategory: Award\ncriteria:\n  ambition: Q1\n  impact: Q3\n")
    items = load_upload("export.xlsx", buffer.getvalue(), programme=programme, mapping=load_mapping(mapping_file),
                        limits=LIMITS)
    assert items[0].id == "X1"
    assert items[0].text == f"## Ambition\n\n{ANSWER}\n\n## Impact\n\nFalls fell by 40% in 2024.\n"


def test_a_column_mapping_naming_a_missing_column_is_a_config_error(programme: Programme, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,category,Ambition\nA,acute-innovation,text\n")
    with pytest.raises(ConfigError, match="organisation: 'Lead'"):
        load_path(path, programme=programme, mapping=ColumnMapping(organisation="Lead"), limits=LIMITS)
    bad = tmp_path / "bad.yaml"
    bad.write_text("identifier: Ref\n")
    with pytest.raises(ConfigError, match="identifier"):
        load_mapping(bad)


def _zip(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_a_zip_refuses_traversal_links_and_bombs_but_keeps_the_rest(programme: Programme) -> None:
    data = _zip(
        {
            "entries/manifest.csv": b"id,file,category\nA,a.md,acute-innovation\nB,bomb.md,acute-innovation\n"
                                    b"C,link.md,acute-innovation\n",
            "entries/a.md": b"## Ambition\n\nA real entry.\n",
            "entries/bomb.md": b"0" * 5_000_000,
            "../evil.md": b"escaped",
        },
        symlink="entries/link.md",
    )
    archive = read_zip(data, max_member_bytes=10_000_000)
    assert "../evil.md" in archive.refused
    assert "zip bomb" in archive.refused["entries/bomb.md"]
    assert "symbolic link" in archive.refused["entries/link.md"]
    items = load_upload("batch.zip", data, programme=programme, mapping=None, limits=LIMITS)
    assert [(i.id, i.error is None) for i in items] == [("A", True), ("B", False), ("C", False)]
    assert "zip bomb" in (items[1].error or "")


def test_a_member_larger_than_the_upload_limit_is_refused(programme: Programme) -> None:
    data = _zip({"manifest.csv": b"id,file,category\nA,a.md,acute-innovation\n", "a.md": b"x" * 2_000})
    archive = read_zip(data, max_member_bytes=1_000)
    assert "more than the limit" in archive.refused["a.md"]


def test_an_upload_that_is_not_a_batch_is_refused(programme: Programme) -> None:
    with pytest.raises(InvalidInput, match="not a readable ZIP"):
        load_upload("batch.zip", b"not a zip", programme=programme, mapping=None, limits=LIMITS)
    with pytest.raises(InvalidInput, match="a batch is"):
        load_upload("entry.docx", b"PK", programme=programme, mapping=None, limits=LIMITS)
