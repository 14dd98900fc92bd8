"""Fine-tuning the bundled MiniLM on the message set, so messages that ask the same thing embed close.

A supervised contrastive loss (each message pulled toward the others with its intent, pushed from the
rest of its batch) over a few epochs; on two cores it takes one to two minutes for the shipped
set, once, and the weights are cached in the data directory keyed by what they were trained on. The
copy is the chat's own: the review's embeddings and the vector store keep the bundled weights.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

EPOCHS = 3
BATCH = 32
LEARNING_RATE = 3e-5
TEMPERATURE = 0.07


def steps(rows: int) -> int:
    return EPOCHS * ((rows + BATCH - 1) // BATCH)


def fine_tune(model: Any, texts: Sequence[str], labels: Sequence[str], *, seed: int = 0,
              progress: Callable[[int], None] | None = None) -> Any:
    """Fine-tune ``model`` (a SentenceTransformer) in place on (text, label) pairs and return it."""
    import torch

    torch.manual_seed(seed)
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    codes = {label: i for i, label in enumerate(sorted(set(labels)))}
    targets = torch.tensor([codes[label] for label in labels])
    order = list(range(len(texts)))
    rng = random.Random(seed)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            features = model.preprocess([texts[i] for i in batch])
            vectors = torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=1)
            same = (targets[batch][:, None] == targets[batch][None, :]).float()
            eye = torch.eye(len(batch))
            same = same - eye
            logits = vectors @ vectors.T / TEMPERATURE - 1e9 * eye
            log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
            positives = same.sum(dim=1)
            keep = positives > 0
            if keep.any():
                loss = (-(same * log_prob).sum(dim=1)[keep] / positives[keep]).mean()
                optimiser.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                optimiser.step()
            if progress is not None:
                progress(1)
    model.eval()
    return model


def encoder(model: Any) -> Callable[[list[str]], np.ndarray]:
    """Normalised embeddings from a fine-tuned model, as the bundled embeddings give them."""
    import torch

    def encode(texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with torch.no_grad():
            vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                                   show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    return encode
