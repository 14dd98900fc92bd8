// The draft with its evidence, unsupported claims and warnings highlighted, from the review's
// character offsets. Overlapping spans are cut into segments, each a <mark> with its own offsets.

import { clear, el } from "./dom.js";

const PRIORITY = { cited: 4, warning: 3, claim: 2, evidence: 1 };

export function spansFromReview(review, labels) {
  const spans = [];
  for (const criterion of review.criteria) {
    for (const item of criterion.evidence) {
      spans.push({ start: item.start, end: item.end, kind: "evidence", label: labels[item.type] || item.type });
    }
    for (const claim of criterion.unsupported_claims) {
      spans.push({ start: claim.start, end: claim.end, kind: "claim", label: "Unsupported claim" });
    }
  }
  for (const warning of review.warnings) {
    if (Number.isInteger(warning.start) && Number.isInteger(warning.end) && warning.end > warning.start) {
      spans.push({ start: warning.start, end: warning.end, kind: "warning", label: `Warning: ${warning.kind.replace("_", " ")}` });
    }
  }
  return spans;
}

export function renderDraft(container, text, spans) {
  clear(container);
  const valid = spans.filter((s) => s.start >= 0 && s.end <= text.length && s.end > s.start);
  const cuts = new Set([0, text.length]);
  for (const span of valid) {
    cuts.add(span.start);
    cuts.add(span.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    const piece = text.slice(start, end);
    const covering = valid.filter((s) => s.start <= start && s.end >= end);
    if (!covering.length) {
      container.append(piece);
      continue;
    }
    const kind = covering.reduce((best, s) => (PRIORITY[s.kind] > PRIORITY[best] ? s.kind : best), "evidence");
    const labels = [...new Set(covering.map((s) => s.label))];
    container.append(el("mark", { class: `hl hl-${kind}`, title: labels.join(", "), dataset: { start, end } }, piece));
  }
}

// Outline the marks inside [start, end) and scroll the first into view; returns whether any matched.
export function focusSpan(container, start, end) {
  for (const mark of container.querySelectorAll("mark.hl-focus")) mark.classList.remove("hl-focus");
  const marks = [...container.querySelectorAll("mark")].filter(
    (m) => Number(m.dataset.start) >= start && Number(m.dataset.end) <= end,
  );
  for (const mark of marks) mark.classList.add("hl-focus");
  if (marks.length) {
    const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    marks[0].scrollIntoView({ behavior: still ? "auto" : "smooth", block: "center" });
  }
  return marks.length > 0;
}
