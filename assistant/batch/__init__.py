"""Organiser batch pre-check: read many entries, check each one's eligibility, report the flags."""

from assistant.batch.columns import ColumnMapping, load_mapping
from assistant.batch.inputs import load_path, load_upload
from assistant.batch.models import BatchItem, BatchReport, EntryReport
from assistant.batch.report import FORMATS, render, write_report
from assistant.batch.runner import BatchProgress, run_batch

__all__ = [
    "FORMATS",
    "BatchItem",
    "BatchProgress",
    "BatchReport",
    "ColumnMapping",
    "EntryReport",
    "load_mapping",
    "load_path",
    "load_upload",
    "render",
    "run_batch",
    "write_report",
]
