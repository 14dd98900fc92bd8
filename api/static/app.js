// Wires the page to the public API: choose a category, give a draft, review it, chat about it.

import { ApiError, forgetToken, rememberToken, request } from "./api.js";
import { ChatPanel } from "./chat.js";
import { clear, countWords, download, el, plural, slug } from "./dom.js";
import { focusSpan, renderDraft, spansFromReview } from "./draft.js";
import { reviewToHtml, reviewToMarkdown } from "./exporters.js";
import { describeReview, renderCriteria, renderEligibility, renderSummary, renderWarnings } from "./review.js";

const STORAGE_KEY = "shortlist.conversation";
const $ = (id) => document.getElementById(id);

const state = {
  programmes: [],
  labels: {},
  category: null, // GET /api/categories/... for the chosen category
  review: null,
  draftText: "",
  spans: [],
};

const chat = new ChatPanel({
  log: $("chat-log"),
  form: $("chat-form"),
  input: $("chat-input"),
  send: $("chat-send"),
  state: $("chat-state"),
  suggestions: [...document.querySelectorAll("#chat-form [data-question]")],
  forget: $("chat-delete"),
  onCite: showCitation,
  onTurn: refreshConversation,
});

// -- programme and category ------------------------------------------------------------------
function currentProgramme() {
  return state.programmes.find((p) => p.id === $("programme").value) || null;
}

function fillProgrammes(preferred) {
  const select = clear($("programme"));
  for (const programme of state.programmes) {
    select.append(el("option", { value: programme.id }, `${programme.name} ${programme.year}`));
  }
  // Default to the edition with the latest deadline: entrants are usually drafting for it.
  const latest = [...state.programmes].sort((a, b) => b.deadline.localeCompare(a.deadline))[0];
  const choice = state.programmes.some((p) => p.id === preferred) ? preferred : latest && latest.id;
  if (choice) select.value = choice;
}

async function fillCategories(preferred) {
  const programme = currentProgramme();
  const select = clear($("category"));
  if (!programme) return;
  for (const category of programme.categories) select.append(el("option", { value: category.id }, category.title));
  if (preferred && programme.categories.some((c) => c.id === preferred)) select.value = preferred;
  const deadline = new Date(`${programme.deadline}T00:00:00`).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  $("programme-hint").textContent = `Entries close ${deadline}.`;
  await loadCategory();
}

async function loadCategory() {
  const programme = $("programme").value;
  const category = $("category").value;
  if (!programme || !category) return;
  let detail;
  try {
    detail = await request(`/api/categories/${encodeURIComponent(programme)}/${encodeURIComponent(category)}`);
  } catch (error) {
    showFormError(error);
    return;
  }
  // A quicker answer for a later choice may already have arrived; keep the boxes for the current one.
  if ($("programme").value !== programme || $("category").value !== category) return;
  state.category = detail;
  $("category-hint").textContent = state.category.category.description;
  buildCriterionBoxes();
}

// -- the three ways to give a draft ------------------------------------------------------------
function buildCriterionBoxes() {
  const container = clear($("criterion-boxes"));
  for (const criterion of state.category.category.criteria) {
    const id = `box-${criterion.id}`;
    const count = el("p", { class: "count", id: `${id}-count` });
    const box = el("textarea", { id, rows: 6, dataset: { title: criterion.title, limit: criterion.word_limit || "" },
      "aria-describedby": `${id}-hint ${id}-count` });
    const update = () => updateCount(box, count, criterion.word_limit);
    box.addEventListener("input", update);
    container.append(el("div", { class: "field criterion-box" },
      el("label", { for: id, text: criterion.title }),
      el("p", { class: "hint", id: `${id}-hint`, text: criterion.questions.join(" ") }),
      box, count));
    update();
  }
}

function updateCount(input, output, limit) {
  const words = countWords(input.value);
  const over = Boolean(limit) && words > limit;
  output.textContent = limit ? `${words} / ${limit} words${over ? ` — ${words - limit} over the limit` : ""}` : plural(words, "word");
  output.classList.toggle("count-over", over);
}

function composedDraft() {
  return [...document.querySelectorAll("#criterion-boxes textarea")]
    .filter((box) => box.value.trim())
    .map((box) => `## ${box.dataset.title}\n\n${box.value.trim()}`)
    .join("\n\n");
}

function activeTab() {
  return document.querySelector('[role="tab"][aria-selected="true"]').id;
}

function selectTab(tab, { focus = true } = {}) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) tab.focus();
}

function setUpTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (event) => {
      const index = tabs.indexOf(tab);
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      selectTab(tabs[(moves[event.key] + tabs.length) % tabs.length]);
    });
  }
}

async function readUpload() {
  const file = $("draft-file").files[0];
  const status = $("upload-status");
  if (!file) return;
  status.textContent = `Reading ${file.name}…`;
  const form = new FormData();
  form.append("file", file);
  try {
    const draft = await request("/api/drafts", { method: "POST", form });
    $("draft-text").value = draft.text;
    updateCount($("draft-text"), $("draft-text-count"), null);
    status.textContent = `Read ${plural(countWords(draft.text), "word")} from ${draft.name}. The text is under Paste; select “Review my draft” when ready.`;
  } catch (error) {
    status.textContent = error instanceof ApiError ? error.message : "The file could not be read.";
  }
}

// -- review ------------------------------------------------------------------------------------
function showFormError(error) {
  $("form-error").textContent = error instanceof ApiError ? error.message : String(error || "");
}

function draftForReview() {
  return activeTab() === "tab-write" ? composedDraft() : $("draft-text").value;
}

async function submitReview(event) {
  event.preventDefault();
  showFormError("");
  const text = draftForReview();
  const programme = $("programme").value;
  const category = $("category").value;
  if (!category) return showFormError("Choose a programme and a category first.");
  if (!text.trim()) {
    return showFormError(activeTab() === "tab-write"
      ? "Write at least one answer before asking for a review."
      : "Paste your draft or upload a file before asking for a review.");
  }
  const button = $("review-button");
  button.disabled = true;
  button.textContent = "Reviewing…";
  $("review").setAttribute("aria-busy", "true");
  $("review-status").textContent = "Reviewing your draft against each criterion…";
  try {
    const body = { text, category, programme };
    const organisation = $("organisation").value.trim();
    const sector = $("sector").value;
    if ($("check-eligibility").checked || organisation || sector) {
      body.entrant = { organisation, ...(sector ? { sector } : {}) };
    }
    const review = await request("/api/reviews", { method: "POST", json: body });
    showReview(review, text);
    $("review-heading").focus();
    await syncConversation(text, programme, category);
  } catch (error) {
    $("review-status").textContent = "The review did not complete.";
    showFormError(error);
  } finally {
    button.disabled = false;
    button.textContent = "Review my draft";
    $("review").removeAttribute("aria-busy");
  }
}

function showReview(review, text) {
  state.review = review;
  state.draftText = text;
  state.spans = spansFromReview(review, state.labels);
  const onShow = (start, end) => highlight(start, end);
  renderSummary($("review-summary"), review);
  renderWarnings($("warnings"), review, { onShow });
  renderEligibility($("eligibility"), review);
  renderCriteria($("criteria"), review, { labels: state.labels, onShow });
  renderDraft($("draft-view"), text, state.spans);
  $("draft-section").hidden = false;
  $("how-it-works").hidden = true;
  $("export").hidden = false;
  $("review-status").textContent = describeReview(review);
}

function highlight(start, end, extra = []) {
  renderDraft($("draft-view"), state.draftText, [...state.spans, ...extra]);
  focusSpan($("draft-view"), start, end);
}

function showCitation(citation) {
  const text = state.draftText;
  let { start, end } = citation;
  if (!(Number.isInteger(start) && text.slice(start, end) === citation.quote)) {
    start = text.indexOf(citation.quote);
    end = start + citation.quote.length;
  }
  if (!text || start < 0) {
    $("review-status").textContent = "That quote is from another version of your draft; review that version to see it.";
    return;
  }
  highlight(start, end, [{ start, end, kind: "cited", label: "Quoted in chat" }]);
}

// -- conversation ----------------------------------------------------------------------------------
async function syncConversation(text, programme, category) {
  const current = chat.conversation;
  try {
    if (current && current.category === category && (current.programme || programme) === programme) {
      const latest = current.versions.at(-1);
      if (!latest || latest.text !== text) {
        chat.attach(await request(`/api/conversations/${encodeURIComponent(current.id)}/versions`,
          { method: "POST", json: { text, note: "reviewed on the page" } }));
      }
      return;
    }
    const created = await request("/api/conversations", { method: "POST", json: { text, programme, category } });
    rememberToken(created.id, created.token);
    delete created.token;
    chat.attach(created);
    sessionStorage.setItem(STORAGE_KEY, chat.conversation.id);
  } catch (error) {
    $("chat-state").textContent = error instanceof ApiError ? error.message : "The chat is not available.";
  }
}

// An answer may save a revised draft as a new version; keep the panel's copy current.
async function refreshConversation(conversation) {
  try {
    chat.conversation = await request(`/api/conversations/${encodeURIComponent(conversation.id)}`);
    chat.describe();
    // A revision or an undo made a new version: the draft box shows what is now saved.
    const latest = chat.conversation.versions.at(-1);
    if (latest && $("draft-text").value !== latest.text) {
      $("draft-text").value = latest.text;
      updateCount($("draft-text"), $("draft-text-count"), null);
    }
  } catch {
    // The answer is already shown; a stale version count is harmless.
  }
}

// The entrant's draft and answers are kept on the server until deleted (or until retention removes them).
async function deleteConversation() {
  const conversation = chat.conversation;
  if (!conversation) return;
  const question = "Delete this conversation, its answers and every saved version of your draft from the server? " +
    "The draft in the box stays. This cannot be undone.";
  if (!window.confirm(question)) return;
  try {
    await request(`/api/conversations/${encodeURIComponent(conversation.id)}`, { method: "DELETE" });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      $("chat-state").textContent = error instanceof ApiError ? error.message : "The conversation could not be deleted.";
      return;
    }
  }
  forgetToken(conversation.id);
  sessionStorage.removeItem(STORAGE_KEY);
  chat.detach();
  $("chat-state").textContent = "Conversation deleted. Review your draft again to start a new one.";
}

async function resumeConversation() {
  const id = sessionStorage.getItem(STORAGE_KEY);
  if (!id) return;
  try {
    const conversation = await request(`/api/conversations/${encodeURIComponent(id)}`);
    if (conversation.programme) fillProgrammes(conversation.programme);
    await fillCategories(conversation.category);
    const latest = conversation.versions.at(-1);
    if (latest) $("draft-text").value = latest.text;
    updateCount($("draft-text"), $("draft-text-count"), null);
    chat.attach(conversation);
    $("review-status").textContent =
      `Your last conversation is back (draft version ${conversation.versions.length}). Select “Review my draft” to see its review.`;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      sessionStorage.removeItem(STORAGE_KEY);
      forgetToken(id);
    }
  }
}

// -- export ------------------------------------------------------------------------------------
function exportReview(kind) {
  if (!state.review) return;
  const name = `shortlist-review-${slug(state.review.category.title)}`;
  if (kind === "md") download(`${name}.md`, reviewToMarkdown(state.review, state.labels), "text/markdown;charset=utf-8");
  else download(`${name}.html`, reviewToHtml(state.review, state.labels), "text/html;charset=utf-8");
}

// -- start -------------------------------------------------------------------------------------
async function start() {
  setUpTabs();
  $("review-form").addEventListener("submit", submitReview);
  $("programme").addEventListener("change", () => fillCategories());
  $("category").addEventListener("change", loadCategory);
  $("draft-file").addEventListener("change", readUpload);
  $("draft-text").addEventListener("input", () => updateCount($("draft-text"), $("draft-text-count"), null));
  $("export-md").addEventListener("click", () => exportReview("md"));
  $("export-html").addEventListener("click", () => exportReview("html"));
  $("chat-delete").addEventListener("click", deleteConversation);
  try {
    const [programmes, types] = await Promise.all([request("/api/programmes"), request("/api/evidence/types")]);
    state.programmes = programmes;
    state.labels = Object.fromEntries(types.map((t) => [t.id, t.label]));
  } catch (error) {
    showFormError(error);
    return;
  }
  fillProgrammes();
  await fillCategories();
  await resumeConversation();
  document.body.dataset.ready = "true";
}

start();
