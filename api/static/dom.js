// Small DOM helpers. Text always goes in through text nodes, never through innerHTML,
// so nothing a draft or an answer contains can become markup.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function escapeHtml(value) {
  return String(value)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

// Mirrors assistant.sentences.count_words so live counts match the review's.
const WORD = /[\p{L}\p{N}\p{M}_£$€%][\p{L}\p{N}\p{M}_'’£$€%.,\/-]*/gu;

export function countWords(text) {
  return (String(text).match(WORD) || []).length;
}

export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}

export function download(filename, content, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = el("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function slug(value) {
  return String(value).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "review";
}

// A deliberately small Markdown subset for chat answers: paragraphs, "- " lists, "> " quotes, **bold**.
export function renderRichText(text) {
  const fragment = document.createDocumentFragment();
  let list = null;
  let quote = null;
  for (const line of String(text).split("\n")) {
    const item = line.match(/^\s*(?:[-*•]|\d+\.)\s+(.*)$/);
    const quoted = line.match(/^\s*>\s?(.*)$/);
    if (item) {
      quote = null;
      if (!list) fragment.append((list = el("ul")));
      list.append(el("li", {}, inline(item[1])));
    } else if (quoted) {
      list = null;
      if (!quote) fragment.append((quote = el("blockquote")));
      quote.append(el("p", {}, inline(quoted[1])));
    } else {
      list = null;
      quote = null;
      if (line.trim()) fragment.append(el("p", {}, inline(line)));
    }
  }
  return fragment;
}

function inline(text) {
  return text.split(/(\*\*[^*]+\*\*)/g).filter(Boolean).map((part) =>
    part.startsWith("**") && part.endsWith("**") && part.length > 4 ? el("strong", { text: part.slice(2, -2) }) : part,
  );
}
