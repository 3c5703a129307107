// The shift choice that opens on a grid cell (Enter, click): a small WAI-ARIA menu beside the
// cell. Arrows move, Enter or Space choose, a letter jumps to the shift starting with it,
// Escape (or Tab, or a click elsewhere) closes it and gives the focus back to the cell.
"use strict";

const menu = { node: null, anchor: null, onChoose: null };

function node() {
  if (!menu.node) {
    menu.node = document.getElementById("cell-menu");
    menu.node.addEventListener("keydown", onKey);
    menu.node.addEventListener("click", (event) => {
      const item = event.target.closest("[role^=menuitem]");
      if (item && item.getAttribute("aria-disabled") !== "true") choose(item);
    });
    document.addEventListener("pointerdown", (event) => {
      if (menu.anchor && !menu.node.contains(event.target) && event.target !== menu.anchor) closeMenu(false);
    });
  }
  return menu.node;
}

/** Open the menu at `anchor` with `items` [{label, value, checked, disabled, role, hint}];
 *  `onChoose(value)` runs after it closed. */
export function openMenu(anchor, label, items, onChoose) {
  const box = node();
  menu.anchor = anchor;
  menu.onChoose = onChoose;
  box.setAttribute("aria-label", label);
  const title = document.createElement("div");
  title.className = "menu-title";
  title.setAttribute("aria-hidden", "true");
  title.textContent = label;
  box.replaceChildren(title, ...items.map((item) => {
    if (item.separator) {
      const line = document.createElement("div");
      line.setAttribute("role", "separator");
      return line;
    }
    const entry = document.createElement("div");
    entry.setAttribute("role", item.role || "menuitemradio");
    entry.tabIndex = -1;
    entry.dataset.value = item.value;
    if (item.role !== "menuitem") entry.setAttribute("aria-checked", item.checked ? "true" : "false");
    if (item.disabled) entry.setAttribute("aria-disabled", "true");
    if (item.className) entry.className = item.className;
    entry.textContent = item.label;
    if (item.hint) {
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = item.hint;
      entry.append(hint);
    }
    return entry;
  }));
  box.hidden = false;
  place(box, anchor);
  const entries = enabled();
  const start = entries.find((e) => e.getAttribute("aria-checked") === "true") || entries[0];
  if (start) start.focus();
}

export function isMenuOpen() {
  return !!menu.anchor;
}

/** Close; with `refocus` the focus goes back to the cell the menu was opened on. */
export function closeMenu(refocus = true) {
  if (!menu.anchor) return;
  const anchor = menu.anchor;
  menu.anchor = null;
  node().hidden = true;
  node().replaceChildren();
  if (refocus && anchor.isConnected) anchor.focus();
}

function place(box, anchor) {
  const rect = anchor.getBoundingClientRect();
  box.style.left = "0px";
  box.style.top = "0px";
  const { width, height } = box.getBoundingClientRect();
  const left = Math.min(rect.left, window.innerWidth - width - 4);
  const below = rect.bottom + 2;
  const top = below + height > window.innerHeight ? Math.max(rect.top - height - 2, 4) : below;
  box.style.left = `${Math.max(left, 4)}px`;
  box.style.top = `${top}px`;
}

function enabled() {
  return [...node().querySelectorAll("[role^=menuitem]")].filter((e) => e.getAttribute("aria-disabled") !== "true");
}

function choose(item) {
  const value = item.dataset.value;
  const onChoose = menu.onChoose;
  closeMenu(true);
  if (onChoose) onChoose(value);
}

function onKey(event) {
  const entries = enabled();
  const at = entries.indexOf(document.activeElement);
  const go = (i) => entries[(i + entries.length) % entries.length]?.focus();
  if (event.key === "ArrowDown") go(at + 1);
  else if (event.key === "ArrowUp") go(at - 1);
  else if (event.key === "Home") go(0);
  else if (event.key === "End") go(entries.length - 1);
  else if (event.key === "Escape") closeMenu(true);
  else if (event.key === "Tab") closeMenu(true);
  else if (event.key === "Enter" || event.key === " ") {
    if (at >= 0) choose(entries[at]);
  } else if (event.key.length === 1 && /\S/.test(event.key)) {
    const letter = event.key.toLowerCase();
    const after = [...entries.slice(at + 1), ...entries.slice(0, at + 1)];
    after.find((e) => e.textContent.toLowerCase().startsWith(letter))?.focus();
  } else return;
  event.preventDefault();
  event.stopPropagation();
}
