"""Check the chat message set, and calibrate the message classifier on its training part.

    python -m eval.messages check [--train FILE] [--test FILE] [--show N]
    python -m eval.messages calibrate [--train FILE]

``calibrate`` cross-validates the classifier on the training part only (5 folds, the encoder
fine-tuned again inside each, several minutes on two cores) and writes the follow-up weight and the
clarify threshold, with the figures that chose them, to knowledge/chat/calibration.json.

Validates every record (eval/datasets/messages/GUIDE.md), prints counts per intent in each part,
and embeds both parts with the bundled model to report each test message's nearest training
message: the median and largest cosine, and the closest pairs for a person to read. A test message
at 0.95 or more is reported as a near-copy and makes the check fail (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from assistant.chat.understanding import CALIBRATION_FILE, MESSAGES_FILE, calibrate, load_messages, training_digest
from assistant.errors import ShortlistError
from assistant.settings import REPO_ROOT

NEAR_COPY = 0.95
TEST_FILE = REPO_ROOT / "eval" / "datasets" / "messages" / "test.jsonl"
TRAIN_FILE = REPO_ROOT / "knowledge" / MESSAGES_FILE


def check(train_path: Path, test_path: Path, show: int) -> int:
    from assistant.backends.embeddings import build_embeddings
    from assistant.settings import get_settings

    train, test = load_messages(train_path), load_messages(test_path)
    for name, part in (("train", train), ("test", test)):
        counts = Counter(e.intents[0] for e in part)
        print(f"{name}: {len(part)} messages, {sum(len(e.intents) == 2 for e in part)} asking two things, "
              f"{sum(e.previous is not None for e in part)} follow-ups")
        print("  " + ", ".join(f"{intent} {n}" for intent, n in sorted(counts.items())))
    overlap = {e.message.strip().lower() for e in train} & {e.message.strip().lower() for e in test}
    settings = get_settings().embeddings
    embeddings = build_embeddings(settings.model, batch_size=settings.batch_size, verify=settings.verify_sha256,
                                  threads=settings.threads)
    train_vectors = embeddings.embed_array([e.message for e in train])
    test_vectors = embeddings.embed_array([e.message for e in test])
    similarity = test_vectors @ train_vectors.T
    nearest = similarity.argmax(axis=1)
    best = similarity.max(axis=1)
    print(f"nearest training message per test message: median cosine {np.median(best):.3f}, "
          f"90th percentile {np.percentile(best, 90):.3f}, largest {best.max():.3f}")
    for index in np.argsort(-best)[:show]:
        print(f"  {best[index]:.3f}  {test[index].id}: {test[index].message[:70]!r}")
        print(f"         {train[nearest[index]].id}: {train[nearest[index]].message[:70]!r}")
    copies = int((best >= NEAR_COPY).sum()) + len(overlap)
    if copies:
        print(f"{copies} test message(s) are near-copies of training messages (cosine >= {NEAR_COPY} or identical).")
        return 1
    print("no test message is a near-copy of a training message.")
    return 0


def run_calibration(train_path: Path) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.chat.understanding import calibration_steps
    from assistant.service import Assistant
    from assistant.settings import get_settings

    settings = get_settings()
    assistant = Assistant.from_settings(settings)
    examples = load_messages(train_path)
    embeddings = assistant.embeddings
    def trainable() -> object | None:
        return embeddings.trainable_copy() if settings.chat_fine_tune else None

    tuned = settings.chat_fine_tune and not embeddings.model_id.startswith("fake:")
    total = calibration_steps(examples, tuned=tuned)
    with Progress(TextColumn("calibrating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as progress:
        task = progress.add_task("calibrating", total=total)

        def advance(n: int = 1) -> None:
            progress.advance(task, n)

        calibration = calibrate(examples, embeddings.embed_array, trainable, digest=training_digest(train_path),
                                progress=advance)
    target = train_path.with_name(CALIBRATION_FILE.name)
    calibration.save(target)
    print(f"wrote {target}: threshold {calibration.threshold}, follow-up weight {calibration.follow_weight}")
    for name, value in calibration.figures.items():
        print(f"  {name}: {value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.messages", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("check", help="validate both parts and compare test with train")
    run.add_argument("--train", type=Path, default=TRAIN_FILE)
    run.add_argument("--test", type=Path, default=TEST_FILE)
    run.add_argument("--show", type=int, default=8, help="closest pairs to print")
    cal = sub.add_parser("calibrate", help="choose the clarify threshold and follow-up weight by cross-validation")
    cal.add_argument("--train", type=Path, default=TRAIN_FILE)
    args = parser.parse_args(argv)
    try:
        if args.command == "calibrate":
            return run_calibration(args.train)
        return check(args.train, args.test, args.show)
    except ShortlistError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
