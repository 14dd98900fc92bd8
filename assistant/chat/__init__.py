"""The conversational engine: ``build_chat_engine(assistant)`` wires it from the assistant's settings."""

from assistant.chat.engine import ChatEngine, StreamEvent
from assistant.chat.factory import build_chat_engine
from assistant.chat.models import INTENTS, Citation, Conversation, ConversationSummary, DraftVersion, Intent, Turn

__all__ = [
    "INTENTS",
    "ChatEngine",
    "Citation",
    "Conversation",
    "ConversationSummary",
    "DraftVersion",
    "Intent",
    "StreamEvent",
    "Turn",
    "build_chat_engine",
]
