// Talking to the server: JSON in and out, the token, and what happens when the server is gone.
// A request that never reaches the server (network down, server stopped) raises an Offline
// error and shows the banner; the page keeps its state and a probe retries until the server
// answers again, then the page is told (onBack) so it can reload what changed meanwhile.
"use strict";

import { t } from "./i18n.js";

const token = new URLSearchParams(location.search).get("token");
const RETRY_SECONDS = 3;

export class Offline extends Error {}

export class ApiError extends Error {
  constructor(message, status, data) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

const connection = { offline: false, timer: null, onBack: null };

/** GET (no body) or POST `body` as JSON; the parsed answer, or ApiError / Offline. */
export async function api(path, body, method) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = body === undefined ? { headers, method: method || "GET" } : { method: method || "POST", headers, body: JSON.stringify(body) };
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    goneOffline();
    throw new Offline(t("edit.offline"));
  }
  if (connection.offline) cameBack();
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(detailText(data.detail) || t("error.server", { status: response.status }), response.status, data);
  return data;
}

/** A download URL: the path with its query, plus the token when the page was opened with one. */
export function link(path, query = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query)) if (value) url.searchParams.set(key, value);
  if (token) url.searchParams.set("token", token);
  return url.pathname + url.search;
}

/** Fetch a file (export): {blob, name} or ApiError / Offline, never an uncaught TypeError. */
export async function download(href) {
  let response;
  try {
    response = await fetch(href);
  } catch {
    goneOffline();
    throw new Offline(t("edit.offline"));
  }
  if (connection.offline) cameBack();
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new ApiError(detailText(data.detail) || response.statusText || String(response.status), response.status, data);
  }
  const name = (response.headers.get("Content-Disposition") || "").match(/filename="(.+)"/);
  return { blob: await response.blob(), name: name ? name[1] : "export", leftOut: response.headers.get("X-Left-Out") || "" };
}

export function detailText(detail) {
  if (Array.isArray(detail)) return detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
  return typeof detail === "string" ? detail : detail ? JSON.stringify(detail) : "";
}

export function isOffline() {
  return connection.offline;
}

/** What to do when the server answers again (reload what may have changed). */
export function onConnectionBack(callback) {
  connection.onBack = callback;
}

function banner() {
  return document.getElementById("offline");
}

function goneOffline() {
  if (connection.offline) return;
  connection.offline = true;
  drawBanner();
  connection.timer = setInterval(probe, RETRY_SECONDS * 1000);
}

export function drawBanner() {
  const node = banner();
  if (!connection.offline) {
    node.hidden = true;
    return;
  }
  const retry = document.createElement("button");
  retry.type = "button";
  retry.textContent = t("offline.retry");
  retry.addEventListener("click", probe);
  node.replaceChildren(document.createTextNode(`${t("offline", { s: RETRY_SECONDS })} `), retry);
  node.hidden = false;
}

async function probe() {
  try {
    const response = await fetch("/api/roster", { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (response.ok || response.status < 500) cameBack(await response.json().catch(() => null));
  } catch {
    // still gone: the timer tries again
  }
}

function cameBack(roster = null) {
  if (!connection.offline) return;
  connection.offline = false;
  clearInterval(connection.timer);
  connection.timer = null;
  drawBanner();
  if (connection.onBack) connection.onBack(roster);
}
