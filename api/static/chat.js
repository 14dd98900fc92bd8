// The chat beside the review: one conversation per draft, answers streamed over SSE,
// every answer shown with its citations (draft quotes can be highlighted in the draft).

import { ApiError, request, streamMessage } from "./api.js";
import { clear, el, renderRichText } from "./dom.js";

const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

const KIND_LABELS = {
  draft: "Your draft",
  message: "Your message",
  exemplar: "Exemplar entry",
  guidance: "Guidance",
  criteria: "The judges' criteria",
  entry: "Past entry",
};

export class ChatPanel {
  constructor({ log, form, input, send, state, suggestions, forget, onCite, onTurn }) {
    Object.assign(this, { log, form, input, send, state, suggestions, forget, onCite, onTurn });
    this.conversation = null;
    this.busy = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.ask(input.value);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.ask(input.value);
      }
    });
    for (const button of suggestions) button.addEventListener("click", () => this.ask(button.dataset.question));
  }

  setEnabled(enabled) {
    const on = enabled && !this.busy && Boolean(this.conversation);
    this.input.disabled = !on;
    this.send.disabled = !on;
    for (const button of this.suggestions) button.disabled = !on;
  }

  attach(conversation) {
    this.conversation = conversation;
    this.forget.hidden = false;
    clear(this.log);
    for (const turn of conversation.turns) this.log.append(this.renderTurn(turn));
    this.describe();
    this.setEnabled(true);
    this.log.scrollTop = this.log.scrollHeight;
  }

  detach() {
    this.conversation = null;
    clear(this.log);
    this.forget.hidden = true;
    this.setEnabled(false);
  }

  describe() {
    const versions = this.conversation ? this.conversation.versions.length : 0;
    this.state.textContent = versions
      ? `Talking about draft version ${versions}. Answers quote your draft and cite their sources.`
      : "Ask about the criteria; add a draft to get answers about your entry.";
  }

  renderTurn(turn) {
    const mine = turn.role === "user";
    const bubble = el("div", { class: `turn turn-${turn.role}`, dataset: { turnId: turn.id } },
      el("p", { class: "turn-who", text: mine ? "You" : "Shortlist" }));
    const body = el("div", { class: "turn-body" });
    if (mine) body.append(el("p", { text: turn.content }));
    else body.append(renderRichText(turn.content));
    bubble.append(body);
    if (!mine && turn.citations.length) bubble.append(this.renderCitations(turn.citations));
    if (!mine && turn.notices.length) {
      bubble.append(el("ul", { class: "notices" }, turn.notices.map((n) => el("li", { text: n }))));
    }
    if (!mine && turn.choices && turn.choices.length) {
      // Likely readings of an unclear message, or "replace this section": one click sends that message.
      bubble.append(el("div", { class: "choices" }, turn.choices.map((choice) =>
        el("button", { type: "button", class: "choice", onclick: () => this.ask(choice.message) }, choice.label))));
    }
    if (!mine && turn.version) {
      bubble.append(el("div", { class: "choices" },
        el("button", { type: "button", class: "choice undo", onclick: (event) => this.undo(event.target) },
          `Undo (back to version ${turn.version - 1})`)));
    }
    return bubble;
  }

  async undo(button) {
    if (this.busy || !this.conversation) return;
    this.busy = true;
    this.setEnabled(false);
    button.disabled = true;
    try {
      const conversation = await request(`/api/conversations/${encodeURIComponent(this.conversation.id)}/undo`,
        { method: "POST" });
      const latest = conversation.versions.at(-1);
      this.conversation = conversation;
      this.log.append(el("div", { class: "turn turn-assistant", role: "status" },
        el("p", { class: "turn-who", text: "Shortlist" }),
        el("p", { class: "turn-body", text: `Undone (${latest.note}): saved as version ${latest.number}, and the draft box shows it.` })));
      if (this.onTurn) await this.onTurn(this.conversation);
    } catch (error) {
      const message = error instanceof ApiError ? error.message : "Undo failed; try again.";
      this.log.append(el("div", { class: "turn turn-error", role: "alert" }, el("p", { text: message })));
      button.disabled = false;
    } finally {
      this.busy = false;
      this.setEnabled(true);
      this.log.scrollTop = this.log.scrollHeight;
    }
  }

  renderCitations(citations) {
    // Draft quotes first: they are what the entrant can act on.
    const ordered = [...citations].sort((a, b) => (a.kind === "draft" ? 0 : 1) - (b.kind === "draft" ? 0 : 1));
    const items = ordered.map((citation) => this.renderCitation(citation));
    const shown = items.slice(0, 3);
    const rest = items.slice(3);
    return el("div", { class: "citations" },
      el("p", { class: "citations-title", text: `Sources (${citations.length})` }),
      el("ol", {}, shown),
      rest.length ? el("details", { class: "more-sources" },
        el("summary", { text: `Show ${rest.length} more ${rest.length === 1 ? "source" : "sources"}` }),
        el("ol", { start: 4 }, rest)) : null);
  }

  renderCitation(citation) {
    const isDraft = citation.kind === "draft";
    const quote = citation.quote.length > 320 ? `${citation.quote.slice(0, 317)}…` : citation.quote;
    const source = isDraft ? capitalise(citation.source || "your draft") : citation.source;
    return el("li", { class: `citation citation-${citation.kind}` },
      el("blockquote", { class: isDraft ? "quote-draft" : "quote-passage", text: quote }),
      el("p", { class: "citation-source" },
        isDraft ? el("span", { class: "citation-kind", text: source })
          : [el("span", { class: "citation-kind", text: KIND_LABELS[citation.kind] || citation.kind }), source ? ` · ${source}` : ""],
        isDraft ? " " : null,
        isDraft ? el("button", { type: "button", class: "link-button", onclick: () => this.onCite(citation) }, "Show in draft") : null));
  }

  async ask(question) {
    const content = String(question || "").trim();
    if (!content || this.busy || !this.conversation) return;
    this.busy = true;
    this.setEnabled(false);
    this.input.value = "";
    this.log.append(this.renderTurn({ id: "pending-user", role: "user", content, citations: [], notices: [] }));
    const live = el("div", { class: "turn turn-assistant turn-pending", "aria-busy": "true" },
      el("p", { class: "turn-who", text: "Shortlist" }),
      el("p", { class: "turn-body streaming", text: "Reading your draft…" }));
    this.log.append(live);
    this.log.scrollTop = this.log.scrollHeight;
    let text = "";
    let answer = null;
    try {
      const turn = await streamMessage(this.conversation.id, content, {
        onDelta: (delta) => {
          text += delta;
          live.lastChild.textContent = text;
          this.log.scrollTop = this.log.scrollHeight;
        },
      });
      this.conversation.turns.push(turn);
      const rendered = this.renderTurn(turn);
      live.replaceWith(rendered);
      answer = rendered;
      if (this.onTurn) await this.onTurn(this.conversation);
    } catch (error) {
      const message = error instanceof ApiError ? error.message : "The answer failed; ask again.";
      live.replaceWith(el("div", { class: "turn turn-error", role: "alert" }, el("p", { text: message })));
    } finally {
      this.busy = false;
      this.setEnabled(true);
      // Show the start of the answer; its sources follow below it.
      if (answer) this.log.scrollTop += answer.getBoundingClientRect().top - this.log.getBoundingClientRect().top - 8;
      else this.log.scrollTop = this.log.scrollHeight;
      this.input.focus();
    }
  }
}
