// The planner's page: draws what the API returns and sends edits with the version it last saw.
// No framework, no CDN: this file, index.html and app.css are the whole front end.
"use strict";

const token = new URLSearchParams(location.search).get("token");
const $ = (sel) => document.querySelector(sel);
const state = { roster: null, findings: null, coverage: null, selected: null, job: null };

// ------------------------------------------------------------------ talking to the API

async function api(path, body) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, body === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(detailText(data.detail) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

function detailText(detail) {
  if (Array.isArray(detail)) return detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
  return detail;
}

function withToken(path) {
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}

function say(text, kind = "info") {
  const status = $("#status");
  status.textContent = text;
  status.className = kind;
}

async function change(path, body) {
  try {
    const started = performance.now();
    apply(await api(path, { version: state.roster.version, ...body }));
    return performance.now() - started;
  } catch (error) {
    say(error.message, "error");
    if (error.status === 409) await loadAll();  // another tab or a job changed it: show what is there now
    return null;
  }
}

async function loadAll() {
  const [roster, findings, coverage] = await Promise.all([
    api("/api/roster"), api("/api/findings"), api(coveragePath())]);
  apply({ roster, findings, coverage });
}

function apply({ roster, findings, coverage }) {
  state.roster = roster;
  state.findings = findings;
  // An edit answers with the coverage of all competences; a filtered view fetches its own.
  if ((coverage.competence || "") === $("#competence").value) state.coverage = coverage;
  else loadCoverage();
  drawAll();
}

function coveragePath() {
  const competence = $("#competence").value;
  return `/api/coverage${competence ? `?competence=${encodeURIComponent(competence)}` : ""}`;
}

async function loadCoverage() {
  state.coverage = await api(coveragePath());
  drawCoverage();
}

// ------------------------------------------------------------------ drawing

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else if (key.startsWith("data")) node.setAttribute(key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function drawAll() {
  const r = state.roster;
  document.title = `Vagtplan · ${r.scenario}`;
  $("#title").textContent = r.scenario;
  $("#version").textContent = `version ${r.version} · ${r.shifts} shifts${r.roster_file ? ` · ${r.roster_file}` : ""}` +
    (r.unsaved ? " · unsaved changes" : "");
  $("#undo").disabled = !r.undo;
  $("#undo").title = r.undo ? `Undo: ${r.undo}` : "Nothing to undo";
  drawLegend();
  drawGrid();
  drawFindings();
  drawCoverage();
  drawReplanForm();
  select(state.selected);
}

function dayClass(day) {
  return [day.weekend ? "weekend" : "", day.holiday ? "holiday" : ""].join(" ").trim();
}

function drawLegend() {
  $("#legend").replaceChildren(...state.roster.shift_types.map((s) =>
    el("span", { class: "shift", style: `color:${s.colour};border-color:${s.colour}`, title: `${s.name} ${s.start}-${s.end}` },
      s.code === s.id ? s.id : `${s.code} ${s.id}`)));
}

function drawGrid() {
  const { days, employees } = state.roster;
  const types = Object.fromEntries(state.roster.shift_types.map((s) => [s.id, s]));
  const head = el("tr", {}, el("th", { class: "who" }, "employee"), el("th", { class: "hours", title: "planned / norm hours" }, "h"),
    ...days.map((d) => dayHeader(d)));
  const body = [];
  let group = null;
  for (const e of employees) {
    if (e.group !== group) {
      group = e.group;
      body.push(el("tr", { class: "group" }, el("th", { colspan: days.length + 2 }, group)));
    }
    const off = e.planned_hours - e.norm_hours;
    const hours = el("td", { class: `hours${Math.abs(off) > 7.5 ? " off-norm" : ""}`,
      title: `planned ${e.planned_hours} h, norm ${e.norm_hours} h (contract ${e.contract_hours} h/week)` },
    `${Math.round(e.planned_hours)}/${Math.round(e.norm_hours)}`);
    const row = el("tr", { dataEmp: e.id }, el("th", { class: "who", title: `${e.agreement} · ${e.competences.join(", ")}` }, e.id), hours);
    for (const d of days) row.append(gridCell(e, d, e.cells[d.date] || {}, types));
    body.push(row);
  }
  $("#grid").replaceChildren(el("thead", {}, head), el("tbody", {}, ...body));
}

function dayHeader(day) {
  const [weekday, date] = day.label.split(" ");
  return el("th", { class: dayClass(day), title: day.holiday || day.date }, weekday, el("br"), date);
}

function chip(shiftId, types) {
  const type = types[shiftId];
  const colour = type ? type.colour : "#333";
  return el("span", { class: "shift", style: `color:${colour};border-color:${colour}`, title: type ? `${type.id} ${type.start}-${type.end}` : shiftId },
    type ? type.code : shiftId);
}

function gridCell(employee, day, cell, types) {
  const notes = [];
  if (cell.absent) notes.push(`absent: ${cell.absent}`);
  if (cell.unavailable) notes.push("unavailable");
  for (const wish of cell.wishes || []) notes.push(`wish: ${wish}`);
  if (cell.locked) notes.push("locked");
  const classes = ["cell", dayClass(day), cell.absent ? "absent" : "", cell.unavailable ? "unavailable" : "", cell.locked ? "locked" : ""];
  const shift = cell.shift ? chip(cell.shift, types)
    : cell.absent ? el("span", { class: "absence" }, cell.absent.slice(0, 4)) : null;
  const wish = cell.wishes ? el("span", { class: "wish", title: cell.wishes.join(", ") },
    cell.wishes.some((w) => w.startsWith("avoid") || w === "day_off") ? "▽" : "▲") : null;
  return el("td", { class: classes.join(" ").replace(/\s+/g, " ").trim(), dataEmp: employee.id, dataDate: day.date,
    title: [`${employee.id} ${day.label}`, ...notes].join(" · ") }, shift, wish);
}

function drawFindings() {
  const { findings, count } = state.findings;
  $("#findings-count").textContent = count;
  $("#findings-count").className = `badge${count ? " bad" : ""}`;
  $("#findings").replaceChildren(...findings.map((f, i) => el("li", { dataRule: f.rule_id, dataIndex: i, class: f.severity, tabindex: 0 },
    el("strong", {}, f.rule_id), " ", el("span", { class: "emp" }, f.employee_id),
    f.start ? el("span", { class: "muted" }, ` ${f.start.replace("T", " ")}`) : null,
    el("div", {}, f.message), el("div", { class: "source muted" }, `§ ${f.source}`))));
  if (!count) $("#findings").replaceChildren(el("li", { class: "none" }, "No findings: the roster keeps every rule."));
}

function highlight(index) {
  document.querySelectorAll(".hl").forEach((n) => n.classList.remove("hl"));
  document.querySelectorAll("#findings li.active").forEach((n) => n.classList.remove("active"));
  const finding = state.findings.findings[index];
  if (!finding) return;
  $(`#findings li[data-index="${index}"]`).classList.add("active");
  const nodes = finding.cells.length
    ? finding.cells.map(([emp, date]) => document.querySelector(`td[data-emp="${emp}"][data-date="${date}"]`)).filter(Boolean)
    : [...document.querySelectorAll(`td[data-emp="${finding.employee_id}"]`)];
  nodes.forEach((n) => n.classList.add("hl"));
  if (nodes[0]) nodes[0].scrollIntoView({ block: "center", inline: "center", behavior: "smooth" });
}

const STATUS_CLASS = { "below min": "below-min", "below target": "below-target", "above max": "above-max", ok: "ok" };

function drawCoverage() {
  const { cells, competences, totals } = state.coverage;
  const picker = $("#competence");
  if (picker.options.length !== competences.length + 1) {
    const chosen = picker.value;
    picker.replaceChildren(el("option", { value: "" }, "all"), ...competences.map((c) => el("option", { value: c }, c)));
    picker.value = chosen;
  }
  const days = state.roster.days;
  const byKey = Object.fromEntries(cells.map((c) => [`${c.date}|${c.shift}`, c]));
  const shifts = state.roster.shift_types.map((s) => s.id).filter((id) => cells.some((c) => c.shift === id));
  const head = el("tr", {}, el("th", {}, "shift"), ...days.map((d) => dayHeader(d)));
  const rows = shifts.map((id) => el("tr", {}, el("th", {}, id), ...days.map((d) => {
    const c = byKey[`${d.date}|${id}`];
    if (!c) return el("td", { class: "none" });
    return el("td", { class: `heat ${STATUS_CLASS[c.status]}`, dataDate: d.date, dataShift: id,
      title: `${id} ${d.label}: ${c.planned} planned; min ${c.min}, target ${c.target}, max ${c.max ?? "-"}` }, `${c.planned}/${c.target}`);
  })));
  $("#coverage").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  const pct = (x) => (x === null ? "-" : `${(100 * x).toFixed(1)} %`);
  const kr = (x) => (x === null ? "-" : `${Math.round(x).toLocaleString("da-DK")} kr`);
  const items = [
    ["demanded (target) / planned head-hours", `${totals.demanded_hours.toFixed(1)} / ${totals.planned_hours.toFixed(1)}`],
    ["hours below min / below target / above max", `${totals.under_min_hours.toFixed(1)} / ${totals.under_target_hours.toFixed(1)} / ${totals.over_max_hours.toFixed(1)}`],
    ["shifts understaffed (a competence below min)", `${totals.slots_understaffed} of ${totals.slots} (${pct(totals.share_understaffed)})`],
    ["utilisation (demanded / planned hours)", pct(totals.utilisation)],
    ["leveringsgrad (visit hours / planned hours)", pct(totals.leveringsgrad)],
    ["wages / supplements", `${kr(totals.wage_cost)} / ${kr(totals.supplement_cost)}`],
  ];
  $("#totals").replaceChildren(...items.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function drawReplanForm() {
  const picker = $("#sick-employee");
  if (picker.options.length) return;
  picker.append(...state.roster.employees.map((e) => el("option", { value: e.id }, e.id)));
  $("#sick-kind").append(...state.roster.absence_kinds.map((k) => el("option", { value: k }, k)));
  $("#sick-kind").value = "sygdom";
  const days = state.roster.days;
  for (const id of ["#sick-from", "#sick-to"]) {
    $(id).min = days[0].date;
    $(id).max = days[days.length - 1].date;
    $(id).value = days[0].date;
  }
}

// ------------------------------------------------------------------ editing

function select(cell) {
  document.querySelectorAll("td.selected").forEach((n) => n.classList.remove("selected"));
  state.selected = cell;
  const picker = $("#shift-select");
  if (!cell) {
    picker.disabled = true;
    $("#lock").disabled = true;
    return;
  }
  const node = document.querySelector(`td[data-emp="${cell.emp}"][data-date="${cell.date}"]`);
  if (node) node.classList.add("selected");
  const employee = state.roster.employees.find((e) => e.id === cell.emp);
  const current = (employee.cells[cell.date] || {});
  const day = state.roster.days.find((d) => d.date === cell.date);
  $("#selected").textContent = `${cell.emp} · ${day.label}`;
  picker.replaceChildren(el("option", { value: "" }, "— day off"), ...state.roster.shift_types.map((s) =>
    el("option", { value: s.id }, `${s.id} ${s.start}-${s.end}`)));
  picker.value = current.shift && !current.shift.includes("+") ? current.shift : "";
  picker.disabled = !!current.locked;
  $("#lock").disabled = false;
  $("#lock").textContent = current.locked ? "Unlock" : "Lock";
}

$("#grid").addEventListener("click", (event) => {
  const td = event.target.closest("td.cell");
  if (td) select({ emp: td.dataset.emp, date: td.dataset.date });
});

$("#shift-select").addEventListener("change", async (event) => {
  const { emp, date } = state.selected;
  const ms = await change("/api/edits", { edits: [{ employee_id: emp, date, shift_id: event.target.value || null }] });
  if (ms !== null) say(`${emp} ${date}: ${event.target.value || "day off"} · rules re-checked in ${Math.round(ms)} ms`);
});

$("#lock").addEventListener("click", async () => {
  const { emp, date } = state.selected;
  const locked = $("#lock").textContent === "Lock";
  if (await change("/api/locks", { cells: [[emp, date]], locked }) !== null) say(`${emp} ${date} ${locked ? "locked" : "unlocked"}`);
});

$("#undo").addEventListener("click", async () => {
  const what = state.roster.undo;
  if (await change("/api/undo", {}) !== null) say(`Undone: ${what}`);
});

$("#save").addEventListener("click", async () => {
  try {
    const saved = await api("/api/save", { version: state.roster.version });
    say(`Saved to ${saved.saved}${saved.previous ? ` (previous kept as ${saved.previous})` : ""}`);
    await loadAll();
  } catch (error) {
    say(error.message, "error");
  }
});

$("#findings").addEventListener("click", (event) => {
  const li = event.target.closest("li[data-index]");
  if (li) highlight(Number(li.dataset.index));
});

$("#competence").addEventListener("change", loadCoverage);

// Downloads go through fetch, so a refusal (a roster breaking hard rules has no payroll export)
// shows in the status line instead of replacing the page.
for (const link of document.querySelectorAll("a[data-path]")) {
  link.href = withToken(link.dataset.path);
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    const response = await fetch(link.href);
    if (!response.ok) {
      say(`${link.textContent} export refused: ${detailText((await response.json().catch(() => ({}))).detail) || response.statusText}`, "error");
      return;
    }
    const name = (response.headers.get("Content-Disposition") || "").match(/filename="(.+)"/);
    const save = el("a", { href: URL.createObjectURL(await response.blob()), download: name ? name[1] : "export" });
    document.body.append(save);
    save.click();
    save.remove();
    say(`${link.textContent} exported`);
  });
}

window.addEventListener("beforeunload", (event) => {
  if (state.roster && state.roster.unsaved && state.roster.roster_file) event.preventDefault();
});

// ------------------------------------------------------------------ solve and re-plan

async function startJob(path, body) {
  if (state.job) return;
  try {
    const job = await api(path, { version: state.roster.version, time_limit: Number($("#time-limit").value) || 10, ...body });
    state.job = job.id;
    setBusy(true);
    poll(job.id);
  } catch (error) {
    say(error.message, "error");
  }
}

async function poll(id) {
  const job = await api(`/api/jobs/${id}`);
  const p = job.progress;
  const line = p ? `objective ${p.objective.toFixed(1)} · bound ${p.bound.toFixed(1)} · gap ${(100 * p.gap).toFixed(1)} %` : "searching…";
  if (job.status === "running") {
    say(`${job.kind} · ${job.elapsed.toFixed(1)} s of ${job.time_limit} s · ${line}`, "busy");
    setTimeout(() => poll(id), 500);
    return;
  }
  state.job = null;
  setBusy(false);
  await loadAll();
  const kind = job.status === "done" ? "info" : "error";
  say(`${job.kind} ${job.status}: ${job.message}${p ? ` · ${line}` : ""}`, kind);
  if (job.kind === "replan" && job.status === "done") drawChanges(job.changes);
}

function setBusy(busy) {
  for (const id of ["#solve", "#replan", "#undo", "#save"]) $(id).disabled = busy || (id === "#undo" && !state.roster.undo);
}

function drawChanges(changes) {
  const head = el("tr", {}, ...["employee", "date", "published", "new", "late"].map((c) => el("th", {}, c)));
  const rows = changes.map((c) => el("tr", { class: c.inside_notice ? "late" : "" },
    el("td", {}, c.employee_id), el("td", {}, c.date), el("td", {}, c.old || "fri"), el("td", {}, c.new || "fri"),
    el("td", {}, c.inside_notice ? "yes" : "no")));
  $("#changes").replaceChildren(el("caption", {}, `${changes.length} change(s) to tell staff`), el("thead", {}, head), el("tbody", {}, ...rows));
}

$("#solve").addEventListener("click", () => startJob("/api/solve", { seed: 1 }));

$("#replan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  startJob("/api/replan", { absences: [{ employee_id: $("#sick-employee").value, first: $("#sick-from").value,
    last: $("#sick-to").value, kind: $("#sick-kind").value }] });
});

// Keyboard: arrows move the selected cell, Delete makes it a day off, Enter opens the shift
// list, Ctrl+Z undoes.
const MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "z" && !$("#undo").disabled) {
    event.preventDefault();
    $("#undo").click();
    return;
  }
  if (!state.selected || event.target.closest("input, select, form")) return;
  if (MOVES[event.key]) {
    event.preventDefault();
    moveSelection(...MOVES[event.key]);
  } else if ((event.key === "Delete" || event.key === "Backspace") && !$("#shift-select").disabled) {
    $("#shift-select").value = "";
    $("#shift-select").dispatchEvent(new Event("change"));
  } else if (event.key === "Enter" && !$("#shift-select").disabled) {
    $("#shift-select").focus();
  }
});

function moveSelection(rows, columns) {
  const employees = state.roster.employees.map((e) => e.id);
  const days = state.roster.days.map((d) => d.date);
  const row = Math.min(Math.max(employees.indexOf(state.selected.emp) + rows, 0), employees.length - 1);
  const column = Math.min(Math.max(days.indexOf(state.selected.date) + columns, 0), days.length - 1);
  select({ emp: employees[row], date: days[column] });
  document.querySelector("td.selected").scrollIntoView({ block: "nearest", inline: "nearest" });
}

loadAll().then(() => say("Ready")).catch((error) => say(error.message, "error"));
