"""The one settings tree. Built only by ``get_settings()`` and by test fixtures."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class EmbeddingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        default="sentence-transformers:all-MiniLM-L6-v2",
        description="'sentence-transformers:all-MiniLM-L6-v2' (bundled, offline) or 'fake:<dim>' for tests",
    )
    batch_size: int = Field(default=16, ge=1, le=1024, description="Sentences per batch (small batches pad less)")
    verify_sha256: bool = Field(default=True, description="Check the bundled weights' sha256 at load")
    threads: int = Field(
        default=0, ge=0, le=64, description="CPU threads for the model; 0 lets torch decide (use 1 on a busy machine)"
    )


class StoreSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        default=None, description="Chroma server URL (http://host:port); None uses the embedded store on disk"
    )
    collection_prefix: str = Field(default="shortlist", pattern=r"^[a-zA-Z0-9_-]{1,40}$")


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        default="none",
        description="'none' (template answers), 'fake:<name>', 'ollama:<model>' or 'openai:<model>'",
    )
    base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")
    api_key: SecretStr | None = Field(default=None, description="Key for the OpenAI-compatible endpoint")
    timeout_s: float = Field(default=30.0, gt=0, le=600, description="Per-call timeout before falling back")
    temperature: float = Field(default=0.0, ge=0, le=2)


class DetectionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: bool = Field(default=True, description="Use the precise pattern rules")
    classifier: bool = Field(default=True, description="Use the embedding classifier trained on the evidence bank")
    real_text: bool = Field(
        default=True,
        description="Train on the real-text split too and use its calibrated per-type thresholds "
        "(false: the team-written bank alone, uncalibrated)",
    )
    context: bool = Field(
        default=True, description="Read each sentence with its neighbours (quotations that run on, nearby figures)"
    )
    hard_cases: bool = Field(default=True, description="Apply DESIGN.md's hard cases as rules that rule a type out")
    threshold: float = Field(
        default=0.7, ge=0, le=1,
        description="Confidence needed to report a type; 0.7 is each type's threshold calibrated on real text",
    )
    expected_threshold: float = Field(
        default=0.5, ge=0, le=1, description="Lower bar for evidence the criterion expects, when reviewing a section"
    )


class LimitSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_upload_bytes: int = Field(default=10_000_000, gt=0, description="Largest uploaded document")
    max_draft_chars: int = Field(default=200_000, gt=0, description="Longest draft text accepted")
    max_batch_entries: int = Field(default=5_000, gt=0, description="Most entries in one batch")
    max_batch_upload_bytes: int = Field(
        default=200_000_000, gt=0, description="Largest batch upload (a ZIP, CSV or XLSX) to POST /api/batches"
    )


class DatabaseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: SecretStr | None = Field(
        default=None,
        description="Where conversations and batches live: unset uses SQLite in the data dir; "
        "'postgresql://USER:PASSWORD@HOST:PORT/DB' lets several replicas share them",
    )
    pool_size: int = Field(
        default=5, ge=1, le=100, description="PostgreSQL connections per process (and as many overflow)"
    )


class AuthSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organiser_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated keys for the organiser endpoints (batches), sent as 'Authorization: Bearer "
        "<key>'; kept only as sha256 hashes. Unset: those endpoints are open, and serve refuses a non-loopback host",
    )

    def key_hashes(self) -> frozenset[str]:
        from assistant.tokens import digest

        raw = self.organiser_keys.get_secret_value() if self.organiser_keys else ""
        return frozenset(digest(key.strip()) for key in raw.split(",") if key.strip())


class ServerSettings(BaseModel):
    """What keeps one server process responsive under load; every bound here is per process."""

    model_config = ConfigDict(extra="forbid")

    max_concurrent_reviews: int = Field(
        default=2, ge=1, le=256, description="Reviews, detections, eligibility checks and chat answers run at once"
    )
    review_queue: int = Field(
        default=16, ge=0, le=10_000,
        description="Requests that may wait for a review slot; beyond it, 503 + Retry-After",
    )
    queue_timeout_s: float = Field(default=30.0, gt=0, le=600, description="Longest wait for a slot before 503")
    rate_per_minute: int = Field(
        default=60, ge=0, le=100_000, description="Heavy requests (reviews, chat messages, uploads) per client per "
        "minute, in bursts of up to 'rate_burst'; 0 turns rate limits off. Beyond it, 429 + Retry-After",
    )
    rate_burst: int = Field(default=20, ge=1, le=100_000, description="Heavy requests a client may send at once")
    rate_clients: int = Field(default=10_000, ge=1, le=10_000_000, description="Clients whose rate is remembered (LRU)")
    chat_reviews_cached: int = Field(default=32, ge=1, le=10_000, description="Reviews the chat keeps (LRU)")
    texts_cached: int = Field(
        default=1_024, ge=1, le=1_000_000,
        description="Texts whose AI-instruction screen and eligibility vectors are kept (LRU each)",
    )
    retention_days: float = Field(
        default=90, ge=0, description="Conversations untouched and finished batches older than this are deleted "
        "(checked hourly); 0 keeps everything",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHORTLIST_", env_nested_delimiter="__", extra="forbid")

    data_dir: Path = Field(default=Path("data"), description="Vector store, conversations and batches live here")
    knowledge_dir: Path = Field(default=REPO_ROOT / "knowledge", description="Packs, exemplars, guidance, evidence")
    prompts_dir: Path = Field(default=REPO_ROOT / "prompts", description="Jinja2 prompt and answer templates")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="WARNING")
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    chat_fine_tune: bool = Field(
        default=True,
        description="Fine-tune a copy of the embedding model on the chat's message set (once, cached in the data "
        "dir) to read what messages ask; false reads them with the bundled weights",
    )
    batch_workers: int = Field(default=2, ge=1, le=64, description="Processes used by 'shortlist check'")
    eligibility_review: Literal["screening", "full"] = Field(
        default="screening",
        description="How eligibility reads an entry: 'screening' runs the evidence classifier only on sentences "
        "that could show the category's required evidence; 'full' runs the entrant's whole review",
    )

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "shortlist.sqlite3"

    @property
    def database_url(self) -> str:
        """SHORTLIST_DATABASE__URL, or SQLite in the data dir."""
        if self.database.url is not None and self.database.url.get_secret_value().strip():
            return self.database.url.get_secret_value().strip()
        return f"sqlite:///{self.database_path}"

    def public_dump(self) -> dict[str, object]:
        """Settings for run headers and health checks: paths as strings, secrets masked."""
        dumped: dict[str, object] = self.model_dump(mode="json")
        llm = dumped["llm"]
        if isinstance(llm, dict) and llm.get("api_key"):
            llm["api_key"] = "***"
        database = dumped["database"]
        if isinstance(database, dict) and database.get("url"):
            from assistant.database import describe

            database["url"] = describe(self.database_url)
        auth = dumped["auth"]
        if isinstance(auth, dict):
            auth["organiser_keys"] = f"{len(self.auth.key_hashes())} configured"
        return dumped


def get_settings() -> Settings:
    return Settings()
