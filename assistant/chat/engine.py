"""The conversational engine: conversations persisted in the database, each turn understood and answered.

Default mode composes answers from the review's tools through templates; with an LLM configured, a
tool-calling agent answers over the same tools, its answer is checked by the grounding guard, and
any model error or timeout falls back to the template answer with a notice.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import uuid
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from assistant.chat.compose import Answer, Composer, TurnContext
from assistant.chat.intents import IntentReader
from assistant.chat.mentions import SectorMention, find_category, find_sectors
from assistant.chat.models import Conversation, ConversationSummary, DraftVersion, Turn
from assistant.chat.prompts import PromptLibrary
from assistant.chat.store import ConversationStore, now
from assistant.chat.tools import ChatTools
from assistant.documents import check_text
from assistant.errors import InvalidInput, ShortlistError
from assistant.packs import Category, Programme

if TYPE_CHECKING:
    from assistant.chat.agent import Agent
    from assistant.service import Assistant

log = logging.getLogger(__name__)
# Answered the same way in both modes: they change or protect the draft, so no model writes them.
DETERMINISTIC = {"revise_section", "check_pasted", "undo", "injection", "invent_request", "off_topic"}
# Per-conversation locks are striped: a fixed set shared by hash, so memory does not grow with traffic.
LOCK_STRIPES = 256
StreamEvent = tuple[Literal["delta"], str] | tuple[Literal["turn"], Turn]


def _chunks(text: str, size: int = 40) -> Iterator[str]:
    """Pieces of an answer that join back to it exactly, split after whitespace."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            space = text.rfind(" ", start + 1, end + 1)
            end = space + 1 if space > start else end
        yield text[start:end]
        start = end


class ChatEngine:
    def __init__(
        self,
        *,
        assistant: Assistant,
        store: ConversationStore,
        prompts: PromptLibrary,
        tools: ChatTools | None = None,
        agent: Agent | None = None,
    ) -> None:
        self.assistant = assistant
        self.store = store
        self.prompts = prompts
        self.tools = tools or ChatTools(assistant)
        self.reader = IntentReader(assistant.prepare_messages)
        self.composer = Composer(self.tools, prompts)
        self.agent = agent
        self._locks = [threading.Lock() for _ in range(LOCK_STRIPES)]

    @property
    def mode(self) -> str:
        return f"llm:{self.agent.model_id}" if self.agent else "templates"

    def prompt_hashes(self) -> dict[str, str]:
        """Short sha256 of every template in prompts/, for eval run headers."""
        return self.prompts.hashes()

    # -- conversations --------------------------------------------------------------------
    def create(
        self, category: str | None = None, text: str | None = None, programme: str | None = None,
        *, token: str | None = None,
    ) -> Conversation:
        """A new conversation. With ``token`` (the API's), only that token's holder may open it over HTTP."""
        programme_id = category_id = None
        if category:
            resolved_programme, resolved_category = self.assistant.resolve(category, programme)
            programme_id, category_id = resolved_programme.id, resolved_category.id
        created = now()
        # A blank text from a form means "no draft yet", not an empty draft.
        versions = [DraftVersion(number=1, text=self._check(text), created_at=created, note="initial draft")] if (
            text and text.strip()) else []
        conversation = Conversation(id=uuid.uuid4().hex, programme=programme_id, category=category_id,
                                    versions=versions, created_at=created, updated_at=created)
        self.store.create(conversation, token=token)
        return conversation

    def authorise(self, conversation_id: str, token: str | None) -> None:
        """NotFound unless ``token`` owns the conversation (a wrong token looks like an unknown id)."""
        self.store.authorise(conversation_id, token)

    def delete(self, conversation_id: str) -> None:
        """Remove the conversation with its turns and draft versions."""
        with self._lock(conversation_id):
            self.store.delete(conversation_id)

    def get(self, conversation_id: str) -> Conversation:
        """The conversation with its turns and versions; raises NotFound for an unknown id."""
        return self.store.get(conversation_id)

    def list_conversations(self, limit: int = 20) -> list[ConversationSummary]:
        return self.store.summaries(limit)

    def add_version(self, conversation_id: str, text: str, note: str = "") -> Conversation:
        with self._lock(conversation_id):
            conversation = self.store.get(conversation_id)
            number = conversation.latest.number + 1 if conversation.latest else 1
            version = DraftVersion(number=number, text=self._check(text), created_at=now(), note=note)
            self.store.append(conversation_id, version=version)
            return self.store.get(conversation_id)

    def undo(self, conversation_id: str) -> Conversation:
        """Restore the previous version's text as a new version (the undone one stays in the history)."""
        from assistant.chat.protect import undo_version

        with self._lock(conversation_id):
            conversation = self.store.get(conversation_id)
            version = undo_version(conversation.versions)
            if version is None:
                raise InvalidInput("There is nothing to undo: the draft has fewer than two versions.")
            self.store.append(conversation_id, version=version)
            return self.store.get(conversation_id)

    def set_category(self, conversation_id: str, category: str, programme: str | None = None) -> Conversation:
        resolved_programme, resolved_category = self.assistant.resolve(category, programme)
        with self._lock(conversation_id):
            self.store.append(conversation_id, category=(resolved_programme.id, resolved_category.id))
            return self.store.get(conversation_id)

    # -- turns ----------------------------------------------------------------------------
    def reply(self, conversation_id: str, content: str) -> Turn:
        """Answer one message; the user's turn, the answer and any new draft version are stored together."""
        with self._lock(conversation_id):
            conversation = self.store.get(conversation_id)
            user, answer, category = self._respond(conversation, content)
            turn = self._turn(answer)
            self.store.append(conversation_id, turns=[user, turn], version=answer.version, category=category)
            return turn

    def stream_events(self, conversation_id: str, content: str) -> Iterator[StreamEvent]:
        """("delta", text) pieces, then ("turn", Turn). The turn is stored before the first piece, and
        pieces come after the grounding guard, so nothing unchecked is ever shown."""
        turn = self.reply(conversation_id, content)
        for piece in _chunks(turn.content):
            yield "delta", piece
        yield "turn", turn

    def stream(self, conversation_id: str, content: str) -> Iterator[str]:
        for kind, value in self.stream_events(conversation_id, content):
            if kind == "delta":
                yield value  # type: ignore[misc]

    def answer(self, text: str, category: str, request: str, programme: str | None = None) -> Turn:
        """One stateless answer about one draft, for the eval suite: nothing is stored."""
        resolved_programme, resolved_category = self.assistant.resolve(category, programme)
        created = now()
        conversation = Conversation(
            id="stateless", programme=resolved_programme.id, category=resolved_category.id, created_at=created,
            updated_at=created, versions=[DraftVersion(number=1, text=self._check(text), created_at=created)],
        )
        _, answer, _ = self._respond(conversation, request)
        return self._turn(answer)

    # -- internals ------------------------------------------------------------------------
    def _check(self, text: str | None) -> str:
        return check_text(text or "", max_chars=self.assistant.settings.limits.max_draft_chars)

    def _lock(self, conversation_id: str) -> threading.Lock:
        return self._locks[zlib.crc32(conversation_id.encode()) % LOCK_STRIPES]

    def _resolve(self, conversation: Conversation, content: str) -> tuple[Programme | None, Category | None, bool]:
        if conversation.category:
            programme, category = self.assistant.resolve(conversation.category, conversation.programme)
            return programme, category, False
        named = find_category(content, self.assistant.packs.programmes)
        if named is None:
            return None, None, False
        programme, category = self.assistant.resolve(named[1], named[0])
        return programme, category, True

    def _respond(self, conversation: Conversation, content: str) -> tuple[Turn, Answer, tuple[str, str] | None]:
        content = content.strip()
        if not content:
            raise InvalidInput("The message is empty; ask a question or paste a section of your draft.")
        check_text(content, max_chars=self.assistant.settings.limits.max_draft_chars, name="message")
        programme, category, named = self._resolve(conversation, content)
        previous = next((t for t in reversed(conversation.turns) if t.role == "assistant"), None)
        request = self.reader.read(content, programme=programme, category=category, previous=previous)
        if request.sectors.sector is None:
            request = dataclasses.replace(request, sectors=self._stated_sectors(conversation, request.sectors))
        user = Turn(id=uuid.uuid4().hex, role="user", content=content, intent=request.intent,
                    criterion=request.criterion, created_at=now())
        ctx = TurnContext(message=content, request=request, programme=programme, category=category,
                          version=conversation.latest, versions=list(conversation.versions))
        answer = self._answer(ctx, conversation.turns)
        for more in request.also:
            # A second question in the same message is answered after the first, in the order asked.
            extra = self._answer(dataclasses.replace(ctx, request=more), conversation.turns)
            answer.content = f"{answer.content.rstrip()}\n\n---\n\n{extra.content.lstrip()}"
            answer.citations += [c for c in extra.citations if c not in answer.citations]
            answer.notices += [n for n in extra.notices if n not in answer.notices]
            answer.choices += extra.choices
            answer.version = answer.version or extra.version
        if named and programme and category:
            answer.notices.insert(0, f"Reviewing against {category.title} ({programme.name} {programme.year}).")
        return user, answer, (programme.id, category.id) if named and programme and category else None

    @staticmethod
    def _stated_sectors(conversation: Conversation, current: SectorMention) -> SectorMention:
        """An organisation's sector said in an earlier message still holds ("we're a private company")."""
        for turn in reversed(conversation.turns):
            if turn.role == "user":
                earlier = find_sectors(turn.content)
                if earlier.sector:
                    return earlier
        return current

    def _answer(self, ctx: TurnContext, history: list[Turn]) -> Answer:
        if self.agent is None or ctx.category is None or ctx.request.clarify or ctx.request.intent in DETERMINISTIC:
            return self.composer.answer(ctx)
        try:
            return self.agent.answer(ctx, history)
        except ShortlistError as exc:
            log.warning("LLM answer failed (%s); falling back to templates", exc.code)
            answer = self.composer.answer(ctx)
            answer.notices.insert(0, f"{exc.message} This answer comes from Shortlist's templates instead.")
            return answer

    @staticmethod
    def _turn(answer: Answer) -> Turn:
        return Turn(id=uuid.uuid4().hex, role="assistant", content=answer.content, intent=answer.intent,
                    criterion=answer.criterion, citations=answer.citations, notices=answer.notices,
                    choices=answer.choices, version=answer.version.number if answer.version else None,
                    created_at=now())

