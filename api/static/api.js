// The page's only way to the server: the public JSON API, plus the SSE form of chat messages.

export class ApiError extends Error {
  constructor(detail, code, status) {
    super(detail);
    this.code = code;
    this.status = status;
  }
}

async function failure(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A proxy or a crash may answer with something that is not our JSON error body.
  }
  const detail = body && typeof body.detail === "string" ? body.detail : `The server answered ${response.status}; try again.`;
  return new ApiError(detail, (body && body.code) || "http_error", response.status);
}

// A conversation's owner token is returned once, when it is created; the page keeps it for this browser
// tab's session (sessionStorage) and sends it with every request to that conversation.
const TOKENS_KEY = "shortlist.tokens";

function tokens() {
  try {
    return JSON.parse(sessionStorage.getItem(TOKENS_KEY) || "{}") || {};
  } catch {
    return {};
  }
}

export function rememberToken(conversationId, token) {
  if (!token) return;
  const all = tokens();
  all[conversationId] = token;
  sessionStorage.setItem(TOKENS_KEY, JSON.stringify(all));
}

export function forgetToken(conversationId) {
  const all = tokens();
  delete all[conversationId];
  sessionStorage.setItem(TOKENS_KEY, JSON.stringify(all));
}

function withToken(path, headers) {
  const match = /^\/api\/conversations\/([^/?]+)/.exec(path);
  const token = match && tokens()[decodeURIComponent(match[1])];
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

export async function request(path, { method = "GET", json, form, signal } = {}) {
  const options = { method, headers: withToken(path, { Accept: "application/json" }), signal };
  if (json !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(json);
  } else if (form !== undefined) {
    options.body = form;
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("Cannot reach the Shortlist server; check that it is running.", "network_error", 0);
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

function parseEvent(raw) {
  let event = "message";
  const data = [];
  for (const line of raw.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length ? { event, data: data.join("\n") } : null;
}

// POST a message and read the answer as Server-Sent Events: "delta" text, then one "turn".
export async function streamMessage(conversationId, content, { onDelta, signal } = {}) {
  let response;
  try {
    const path = `/api/conversations/${encodeURIComponent(conversationId)}/messages`;
    response = await fetch(path, {
      method: "POST",
      headers: withToken(path, { "Content-Type": "application/json", Accept: "text/event-stream" }),
      body: JSON.stringify({ content }),
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError("Cannot reach the Shortlist server; check that it is running.", "network_error", 0);
  }
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer = (buffer + value).replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (!event) continue;
      const payload = JSON.parse(event.data);
      if (event.event === "delta" && onDelta) onDelta(payload.text);
      else if (event.event === "turn") return payload;
      else if (event.event === "error") throw new ApiError(payload.detail, payload.code, response.status);
    }
  }
  throw new ApiError("The answer stopped before it finished; ask again.", "stream_incomplete", response.status);
}
