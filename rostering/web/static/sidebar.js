// The panels beside the grid: rule breaks (hard ones first), who can take a gap, coverage
// totals, the review of a solve's or re-plan's proposal, and the changes to tell staff.
// Each function draws one panel from the state it is given; the app wires the buttons.
"use strict";

import { dayLabel, gapReason, kr, num, pct, plural, ruleTitle, t } from "./i18n.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export function who(state, id) {
  const e = state.employees.get(id);
  return e && e.name ? e.name : id;
}

// ------------------------------------------------------------------ findings

export function isSoft(finding) {
  return finding.severity === "preference";
}

/** The findings list; `open(index)` runs on click or Enter (each entry is a button). */
export function drawFindings(state, open) {
  const all = state.findings.findings;
  const hard = all.filter((f) => !isSoft(f));
  const soft = all.filter(isSoft);
  const badge = document.getElementById("findings-count");
  badge.textContent = String(hard.length);
  badge.className = `badge${hard.length ? " bad" : ""}`;
  const softBadge = document.getElementById("soft-count");
  softBadge.textContent = soft.length === 1 ? t("findings.soft.one") : t("findings.soft", { n: soft.length });
  softBadge.hidden = !soft.length;
  const entry = (f) => {
    const index = all.indexOf(f);
    const when = f.start ? `${dayLabel(f.start.slice(0, 10))} ${f.start.slice(11, 16)}` : t("findings.nocells", { who: who(state, f.employee_id) });
    return el("li", { class: `finding ${isSoft(f) ? "soft" : "hard"}`, dataset: { rule: f.rule_id, index: String(index) } },
      el("button", { type: "button", onclick: () => open(index) },
        el("span", { class: `mark ${isSoft(f) ? "soft" : "hard"}`, "aria-hidden": "true", text: isSoft(f) ? "~" : "!" }),
        el("strong", { text: ruleTitle(f) }), " ",
        el("span", { class: "emp", text: who(state, f.employee_id) }), " ",
        el("span", { class: "muted", text: when }),
        el("span", { class: "msg", text: f.message }),
        el("span", { class: "source muted", text: `§ ${f.source}` })));
  };
  const list = document.getElementById("findings");
  if (!hard.length) list.replaceChildren(el("li", { class: "none", text: t("findings.none") }));
  else list.replaceChildren(...hard.map(entry));
  const softList = document.getElementById("soft-findings");
  softList.hidden = !soft.length;
  softList.querySelector("summary").textContent = t("findings.softHeading", { n: soft.length });
  softList.querySelector("ol").replaceChildren(...soft.map(entry));
}

export function markActiveFinding(index) {
  for (const li of document.querySelectorAll("#side li.finding.active")) li.classList.remove("active");
  const li = document.querySelector(`#side li.finding[data-index="${index}"]`);
  if (li) li.classList.add("active");
}

// ------------------------------------------------------------------ who can take a gap

export function drawGap(state, shift, date, answer, assign) {
  const pane = document.getElementById("gap-pane");
  const body = document.getElementById("gap-body");
  pane.hidden = false;
  if (answer === null) {
    body.replaceChildren(el("p", { class: "muted", text: t("gap.loading") }));
    return;
  }
  if (answer.error) {
    body.replaceChildren(el("p", { class: "error", text: t("gap.unavailable", { why: answer.error }) }));
    return;
  }
  const code = state.types.get(shift)?.code || shift;
  const heading = answer.missing > 0 ? t("gap.heading", { shift: code, day: dayLabel(date), n: answer.missing }) : t("gap.heading.none", { shift: code, day: dayLabel(date) });
  const can = answer.candidates.filter((c) => c.can_take);
  const cannot = answer.candidates.filter((c) => !c.can_take);
  body.replaceChildren(
    el("p", { class: "gap-heading", text: heading }),
    el("h3", { text: `${t("gap.can")} (${can.length})` }),
    can.length
      ? el("ul", { class: "candidates" }, ...can.map((c) => el("li", {},
        el("button", { type: "button", class: "assign", dataset: { emp: c.employee_id }, onclick: () => assign(c.employee_id, shift, date) }, t("gap.assign")),
        " ", el("strong", { text: c.name || c.employee_id, title: c.employee_id }))))
      : el("p", { class: "muted", text: t("gap.nobody") }),
    cannot.length ? el("details", {}, el("summary", { text: `${t("gap.cannot")} (${cannot.length})` }),
      el("ul", { class: "candidates" }, ...cannot.map((c) => el("li", {},
        el("strong", { text: c.name || c.employee_id, title: c.employee_id }), el("span", { class: "muted", text: ` ${gapReason(c)}` }))))) : null);
}

// ------------------------------------------------------------------ totals

export function drawTotals(state) {
  const totals = state.coverage.totals;
  const one = (x) => num(x, 1);
  const items = [
    [t("totals.demanded"), `${one(totals.demanded_hours)} / ${one(totals.planned_hours)}`],
    [t("totals.gaps"), `${one(totals.under_min_hours)} / ${one(totals.under_target_hours)} / ${one(totals.over_max_hours)}`],
    [t("totals.slots"), t("totals.slots.value", { n: totals.slots_understaffed, of: totals.slots, pct: pct(totals.share_understaffed) })],
    [t("totals.utilisation"), pct(totals.utilisation)],
    [t("totals.leveringsgrad"), pct(totals.leveringsgrad)],
    [t("totals.cost"), `${kr(totals.wage_cost)} / ${kr(totals.supplement_cost)}`],
  ];
  document.getElementById("totals").replaceChildren(...items.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

// ------------------------------------------------------------------ review of a proposal

const KPI_LINES = [
  // [kpi, message key (or a function choosing it), digits, lower is better]
  ["hard_findings", (after) => (after ? "kpi.hard" : "kpi.hard.none"), 0],
  ["below_min_slots", (after, before) => (!after ? "kpi.belowMin.none" : before ? "kpi.belowMin.still" : "kpi.belowMin"), 0],
  ["below_min_hours", () => "kpi.belowMinHours", 1],
  ["below_target_hours", () => "kpi.belowTarget", 1],
  ["soft_findings", () => "kpi.soft", 0],
  ["points", () => "kpi.points", 0],
];

/** Before and after in plain words: "2 vagter stadig under minimum (før 5)". */
export function kpiLines(before, after) {
  return KPI_LINES.filter(([name]) => after && before && name in after).map(([name, choose, digits]) => {
    const [b, a] = [before[name], after[name]];
    const tag = Math.abs(a - b) < 1e-9 ? "same" : a < b ? "better" : "worse";
    return { tag, text: plural(choose(a, b), a, { n: num(a, digits), before: num(b, digits) }) };
  });
}

const FOLD_CHANGES = 30;

/** What a re-plan left understaffed: the absence's own gaps, and the others. */
function gapsText(gaps, filled) {
  const own = gaps.absence ? plural("gaps.absence", gaps.absence) : t("gaps.absence.none");
  const other = gaps.other ? ` ${t(filled ? "gaps.other.filled" : "gaps.other.left", { n: gaps.other })}` : "";
  return own + other;
}

const TAGS = { better: "review.better", worse: "review.worseTag", same: "review.same" };

/** The review panel: progress while a job runs, the proposal when it is done. */
export function drawReview(state, actions) {
  const pane = document.getElementById("review");
  const job = state.job;
  const proposal = state.proposal;
  if (!job && !proposal) {
    pane.hidden = true;
    pane.replaceChildren();
    return;
  }
  pane.hidden = false;
  if (job && !proposal) {
    pane.replaceChildren(...[el("h2", { text: t(job.kind === "replan" ? "review.replan" : "review.solve") }),
      el("progress", { max: String(job.limit), value: String(Math.min(job.elapsed, job.limit)) }),
      el("p", { id: "job-line", text: job.line || t("job.searching") }),
      job.edited ? el("p", { class: "warning", role: "alert", text: t("job.stale") }) : null].filter(Boolean));
    return;
  }
  const stale = proposal.base_version !== state.roster.version;
  const changes = proposal.changes;
  const late = changes.filter((c) => c.inside_notice).length;
  const lines = kpiLines(proposal.before, proposal.after);
  const accept = el("button", { type: "button", id: "accept", class: "primary", disabled: stale, onclick: actions.accept }, t("review.accept"));
  const discard = el("button", { type: "button", id: "discard", onclick: actions.discard }, t("review.discard"));
  const table = changesTable(state, changes, actions.show, "proposal-changes");
  pane.replaceChildren(...[
    el("h2", { text: t(proposal.kind === "replan" ? "review.replan" : "review.solve") }),
    proposal.worse ? el("p", { class: "warning worse", role: "alert", text: `⚠ ${t("review.worse")}` }) : null,
    stale ? el("p", { class: "warning stale", role: "alert", text: t("review.stale") }) : null,
    el("ul", { class: "kpis" }, ...lines.map((line) => el("li", { class: line.tag },
      el("span", { class: "tag", text: t(TAGS[line.tag]) }), " ", line.text))),
    proposal.gaps ? el("p", { class: "gaps", text: gapsText(proposal.gaps, proposal.fill) }) : null,
    el("p", { class: "muted", text: changes.length
      ? [plural("review.changes", changes.length), late ? t("review.late", { n: late }) : null].filter(Boolean).join(" · ")
      : t("review.changes.none") }),
    el("div", { class: "buttons" }, accept, discard),
    proposal.confirming ? el("div", { class: "confirm", role: "alertdialog", "aria-label": t("review.confirm") },
      el("p", { text: t("review.confirm") }),
      el("button", { type: "button", id: "accept-confirm", class: "danger", onclick: actions.confirm }, t("review.confirm.yes")),
      el("button", { type: "button", id: "accept-cancel", onclick: actions.cancel }, t("review.confirm.no"))) : null,
    // A whole re-solve changes hundreds of cells: the list is there, folded.
    table && changes.length > FOLD_CHANGES ? el("details", {}, el("summary", { text: t("review.list") }), table) : table,
  ].filter(Boolean));
  if (proposal.confirming) pane.querySelector("#accept-confirm").focus();
}

/** The changes a proposal makes (or a taken re-plan made), with the notice column. */
export function changesTable(state, changes, show, id) {
  if (!changes.length) return null;
  const code = (shift) => (shift ? shift.split("+").map((s) => state.types.get(s)?.code || s).join("+") : t("cell.dayoff"));
  const columns = ["changes.employee", "changes.date", "changes.old", "changes.new", "changes.notice"];
  const head = el("tr", {}, ...columns.map((k) => el("th", { scope: "col", text: t(k) })));
  const rows = changes.map((c) => el("tr", { class: c.inside_notice ? "late" : "", dataset: { emp: c.employee_id, date: c.date } },
    el("td", {}, el("button", { type: "button", class: "link", onclick: () => show(c.employee_id, c.date), text: who(state, c.employee_id) })),
    el("td", { text: dayLabel(c.date) }),
    el("td", {}, el("s", { text: code(c.old) })),
    el("td", { text: code(c.new) }),
    el("td", { text: c.inside_notice ? t("changes.late") : t("changes.ok") })));
  return el("table", { class: "changes", id }, el("caption", { text: plural("changes.caption", changes.length) }),
    el("thead", {}, head), el("tbody", {}, ...rows));
}
