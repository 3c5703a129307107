// The planner's page: draws what the API returns and sends edits with the version it last saw.
// No framework, no CDN: the files in this folder are the whole front end (ES modules).
//
// An edit answers with a delta (the rows, findings and coverage cells it touched), so only those
// are redrawn; undo, accepting a proposal and (re)loading redraw everything. Solve and re-plan
// end as a proposal the planner reviews in the grid and the sidebar before taking it.
"use strict";

import { Offline, api, download, drawBanner, link, onConnectionBack } from "./api.js";
import { dayLabel, getLang, ruleTitle, setLang, t, translateStatic } from "./i18n.js";
import * as grid from "./grid.js";
import { closeMenu, isMenuOpen, openMenu } from "./menu.js";
import * as jobs from "./jobs.js";
import * as side from "./sidebar.js";
import { $, remember, remembered, say, state } from "./store.js";

const CALLOUT_MS = 8000;
const PROFILE_KEY = "rostering.payroll-profile";
const PAPER_KEY = "rostering.paper";

// ------------------------------------------------------------------ loading and applying

async function loadAll() {
  applyFull(await fullState());
}

function coveragePath() {
  const competence = $("#competence").value;
  return `/api/coverage${competence ? `?competence=${encodeURIComponent(competence)}` : ""}`;
}

async function loadCoverage() {
  try {
    state.coverage = await api(coveragePath());
    grid.drawCoverageRows(state);
    side.drawTotals(state);
  } catch (error) {
    failed(error);
  }
}

/** A whole state {roster, findings, coverage}: everything is redrawn. */
function applyFull({ roster, findings, coverage }) {
  state.roster = roster;
  state.findings = findings;
  const filtered = $("#competence").value;
  const coverageFits = (coverage.competence || "") === filtered;
  state.coverage = coverageFits || !state.coverage ? coverage : { ...state.coverage, totals: coverage.totals };
  derive();
  jobs.refreshOverlay();
  drawAll();
  if (!coverageFits) loadCoverage();
}

function derive() {
  const r = state.roster;
  state.types = new Map(r.shift_types.map((s, index) => [s.id, { ...s, index }]));
  state.employees = new Map(r.employees.map((e) => [e.id, e]));
  state.order = new Map(r.employees.map((e, i) => [e.id, i]));
  state.findings.findings = sortFindings(state.findings.findings);
  state.marks = grid.indexFindings(state.findings.findings);
}

function sortFindings(findings) {
  const row = (f) => state.order.get(f.employee_id) ?? -1;
  return findings.sort((a, b) => side.isSoft(a) - side.isSoft(b) || row(a) - row(b) ||
    (a.start || "").localeCompare(b.start || "") || a.rule_id.localeCompare(b.rule_id));
}

const findingKey = (f) => `${f.rule_id}|${f.employee_id}|${f.start}|${f.end}`;

/** An edit's answer: replace only the employees, findings and coverage cells it names. */
function applyDelta(delta) {
  const started = performance.now();
  const r = state.roster;
  Object.assign(r, { version: delta.version, unsaved: delta.unsaved, undo: delta.undo, shifts: delta.shifts });
  for (const e of delta.employees) {
    const index = state.order.get(e.id);
    if (index === undefined) continue;
    r.employees[index] = e;
    state.employees.set(e.id, e);
  }
  const before = new Set(state.findings.findings.map(findingKey));
  const replaced = new Set(delta.findings.employees);
  const kept = state.findings.findings.filter((f) => !replaced.has(f.employee_id) && state.employees.has(f.employee_id));
  state.findings = { version: delta.version, count: delta.findings.count, findings: sortFindings([...kept, ...delta.findings.findings]) };
  state.marks = grid.indexFindings(state.findings.findings);
  const after = new Set(state.findings.findings.map(findingKey));

  const dates = [...new Set(delta.coverage.cells.map((c) => c.date))];
  const filtered = $("#competence").value;
  state.coverage = { ...state.coverage, totals: delta.coverage.totals };
  if (!filtered) {
    const fresh = new Map(delta.coverage.cells.map((c) => [`${c.date}|${c.shift}`, c]));
    const touched = new Set(dates);
    state.coverage.cells = [...state.coverage.cells.filter((c) => !touched.has(c.date)), ...fresh.values()];
  }
  const overlaid = state.proposal ? [...state.proposal.byEmp.keys()] : [];
  jobs.refreshOverlay();
  grid.redrawRows(state, new Set([...delta.employees.map((e) => e.id), ...replaced, ...overlaid]));
  if (filtered) loadCoverage();
  else grid.redrawCoverageCells(state, dates);
  drawHeader();
  drawSidebar();
  if (state.findings.findings.length !== delta.findings.count) reloadFindings();
  performance.measure("rostering:delta", { start: started });
  return {
    added: state.findings.findings.filter((f) => !before.has(findingKey(f))),
    resolved: [...before].filter((k) => !after.has(k)).length,
  };
}

/** The roster, its findings and the coverage shown, as the server has them now. */
async function fullState() {
  const [roster, findings, coverage] = await Promise.all([api("/api/roster"), api("/api/findings"), api(coveragePath())]);
  return { roster, findings, coverage };
}

/** The delta's count disagrees with the findings kept: fetch them all (never show a wrong list). */
async function reloadFindings() {
  try {
    state.findings = await api("/api/findings");
    derive();
    grid.drawGrid(state);
    applyFilters();
    drawSidebar();
  } catch (error) {
    failed(error);
  }
}

// ------------------------------------------------------------------ drawing

function drawAll() {
  const started = performance.now();
  translateStatic();
  drawHeader();
  drawLegend();
  drawFilterChoices();
  grid.drawGrid(state);
  applyFilters();
  drawSidebar();
  drawReplanForm();
  drawProfiles();
  drawPrintHead();
  if (grid.view.focus && document.activeElement?.closest?.("#grid")) $("#cell-info").textContent = describe(grid.view.focus);
  performance.measure("rostering:draw", { start: started }); // what a full redraw costs (devtools, benches)
}

function drawHeader() {
  const r = state.roster;
  document.title = `${t("app.title")} · ${r.scenario}`;
  $("#title").textContent = r.scenario;
  $("#version").textContent = [t("header.version", { version: r.version }), t("header.shifts", { n: r.shifts }),
    r.roster_file ? r.roster_file.split(/[\\/]/).pop() : null, r.unsaved ? t("header.unsaved") : null].filter(Boolean).join(" · ");
  $("#version").title = r.roster_file || "";
  $("#autosaved").hidden = !r.autosaved;
  $("#undo").disabled = !r.undo;
  $("#undo").title = r.undo ? t("undo.title", { what: r.undo }) : t("undo.none");
}

function drawSidebar() {
  side.drawFindings(state, openFinding);
  side.drawTotals(state);
  side.drawReview(state, jobs.reviewActions);
}

function drawLegend() {
  const item = (sample, label, className = "") => side.el("span", { class: `item ${className}` }, sample, " ", label);
  const symbol = (text, className) => side.el("span", { class: className, "aria-hidden": "true", text });
  const shifts = state.roster.shift_types.map((s, i) => item(
    side.el("span", { class: `shift st${i}`, text: s.code }), `${s.name || s.id} ${s.start}–${s.end}`));
  $("#legend").replaceChildren(
    side.el("strong", { text: `${t("legend.label")}:` }), ...shifts,
    item(symbol("!", "mark hard"), t("legend.hard")),
    item(symbol("~", "mark soft"), t("legend.soft")),
    item(symbol("▲", "wish want"), t("legend.want")),
    item(symbol("▽", "wish avoid"), t("legend.avoid")),
    item(symbol("", "lock-icon"), t("legend.locked")),
    item(symbol("", "absent-sample"), t("legend.absent")),
    item(symbol("★", ""), t("legend.holiday")),
    item(symbol("!", "sym below-min"), t("legend.belowMin")),
    item(symbol("~", "sym below-target"), t("legend.belowTarget")),
    item(symbol("+", "sym above-max"), t("legend.aboveMax")),
    item(symbol("↑↓", "off-norm"), t("legend.offNorm")),
    item(symbol("", "proposed-sample"), t("legend.proposed")));
}

function drawPrintHead() {
  const days = state.roster.days;
  $("#print-title").textContent = state.roster.scenario;
  const today = new Date().toLocaleDateString(getLang() === "da" ? "da-DK" : "en-GB");
  $("#print-period").textContent = [
    t("print.period", { first: dayLabel(days[0].date), last: dayLabel(days[days.length - 1].date) }),
    t("header.version", { version: state.roster.version }),
    t("print.printed", { when: today }),
  ].join(" · ");
}

function options(select, values, labels = values, all = null) {
  const chosen = select.value;
  const entries = values.map((v, i) => side.el("option", { value: v, text: labels[i] }));
  if (all !== null) entries.unshift(side.el("option", { value: "", text: all }));
  select.replaceChildren(...entries);
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

function drawFilterChoices() {
  const employees = state.roster.employees;
  const teams = [...new Set(employees.map((e) => e.team).filter(Boolean))].sort();
  options($("#filter-team"), teams, teams, t("filters.all"));
  $("#team-filter").hidden = !teams.length;
  const competences = [...new Set(employees.flatMap((e) => e.competences))].sort();
  options($("#filter-competence"), competences, competences, t("filters.all"));
  options($("#competence"), state.coverage.competences, state.coverage.competences, t("filters.all"));
}

function applyFilters() {
  const { text, team, competence } = state.filters;
  const needle = text.trim().toLowerCase();
  const shown = grid.applyFilter(state, (e) => (!needle || e.id.toLowerCase().includes(needle) || (e.name || "").toLowerCase().includes(needle)) &&
    (!team || e.team === team) && (!competence || e.competences.includes(competence)));
  const total = state.roster.employees.length;
  $("#shown").textContent = shown === total ? "" : shown ? t("filters.shown", { shown, total }) : t("grid.empty");
}

function drawReplanForm() {
  const r = state.roster;
  options($("#sick-employee"), r.employees.map((e) => e.id), r.employees.map((e) => (e.name ? `${e.name} (${e.id})` : e.id)));
  const kind = $("#sick-kind").value || "sygdom";
  options($("#sick-kind"), r.absence_kinds, r.absence_kinds.map((k) => t(`absence.${k}`)));
  $("#sick-kind").value = kind;
  for (const id of ["#sick-from", "#sick-to"]) {
    $(id).min = r.days[0].date;
    $(id).max = r.days[r.days.length - 1].date;
    if (!$(id).value) $(id).value = r.days[0].date;
  }
}

function drawProfiles() {
  const profiles = state.roster.payroll_profiles || ["generic"];
  const select = $("#payroll-profile");
  const stored = select.value || remembered(PROFILE_KEY);
  options(select, profiles);
  if (profiles.includes(stored)) select.value = stored;
  select.hidden = profiles.length < 2;
  updateExportLinks();
}

function updateExportLinks() {
  for (const a of document.querySelectorAll("a[data-path]")) {
    const profile = a.id === "export-payroll" ? $("#payroll-profile").value : "";
    a.href = link(a.dataset.path, { profile });
  }
}

// ------------------------------------------------------------------ editing

async function send(path, body) {
  const started = performance.now();
  try {
    const answer = await api(path, { version: state.roster.version, ...body });
    if (state.job) {
      state.job.edited = true;
      side.drawReview(state, jobs.reviewActions);
    }
    const result = answer.delta ? applyDelta(answer.delta) : (applyFull(answer), null);
    if (grid.view.focus) $("#cell-info").textContent = describe(grid.view.focus);
    return { ms: performance.now() - started, result };
  } catch (error) {
    failed(error);
    return null;
  }
}

function failed(error) {
  if (error instanceof Offline) {
    say(t("edit.offline"), "error");
    return;
  }
  say(error.message, "error");
  if (error.status === 409) loadAll().then(() => say(`${t("edit.conflict")}: ${error.message}`, "error")).catch(() => {});
}

function currentCell(emp, date) {
  return (state.employees.get(emp)?.cells || {})[date] || {};
}

async function setShift(emp, date, shift) {
  if ((currentCell(emp, date).shift || null) === shift) return;
  const sent = await send("/api/edits", { edits: [{ employee_id: emp, date, shift_id: shift }] });
  if (!sent) return;
  const what = shift ? grid.shiftCode(state, shift) : t("cell.dayoff");
  say(t("edit.done", { who: side.who(state, emp), day: dayLabel(date), what, ms: Math.round(sent.ms) }));
  if (sent.result) announce(sent.result, emp, date);
}

async function setLock(emp, date, locked) {
  const sent = await send("/api/locks", { cells: [[emp, date]], locked });
  if (sent) say(t(locked ? "edit.lock" : "edit.unlock", { who: side.who(state, emp), day: dayLabel(date) }));
}

/** A new rule break is shown beside the edited cell and read out; resolved ones are counted. */
function announce({ added, resolved }, emp, date) {
  const callout = $("#callout");
  clearTimeout(announce.timer);
  callout.hidden = true;
  if (!added.length) {
    if (resolved) {
      say(`${$("#status").textContent} · ${t("edit.fixed", { n: resolved })}`);
      $("#announce").textContent = t("edit.fixed", { n: resolved });
    }
    return;
  }
  const hard = added.filter((f) => !side.isSoft(f));
  const head = hard.length > 1 ? t("edit.new.many", { n: hard.length }) : hard.length ? t("edit.new") : t("edit.new.soft");
  const lines = added.map((f) => `${ruleTitle(f)}: ${f.message}`);
  callout.className = hard.length ? "hard" : "soft";
  callout.replaceChildren(side.el("strong", { text: `${hard.length ? "!" : "~"} ${head}` }),
    ...lines.map((line) => side.el("div", { text: line })));
  const td = grid.view.cells.get(grid.key(emp, date));
  callout.hidden = false;
  if (td) {
    const rect = td.getBoundingClientRect();
    const box = callout.getBoundingClientRect();
    const left = Math.min(Math.max(rect.left, 4), window.innerWidth - box.width - 8);
    const top = rect.bottom + box.height + 8 < window.innerHeight ? rect.bottom + 4 : Math.max(rect.top - box.height - 4, 4);
    callout.style.left = `${left}px`;
    callout.style.top = `${top}px`;
  }
  $("#announce").textContent = `${head}: ${lines.join(". ")}`;
  announce.timer = setTimeout(() => (callout.hidden = true), CALLOUT_MS);
}

function openShiftMenu(emp, date, td) {
  const cell = currentCell(emp, date);
  const locked = !!cell.locked;
  const items = [
    ...state.roster.shift_types.map((s) => ({ label: `${s.code} · ${s.name || s.id}`, hint: `${s.start}–${s.end}`, value: `shift:${s.id}`,
      checked: cell.shift === s.id, disabled: locked })),
    { label: t("menu.dayoff"), value: "off", checked: !cell.shift, disabled: locked },
    { separator: true },
    { label: t(locked ? "menu.unlock" : "menu.lock"), value: locked ? "unlock" : "lock", role: "menuitem" },
  ];
  if (locked) say(t("menu.locked"));
  openMenu(td, t("menu.label", { who: side.who(state, emp), day: dayLabel(date) }), items, (value) => {
    if (value === "off") setShift(emp, date, null);
    else if (value.startsWith("shift:")) setShift(emp, date, value.slice(6));
    else setLock(emp, date, value === "lock");
  });
}

function activate(cellKey, td) {
  const [row, date] = grid.splitKey(cellKey);
  if (grid.isCoverage(row)) openGap(td.dataset.shift, date);
  else openShiftMenu(row, date, td);
}

function clearCell(cellKey) {
  const [row, date] = grid.splitKey(cellKey);
  if (grid.isCoverage(row)) return;
  if (currentCell(row, date).locked) say(t("menu.locked"), "error");
  else setShift(row, date, null);
}

/** What a cell holds, in words: the line above the grid and the cell's tooltip. */
function describe(cellKey) {
  const [row, date] = grid.splitKey(cellKey);
  if (grid.isCoverage(row)) return grid.view.cells.get(cellKey)?.title || "";
  const e = state.employees.get(row);
  const cell = currentCell(row, date);
  const type = cell.shift ? state.types.get(cell.shift) : null;
  const found = state.marks.byCell.get(row)?.get(date);
  const change = state.proposal?.byEmp.get(row)?.get(date);
  const code = (s) => (s ? grid.shiftCode(state, s) : t("cell.dayoff"));
  return [
    e.name ? `${e.name} (${e.id})` : e.id,
    dayLabel(date),
    type ? `${type.code} ${type.start}–${type.end}` : cell.shift || null,
    cell.absent ? t("cell.absent", { kind: t(`absence.${cell.absent}`) }) : null,
    cell.unavailable ? t("cell.unavailable") : null,
    ...(cell.wishes || []).map((w) => t("cell.wish", { wish: grid.wishText(w) })),
    cell.locked ? t("cell.locked") : null,
    ...(found ? found.hard.map((f) => t("cell.hard", { what: ruleTitle(f) })) : []),
    ...(found ? found.soft.map((f) => t("cell.soft", { what: ruleTitle(f) })) : []),
    change ? t("cell.proposed", { old: code(change.old), new: code(change.new) }) : null,
  ].filter(Boolean).join(" · ");
}

// ------------------------------------------------------------------ findings and gaps

function openFinding(index) {
  const f = state.findings.findings[index];
  if (!f) return;
  side.markActiveFinding(index);
  if (grid.view.rows.get(f.employee_id)?.hidden) resetFilters();
  const cells = f.cells && f.cells.length ? grid.highlight(f.cells) : grid.highlightRow(f.employee_id);
  if (cells[0]) {
    grid.moveFocus(grid.cellKeyOf(cells[0]), false);
    cells[0].scrollIntoView({ block: "center", inline: "center" });
  }
  say(f.cells && f.cells.length ? t("findings.cells", { n: cells.length }) : t("findings.nocells", { who: side.who(state, f.employee_id) }));
}

function resetFilters() {
  state.filters = { text: "", team: "", competence: "" };
  $("#search").value = "";
  $("#filter-team").value = "";
  $("#filter-competence").value = "";
  applyFilters();
}

async function openGap(shift, date) {
  state.gap = { shift, date };
  side.drawGap(state, shift, date, null, assign);
  $("#gap-pane").scrollIntoView({ block: "nearest" });
  const query = new URLSearchParams({ date, shift });
  if ($("#competence").value) query.set("competence", $("#competence").value);
  let answer;
  try {
    answer = await api(`/api/gap?${query}`);
  } catch (error) {
    answer = { error: error.message };
  }
  if (state.gap && state.gap.shift === shift && state.gap.date === date) side.drawGap(state, shift, date, answer, assign);
}

async function assign(emp, shift, date) {
  await setShift(emp, date, shift);
  if (state.gap) openGap(state.gap.shift, state.gap.date);
}

// ------------------------------------------------------------------ wiring

function wire() {
  jobs.connect({ applyFull, loadAll, fullState, failed, resetFilters });
  const table = $("#grid");
  grid.setHandlers({
    activate,
    clear: clearCell,
    focused: (cellKey) => ($("#cell-info").textContent = describe(cellKey)),
  });
  table.addEventListener("keydown", grid.onGridKey);
  table.addEventListener("click", (event) => {
    const td = event.target.closest("td[tabindex]");
    if (!td) return;
    const cellKey = grid.cellKeyOf(td);
    grid.moveFocus(cellKey, true);
    activate(cellKey, td);
  });
  table.addEventListener("pointerover", (event) => {
    const td = event.target.closest("td[tabindex]");
    if (td && td.dataset.emp && !td.title) td.title = describe(grid.cellKeyOf(td));
  });
  $("#grid-scroll").addEventListener("scroll", () => ($("#callout").hidden = true), { passive: true });
  table.addEventListener("focusin", (event) => {
    const td = event.target.closest("td[tabindex]");
    if (td) $("#cell-info").textContent = describe(grid.cellKeyOf(td));
  });

  $("#undo").addEventListener("click", async () => {
    const what = state.roster.undo;
    if (await send("/api/undo", {})) say(t("edit.undone", { what }));
  });
  $("#save").addEventListener("click", async () => {
    try {
      const saved = await api("/api/save", { version: state.roster.version });
      say(saved.previous ? t("edit.saved.prev", { file: saved.saved, previous: saved.previous }) : t("edit.saved", { file: saved.saved }));
      await loadAll();
    } catch (error) {
      failed(error);
    }
  });
  $("#solve").addEventListener("click", () => {
    state.lastAbsences = [];
    jobs.startJob("/api/solve", { seed: 1 }, "solve");
  });
  $("#replan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const absences = [{
      employee_id: $("#sick-employee").value, first: $("#sick-from").value, last: $("#sick-to").value, kind: $("#sick-kind").value,
    }];
    state.lastAbsences = absences;
    jobs.startJob("/api/replan", { absences, fill_other_gaps: $("#fill-other-gaps").checked }, "replan");
  });
  $("#print").addEventListener("click", () => window.print());
  $("#paper").value = remembered(PAPER_KEY) === "A3" ? "A3" : "A4";
  setPaper();
  $("#paper").addEventListener("change", () => {
    remember(PAPER_KEY, $("#paper").value);
    setPaper();
  });
  $("#gap-close").addEventListener("click", () => {
    state.gap = null;
    $("#gap-pane").hidden = true;
  });
  $("#competence").addEventListener("change", loadCoverage);
  $("#search").addEventListener("input", (event) => {
    state.filters.text = event.target.value;
    applyFilters();
  });
  $("#filter-team").addEventListener("change", (event) => {
    state.filters.team = event.target.value;
    applyFilters();
  });
  $("#filter-competence").addEventListener("change", (event) => {
    state.filters.competence = event.target.value;
    applyFilters();
  });
  $("#payroll-profile").addEventListener("change", (event) => {
    remember(PROFILE_KEY, event.target.value);
    updateExportLinks();
  });
  $("#lang").value = getLang();
  $("#lang").addEventListener("change", (event) => {
    setLang(event.target.value);
    drawBanner();
    if (state.roster) drawAll();
    else translateStatic();
    say(t("ready"));
  });
  for (const a of document.querySelectorAll("a[data-path]")) a.addEventListener("click", (event) => exportFile(event, a));
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, select, textarea");
    if ((event.ctrlKey || event.metaKey) && event.key === "z" && !typing && !$("#undo").disabled) {
      event.preventDefault();
      if (isMenuOpen()) closeMenu(true);
      $("#undo").click();
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (state.roster && state.roster.unsaved && state.roster.roster_file) event.preventDefault();
  });
  onConnectionBack(async (roster) => {
    if (roster && state.roster && roster.version === state.roster.version) {
      say(t("online.back"));
      return;
    }
    try {
      await loadAll();
      say(t("online.reloaded", { version: state.roster.version }));
    } catch (error) {
      failed(error);
    }
  });
}

/** A4 landscape by default (app.css); A3 for a long plan or many employees. */
function setPaper() {
  let style = $("#page-size");
  if (!style) {
    style = side.el("style", { id: "page-size" });
    document.head.append(style);
  }
  style.textContent = `@page { size: ${$("#paper").value} landscape; }`;
}

/** Downloads go through fetch, so a refusal (a roster breaking hard rules has no payroll
 *  export) or a server that is gone shows in the status line instead of replacing the page. */
async function exportFile(event, a) {
  event.preventDefault();
  const what = a.textContent;
  try {
    const file = await download(a.href);
    const save = side.el("a", { href: URL.createObjectURL(file.blob), download: file.name });
    document.body.append(save);
    save.click();
    save.remove();
    say(file.leftOut ? t("export.leftOut", { what, left: file.leftOut }) : t("export.done", { what }));
  } catch (error) {
    say(error instanceof Offline ? t("export.offline", { what }) : t("export.refused", { what, why: error.message }), "error");
  }
}

translateStatic();
wire();
say(t("loading"), "busy");
loadAll().then(() => say(t("ready"))).catch((error) => failed(error));
