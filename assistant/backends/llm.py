"""Chat models behind LangChain's ``BaseChatModel``, picked by 'provider:name'.

'ollama:<model>' and 'openai:<model>' (any OpenAI-compatible endpoint via ``base_url``) go through
``init_chat_model``. 'fake:<name>' is a scripted fake from ``langchain_core``'s fakes: deterministic,
readable, and taking tools like a real model, so tests and demos run the production code path.
No provider package is imported and nothing connects until a model is built.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModelError, FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.settings import LLMSettings

PROVIDERS = ("fake", "ollama", "openai")


@dataclass(frozen=True)
class FakeScript:
    """What a 'fake:<name>' model says, turn after turn: messages in order, or an error."""

    responses: tuple[BaseMessage, ...] = ()
    sleep: float | None = None  # seconds before each reply, to exercise timeouts
    error: str | None = None  # raise this instead of replying, to exercise fallbacks


_SCRIPTS: dict[str, FakeScript] = {}
_SCRIPTS_LOCK = threading.Lock()


def register_fake(name: str, responses: Sequence[BaseMessage] = (), *, sleep: float | None = None,
                  error: str | None = None) -> None:
    """Make 'fake:<name>' a valid model id (tests script a conversation this way)."""
    with _SCRIPTS_LOCK:
        _SCRIPTS[name] = FakeScript(tuple(responses), sleep, error)


def tool_call(name: str, args: dict[str, Any] | None = None, *, call_id: str = "call_1") -> BaseMessage:
    """An assistant message asking for one tool, as a provider would send it."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args or {}, "id": call_id, "type": "tool_call"}])


def _builtin_script(name: str) -> FakeScript | None:
    if name == "grounded":
        return FakeScript((tool_call("review_draft"), AIMessage(
            content="I reviewed your draft criterion by criterion with Shortlist's tools; "
                    "ask about one criterion to see its quotes and gaps.")))
    if name == "error":
        return FakeScript(error="the fake model was asked to fail")
    return None


class ScriptedChatModel(FakeMessagesListChatModel):
    """langchain_core's list fake, plus tool binding so an agent can drive it, and scripted failure."""

    error: str | None = None

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        return self

    def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
        if self.error:
            raise FakeListChatModelError(self.error)
        return super()._generate(*args, **kwargs)


def _fake_model(name: str) -> BaseChatModel:
    with _SCRIPTS_LOCK:
        script = _SCRIPTS.get(name)
    script = script or _builtin_script(name)
    if script is None:
        known = ", ".join(sorted({*_SCRIPTS, "grounded", "error"}))
        raise ConfigError(f"LLM model 'fake:{name}' is not a known fake; use one of: {known}.")
    return ScriptedChatModel(responses=list(script.responses) or [AIMessage(content="")], sleep=script.sleep,
                             error=script.error)


def build_chat_model(settings: LLMSettings) -> BaseChatModel | None:
    """A new chat model for the settings, or None for 'none' (template answers)."""
    provider, _, name = settings.model.partition(":")
    if settings.model == "none":
        return None
    if provider not in PROVIDERS or not name:
        raise ConfigError(
            f"LLM model '{settings.model}': use 'none', 'fake:<name>', 'ollama:<model>' or 'openai:<model>'."
        )
    if provider == "fake":
        return _fake_model(name)
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise ConfigError("LLM mode needs LangChain: run 'pip install -e .'.") from exc
    kwargs: dict[str, Any] = {"temperature": settings.temperature}
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if provider == "ollama":
        kwargs["client_kwargs"] = {"timeout": settings.timeout_s}
        package = "langchain-ollama (pip install -e '.[ollama]')"
    else:
        kwargs["timeout"] = settings.timeout_s
        kwargs["max_retries"] = 0  # the engine falls back to templates instead of retrying
        if settings.api_key is not None:
            kwargs["api_key"] = settings.api_key.get_secret_value()
        elif settings.base_url:
            # Local OpenAI-compatible servers ignore the key, but the client refuses to start without one.
            kwargs["api_key"] = "not-needed"
        else:
            raise ConfigError("LLM model 'openai:…' needs SHORTLIST_LLM__API_KEY or SHORTLIST_LLM__BASE_URL.")
        package = "langchain-openai (pip install langchain-openai)"
    try:
        model: BaseChatModel = init_chat_model(f"{provider}:{name}", **kwargs)
        return model
    except ImportError as exc:
        raise ConfigError(f"LLM model '{settings.model}' needs {package}.") from exc
    except ValueError as exc:
        raise ConfigError(f"LLM model '{settings.model}': {exc}") from exc
