"""Benchmark: are instructions aimed at AI assessors found, however phrased or hidden, and only those?

Builds each case of eval/datasets/ai_instructions.jsonl as a real file: planted instructions in
plain text, in .docx runs that are hidden (w:vanish), white or 1-pt, and in PDF text drawn
invisibly (render mode 3) or in white; clean entries mention AI legitimately. Each file is read as
an upload is (assistant.documents) and judged by the eligibility rule `ai_instructions`: the
patterns, the comparison by meaning with knowledge/screening/ai_instructions.yaml (real embedding
model) and the hidden-text check.
Reports recall per hiding mode, whether hidden text was named as hidden, and the false-flag rate.
Run: python bench/instructions_bench.py [--json]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

BODY = (
    "Falls with harm on our three care of the elderly wards fell from 14 to 5 a month between April and "
    "December 2024. Ward nurses redesigned the bedside checks in four workshops with patients' families."
)
DATASET = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "ai_instructions.jsonl"


def build(case: dict[str, str]) -> tuple[str, bytes]:
    from eval.hidden_files import DOCX_MODES, docx_hiding, pdf_hiding

    hide = case["hide"]
    extra = case.get("instruction") or case.get("text", "")
    if hide == "visible":
        return "entry.md", f"{BODY} {extra}\n".encode()
    if hide in DOCX_MODES:
        return "entry.docx", docx_hiding(BODY, extra, hide)
    return "entry.pdf", pdf_hiding([BODY[:90], BODY[90:]], extra, hide)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from assistant.backends.embeddings import build_embeddings
    from assistant.documents import read_document
    from assistant.eligibility.engine import ai_instructions_rule
    from assistant.instructions import EXAMPLES_FILE, InstructionScreen, load_examples
    from assistant.settings import Settings

    embeddings = build_embeddings(Settings().embeddings.model)
    screen = InstructionScreen(embeddings.embed_array, load_examples(Settings().knowledge_dir / EXAMPLES_FILE))

    cases = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_mode: dict[str, list[bool]] = defaultdict(list)
    named: list[bool] = []
    clean_flags: list[str] = []
    missed: list[str] = []
    for case in cases:
        name, data = build(case)
        document = read_document(name, data, max_bytes=10_000_000, max_chars=200_000)
        result = ai_instructions_rule(document.text, document.hidden, by_meaning=screen.find(document.text))
        flagged = result.status != "pass"
        if "instruction" in case:
            by_mode[case["hide"]].append(flagged)
            if not flagged:
                missed.append(case["id"])
            if case["hide"] != "visible":
                named.append("hidden in the file" in result.reason)
        elif flagged:
            clean_flags.append(case["id"])
    planted = [hit for hits in by_mode.values() for hit in hits]
    # The wording alone: every planted instruction as visible text (keyword stuffing is only caught hidden).
    worded = [ai_instructions_rule(f"{BODY} {c['instruction']}").status != "pass" for c in cases if "instruction" in c]
    meaning = [bool(screen.find(f"{BODY} {c['instruction']}")) for c in cases if "instruction" in c]
    meaning_false = [c["id"] for c in cases if "text" in c and screen.find(f"{BODY} {c['text']}")]
    clean = sum("instruction" not in c for c in cases)
    figures = {
        "planted": len(planted),
        "clean": clean,
        "recall": round(sum(planted) / len(planted), 3),
        "recall_by_mode": {mode: f"{sum(h)}/{len(h)}" for mode, h in sorted(by_mode.items())},
        "wording_recall_if_visible": f"{sum(worded)}/{len(worded)}",
        "meaning_alone_recall_if_visible": f"{sum(meaning)}/{len(meaning)}",
        "meaning_alone_false_flags": meaning_false,
        "meaning_threshold": round(screen.threshold, 3),
        "hidden_named_as_hidden": f"{sum(named)}/{len(named)}",
        "false_flag_rate": round(len(clean_flags) / clean, 3),
        "missed": missed,
        "false_flags": clean_flags,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
