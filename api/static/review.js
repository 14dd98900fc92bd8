// The review as the entrant reads it: a summary, warnings, and one card per criterion.

import { clear, el, plural } from "./dom.js";

const WARNING_TITLES = {
  pii: "Personal information",
  ai_instruction: "Instruction aimed at an AI reviewer",
  over_limit: "Over the word limit",
  unassigned_text: "Text that answers no criterion",
  low_confidence_section: "Section found with low confidence",
};

export function renderSummary(container, review) {
  clear(container);
  const gaps = review.criteria.reduce((n, c) => n + c.missing.length, 0);
  const claims = review.criteria.reduce((n, c) => n + c.unsupported_claims.length, 0);
  const notFound = review.criteria.filter((c) => !c.section_found).length;
  container.append(
    el("div", { class: "summary" },
      el("p", { class: "summary-title" }, `${review.programme.name} ${review.programme.year} · ${review.category.title}`),
      el("ul", { class: "summary-stats" },
        el("li", {}, el("strong", { text: String(review.criteria.length) }), " criteria"),
        el("li", { class: gaps ? "stat-gap" : "stat-ok" }, el("strong", { text: String(gaps) }), ` missing evidence ${gaps === 1 ? "item" : "items"}`),
        el("li", { class: claims ? "stat-gap" : "stat-ok" }, el("strong", { text: String(claims) }), ` unsupported ${claims === 1 ? "claim" : "claims"}`),
        notFound ? el("li", { class: "stat-gap" }, el("strong", { text: String(notFound) }), " not answered") : null,
      ),
    ),
  );
}

export function renderWarnings(container, review, { onShow }) {
  clear(container);
  if (!review.warnings.length) return;
  const list = el("ul", { class: "warning-list" });
  for (const warning of review.warnings) {
    const canShow = Number.isInteger(warning.start) && Number.isInteger(warning.end);
    list.append(
      el("li", { class: `warning warning-${warning.kind}` },
        el("strong", { text: WARNING_TITLES[warning.kind] || warning.kind }),
        el("span", { text: ` — ${warning.message}` }),
        warning.quote ? el("q", { class: "warning-quote", text: warning.quote }) : null,
        canShow ? el("button", { type: "button", class: "link-button", onclick: () => onShow(warning.start, warning.end) }, "Show in draft") : null,
      ),
    );
  }
  container.append(el("section", { class: "warnings", "aria-labelledby": "warnings-heading" },
    el("h3", { id: "warnings-heading", text: `Check before you submit (${review.warnings.length})` }), list));
}

export function renderEligibility(container, review) {
  clear(container);
  const result = review.eligibility;
  if (!result) return;
  const verdicts = { eligible: "Eligible", ineligible: "Not eligible", needs_review: "Needs a check" };
  container.append(
    el("section", { class: `eligibility verdict-${result.verdict}`, "aria-labelledby": "eligibility-heading" },
      el("h3", { id: "eligibility-heading" }, "Eligibility: ", verdicts[result.verdict] || result.verdict),
      el("ul", {}, result.rules.map((rule) =>
        el("li", { class: `rule rule-${rule.status}` }, el("strong", { text: `${rule.status.replace("_", " ")}: ` }), rule.reason))),
    ),
  );
}

function wordBadge(criterion) {
  const limit = criterion.word_limit ? ` / ${criterion.word_limit}` : "";
  return el("span", { class: `badge ${criterion.over_limit ? "badge-bad" : "badge-plain"}` },
    `${criterion.word_count}${limit} words`);
}

function expectedList(criterion, labels, onShow) {
  const found = new Map();
  for (const item of criterion.evidence) {
    if (!found.has(item.type)) found.set(item.type, []);
    found.get(item.type).push(item);
  }
  const items = criterion.expects.map((type) => {
    const quotes = found.get(type) || [];
    const label = labels[type] || type;
    if (!quotes.length) {
      return el("li", { class: "expect expect-missing" }, el("span", { class: "expect-icon", "aria-hidden": "true", text: "✗" }),
        el("span", { class: "visually-hidden", text: "Missing: " }), label);
    }
    return el("li", { class: "expect expect-found" },
      el("button", { type: "button", class: "chip chip-found", title: quotes[0].quote,
        onclick: () => onShow(quotes[0].start, quotes[0].end) },
      el("span", { class: "expect-icon", "aria-hidden": "true", text: "✓" }),
      el("span", { class: "visually-hidden", text: "Found: " }), label,
      quotes.length > 1 ? el("span", { class: "chip-count", text: ` ×${quotes.length}` }) : null));
  });
  const extra = [...found.keys()].filter((type) => !criterion.expects.includes(type) && type !== "unsupported_claim");
  const others = extra.map((type) => {
    const first = found.get(type)[0];
    return el("li", {}, el("button", { type: "button", class: "chip chip-other", title: first.quote,
      onclick: () => onShow(first.start, first.end) }, labels[type] || type));
  });
  return [
    el("h4", { class: "card-subhead", text: "Evidence the judges expect" }),
    el("ul", { class: "chips" }, items),
    others.length ? el("h4", { class: "card-subhead", text: "Also found" }) : null,
    others.length ? el("ul", { class: "chips" }, others) : null,
  ];
}

function missingList(criterion, labels) {
  if (!criterion.missing.length) return null;
  return [
    el("h4", { class: "card-subhead", text: "Missing evidence" }),
    el("ul", { class: "missing-list" }, criterion.missing.map((gap) =>
      el("li", { class: "missing" },
        el("p", { class: "missing-title" }, el("strong", { text: labels[gap.type] || gap.type })),
        el("p", { class: "missing-why", text: gap.why }),
        el("p", { class: "missing-suggestion" }, el("span", { class: "label", text: "Try: " }), gap.suggestion),
        gap.examples.length ? el("details", { class: "examples" },
          el("summary", {}, `How other entries show it (${gap.examples.length})`),
          gap.examples.map((example) => el("figure", { class: "exemplar" },
            el("blockquote", { text: example.text }),
            el("figcaption", { text: example.source })))) : null,
      ))),
  ];
}

function claimsList(criterion, onShow) {
  if (!criterion.unsupported_claims.length) return null;
  return [
    el("h4", { class: "card-subhead", text: "Claims with no evidence beside them" }),
    el("ul", { class: "claims" }, criterion.unsupported_claims.map((claim) =>
      el("li", {}, el("q", { text: claim.quote }), " ",
        el("button", { type: "button", class: "link-button", onclick: () => onShow(claim.start, claim.end) }, "Show in draft")))),
  ];
}

export function renderCriteria(container, review, { labels, onShow }) {
  clear(container);
  for (const criterion of review.criteria) {
    const headingId = `criterion-${criterion.id}`;
    const band = criterion.band;
    container.append(
      el("li", { class: `card ${criterion.missing.length ? "card-gaps" : "card-complete"}`, "aria-labelledby": headingId },
        el("div", { class: "card-head" },
          el("h3", { id: headingId, text: criterion.title }),
          el("div", { class: "badges" },
            criterion.section_found
              ? el("span", { class: "badge badge-ok", text: "Answered" })
              : el("span", { class: "badge badge-bad", text: "Not found" }),
            wordBadge(criterion),
            band ? el("span", { class: "badge badge-band", text: `Band ${band.band}` }) : null,
          ),
        ),
        band ? el("p", { class: "band-descriptor" },
          el("span", { class: "visually-hidden", text: `Band ${band.band}: ` }), band.descriptor,
          el("span", { class: "coverage" }, ` (${Math.round(band.coverage * 100)}% of the expected evidence)`)) : null,
        criterion.section_found ? null : el("p", { class: "not-found",
          text: `No answer to “${criterion.title}” was found. Add a section headed “${criterion.title}”.` }),
        expectedList(criterion, labels, onShow),
        missingList(criterion, labels),
        claimsList(criterion, onShow),
        el("details", { class: "questions" },
          el("summary", { text: "What the judges ask" }),
          el("ul", {}, criterion.questions.map((q) => el("li", { text: q })))),
      ),
    );
  }
}

export function describeReview(review) {
  const gaps = review.criteria.reduce((n, c) => n + c.missing.length, 0);
  return `Review ready: ${plural(review.criteria.length, "criterion", "criteria")}, ${plural(gaps, "missing evidence item")}.`;
}
