// Every string the page shows, in Danish (the default: the planners are Danish) and English.
// `t("key", {n: 3})` fills {n}; a key missing in English falls back to Danish, one missing in
// both shows the key itself, so a forgotten string is visible, never blank.
"use strict";

const MESSAGES = {
  da: {
    "app.title": "Vagtplan",
    "lang.label": "Sprog",
    "header.version": "version {version}",
    "header.shifts": "{n} vagter",
    "header.unsaved": "ikke gemt",
    "autosave.restored": "Genoprettet fra autogemt arbejde (ikke gemt i vagtplanfilen endnu)",
    "actions.label": "Handlinger",
    "undo": "Fortryd",
    "undo.title": "Fortryd: {what}",
    "undo.none": "Intet at fortryde",
    "save": "Gem",
    "save.title": "Skriv vagtplanfilen (den forrige gemmes som .prev)",
    "solve.limit": "Tid",
    "solve.seconds": "s",
    "solve": "Beregn forslag",
    "solve.title": "Beregn en ny plan; låste celler bevares. Du ser forslaget før du tager det.",
    "export": "Eksport",
    "export.csv": "CSV",
    "export.xlsx": "XLSX",
    "export.payroll": "Løn",
    "export.ical": "iCal",
    "export.profile": "Lønprofil",
    "export.scenario": "Scenarie",
    "export.scenario.title": "Scenariet som regneark (med fravær meldt her), til at rette i Excel og åbne igen",
    "export.leftOut": "{what} er hentet; et regneark kan ikke rumme: {left}",
    "export.done": "{what} er hentet",
    "export.refused": "{what}: eksport afvist: {why}",
    "export.offline": "{what}: eksport mislykkedes: ingen forbindelse til serveren",
    "print": "Udskriv",
    "print.title": "Udskriv skemaet (liggende, på det valgte papir)",
    "print.paper": "Papirformat til udskrift",
    "ready": "Klar",
    "loading": "Henter vagtplanen …",

    "filters.label": "Filtre",
    "filters.search": "Søg",
    "filters.search.placeholder": "navn eller id",
    "filters.team": "Team",
    "filters.competence": "Kompetence",
    "filters.all": "alle",
    "filters.coverage": "Dækning for",
    "filters.shown": "{shown} af {total} medarbejdere vist",

    "grid.label": "Vagtplan: medarbejdere × dage",
    "grid.employee": "navn",
    "grid.hours": "timer",
    "grid.hours.title": "planlagte / normtimer",
    "grid.week": "Uge {week}",
    "grid.vikar": "vikarer",
    "grid.coverage": "Dækning {shift}",
    "grid.coverage.title": "Planlagte pr. vagt mod minimum og mål. Klik: hvem kan tage vagten?",
    "grid.empty": "Ingen medarbejdere matcher filtret.",
    "cov.title": "{shift} {day}: {planned} planlagt · min {min} · mål {target} · maks {max}",
    "hours.title": "planlagt {planned} t, norm {norm} t (kontrakt {contract} t/uge), tolerance ±{tolerance} t",
    "hours.over": "{n} t over normen",
    "hours.under": "{n} t under normen",

    "cell.absent": "fravær: {kind}",
    "cell.unavailable": "ikke til rådighed",
    "cell.locked": "låst",
    "cell.wish": "ønske: {wish}",
    "cell.dayoff": "fri",
    "cell.hard": "regelbrud: {what}",
    "cell.soft": "præference: {what}",
    "cell.proposed": "forslag: {old} → {new}",
    "cell.info.none": "Vælg en celle (klik, eller Tab og piletaster)",
    "cell.keys": "Enter: vælg vagt · Delete: fri · Ctrl+Z: fortryd",

    "wish.want": "vil gerne have {shift}",
    "wish.avoid": "vil helst ikke have {shift}",
    "wish.day_off": "ønsker fri",
    "wish.work": "vil gerne arbejde",
    "wish.only": "kun {shift} eller fri",

    "absence.ferie": "ferie",
    "absence.sygdom": "sygdom",
    "absence.kursus": "kursus",
    "absence.barsel": "barsel",
    "absence.andet": "andet",

    "menu.label": "Vagt for {who} {day}",
    "menu.dayoff": "Fri (ingen vagt)",
    "menu.lock": "Lås cellen",
    "menu.unlock": "Lås cellen op",
    "menu.locked": "Cellen er låst: lås den op for at ændre den",

    "edit.done": "{who} {day}: {what} · reglerne tjekket på {ms} ms",
    "edit.lock": "{who} {day} er låst",
    "edit.unlock": "{who} {day} er låst op",
    "edit.undone": "Fortrudt: {what}",
    "edit.saved": "Gemt i {file}",
    "edit.saved.prev": "Gemt i {file} (den forrige er gemt som {previous})",
    "edit.conflict": "Planen er ændret et andet sted; den nyeste version er hentet",
    "edit.offline": "Ændringen blev ikke sendt: ingen forbindelse til serveren",
    "edit.new": "Nyt regelbrud",
    "edit.new.many": "{n} nye regelbrud",
    "edit.new.soft": "Ny præference brudt",
    "edit.fixed": "{n} regelbrud løst",

    "legend.label": "Forklaring",
    "legend.hard": "regelbrud (lov/overenskomst)",
    "legend.soft": "præference brudt",
    "legend.want": "ønske om vagt",
    "legend.avoid": "ønske om fri / ikke denne vagt",
    "legend.locked": "låst",
    "legend.absent": "fravær",
    "legend.holiday": "helligdag",
    "legend.belowMin": "under minimum",
    "legend.belowTarget": "under mål",
    "legend.aboveMax": "over maksimum",
    "legend.proposed": "ændret i forslaget",
    "legend.offNorm": "timer uden for normens tolerance",

    "findings": "Regelbrud",
    "findings.soft": "{n} præferencer",
    "findings.soft.one": "1 præference",
    "findings.none": "Ingen regelbrud: planen overholder alle regler.",
    "findings.cells": "{n} celler markeret",
    "findings.nocells": "Gælder hele perioden for {who}",
    "findings.softHeading": "Præferencer ({n})",

    "gap": "Hvem kan tage vagten?",
    "gap.heading": "{shift} {day}: mangler {n}",
    "gap.heading.none": "{shift} {day}: ingen mangler",
    "gap.can": "Kan tage den",
    "gap.cannot": "Kan ikke",
    "gap.assign": "Sæt på",
    "gap.nobody": "Ingen kan tage vagten uden at bryde en regel.",
    "gap.unavailable": "Serveren kan ikke svare på det endnu: {why}",
    "gap.close": "Luk",
    "gap.loading": "Finder kandidater …",
    "gap.why.absent": "fraværende ({detail})",
    "gap.why.unavailable": "ikke til rådighed den dag",
    "gap.why.on_duty": "har allerede vagt ({detail})",
    "gap.why.may_not": "må ikke tage den ({detail})",
    "gap.why.would_break": "ville bryde: {detail}",
    "gap.why.objective": "fri, og vagten bryder ingen regel",

    "totals": "Dækning i alt",
    "totals.demanded": "timer efterspurgt (mål) / planlagt",
    "totals.gaps": "timer under minimum / under mål / over maks.",
    "totals.slots": "vagter under minimum",
    "totals.slots.value": "{n} af {of} ({pct})",
    "totals.utilisation": "udnyttelse (efterspurgt / planlagt)",
    "totals.leveringsgrad": "leveringsgrad (besøgstimer / planlagt)",
    "totals.cost": "løn / tillæg",

    "replan": "Sygdom og omlægning",
    "replan.employee": "Medarbejder",
    "replan.from": "Fra",
    "replan.to": "Til",
    "replan.kind": "Årsag",
    "replan.fill": "Udfyld også andre huller",
    "replan.fill.title": "Uden flueben dækkes kun de vagter fraværet åbner; andre huller i planen bliver som de er.",
    "replan.submit": "Meld fravær og beregn omlægning",
    "changes.caption": "{n} ændringer at give besked om",
    "changes.caption.one": "1 ændring at give besked om",
    "changes.employee": "medarbejder",
    "changes.date": "dato",
    "changes.old": "før",
    "changes.new": "nu",
    "changes.notice": "varsel",
    "changes.late": "for sent varslet",
    "changes.ok": "ok",

    "job.solve": "Beregning",
    "job.replan": "Omlægning",
    "job.running": "{kind} i gang · {elapsed} af {limit} s",
    "job.points": "bedste plan indtil nu: {points} strafpoint",
    "job.belowMin": "{n} vagter under minimum",
    "job.belowMin.one": "1 vagt under minimum",
    "job.belowMinHours": "{n} timer under minimum",
    "job.belowMinHours.one": "1 time under minimum",
    "job.searching": "søger en første plan …",
    "job.stale": "Du har ændret planen, mens beregningen kører: resultatet bygger på den gamle version og kan ikke tages.",
    "job.noRoster.kept": "{kind}: ingen ny plan fundet; den nuværende plan beholdes. {why}",
    "job.noRoster": "{kind}: ingen plan fundet. {why}",
    "job.failed": "{kind} fejlede: {why}",
    "job.staleResult": "{kind}: resultatet blev ikke taget, fordi planen blev ændret imens.",
    "job.applied": "{kind} færdig: {why}",
    "job.busy": "En beregning kører allerede",

    "review.solve": "Forslag fra beregningen",
    "review.replan": "Forslag til omlægning",
    "review.worse": "Forslaget er dårligere end den nuværende plan.",
    "review.stale": "Planen er ændret siden beregningen startede; forslaget kan ikke tages. Kassér det og beregn igen.",
    "review.changes": "{n} ændrede vagter",
    "review.changes.one": "1 ændret vagt",
    "review.changes.none": "Ingen ændringer: forslaget er den nuværende plan.",
    "review.late": "{n} inden for varslingsfristen",
    "review.list": "Vis ændringerne",
    "gaps.absence.none": "Fraværets huller er dækket.",
    "gaps.absence": "{n} af fraværets vagter mangler stadig en afløser.",
    "gaps.absence.one": "1 af fraværets vagter mangler stadig en afløser.",
    "gaps.other.left": "{n} andre huller er ladt som de var (sæt flueben i »Udfyld også andre huller« for at dække dem).",
    "gaps.other.filled": "{n} andre huller er der stadig.",
    "review.accept": "Tag forslaget",
    "review.discard": "Kassér",
    "review.confirm": "Forslaget er dårligere. Vil du tage det alligevel?",
    "review.confirm.yes": "Ja, tag det alligevel",
    "review.confirm.no": "Nej",
    "review.accepted": "Forslaget er taget: {n} ændrede vagter",
    "review.accepted.one": "Forslaget er taget: 1 ændret vagt",
    "review.discarded": "Forslaget er kasseret; planen er uændret",
    "review.conflict": "Forslaget kunne ikke tages: {why}",
    "review.better": "bedre",
    "review.worseTag": "værre",
    "review.same": "uændret",
    "kpi.hard": "{n} regelbrud (før {before})",
    "kpi.hard.none": "ingen regelbrud (før {before})",
    "kpi.soft": "{n} præferencer brudt (før {before})",
    "kpi.soft.one": "1 præference brudt (før {before})",
    "kpi.belowMin": "{n} vagter under minimum (før {before})",
    "kpi.belowMin.one": "1 vagt under minimum (før {before})",
    "kpi.belowMin.still": "{n} vagter stadig under minimum (før {before})",
    "kpi.belowMin.still.one": "1 vagt stadig under minimum (før {before})",
    "kpi.belowMin.none": "ingen vagter under minimum (før {before})",
    "kpi.belowMinHours": "{n} timer under minimum (før {before})",
    "kpi.belowMinHours.one": "1 time under minimum (før {before})",
    "kpi.belowTarget": "{n} timer under mål (før {before})",
    "kpi.belowTarget.one": "1 time under mål (før {before})",
    "kpi.points": "strafpoint {n} (før {before})",

    "offline": "Ingen forbindelse til serveren. Siden og dine data er bevaret; der prøves igen hvert {s}. sekund.",
    "offline.retry": "Prøv nu",
    "online.back": "Forbindelsen er tilbage",
    "online.reloaded": "Forbindelsen er tilbage; planen er hentet igen (version {version})",
    "error.server": "Serveren svarede med en fejl ({status})",

    "print.period": "{first} – {last}",
    "print.printed": "udskrevet {when}",
  },
  en: {
    "app.title": "Roster",
    "lang.label": "Language",
    "header.version": "version {version}",
    "header.shifts": "{n} shifts",
    "header.unsaved": "unsaved changes",
    "autosave.restored": "Restored from autosaved work (not yet saved to the roster file)",
    "actions.label": "Actions",
    "undo": "Undo",
    "undo.title": "Undo: {what}",
    "undo.none": "Nothing to undo",
    "save": "Save",
    "save.title": "Write the roster file (the previous one is kept as .prev)",
    "solve.limit": "Time",
    "solve.seconds": "s",
    "solve": "Compute proposal",
    "solve.title": "Compute a new roster keeping locked cells. You review the proposal before taking it.",
    "export": "Export",
    "export.payroll": "Payroll",
    "export.profile": "Payroll profile",
    "export.scenario": "Scenario",
    "export.scenario.title": "The scenario as a workbook (with the absences reported here), to edit in Excel and open again",
    "export.leftOut": "{what} downloaded; a workbook cannot hold: {left}",
    "export.done": "{what} downloaded",
    "export.refused": "{what}: export refused: {why}",
    "export.offline": "{what}: export failed: the server cannot be reached",
    "print": "Print",
    "print.title": "Print the grid (landscape, on the paper chosen)",
    "print.paper": "Paper size for printing",
    "ready": "Ready",
    "loading": "Loading the roster …",

    "filters.label": "Filters",
    "filters.search": "Search",
    "filters.search.placeholder": "name or id",
    "filters.team": "Team",
    "filters.competence": "Competence",
    "filters.all": "all",
    "filters.coverage": "Coverage for",
    "filters.shown": "{shown} of {total} employees shown",

    "grid.label": "Roster: employees × days",
    "grid.employee": "name",
    "grid.hours": "hours",
    "grid.hours.title": "planned / norm hours",
    "grid.week": "Week {week}",
    "grid.vikar": "temps",
    "grid.coverage": "Coverage {shift}",
    "grid.coverage.title": "Staff planned per shift against min and target. Click: who can take it?",
    "grid.empty": "No employee matches the filter.",
    "cov.title": "{shift} {day}: {planned} planned · min {min} · target {target} · max {max}",
    "hours.title": "planned {planned} h, norm {norm} h (contract {contract} h/week), tolerance ±{tolerance} h",
    "hours.over": "{n} h above the norm",
    "hours.under": "{n} h below the norm",

    "cell.absent": "absent: {kind}",
    "cell.unavailable": "unavailable",
    "cell.locked": "locked",
    "cell.wish": "wish: {wish}",
    "cell.dayoff": "off",
    "cell.hard": "rule broken: {what}",
    "cell.soft": "preference: {what}",
    "cell.proposed": "proposal: {old} → {new}",
    "cell.info.none": "Choose a cell (click, or Tab and the arrow keys)",
    "cell.keys": "Enter: choose shift · Delete: day off · Ctrl+Z: undo",

    "wish.want": "would like {shift}",
    "wish.avoid": "would rather not have {shift}",
    "wish.day_off": "wishes a day off",
    "wish.work": "would like to work",
    "wish.only": "only {shift} or off",

    "absence.ferie": "leave",
    "absence.sygdom": "sick",
    "absence.kursus": "course",
    "absence.barsel": "parental",
    "absence.andet": "other",

    "menu.label": "Shift for {who} {day}",
    "menu.dayoff": "Day off (no shift)",
    "menu.lock": "Lock the cell",
    "menu.unlock": "Unlock the cell",
    "menu.locked": "The cell is locked: unlock it to change it",

    "edit.done": "{who} {day}: {what} · rules re-checked in {ms} ms",
    "edit.lock": "{who} {day} locked",
    "edit.unlock": "{who} {day} unlocked",
    "edit.undone": "Undone: {what}",
    "edit.saved": "Saved to {file}",
    "edit.saved.prev": "Saved to {file} (previous kept as {previous})",
    "edit.conflict": "The roster was changed elsewhere; the newest version is loaded",
    "edit.offline": "The change was not sent: the server cannot be reached",
    "edit.new": "New rule break",
    "edit.new.many": "{n} new rule breaks",
    "edit.new.soft": "New preference broken",
    "edit.fixed": "{n} rule break(s) resolved",

    "legend.label": "Legend",
    "legend.hard": "rule broken (law/agreement)",
    "legend.soft": "preference broken",
    "legend.want": "wishes this shift",
    "legend.avoid": "wishes a day off / not this shift",
    "legend.locked": "locked",
    "legend.absent": "absent",
    "legend.holiday": "public holiday",
    "legend.belowMin": "below minimum",
    "legend.belowTarget": "below target",
    "legend.aboveMax": "above maximum",
    "legend.proposed": "changed by the proposal",
    "legend.offNorm": "hours beyond the norm's tolerance",

    "findings": "Rule breaks",
    "findings.soft": "{n} preferences",
    "findings.soft.one": "1 preference",
    "findings.none": "No rule breaks: the roster keeps every rule.",
    "findings.cells": "{n} cells marked",
    "findings.nocells": "Concerns the whole period of {who}",
    "findings.softHeading": "Preferences ({n})",

    "gap": "Who can take this shift?",
    "gap.heading": "{shift} {day}: {n} missing",
    "gap.heading.none": "{shift} {day}: nothing missing",
    "gap.can": "Can take it",
    "gap.cannot": "Cannot",
    "gap.assign": "Assign",
    "gap.nobody": "Nobody can take the shift without breaking a rule.",
    "gap.unavailable": "The server cannot answer this yet: {why}",
    "gap.close": "Close",
    "gap.loading": "Finding candidates …",

    "totals": "Coverage totals",
    "totals.demanded": "hours demanded (target) / planned",
    "totals.gaps": "hours below min / below target / above max",
    "totals.slots": "shifts below minimum",
    "totals.slots.value": "{n} of {of} ({pct})",
    "totals.utilisation": "utilisation (demanded / planned)",
    "totals.leveringsgrad": "leveringsgrad (visit hours / planned)",
    "totals.cost": "wages / supplements",

    "replan": "Sick leave and re-plan",
    "replan.employee": "Employee",
    "replan.from": "From",
    "replan.to": "To",
    "replan.kind": "Reason",
    "replan.fill": "Fill other gaps too",
    "replan.fill.title": "Unticked, only the shifts the absence opens are covered; other gaps stay as they are.",
    "replan.submit": "Report absence and re-plan",
    "changes.caption": "{n} changes to tell staff",
    "changes.caption.one": "1 change to tell staff",
    "changes.employee": "employee",
    "changes.date": "date",
    "changes.old": "before",
    "changes.new": "now",
    "changes.notice": "notice",
    "changes.late": "inside notice",
    "changes.ok": "ok",

    "job.solve": "Solve",
    "job.replan": "Re-plan",
    "job.running": "{kind} running · {elapsed} of {limit} s",
    "job.points": "best roster so far: {points} penalty points",
    "job.belowMin": "{n} shifts below minimum",
    "job.belowMin.one": "1 shift below minimum",
    "job.belowMinHours": "{n} hours below minimum",
    "job.belowMinHours.one": "1 hour below minimum",
    "job.searching": "looking for a first roster …",
    "job.stale": "You changed the roster while the solver runs: its result builds on the old version and cannot be taken.",
    "job.noRoster.kept": "{kind}: no new roster found; the current roster is kept. {why}",
    "job.noRoster": "{kind}: no roster found. {why}",
    "job.failed": "{kind} failed: {why}",
    "job.staleResult": "{kind}: the result was not taken because the roster changed meanwhile.",
    "job.applied": "{kind} done: {why}",
    "job.busy": "A solve is already running",

    "review.solve": "Proposal from the solver",
    "review.replan": "Re-plan proposal",
    "review.worse": "This proposal is worse than the current roster.",
    "review.stale": "The roster changed since the solve started; the proposal cannot be taken. Discard it and solve again.",
    "review.changes": "{n} changed shifts",
    "review.changes.one": "1 changed shift",
    "review.changes.none": "No changes: the proposal is the current roster.",
    "review.late": "{n} inside the notice period",
    "review.list": "Show the changes",
    "gaps.absence.none": "The absence's gaps are covered.",
    "gaps.absence": "{n} of the absence's shifts still lack cover.",
    "gaps.absence.one": "1 of the absence's shifts still lacks cover.",
    "gaps.other.left": "{n} other gaps are left as they were (tick »Fill other gaps too« to cover them).",
    "gaps.other.filled": "{n} other gaps remain.",
    "review.accept": "Take the proposal",
    "review.discard": "Discard",
    "review.confirm": "The proposal is worse. Take it anyway?",
    "review.confirm.yes": "Yes, take it anyway",
    "review.confirm.no": "No",
    "review.accepted": "Proposal taken: {n} changed shifts",
    "review.accepted.one": "Proposal taken: 1 changed shift",
    "review.discarded": "Proposal discarded; the roster is unchanged",
    "review.conflict": "The proposal could not be taken: {why}",
    "review.better": "better",
    "review.worseTag": "worse",
    "review.same": "unchanged",
    "kpi.hard": "{n} rule breaks (before {before})",
    "kpi.hard.one": "1 rule break (before {before})",
    "kpi.hard.none": "no rule breaks (before {before})",
    "kpi.soft": "{n} preferences broken (before {before})",
    "kpi.soft.one": "1 preference broken (before {before})",
    "kpi.belowMin": "{n} shifts below minimum (before {before})",
    "kpi.belowMin.one": "1 shift below minimum (before {before})",
    "kpi.belowMin.still": "{n} shifts still below minimum (before {before})",
    "kpi.belowMin.still.one": "1 shift still below minimum (before {before})",
    "kpi.belowMin.none": "no shifts below minimum (before {before})",
    "kpi.belowMinHours": "{n} hours below minimum (before {before})",
    "kpi.belowMinHours.one": "1 hour below minimum (before {before})",
    "kpi.belowTarget": "{n} hours below target (before {before})",
    "kpi.belowTarget.one": "1 hour below target (before {before})",
    "kpi.points": "penalty points {n} (before {before})",

    "offline": "The server cannot be reached. The page and your data are kept; retrying every {s} seconds.",
    "offline.retry": "Retry now",
    "online.back": "Connection restored",
    "online.reloaded": "Connection restored; the roster was reloaded (version {version})",
    "error.server": "The server answered with an error ({status})",

    "print.period": "{first} – {last}",
    "print.printed": "printed {when}",
  },
};

const WEEKDAYS = { da: ["ma", "ti", "on", "to", "fr", "lø", "sø"], en: ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"] };
const LOCALES = { da: "da-DK", en: "en-GB" };
const STORAGE_KEY = "rostering.lang";

let lang = "da";
try {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored in MESSAGES) lang = stored;
} catch {
  // storage blocked (private mode, file://): Danish
}

export const LANGUAGES = Object.keys(MESSAGES);

export function getLang() {
  return lang;
}

/** Switch the language, remember it and let `<html lang>` follow (screen readers read by it). */
export function setLang(next) {
  if (!(next in MESSAGES)) return;
  lang = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered; still switched
  }
}

/** `key`, or `key.one` when `n` is 1 and the language has it ("1 vagt", "2 vagter"); {n} is
 *  `n` unless `vars` gives it formatted. */
/** Danish titles of the built-in rules by their stable ids; a plugin's rule keeps the title the
 *  server sends (and English always does). */
const RULE_TITLES_DA = {
  "break.over_6h": "Pause efter 6 timer",
  "change.inddraget_fridoegn": "Inddraget fridøgn",
  "change.overtime_notice": "Sent varsel om over- eller merarbejde",
  "days_off.max_consecutive": "Længste række fridage",
  "days_off.min_consecutive": "Korteste række fridage",
  "employee.availability": "Tilgængelighed og fravær",
  "employee.competence": "Kompetence",
  "employee.preassigned": "Faste vagter holdt",
  "fridoegn.count": "Antal fridøgn",
  "fridoegn.length": "Fridøgnets længde",
  "hours.max_average": "48 timers gennemsnitlig arbejdsuge",
  "hours.norm": "Normtimer i normperioden",
  "hours.total_range": "Timer i planen",
  "night.avg_8h": "Natarbejder: 8 timer i døgnet i gennemsnit",
  "night.heavy_8h_abs": "Belastende natarbejde: højst 8 timer i døgnet",
  "plan.change_notice": "Sen ændring af en offentliggjort vagt (varsling)",
  "plan.publication": "Varsel for vagtplanens offentliggørelse",
  "rest.compensatory": "Kompenserende hvile efter nedsat hviletid",
  "rest.daily": "Daglig hviletid (11-timers-reglen)",
  "rest.weekly": "Ugentligt fridøgn",
  "shifts.count_range": "Vagter i planen",
  "shifts.forbidden_succession": "Forbudte vagtskift",
  "shifts.length": "Vagtlængde (normaltjeneste)",
  "shifts.max_consecutive_days": "Arbejdsdage i træk",
  "shifts.max_consecutive_nights": "Nattevagter i træk",
  "shifts.max_consecutive_type": "Længste række af én vagttype",
  "shifts.max_per_day": "Vagter pr. dag",
  "shifts.max_per_type": "Vagter pr. vagttype",
  "shifts.min_consecutive_days": "Korteste række arbejdsdage",
  "shifts.min_consecutive_type": "Korteste række af én vagttype",
  "shifts.no_overlap": "Ingen overlappende vagter",
  "weekend.complete": "Hele weekender",
  "weekend.max_worked": "Arbejdsweekender",
  "weekend.off_frequency": "Fri weekender",
  "youth.rest_12h": "Daglig hviletid for unge under 18",
};

/** Why a colleague cannot take a gap, in the page's language: the server's kind and detail in
 *  Danish (rule ids as their titles), its English text otherwise. */
export function gapReason(candidate) {
  const why = candidate.why;
  if (lang !== "da" || !why || !(`gap.why.${why.kind}` in MESSAGES.da)) return candidate.reason;
  const rules = ["may_not", "would_break"].includes(why.kind);
  const detail = rules ? why.detail.split(", ").map((id) => RULE_TITLES_DA[id] || id).join(", ") : why.detail;
  return t(`gap.why.${why.kind}`, { detail });
}

/** A finding's rule title in the page's language. */
export function ruleTitle(finding) {
  if (lang === "da" && finding.rule_id in RULE_TITLES_DA) return RULE_TITLES_DA[finding.rule_id];
  return finding.title || finding.rule_id;
}

export function plural(key, n, vars = {}) {
  const one = `${key}.one`;
  return t(n === 1 && (one in MESSAGES[lang] || one in MESSAGES.da) ? one : key, { n, ...vars });
}

export function t(key, vars = {}) {
  const text = MESSAGES[lang][key] ?? MESSAGES.da[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

const formats = new Map(); // a NumberFormat is slow to make: one per language and precision

/** "40.964", "12,5" in Danish; "40,964", "12.5" in English. */
export function num(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const name = `${lang}|${digits}`;
  if (!formats.has(name)) formats.set(name, new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: digits }));
  return formats.get(name).format(value);
}

export function pct(share) {
  return share === null || share === undefined ? "–" : `${num(100 * share, 1)} %`;
}

export function kr(value) {
  return value === null || value === undefined ? "–" : `${num(Math.round(value), 0)} kr`;
}

/** The weekday and date of an ISO day, in the page's language: ["ma", "20.04"]. */
export function dayParts(iso) {
  const date = new Date(`${iso}T12:00:00Z`);
  const weekday = WEEKDAYS[lang][(date.getUTCDay() + 6) % 7];
  const [, month, day] = iso.split("-");
  return [weekday, lang === "da" ? `${day}.${month}` : `${day}/${month}`];
}

export function dayLabel(iso) {
  return dayParts(iso).join(" ");
}

/** Fill every element marked data-i18n (text), data-i18n-title, -label (aria-label) and
 *  -placeholder from the dictionary: the static page in index.html follows the language too. */
export function translateStatic(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of root.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  document.documentElement.lang = lang;
}
