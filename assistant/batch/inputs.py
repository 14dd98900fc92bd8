"""Read a batch: a folder (manifest.csv or per-file metadata), a CSV/XLSX export, or a ZIP of these.

Reading never parses documents (workers do that) and never stops at one bad entry: a missing,
oversized or unsafe file becomes an item with an ``error`` that the report shows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import yaml

from assistant.batch.archives import ArchiveFiles, read_zip
from assistant.batch.columns import ColumnMapping, ResolvedColumns
from assistant.batch.models import BatchItem
from assistant.documents import SUFFIXES
from assistant.errors import InvalidInput, NotFound
from assistant.packs import Programme
from assistant.settings import LimitSettings

MANIFEST = "manifest.csv"
TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_XLSX_UNCOMPRESSED = 200_000_000
_META_KEYS = ("id", "category", "organisation", "sector", "partners", "partner_sectors", "deadline")


class _Files:
    """Files of a folder or an archive by relative POSIX name; reading checks size and location."""

    def __init__(self, names: list[str], read: Callable[[str], bytes], refused: dict[str, str] | None = None) -> None:
        self.names = sorted(names)
        self._read = read
        self.refused = refused or {}

    def read(self, name: str) -> bytes:
        if name in self.refused:
            raise InvalidInput(f"{name}: {self.refused[name]}.")
        if name not in self.names:
            raise InvalidInput(f"{name}: no such file in the batch.")
        return self._read(name)


def _folder_files(root: Path, limits: LimitSettings) -> _Files:
    root = root.resolve()
    names = [str(p.relative_to(root).as_posix()) for p in root.rglob("*") if p.is_file() or p.is_symlink()]

    def read(name: str) -> bytes:
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            raise InvalidInput(f"{name}: it links outside the batch folder; it was not read.")
        size = path.stat().st_size
        if size > limits.max_upload_bytes:
            limit = limits.max_upload_bytes
            raise InvalidInput(f"{name}: the file is {size:,} bytes, more than the limit of {limit:,}.")
        return path.read_bytes()

    return _Files(names, read)


def _archive_files(archive: ArchiveFiles) -> _Files:
    return _Files(list(archive.files), archive.files.__getitem__, archive.refused)


def _relative(base: str, raw: str) -> str | None:
    path = PurePosixPath(raw.strip().replace("\\", "/"))
    if not raw.strip() or path.is_absolute() or ".." in path.parts:
        return None
    return str(PurePosixPath(base) / path) if base else str(path)


def _split(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(";") if part.strip()]


# -- tables ------------------------------------------------------------------------------------
def read_table(name: str, data: bytes, *, max_rows: int) -> tuple[list[str], list[dict[str, str]]]:
    """Headers and rows of a CSV or the first sheet of an XLSX; every value as text."""
    if name.lower().endswith(".xlsx"):
        rows = _xlsx_rows(name, data)
    else:
        rows = _csv_rows(name, data)
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InvalidInput(f"{name}: the table is empty; the first row must hold the column headers.")
    headers = [h.strip() for h in rows[0]]
    if len(rows) - 1 > max_rows:
        raise InvalidInput(f"{name}: {len(rows) - 1:,} rows, more than the limit of {max_rows:,} entries per batch.")
    records = []
    for row in rows[1:]:
        cells = row + [""] * (len(headers) - len(row))
        records.append({h: cells[i].strip() for i, h in enumerate(headers) if h})
    return headers, records


def _csv_rows(name: str, data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise InvalidInput(f"{name}: looks like a binary file, not CSV; export the sheet as CSV again.")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(max(csv.field_size_limit(), 10_000_000))
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise InvalidInput(f"{name}: not readable as CSV ({exc}).") from exc


def _xlsx_rows(name: str, data: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(i.file_size for i in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
            raise InvalidInput(f"{name}: the workbook expands to more than 200 MB; export fewer rows.")
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"{name}: not an .xlsx workbook (save it as .xlsx or CSV).") from exc
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except InvalidInput:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged workbooks
        raise InvalidInput(f"{name}: the workbook could not be read ({type(exc).__name__}); save it again.") from exc
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    return str(value)


def _table_items(
    name: str, data: bytes, *, programme: Programme, mapping: ColumnMapping, limits: LimitSettings
) -> list[BatchItem]:
    headers, rows = read_table(name, data, max_rows=limits.max_batch_entries)
    columns = ResolvedColumns(headers, mapping, programme)
    items: list[BatchItem] = []
    for number, row in enumerate(rows, start=2):
        meta = {key: row.get(header, "") for key, header in columns.meta.items()}
        category_ref = meta.get("category") or mapping.default_category or ""
        item = BatchItem(
            index=len(items), id=meta.get("id") or f"row-{number}", source=f"{Path(name).name} row {number}",
            category=category_ref, organisation=meta.get("organisation", ""), sector=meta.get("sector", ""),
            partners=_split(meta.get("partners")), partner_sectors=_split(meta.get("partner_sectors")),
            deadline=meta.get("deadline", ""),
        )
        try:
            category = programme.category(category_ref) if category_ref else None
        except NotFound:
            category = None
        if meta.get("text"):
            item.text = meta["text"]
        elif category is None:
            item.error = (
                f"the category '{category_ref}' is not in {programme.id}, so its answer columns are unknown"
                if category_ref else "the row names no category; add a category column or default_category"
            )
        else:
            answers = [
                f"## {category.criterion(cid).title}\n\n{row[header].strip()}\n"
                for cid, header in columns.answer_columns(category) if row.get(header, "").strip()
            ]
            if answers:
                item.text = "\n".join(answers)
            else:
                item.error = "no column answers a criterion of this category; map them with --columns"
        items.append(item)
    return items


# -- folders -----------------------------------------------------------------------------------
def _manifest_items(files: _Files, manifest: str, limits: LimitSettings) -> list[BatchItem]:
    base = str(PurePosixPath(manifest).parent) if "/" in manifest else ""
    headers, rows = read_table(manifest, files.read(manifest), max_rows=limits.max_batch_entries)
    keys = {h: h.strip().lower().replace(" ", "_") for h in headers}
    if not {"file", "category"} <= set(keys.values()):
        raise InvalidInput(
            f"{manifest}: the manifest needs the columns id, file and category (it has: {', '.join(headers)})."
        )
    items: list[BatchItem] = []
    for number, raw in enumerate(rows, start=2):
        row = {keys[h]: value for h, value in raw.items()}
        file_ref = row.get("file", "")
        item = BatchItem(
            index=len(items), id=row.get("id") or PurePosixPath(file_ref).stem or f"row-{number}",
            source=file_ref or f"{MANIFEST} row {number}", category=row.get("category", ""),
            organisation=row.get("organisation", ""), sector=row.get("sector", ""),
            partners=_split(row.get("partners")), partner_sectors=_split(row.get("partner_sectors")),
            deadline=row.get("deadline", ""), file_name=file_ref or None,
        )
        path = _relative(base, file_ref)
        if path is None:
            item.error = f"the manifest's file '{file_ref}' is not a path inside the batch folder"
        else:
            _attach(item, files, path)
        items.append(item)
    return items


def _attach(item: BatchItem, files: _Files, path: str) -> None:
    try:
        item.data = files.read(path)
    except InvalidInput as exc:
        item.error = exc.message
    except OSError as exc:
        item.error = f"{path}: could not be read ({exc.strerror or type(exc).__name__})."


def _sidecar_items(files: _Files) -> list[BatchItem]:
    documents = [n for n in files.names if PurePosixPath(n).suffix.lower() in SUFFIXES]
    items: list[BatchItem] = []
    for name in documents:
        stem = str(PurePosixPath(name).with_suffix(""))
        item = BatchItem(index=len(items), id=PurePosixPath(name).stem, source=name, category="", file_name=name)
        sidecar = next((c for c in (f"{name}.yaml", f"{stem}.yaml", f"{stem}.yml") if c in files.names), None)
        if sidecar is None:
            item.error = f"{name}: no manifest.csv and no metadata file ({PurePosixPath(stem).name}.yaml) beside it"
            items.append(item)
            continue
        try:
            meta = yaml.safe_load(files.read(sidecar).decode("utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not a mapping")
        except (InvalidInput, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
            item.error = f"{sidecar}: the metadata could not be read ({type(exc).__name__})"
            items.append(item)
            continue
        item.id = str(meta.get("id") or item.id)
        item.category = str(meta.get("category") or "")
        item.organisation = str(meta.get("organisation") or "")
        item.sector = str(meta.get("sector") or "")
        item.partners = _split(meta.get("partners"))
        item.partner_sectors = _split(meta.get("partner_sectors"))
        item.deadline = str(meta.get("deadline") or "")
        _attach(item, files, name)
        items.append(item)
    return items


def _from_files(
    files: _Files, *, programme: Programme, mapping: ColumnMapping, limits: LimitSettings
) -> list[BatchItem]:
    manifests = [n for n in files.names if PurePosixPath(n).name.lower() == MANIFEST]
    manifests.sort(key=lambda n: (n.count("/"), n))
    if manifests:
        return _manifest_items(files, manifests[0], limits)
    documents = [n for n in files.names if PurePosixPath(n).suffix.lower() in SUFFIXES]
    tables = [n for n in files.names if n.lower().endswith(TABLE_SUFFIXES)]
    if not documents and len(tables) == 1:
        return _table_items(tables[0], files.read(tables[0]), programme=programme, mapping=mapping, limits=limits)
    if not documents:
        raise InvalidInput("The batch holds no entries: add documents with a manifest.csv, or one CSV/XLSX export.")
    return _sidecar_items(files)


def load_upload(
    name: str, data: bytes, *, programme: Programme, mapping: ColumnMapping | None, limits: LimitSettings
) -> list[BatchItem]:
    """A batch from uploaded bytes: a ZIP, a CSV or an XLSX."""
    mapping = mapping or ColumnMapping()
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".zip":
        archive = read_zip(data, max_member_bytes=limits.max_upload_bytes)
        items = _from_files(_archive_files(archive), programme=programme, mapping=mapping, limits=limits)
    elif suffix in TABLE_SUFFIXES:
        items = _table_items(name, data, programme=programme, mapping=mapping, limits=limits)
    else:
        raise InvalidInput(f"{name}: a batch is a .zip of documents, a .csv or an .xlsx export.")
    return _finish(items, programme, limits)


def load_path(
    path: Path, *, programme: Programme, mapping: ColumnMapping | None, limits: LimitSettings
) -> list[BatchItem]:
    """A batch from a folder, a ZIP, a CSV or an XLSX on disk."""
    if not path.exists():
        raise NotFound(f"{path}: no such file or folder.")
    if path.is_dir():
        items = _from_files(_folder_files(path, limits), programme=programme, mapping=mapping or ColumnMapping(),
                            limits=limits)
        return _finish(items, programme, limits)
    return load_upload(path.name, path.read_bytes(), programme=programme, mapping=mapping, limits=limits)


def _finish(items: list[BatchItem], programme: Programme, limits: LimitSettings) -> list[BatchItem]:
    """Check the size, and tell each entry which other categories the same entry is in."""
    if len(items) > limits.max_batch_entries:
        limit = limits.max_batch_entries
        raise InvalidInput(f"The batch has {len(items):,} entries, more than the limit of {limit:,}.")

    def category_id(ref: str) -> str:
        try:
            return programme.category(ref).id
        except NotFound:
            return ref

    categories = [category_id(item.category) for item in items]
    keys: list[list[str]] = []
    groups: dict[str, set[int]] = defaultdict(set)
    for item in items:
        content = item.data if item.data is not None else (item.text or "").encode()
        item_keys = [f"id:{item.id}"] + ([f"content:{hashlib.sha256(content).hexdigest()}"] if content else [])
        keys.append(item_keys)
        for key in item_keys:
            groups[key].add(item.index)
    for item, item_keys in zip(items, keys, strict=True):
        others = {categories[i] for key in item_keys for i in groups[key]} - {categories[item.index], ""}
        item.other_categories = sorted(others)
    return items
