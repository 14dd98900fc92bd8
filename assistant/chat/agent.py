"""LLM mode: a LangChain tool-calling agent over the review's own tools, its answer grounded.

The draft goes in as delimited data with an instruction that it is never instructions. The agent's
final answer passes the grounding guard; any model error, timeout or ungroundable answer raises
BackendUnavailable, and the engine falls back to the template answer with a notice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.chat.compose import Answer, TurnContext
from assistant.chat.guard import guard
from assistant.chat.ledger import Ledger, build_tools
from assistant.chat.models import Turn
from assistant.chat.prompts import PromptLibrary
from assistant.chat.tools import ChatTools
from assistant.errors import BackendUnavailable, ConfigError
from assistant.taxonomy import DEFINITIONS, LABELS, POSITIVE_TYPES

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

    from assistant.settings import LLMSettings

log = logging.getLogger(__name__)
HISTORY_TURNS = 6  # earlier turns given to the model; enough for follow-ups, small enough to stay fast
CALLS_PER_TURN = 3  # a turn's time budget, in model calls: ask for tools, maybe again, then answer


class Agent:
    def __init__(
        self, *, model: Callable[[], BaseChatModel], model_id: str, prompts: PromptLibrary, tools: ChatTools,
        timeout_s: float, max_steps: int = 6,
    ) -> None:
        self._model = model
        self.model_id = model_id
        self.prompts = prompts
        self.tools = tools
        self.timeout_s = timeout_s
        self.max_steps = max_steps

    @classmethod
    def from_settings(cls, settings: LLMSettings, *, prompts: PromptLibrary, tools: ChatTools) -> Agent:
        from assistant.backends.llm import build_chat_model

        first = build_chat_model(settings)  # fails now, with a config error, if the model id is wrong
        if first is None:
            raise ConfigError("LLM model 'none' needs no agent; answers come from the templates.")

        def model() -> BaseChatModel:
            # Scripted fakes replay their script from the start each turn; real clients are reused.
            return (build_chat_model(settings) or first) if settings.model.startswith("fake:") else first

        return cls(model=model, model_id=settings.model, prompts=prompts, tools=tools,
                   timeout_s=settings.timeout_s)

    def answer(self, ctx: TurnContext, history: list[Turn]) -> Answer:
        from langchain.agents import create_agent
        from langchain_core.messages import HumanMessage

        assert ctx.programme is not None and ctx.category is not None
        ledger = Ledger(ctx, self.tools)
        system = self.prompts.render(
            "agent.system.j2", programme=f"{ctx.programme.name} {ctx.programme.year}", category=ctx.category.title,
            criteria=[c.title for c in ctx.category.criteria],
            evidence=[f"{LABELS[t]}: {DEFINITIONS[t]}" for t in POSITIVE_TYPES],
        )
        draft = ctx.version.text if ctx.version else ""
        user = self.prompts.render(
            "agent.user.j2", version=ctx.version.number if ctx.version else None, request=ctx.message,
            reading=_reading(ctx),
            draft=draft.replace("<draft>", "<draft\u200b>").replace("</draft>", "</draft\u200b>"),
        )
        graph = create_agent(self._model(), build_tools(ledger), system_prompt=system)
        messages = [*_history(history[-HISTORY_TURNS:]), HumanMessage(content=user)]
        final = _final_text(self._run(graph, messages))
        guarded = guard(final, ledger.sources)
        if not guarded.text.strip():
            reason = guarded.notices[0] if guarded.notices else "The language model gave an empty answer."
            raise BackendUnavailable(f"The language model's answer could not be grounded ({reason})")
        return Answer(content=guarded.text, intent=ctx.request.intent, criterion=ctx.request.criterion,
                      citations=ledger.citations_for(guarded.text), notices=guarded.notices,
                      template="agent.system.j2")

    def _run(self, graph: Any, messages: list[BaseMessage]) -> dict[str, Any]:
        """Invoke the agent with a deadline; the provider's own timeout bounds each call as well."""
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["result"] = graph.invoke({"messages": messages},
                                             config={"recursion_limit": 2 * self.max_steps + 1})
            except Exception as exc:  # every model failure becomes a fallback, reported below
                box["error"] = exc

        budget = self.timeout_s * CALLS_PER_TURN
        worker = threading.Thread(target=target, name="shortlist-llm", daemon=True)
        worker.start()
        worker.join(budget)
        if worker.is_alive():
            raise BackendUnavailable(f"The language model ({self.model_id}) did not answer within {budget:g}s.")
        if "error" in box:
            error = box["error"]
            log.warning("LLM call failed: %s", type(error).__name__)
            raise BackendUnavailable(
                f"The language model ({self.model_id}) failed ({type(error).__name__}: {str(error)[:200].rstrip('.')})."
            ) from error
        return box["result"]  # type: ignore[no-any-return]


def _reading(ctx: TurnContext) -> str:
    """The understanding step's result in words, so the model answers what the templates would."""
    request = ctx.request
    parts = [request.intent.replace("_", " ")]
    if request.criterion and ctx.category is not None:
        parts.append(f"about {ctx.category.criterion(request.criterion).title}")
    if request.evidence_type:
        parts.append(f"evidence type: {LABELS[request.evidence_type]}")
    return ", ".join(parts)


def _history(turns: list[Turn]) -> list[BaseMessage]:
    from langchain_core.messages import AIMessage, HumanMessage

    return [HumanMessage(content=t.content) if t.role == "user" else AIMessage(content=t.content) for t in turns]


def _final_text(result: dict[str, Any]) -> str:
    from langchain_core.messages import AIMessage

    for message in reversed(result.get("messages", [])):
        if isinstance(message, AIMessage) and not message.tool_calls:
            content = message.content
            if isinstance(content, list):
                content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
            return str(content).strip()
    return ""
