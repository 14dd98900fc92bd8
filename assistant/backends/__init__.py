"""The only package that imports chromadb, sentence-transformers, langchain-chroma or LLM SDKs."""

from assistant.backends.embeddings import FakeEmbeddings, MiniLMEmbeddings, VectorEmbeddings, build_embeddings

__all__ = ["FakeEmbeddings", "MiniLMEmbeddings", "VectorEmbeddings", "build_embeddings"]
