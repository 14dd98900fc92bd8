"""Benchmark: review a ~2,000-word, five-criterion draft on this machine.

Reports cold start (new process to first review), warm median/p95 over repeated reviews, the time
to embed the same sentences alone (the floor set by the model), their ratio, and peak memory.
Run: python bench/review_bench.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_draft(words: int = 2000) -> str:
    """A realistic five-criterion entry assembled from the illustrative exemplars' paragraphs."""
    from assistant.knowledge import Knowledge

    knowledge = Knowledge.load(ROOT / "knowledge")
    programme = knowledge.packs.programme("hsj-awards-2025")
    category = programme.category("acute-innovation")
    by_criterion: dict[str, list[str]] = {c.id: [] for c in category.criteria}
    for exemplar in knowledge.exemplars:
        if exemplar.programme != programme.id:
            continue
        for paragraph in exemplar.paragraphs:
            by_criterion[paragraph.criterion].append(paragraph.text.strip())
    per_section = words // len(category.criteria)
    parts = []
    for criterion in category.criteria:
        body: list[str] = []
        for paragraph in by_criterion[criterion.id]:
            if sum(len(p.split()) for p in body) >= per_section:
                break
            body.append(paragraph)
        parts.append(f"## {criterion.title}\n\n" + "\n\n".join(body))
    return "\n\n".join(parts) + "\n"


def cold_start(draft_path: Path, data_dir: Path) -> float:
    code = (
        "import time, sys; t=time.perf_counter();"
        "from assistant.service import Assistant; from assistant.settings import Settings;"
        f"a=Assistant.from_settings(Settings(data_dir={str(data_dir)!r}));"
        f"a.review(open({str(draft_path)!r}).read(), 'acute-innovation');"
        "print(time.perf_counter()-t)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from assistant.sentences import count_words, split_sentences
    from assistant.service import Assistant
    from assistant.settings import Settings

    draft = build_draft()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        assistant = Assistant.from_settings(Settings(data_dir=data_dir))
        started = time.perf_counter()
        assistant.ingest_knowledge()
        ingest_s = time.perf_counter() - started
        draft_path = data_dir / "draft.md"
        draft_path.write_text(draft)
        assistant.review(draft, "acute-innovation")  # warm-up: model, detector, store
        # The detector as it was before real-text training (bank only, no context, no hard-case rules),
        # timed in the same process and interleaved, so the ratio is not skewed by machine load.
        before = Assistant.from_settings(Settings(
            data_dir=data_dir, detection={"real_text": False, "context": False, "hard_cases": False}
        ))
        before.review(draft, "acute-innovation")
        sentences = [s.text(draft) for s in split_sentences(draft)]
        review_times, before_times, embed_times = [], [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            review = assistant.review(draft, "acute-innovation")
            review_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            before.review(draft, "acute-innovation")
            before_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            assistant.embeddings.embed_array(sentences)
            embed_times.append(time.perf_counter() - t)
        cold = cold_start(draft_path, data_dir)
    review_median = statistics.median(review_times)
    embed_median = statistics.median(embed_times)
    figures = {
        "words": count_words(draft),
        "sentences": len(sentences),
        "criteria": len(review.criteria),
        "gaps": review.missing_count,
        "runs": args.runs,
        "review_median_s": round(review_median, 3),
        "review_p95_s": round(sorted(review_times)[int(0.95 * (len(review_times) - 1))], 3),
        "embed_only_median_s": round(embed_median, 3),
        "ratio_to_embedding": round(review_median / embed_median, 2),
        "before_review_median_s": round(statistics.median(before_times), 3),
        "ratio_to_before": round(review_median / statistics.median(before_times), 2),
        "cold_start_s": round(cold, 2),
        "first_ingest_s": round(ingest_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
