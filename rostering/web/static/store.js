// What every part of the page shares: the state drawn from the API's answers, the status line,
// and the few choices the browser remembers.
"use strict";

export const $ = (selector) => document.querySelector(selector);

export const state = {
  roster: null,
  findings: { count: 0, findings: [] },
  coverage: null,
  types: new Map(), // shift id -> {code, index, ...}
  employees: new Map(), // id -> employee of roster.employees
  order: new Map(), // id -> index in roster.employees
  marks: { byCell: new Map(), byRow: new Map() },
  job: null, // the running job: {id, kind, limit, elapsed, line, base, edited}
  proposal: null, // the job's proposal under review (see showProposal)
  gap: null, // {shift, date} shown in the gap panel
  lastAbsences: [], // the absences of the re-plan last started (its proposal shows them)
  filters: { text: "", team: "", competence: "" },
};

export function say(text, kind = "info") {
  const status = $("#status");
  status.textContent = text;
  status.title = text; // the line is cut to one; the whole of it on hover
  status.className = kind;
}

export function remembered(name) {
  try {
    return localStorage.getItem(name);
  } catch {
    return null; // storage blocked: nothing remembered
  }
}

export function remember(name, value) {
  try {
    localStorage.setItem(name, value);
  } catch {
    // storage blocked: the choice lasts until the page is left
  }
}
