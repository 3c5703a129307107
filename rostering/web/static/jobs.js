// Solve and re-plan: the background job's progress, then its proposal, reviewed in the grid
// (changed cells marked) and the sidebar (before and after in words, the change list) before
// the planner takes it or discards it. A proposal the server calls worse asks first.
"use strict";

import { Offline, api } from "./api.js";
import { num, plural, t } from "./i18n.js";
import * as grid from "./grid.js";
import * as side from "./sidebar.js";
import { $, say, state } from "./store.js";

const POLL_MS = 500;
const OFFLINE_POLL_MS = 2000;

/** What jobs need from the page: {applyFull, loadAll, fullState, failed, resetFilters}. */
let page = null;

export function connect(hooks) {
  page = hooks;
}

export async function startJob(path, body, kind) {
  if (state.job) {
    say(t("job.busy"), "error");
    return;
  }
  const limit = Number($("#time-limit").value) || 10;
  try {
    const job = await api(path, { version: state.roster.version, time_limit: limit, ...body });
    if (state.proposal) dropProposal(true);
    state.job = { id: job.id, kind, limit: job.time_limit || limit, elapsed: 0, line: "", base: state.roster.version, edited: false };
    setBusy(true);
    side.drawReview(state, reviewActions);
    poll(job.id);
  } catch (error) {
    page.failed(error);
  }
}

function progressLine(job) {
  const p = job.progress;
  const parts = [t("job.running", { kind: t(`job.${job.kind}`), elapsed: num(job.elapsed, 1), limit: num(job.time_limit, 0) })];
  if (!p) parts.push(t("job.searching"));
  else {
    if (p.below_min_hours !== undefined) parts.push(plural("job.belowMinHours", p.below_min_hours, { n: num(p.below_min_hours, 1) }));
    else if (p.below_min_slots !== undefined) parts.push(plural("job.belowMin", p.below_min_slots));
    parts.push(t("job.points", { points: num(p.objective, 0) }));
  }
  return parts.join(" · ");
}

async function poll(id) {
  let job;
  try {
    job = await api(`/api/jobs/${id}`);
  } catch (error) {
    if (error instanceof Offline) {
      setTimeout(() => poll(id), OFFLINE_POLL_MS);
      return;
    }
    state.job = null;
    setBusy(false);
    side.drawReview(state, reviewActions);
    say(error.message, "error");
    return;
  }
  if (job.status === "running") {
    Object.assign(state.job, { elapsed: job.elapsed, line: progressLine(job) });
    say(state.job.line, "busy");
    side.drawReview(state, reviewActions);
    setTimeout(() => poll(id), POLL_MS);
    return;
  }
  state.job = null;
  setBusy(false);
  finishJob(job);
}

function finishJob(job) {
  const kind = t(`job.${job.kind}`);
  if (job.status === "proposal" && job.proposal) {
    showProposal(job);
  } else if (job.status === "no roster") {
    say(t(state.roster.shifts ? "job.noRoster.kept" : "job.noRoster", { kind, why: job.message }), "error");
  } else if (job.status === "failed") {
    say(t("job.failed", { kind, why: job.message }), "error");
  } else if (job.status === "stale") {
    say(t("job.staleResult", { kind }), "error");
  } else if (job.status === "done") {
    // A server that applies results itself (before proposals): show what it made.
    page.loadAll().then(() => {
      say(t("job.applied", { kind, why: job.message }));
      if (job.kind === "replan") showTaken(job.changes || []);
    }).catch(page.failed);
  } else {
    say(`${kind}: ${job.status} ${job.message || ""}`);
  }
  side.drawReview(state, reviewActions);
}

function showProposal(job) {
  const p = job.proposal;
  state.proposal = { id: job.id, kind: job.kind, ...p, confirming: false, byEmp: new Map(),
    gaps: job.gaps_left || null, fill: !!job.fill_other_gaps, absences: state.lastAbsences || [] };
  refreshOverlay();
  grid.redrawRows(state, new Set(p.changes.map((c) => c.employee_id)));
  side.drawReview(state, reviewActions);
  const lines = side.kpiLines(p.before, p.after).map((l) => l.text);
  say(`${t(job.kind === "replan" ? "review.replan" : "review.solve")}: ${plural("review.changes", p.changes.length)} · ${lines.slice(0, 2).join(" · ")}`);
}

/** The proposal's changes shown in the grid while it is current (not when the roster moved on). */
export function refreshOverlay() {
  const proposal = state.proposal;
  if (!proposal) return;
  proposal.byEmp = new Map();
  if (proposal.base_version !== state.roster.version) return;
  for (const c of proposal.changes) {
    if (!proposal.byEmp.has(c.employee_id)) proposal.byEmp.set(c.employee_id, new Map());
    // A re-plan's absent days show the absence, not "off".
    const absence = c.new ? null : proposal.absences.find((a) => a.employee_id === c.employee_id && a.first <= c.date && c.date <= a.last);
    proposal.byEmp.get(c.employee_id).set(c.date, absence ? { ...c, absent: absence.kind } : c);
  }
}

function dropProposal(tellServer) {
  const proposal = state.proposal;
  if (!proposal) return;
  state.proposal = null;
  if (tellServer) api(`/api/proposals/${proposal.id}/discard`, {}).catch(() => {});
  grid.redrawRows(state, new Set(proposal.changes.map((c) => c.employee_id)));
  side.drawReview(state, reviewActions);
}

export const reviewActions = {
  async accept() {
    const proposal = state.proposal;
    if (proposal.worse && !proposal.confirming) {
      proposal.confirming = true;
      side.drawReview(state, reviewActions);
      return;
    }
    await acceptProposal();
  },
  confirm: () => acceptProposal(),
  cancel() {
    state.proposal.confirming = false;
    side.drawReview(state, reviewActions);
    $("#accept")?.focus();
  },
  discard() {
    dropProposal(true);
    say(t("review.discarded"));
  },
  show(emp, date) {
    if (grid.view.rows.get(emp)?.hidden) page.resetFilters();
    const td = grid.moveFocus(grid.key(emp, date), true);
    if (td) td.scrollIntoView({ block: "center", inline: "center" });
  },
};

async function acceptProposal() {
  const proposal = state.proposal;
  try {
    const answer = await api(`/api/proposals/${proposal.id}/accept`, { version: state.roster.version });
    state.proposal = null;
    page.applyFull(answer.delta ? await page.fullState() : answer);
    if (proposal.kind === "replan") showTaken(proposal.changes);
    say(plural("review.accepted", proposal.changes.length));
  } catch (error) {
    if (error instanceof Offline) {
      say(t("edit.offline"), "error");
      return;
    }
    state.proposal = null;
    say(t("review.conflict", { why: error.message }), "error");
    await page.loadAll().catch(() => {});
  }
}


/** After a re-plan is taken: the changes to tell staff stay listed until the next one. */
export function showTaken(changes) {
  const pane = $("#changes-pane");
  const table = side.changesTable(state, changes, reviewActions.show, "taken-changes");
  pane.replaceChildren(...(table ? [table] : []));
  pane.hidden = !table;
}

function setBusy(busy) {
  // The progress line changes twice a second: a screen reader hears the start and the end.
  $("#status").setAttribute("aria-busy", busy ? "true" : "false");
  $("#solve").disabled = busy;
  $("#replan").disabled = busy;
}
