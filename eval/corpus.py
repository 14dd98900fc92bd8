"""Build the real-text corpus files from labelled collections (see docs/corpus.md).

    python -m eval.corpus build RAW.jsonl [RAW.jsonl ...] [--second SECOND.jsonl]

Each RAW file holds labelled records in the real-text format (``assistant.knowledge.RealText``).
The build:

1. drops every record ``overlap-check`` reports (the team's held-out set must stay unseen) and
   every repeated source excerpt;
2. splits by **source group** (a stable hash of ``group``), never by sentence, so the dev split
   measures transfer to organisations and programmes the detector has not seen;
3. writes the texts whose licence allows redistribution (OGL, CC BY, CC BY-SA, CC BY-NC) in full:
   the train split to ``knowledge/evidence/real/train.jsonl`` (the detector learns from it) and
   the dev split to ``eval/datasets/real/dev.jsonl``; texts with an ``unstated`` licence are not
   redistributed: ``eval/datasets/real/unstated.jsonl`` keeps their source, publisher, split, the
   text's sha256 and each sentence's offsets and labels, so anyone holding the page can rebuild
   the record;
4. writes ``ATTRIBUTION.md`` and, with ``--second``, Cohen's kappa per type between the first
   labels and an independent second labelling of a sample (same sentences, labelled blind); the
   second labels of the redistributable texts are kept in ``eval/datasets/real/second.jsonl``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError
from assistant.knowledge import RealText, read_real_texts
from assistant.settings import REPO_ROOT
from assistant.taxonomy import EVIDENCE_TYPES
from eval.metrics import label_agreement

SHIPPABLE = {"OGL-3.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-3.0", "CC-BY-NC-4.0", "CC-BY-NC-3.0"}
DEV_SHARE = 40  # percent of source groups held out for dev
TRAIN_FILE = REPO_ROOT / "knowledge" / "evidence" / "real" / "train.jsonl"
DEV_FILE = REPO_ROOT / "eval" / "datasets" / "real" / "dev.jsonl"
UNSTATED_FILE = REPO_ROOT / "eval" / "datasets" / "real" / "unstated.jsonl"
SECOND_FILE = REPO_ROOT / "eval" / "datasets" / "real" / "second.jsonl"
ATTRIBUTION_FILE = REPO_ROOT / "eval" / "datasets" / "real" / "ATTRIBUTION.md"
STORED_FILE = REPO_ROOT / "knowledge" / "evidence" / "real" / "unstated-features.npz"
OVERLAP_CHECK = REPO_ROOT.parent / "shared" / "tools" / "overlap-check"


def split_of(group: str) -> str:
    """dev or train, by a stable hash of the source group (the same group always lands together)."""
    return "dev" if int(hashlib.sha256(group.encode()).hexdigest(), 16) % 100 < DEV_SHARE else "train"


def overlapping(paths: list[Path]) -> set[str]:
    """Record ids overlap-check reports (exit 1 and 'id=...' lines) across the given files."""
    if not OVERLAP_CHECK.is_file():
        raise SystemExit(f"{OVERLAP_CHECK} not found: the corpus is built only beside ../shared.")
    result = subprocess.run([sys.executable, str(OVERLAP_CHECK), *map(str, paths)], capture_output=True, text=True)
    reported = set()
    for line in result.stdout.splitlines():
        if "id=" in line:
            reported.add(line.split("id=", 1)[1].split()[0].rstrip(":,"))
    return reported


def load(paths: list[Path]) -> list[RealText]:
    try:
        return read_real_texts(paths)
    except ConfigError as exc:
        raise SystemExit(exc.message) from exc


def unstated_entry(record: RealText, split: str) -> dict[str, Any]:
    return {
        "id": record.id, "source": record.source, "publisher": record.publisher, "licence": record.licence,
        "retrieved": record.retrieved, "kind": record.kind, "group": record.group, "title": record.title,
        "split": split, "text_sha256": hashlib.sha256(record.text.encode()).hexdigest(),
        "sentences": [{"start": s, "end": e, "labels": list(sentence.labels)}
                      for (s, e), sentence in zip(record.spans(), record.sentences, strict=True)],
    }


def write_stored_features(path: Path, records: list[RealText]) -> None:
    """The not-redistributed training texts as features only: embedding, rules, neighbours, labels.

    No text and no word n-grams leave the builder's machine; the detector trains on these rows as it
    does on the shipped texts (its word n-gram features are zero for them).
    """
    import numpy as np

    from assistant.backends.embeddings import build_embeddings
    from assistant.evidence.features import STORED_MODEL, real_blocks, rule_vector
    from assistant.evidence.rules import FEATURE_NAMES

    embeddings = build_embeddings(STORED_MODEL)
    rows = [(record, example) for record, block in zip(records, real_blocks(records, 1.0), strict=True)
            for example in block]
    vectors = embeddings.embed_array([example.text for _, example in rows]) if rows else np.zeros((0, 384))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        text_ids=np.asarray([record.id for record, _ in rows]),
        groups=np.asarray([record.group for record, _ in rows]),
        vectors=np.asarray(vectors, dtype=np.float16),
        rules=np.asarray([rule_vector(example.rules) for _, example in rows], dtype=np.float32),
        rule_names=np.asarray([*EVIDENCE_TYPES, *FEATURE_NAMES]),
        previous=np.asarray([-1 if e.context.previous is None else e.context.previous for _, e in rows], np.int32),
        following=np.asarray([-1 if e.context.following is None else e.context.following for _, e in rows],
                             np.int32),
        quoted=np.asarray([e.context.quoted for _, e in rows], dtype=bool),
        labels=np.asarray([[t in e.labels for t in EVIDENCE_TYPES] for _, e in rows], dtype=bool),
    )


def kappas(first: list[RealText], second: list[RealText]) -> dict[str, Any]:
    by_id = {r.id: r for r in first}
    pairs: list[tuple[set[str], set[str]]] = []
    texts = 0
    for record in second:
        gold = by_id.get(record.id)
        if gold is None or [s.text for s in gold.sentences] != [s.text for s in record.sentences]:
            continue
        texts += 1
        pairs.extend((set(a.labels), set(b.labels)) for a, b in zip(gold.sentences, record.sentences, strict=True))
    per_type, mean_kappa, exact = label_agreement(pairs, EVIDENCE_TYPES)
    return {
        "texts": texts, "sentences": len(pairs),
        "types": {t: {"kappa": None if k is None else round(k, 3), "positives": p} for t, (k, p) in per_type.items()},
        "mean": None if mean_kappa is None else round(mean_kappa, 3),
        "exact_match": None if exact is None else round(exact, 3),
    }


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _attribution(shipped: list[RealText]) -> str:
    lines = [
        "# Attribution: real texts shipped with Shortlist",
        "",
        "The excerpts in `eval/datasets/real/dev.jsonl` and `knowledge/evidence/real/train.jsonl` are quoted",
        "from the pages below under the licence each page states. Shortlist's own licence (MIT) does not",
        "cover them. OGL-3.0: contains public sector information licensed under the Open Government",
        "Licence v3.0. CC BY / CC BY-NC: the excerpts are unchanged except for whitespace; the labels",
        "are Shortlist's. Records marked CC-BY-NC may not be used commercially.",
        "",
        "| id | publisher | licence | source |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r.id} | {r.publisher} | {r.licence} | {r.source} |" for r in sorted(shipped, key=lambda r: r.id)]
    return "\n".join(lines) + "\n"


def build(paths: list[Path], second: Path | None, local_dev: Path | None = None) -> dict[str, Any]:
    records = load(paths)
    dropped = overlapping(paths)
    seen: set[str] = set()
    kept: list[RealText] = []
    for record in records:
        key = hashlib.sha256(record.text.encode()).hexdigest()
        if record.id in dropped or key in seen:
            continue
        seen.add(key)
        kept.append(record)
    shipped = [r for r in kept if r.licence in SHIPPABLE]
    train = [r for r in shipped if split_of(r.group) == "train"]
    dev = [r for r in shipped if split_of(r.group) == "dev"]
    _write_jsonl(TRAIN_FILE, [r.model_dump(mode="json") for r in train])
    _write_jsonl(DEV_FILE, [r.model_dump(mode="json") for r in dev])
    if local_dev is not None:  # every dev text, unstated ones included, for the builder's own measurement
        _write_jsonl(local_dev, [r.model_dump(mode="json") for r in kept if split_of(r.group) == "dev"])
    unstated = [r for r in kept if r.licence not in SHIPPABLE]
    _write_jsonl(UNSTATED_FILE, [unstated_entry(r, split_of(r.group)) for r in unstated])
    write_stored_features(STORED_FILE, [r for r in unstated if split_of(r.group) == "train"])
    ATTRIBUTION_FILE.write_text(_attribution(shipped), encoding="utf-8")
    summary: dict[str, Any] = {
        "collected": len(records), "overlap_dropped": sorted(dropped), "duplicates": len(records) - len(kept)
        - len(dropped & {r.id for r in records}),
        "texts": len(kept), "sentences": sum(len(r.sentences) for r in kept),
        "groups": len({r.group for r in kept}), "licences": dict(Counter(r.licence for r in kept)),
        "kinds": dict(Counter(r.kind for r in kept)),
        "train": {"texts": len(train), "sentences": sum(len(r.sentences) for r in train),
                  "groups": len({r.group for r in train})},
        "dev": {"texts": len(dev), "sentences": sum(len(r.sentences) for r in dev),
                "groups": len({r.group for r in dev})},
        "labels": dict(Counter(label for r in kept for s in r.sentences for label in s.labels)),
        "unlabelled_share": round(sum(not s.labels for r in kept for s in r.sentences)
                                  / max(1, sum(len(r.sentences) for r in kept)), 3),
    }
    if second is not None:
        relabelled = load([second])
        summary["agreement"] = kappas(kept, relabelled)
        _write_jsonl(SECOND_FILE, [r.model_dump(mode="json") for r in relabelled if r.licence in SHIPPABLE])
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.corpus", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    command = sub.add_parser("build", help="check overlap, split by source group, write the corpus files")
    command.add_argument("raw", nargs="+", type=Path, help="labelled JSONL files in the real-text format")
    command.add_argument("--second", type=Path, help="an independent second labelling of a sample, for kappa")
    command.add_argument("--local-dev", type=Path, help="also write every dev text (unstated ones included) here; "
                         "keep it outside the repository")
    args = parser.parse_args(argv)
    print(json.dumps(build(args.raw, args.second, args.local_dev), indent=2))


if __name__ == "__main__":
    main()
