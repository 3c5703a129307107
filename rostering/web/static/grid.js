// The roster grid: one table holding the days header (weeks, weekends, holidays), a row per
// employee and, in its sticky footer, the coverage rows, so coverage always lines up under the
// day columns. Drawing keeps maps from (row, day) to cell, so an edit redraws only its rows and
// coverage cells; nothing here loops querySelector over the cells.
//
// The table follows the WAI-ARIA grid pattern: one cell carries tabindex 0 (roving), arrows,
// Home/End, PageUp/PageDown move it, Enter activates (the app opens the shift menu or the gap
// panel), Delete makes a day off.
"use strict";

import { dayParts, num, ruleTitle, t } from "./i18n.js";

const COVERAGE = "#cov:"; // row key prefix of a coverage row (ids never start with "#")
const STATUS = { "below min": ["below-min", "!"], "below target": ["below-target", "~"], "above max": ["above-max", "+"], ok: ["ok", ""] };
const DEFAULT_TOLERANCE = 7.5; // hours: one shift, when the server does not say the rule's own

export const view = {
  table: null,
  body: null,
  foot: null,
  cells: new Map(), // "emp|date" or "#cov:shift|date" -> td
  rows: new Map(), // emp -> tr
  groups: [], // [tr, [emp ids]]
  rowKeys: [], // employee ids in grid order, then coverage row keys
  days: [], // iso dates
  focus: null, // the key of the cell with tabindex 0
  hl: [], // cells highlighted for the finding chosen in the sidebar
};

let handlers = { activate() {}, clear() {}, focused() {} };

export function setHandlers(next) {
  handlers = { ...handlers, ...next };
}

export function key(row, date) {
  return `${row}|${date}`;
}

export function coverageKey(shift) {
  return COVERAGE + shift;
}

export function isCoverage(rowKey) {
  return rowKey.startsWith(COVERAGE);
}

export function splitKey(cellKey) {
  const bar = cellKey.lastIndexOf("|");
  return [cellKey.slice(0, bar), cellKey.slice(bar + 1)];
}

// ------------------------------------------------------------------ marks from findings

/** Findings by employee and day ("emp" -> "date" -> {hard, soft}), and those concerning a
 *  whole employee (no time: their period's hours) by employee. */
export function indexFindings(findings) {
  const byCell = new Map();
  const byRow = new Map();
  for (const f of findings) {
    const kind = f.severity === "preference" ? "soft" : "hard";
    if (!f.cells || !f.cells.length) {
      if (!byRow.has(f.employee_id)) byRow.set(f.employee_id, { hard: [], soft: [] });
      byRow.get(f.employee_id)[kind].push(f);
      continue;
    }
    for (const [emp, date] of f.cells) {
      if (!byCell.has(emp)) byCell.set(emp, new Map());
      const days = byCell.get(emp);
      if (!days.has(date)) days.set(date, { hard: [], soft: [] });
      days.get(date)[kind].push(f);
    }
  }
  return { byCell, byRow };
}

// ------------------------------------------------------------------ drawing

/** Draw everything: header, every employee row, coverage rows. */
export function drawGrid(state) {
  const { days, employees, shift_types: types } = state.roster;
  view.days = days.map((d) => d.date);
  view.cells = new Map();
  view.rows = new Map();
  view.groups = [];
  const table = document.getElementById("grid");
  view.table = table;
  table.setAttribute("role", "grid");
  table.setAttribute("aria-label", t("grid.label"));
  table.setAttribute("aria-colcount", String(days.length + 2));
  table.style.setProperty("--days", String(days.length));
  styleShiftTypes(types);

  const colgroup = document.createElement("colgroup");
  colgroup.append(col("c-who"), col("c-hours"));
  for (let i = 0; i < days.length; i += 1) colgroup.append(col("c-day"));

  const head = document.createElement("thead");
  head.append(weekRow(state), dayRow(state));

  const body = document.createElement("tbody");
  const fragment = document.createDocumentFragment();
  let group = null;
  let members = null;
  for (const e of employees) {
    if (e.group !== group) {
      group = e.group;
      members = [];
      const tr = groupRow(group, days.length);
      view.groups.push([tr, members]);
      fragment.append(tr);
    }
    members.push(e.id);
    const tr = employeeRow(state, e);
    view.rows.set(e.id, tr);
    fragment.append(tr);
  }
  body.append(fragment);
  view.body = body;

  const foot = document.createElement("tfoot");
  view.foot = foot;
  table.replaceChildren(colgroup, head, body, foot);
  drawCoverageRows(state);
  view.rowKeys = [...employees.map((e) => e.id), ...coverageShifts(state).map(coverageKey)];
  restoreFocus();
  return table;
}

function col(className) {
  const node = document.createElement("col");
  node.className = className;
  return node;
}

/** One CSS class per shift type (colour), so cells carry a class instead of a style each. */
function styleShiftTypes(types) {
  let style = document.getElementById("shift-colours");
  if (!style) {
    style = document.createElement("style");
    style.id = "shift-colours";
    document.head.append(style);
  }
  style.textContent = types.map((s, i) => `.st${i}{--c:${s.colour}}`).join("\n");
}

/** " weekend holiday mon", worked out once per day (Monday: the week's left border). */
function dayClass(day) {
  if (day.classes === undefined) {
    const monday = new Date(`${day.date}T12:00:00Z`).getUTCDay() === 1;
    day.classes = `${day.weekend ? " weekend" : ""}${day.holiday ? " holiday" : ""}${monday ? " mon" : ""}`;
  }
  return day.classes;
}

/** ISO week of a day, when the server does not send it. */
export function isoWeek(iso) {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 3 - ((date.getUTCDay() + 6) % 7));
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((date - firstThursday) / 864e5 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
}

function weekRow(state) {
  const tr = document.createElement("tr");
  tr.className = "weeks";
  const corner = document.createElement("th");
  corner.className = "who corner";
  corner.colSpan = 2;
  corner.setAttribute("role", "columnheader");
  corner.textContent = state.roster.scenario;
  tr.append(corner);
  let current = null;
  for (const day of state.roster.days) {
    const week = day.week ?? isoWeek(day.date);
    if (!current || current.week !== week) {
      current = { week, th: document.createElement("th"), holidays: [], days: 0 };
      current.th.className = "week mon";
      current.th.setAttribute("role", "columnheader");
      tr.append(current.th);
    }
    current.days += 1;
    current.th.colSpan = current.days;
    if (day.holiday) current.holidays.push(`★ ${dayParts(day.date)[0]} ${day.holiday}`);
    const text = [t("grid.week", { week }), ...current.holidays].join(" · ");
    current.th.textContent = text;
    current.th.title = text;
  }
  return tr;
}

function dayRow(state) {
  const tr = document.createElement("tr");
  tr.className = "days";
  const who = document.createElement("th");
  who.className = "who";
  who.setAttribute("role", "columnheader");
  who.textContent = t("grid.employee");
  const hours = document.createElement("th");
  hours.className = "hours";
  hours.setAttribute("role", "columnheader");
  hours.title = t("grid.hours.title");
  hours.textContent = t("grid.hours");
  tr.append(who, hours);
  for (const day of state.roster.days) {
    const th = document.createElement("th");
    th.className = `day${dayClass(day)}`;
    th.setAttribute("role", "columnheader");
    th.dataset.date = day.date;
    const [weekday, date] = dayParts(day.date);
    th.title = day.holiday ? `${day.date} · ${day.holiday}` : day.date;
    th.append(`${weekday}${day.holiday ? " ★" : ""}`, document.createElement("br"), text("span", "date", date));
    tr.append(th);
  }
  return tr;
}

function groupRow(group, days) {
  const tr = document.createElement("tr");
  tr.className = "group";
  const th = document.createElement("th");
  th.colSpan = days + 2;
  th.setAttribute("role", "rowheader");
  const label = document.createElement("span");
  label.textContent = group === "vikar" ? t("grid.vikar") : group;
  th.append(label);
  tr.append(th);
  return tr;
}

/** The employee's row: name, hours against the norm, a cell per day. */
export function employeeRow(state, e) {
  const tr = document.createElement("tr");
  tr.dataset.emp = e.id;
  tr.append(rowHeader(state, e), hoursCell(e));
  // Per row: its findings by day, the proposal's changes, and the runs of absent days (the
  // absence's word is written once per run, spanning it: full words, never "feri").
  const proposed = state.proposal ? state.proposal.byEmp.get(e.id) : null;
  const row = { marks: state.marks.byCell.get(e.id), proposed, runs: [], run: null };
  for (const day of state.roster.days) tr.append(employeeCell(state, e, day, row));
  for (const { word, days: span } of row.runs) {
    word.style.maxWidth = `calc(${span * 100}% + ${span - 5}px)`;
    if (span === 1) squeeze(word, "italic 400").classList.add("single");
  }
  return tr;
}

function rowHeader(state, e) {
  const who = document.createElement("th");
  who.className = "who";
  who.setAttribute("role", "rowheader");
  who.title = [e.id, e.name, e.agreement, e.competences.join(", "), e.team].filter(Boolean).join(" · ");
  const rowMarks = state.marks.byRow.get(e.id);
  if (rowMarks) {
    const kind = rowMarks.hard.length ? "hard" : "soft";
    who.classList.add(kind);
    who.append(mark(kind), text("span", "sr-only", t(`legend.${kind}`)));
    who.title += `\n${[...rowMarks.hard, ...rowMarks.soft].map((f) => ruleTitle(f)).join("\n")}`;
  }
  who.append(e.name || e.id);
  return who;
}

/** One day of an employee: the shift (or the proposal's, or the absence), and every sign on it
 *  as a glyph for the eye and as words for a screen reader. */
function employeeCell(state, e, day, row) {
  const cell = e.cells[day.date];
  const td = document.createElement("td");
  td.tabIndex = view.focus === key(e.id, day.date) ? 0 : -1;
  td.setAttribute("role", "gridcell");
  td.dataset.emp = e.id;
  td.dataset.date = day.date;
  let classes = `cell${dayClass(day)}`;
  const spoken = [];
  const found = row.marks ? row.marks.get(day.date) : null;
  if (found) {
    const kind = found.hard.length ? "hard" : "soft";
    classes += ` ${kind}`;
    td.append(mark(kind));
    spoken.push(t(`legend.${kind}`));
  }
  if (cell) {
    if (cell.locked) classes += " locked";
    if (cell.absent) classes += " absent";
    if (cell.unavailable) classes += " unavailable";
    if (cell.locked) spoken.push(t("cell.locked"));
    if (cell.unavailable) spoken.push(t("cell.unavailable"));
    if (cell.wishes) {
      td.append(wishMark(cell.wishes));
      spoken.push(...cell.wishes.map((w) => t("cell.wish", { wish: wishText(w) })));
    }
  }
  const change = row.proposed ? row.proposed.get(day.date) : null;
  if (change) {
    classes += " proposed";
    if (change.new) td.append(chip(state, change.new));
    else td.append(squeeze(text("span", "dayoff", change.absent ? t(`absence.${change.absent}`) : t("cell.dayoff")), "700"));
    td.append(text("s", "old", change.old ? shiftCode(state, change.old) : t("cell.dayoff")));
    row.run = null;
  } else if (cell && cell.shift) {
    td.append(chip(state, cell.shift));
    row.run = null;
  } else if (cell && cell.absent) {
    const starts = !row.run || row.run.kind !== cell.absent;
    const word = text("span", starts ? "absence" : "absence cont", t(`absence.${cell.absent}`));
    if (starts) row.runs.push((row.run = { kind: cell.absent, word, days: 0 }));
    row.run.days += 1;
    td.append(word);
  } else {
    row.run = null;
  }
  if (spoken.length) td.append(text("span", "sr-only", spoken.join(", ")));
  td.className = classes;
  view.cells.set(key(e.id, day.date), td);
  return td;
}

// A word in one day's cell (a one-day absence, "sygdom" in a proposal) is narrowed to fit the
// narrowest column, never cut: measured once per word on a canvas, which needs no layout.
const WORD_PX = 9.5;
const WORD_ROOM = 27; // px inside a day column of --col-min (32 px)
const narrowed = new Map();
let canvas = null;

function squeeze(node, style) {
  const word = node.textContent;
  const name = `${style}|${word}`;
  if (!narrowed.has(name)) {
    canvas = canvas || document.createElement("canvas").getContext("2d");
    canvas.font = `${style} ${WORD_PX}px ${getComputedStyle(document.body).fontFamily}`;
    narrowed.set(name, Math.min(1, WORD_ROOM / canvas.measureText(word).width));
  }
  const scale = narrowed.get(name);
  if (scale < 1) node.style.setProperty("--squeeze", scale.toFixed(3));
  return node;
}

function text(tag, className, content) {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = content;
  return node;
}

function mark(kind) {
  const node = text("span", `mark ${kind}`, kind === "hard" ? "!" : "~");
  node.setAttribute("aria-hidden", "true"); // said in words by the cell's sr-only text
  return node;
}

function wishMark(wishes) {
  const avoid = wishes.some((w) => w.startsWith("avoid") || w === "day_off");
  const node = text("span", `wish ${avoid ? "avoid" : "want"}`, avoid ? "▽" : "▲");
  node.setAttribute("aria-hidden", "true");
  return node;
}

export function wishText(wish) {
  const [kind, shift] = wish.split(" ");
  return t(`wish.${kind}`, { shift: shift || "" }).trim();
}

function hoursCell(e) {
  const td = document.createElement("td");
  td.className = "hours";
  td.setAttribute("role", "gridcell");
  const tolerance = e.norm_tolerance_hours ?? DEFAULT_TOLERANCE;
  const off = e.planned_hours - e.norm_hours;
  const beyond = Math.abs(off) > tolerance + 1e-9;
  td.title = t("hours.title", {
    planned: num(e.planned_hours, 2), norm: num(e.norm_hours, 2), contract: num(e.contract_hours, 2), tolerance: num(tolerance, 2),
  });
  let content = `${Math.round(e.planned_hours)}/${Math.round(e.norm_hours)}`;
  if (beyond) {
    td.classList.add(off > 0 ? "over" : "under");
    content += off > 0 ? "↑" : "↓";
    td.title += ` · ${t(off > 0 ? "hours.over" : "hours.under", { n: num(Math.abs(off), 1) })}`;
  }
  td.textContent = content;
  return td;
}

export function shiftCode(state, shiftId) {
  const type = state.types.get(shiftId);
  return type ? type.code : shiftId;
}

function chip(state, shiftId) {
  const node = document.createElement("span");
  const type = state.types.get(shiftId);
  node.className = type ? `shift st${type.index}` : "shift";
  node.textContent = type ? type.code : shiftId.split("+").map((s) => shiftCode(state, s)).join("+");
  return node;
}

/** Replace the rows of `ids` (after an edit): the table, maps and focus follow. */
export function redrawRows(state, ids) {
  const focused = document.activeElement;
  const hadFocus = focused && focused.closest && focused.closest("#grid") === view.table && focused.dataset.emp;
  const byId = new Map(state.roster.employees.map((e) => [e.id, e]));
  for (const id of ids) {
    const old = view.rows.get(id);
    const e = byId.get(id);
    if (old && e) patchRow(old, employeeRow(state, e));
  }
  view.hl = view.hl.filter((td) => td.isConnected);
  const cell = view.focus ? view.cells.get(view.focus) : null;
  if (cell) cell.tabIndex = 0;
  if (hadFocus && !focused.isConnected && cell) cell.focus({ preventScroll: true });
}

/** Put the cells of `fresh` that differ into `row`, keeping the others (and the focus, and the
 *  table's layout of them): an edit changes a few cells of a row of up to 84. */
function patchRow(row, fresh) {
  const old = [...row.children];
  const next = [...fresh.children];
  for (let i = 0; i < next.length; i += 1) {
    const [before, after] = [old[i], next[i]];
    if (before.className !== after.className || before.innerHTML !== after.innerHTML) {
      before.className = after.className;
      before.replaceChildren(...after.childNodes);
    }
    // The cell element stays (with the focus, if it has it): the maps point back at it, and its
    // tooltip is worked out again when hovered (cells) or taken from the fresh one (headers).
    if (after.title) before.title = after.title;
    else before.removeAttribute("title");
    if (after.dataset.date) view.cells.set(key(after.dataset.emp, after.dataset.date), before);
  }
}

// ------------------------------------------------------------------ coverage rows

function coverageShifts(state) {
  const present = new Set(state.coverage.cells.map((c) => c.shift));
  return state.roster.shift_types.map((s) => s.id).filter((id) => present.has(id));
}

/** The coverage rows in the table's footer, one per shift type with demand. */
export function drawCoverageRows(state) {
  const byKey = new Map(state.coverage.cells.map((c) => [`${c.date}|${c.shift}`, c]));
  const fragment = document.createDocumentFragment();
  for (const shift of coverageShifts(state)) {
    const tr = document.createElement("tr");
    tr.className = "cov";
    tr.dataset.shift = shift;
    const th = document.createElement("th");
    th.className = "who";
    th.colSpan = 2;
    th.setAttribute("role", "rowheader");
    th.title = t("grid.coverage.title");
    th.textContent = t("grid.coverage", { shift: shiftCode(state, shift) });
    tr.append(th);
    for (const day of state.roster.days) {
      const td = coverageCell(state, shift, day, byKey.get(`${day.date}|${shift}`));
      view.cells.set(key(coverageKey(shift), day.date), td);
      tr.append(td);
    }
    fragment.append(tr);
  }
  view.foot.replaceChildren(fragment);
  view.rowKeys = [...state.roster.employees.map((e) => e.id), ...coverageShifts(state).map(coverageKey)];
}

function coverageCell(state, shift, day, c) {
  const td = document.createElement("td");
  td.tabIndex = view.focus === key(coverageKey(shift), day.date) ? 0 : -1;
  td.setAttribute("role", "gridcell");
  td.dataset.date = day.date;
  td.dataset.shift = shift;
  fillCoverageCell(state, td, shift, day, c);
  return td;
}

function fillCoverageCell(state, td, shift, day, c) {
  if (!c) {
    td.className = `heat none${dayClass(day)}`;
    td.replaceChildren();
    td.removeAttribute("title");
    return;
  }
  const [status, symbol] = STATUS[c.status] || ["ok", ""];
  td.className = `heat ${status}`;
  td.replaceChildren(String(c.planned));
  const words = { "below-min": "legend.belowMin", "below-target": "legend.belowTarget", "above-max": "legend.aboveMax" };
  if (symbol) {
    const sign = text("span", "sym", symbol);
    sign.setAttribute("aria-hidden", "true");
    td.append(sign, text("span", "sr-only", ` ${t(words[status])}`));
  }
  const max = c.max === null || c.max === undefined ? "–" : c.max;
  const numbers = { planned: c.planned, min: c.min, target: c.target, max };
  td.title = t("cov.title", { shift: shiftCode(state, shift), day: dayParts(day.date).join(" "), ...numbers }) +
    (symbol ? ` · ${t(words[status])}` : "");
}

/** Redraw the coverage cells of `dates` from state.coverage (after an edit). */
export function redrawCoverageCells(state, dates) {
  const wanted = new Set(dates);
  const byKey = new Map(state.coverage.cells.filter((c) => wanted.has(c.date)).map((c) => [`${c.date}|${c.shift}`, c]));
  const days = state.roster.days.filter((d) => wanted.has(d.date));
  for (const shift of coverageShifts(state)) {
    for (const day of days) {
      const td = view.cells.get(key(coverageKey(shift), day.date));
      if (td) fillCoverageCell(state, td, shift, day, byKey.get(`${day.date}|${shift}`));
    }
  }
}

// ------------------------------------------------------------------ highlight, filters

export function highlight(cells) {
  for (const td of view.hl) td.classList.remove("hl");
  view.hl = cells.map(([emp, date]) => view.cells.get(key(emp, date))).filter(Boolean);
  for (const td of view.hl) td.classList.add("hl");
  return view.hl;
}

export function highlightRow(emp) {
  const tr = view.rows.get(emp);
  for (const td of view.hl) td.classList.remove("hl");
  view.hl = tr ? [...tr.querySelectorAll("td.cell")] : [];
  for (const td of view.hl) td.classList.add("hl");
  return view.hl;
}

/** Show only the employees `keep(e)` accepts; group rows with nobody shown go too. */
export function applyFilter(state, keep) {
  let shown = 0;
  for (const e of state.roster.employees) {
    const tr = view.rows.get(e.id);
    if (!tr) continue;
    tr.hidden = !keep(e);
    if (!tr.hidden) shown += 1;
  }
  for (const [tr, members] of view.groups) tr.hidden = members.every((id) => view.rows.get(id).hidden);
  if (view.focus && !isCoverage(splitKey(view.focus)[0]) && view.rows.get(splitKey(view.focus)[0])?.hidden) {
    const first = visibleRowKeys()[0];
    if (first) moveFocus(key(first, splitKey(view.focus)[1]), false);
  }
  return shown;
}

// ------------------------------------------------------------------ focus and keyboard

function visibleRowKeys() {
  return view.rowKeys.filter((rowKey) => isCoverage(rowKey) || !view.rows.get(rowKey)?.hidden);
}

function restoreFocus() {
  let cell = view.focus ? view.cells.get(view.focus) : null;
  if (!cell) {
    const first = visibleRowKeys()[0];
    if (!first || !view.days.length) return;
    view.focus = key(first, view.days[0]);
    cell = view.cells.get(view.focus);
  }
  if (cell) cell.tabIndex = 0;
}

/** Make `cellKey` the grid's one tabbable cell and (with `focus`) give it the focus. */
export function moveFocus(cellKey, focus = true) {
  const next = view.cells.get(cellKey);
  if (!next) return null;
  const previous = view.focus ? view.cells.get(view.focus) : null;
  if (previous && previous !== next) previous.tabIndex = -1;
  next.tabIndex = 0;
  view.focus = cellKey;
  if (focus) {
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  handlers.focused(cellKey);
  return next;
}

const PAGE_ROWS = 10;

function step(rowDelta, columnDelta, event) {
  const rows = visibleRowKeys();
  const [rowKey, date] = splitKey(view.focus);
  let row = Math.max(rows.indexOf(rowKey), 0);
  let column = Math.max(view.days.indexOf(date), 0);
  if (event.key === "Home") column = 0;
  else if (event.key === "End") column = view.days.length - 1;
  if (event.ctrlKey && (event.key === "Home" || event.key === "End")) row = event.key === "Home" ? 0 : rows.length - 1;
  row = Math.min(Math.max(row + rowDelta, 0), rows.length - 1);
  column = Math.min(Math.max(column + columnDelta, 0), view.days.length - 1);
  moveFocus(key(rows[row], view.days[column]));
}

const MOVES = {
  ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0],
  Home: [0, 0], End: [0, 0], PageUp: [-PAGE_ROWS, 0], PageDown: [PAGE_ROWS, 0],
};

export function onGridKey(event) {
  const td = event.target.closest("td[tabindex]");
  if (!td || !view.focus) return;
  if (MOVES[event.key]) {
    event.preventDefault();
    step(...MOVES[event.key], event);
  } else if (event.key === "Enter" || event.key === "F2" || event.key === " ") {
    event.preventDefault();
    handlers.activate(view.focus, td);
  } else if (event.key === "Delete" || event.key === "Backspace") {
    event.preventDefault();
    handlers.clear(view.focus, td);
  }
}

export function cellKeyOf(td) {
  if (td.dataset.emp) return key(td.dataset.emp, td.dataset.date);
  if (td.dataset.shift) return key(coverageKey(td.dataset.shift), td.dataset.date);
  return null;
}
