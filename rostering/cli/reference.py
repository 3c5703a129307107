"""`rostering schema`, `rostering template` and `rostering rules`: the scenario format (as a JSON
Schema and as an empty workbook) and the rules, agreements and plugins."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import Scenario
from rostering.exports.scenario_workbook import refill_staff, write_template
from rostering.io.files import check_output
from rostering.io.hr_staff import StaffImport, import_staff
from rostering.io.scenario_file import load_scenario
from rostering.io.staff_refill import StaffMerge, merge_staff
from rostering.rules import AgreementTerms, agreements, registry

from .app import app, err, exit_on_bad_input, out, parents_option, workbook_output


@app.command("schema")
def schema_command() -> None:
    """Print the scenario file's JSON Schema."""
    print(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


@app.command("template")
def template_command(
    output: Path = typer.Option(..., "--output", "-o", help="Workbook to write (.xlsx)."),
    staff: Path | None = typer.Option(
        None, "--staff", help="An HR system's staff export (CSV) to fill the sheet Medarbejdere from; needs --mapping."
    ),
    mapping: Path | None = typer.Option(
        None,
        "--mapping",
        help="The column mapping (YAML) for --staff: which HR column fills which staff column, job titles "
        "to competences and agreements, rows to skip, separator, encoding, decimal mark.",
    ),
    refill: bool = typer.Option(
        False,
        "--refill",
        help="With --staff: OUTPUT is a scenario workbook already; replace only its staff rows. Columns the "
        "mapping does not fill keep what the workbook holds for that medarbejder_id; other sheets stay as they are.",
    ),
    parents: bool = parents_option(),
) -> None:
    """An empty scenario workbook: a sheet each for settings, competences, shift types, staff,
    normering, absences, unavailable days, wishes and locked shifts, with Danish headings, and
    Vejledning explaining every column. Filled in, it goes wherever a scenario file does.

    With --staff hr.csv --mapping hr-map.yaml the sheet Medarbejdere is filled from an HR
    system's staff export (docs/scenario-format.md, "Staff from an HR export"; an example in
    docs/examples/). Every problem of both files is named at once (exit 2) and nothing is written;
    a CPR column is never a source and a CPR number never copied. A workbook already at OUTPUT is
    then refused unless --refill, which replaces only its staff rows."""
    with exit_on_bad_input():
        workbook_output(output)
        check_output(output, [staff, mapping], parents=parents)
        if staff is None or mapping is None:
            if staff is not None or mapping is not None or refill:
                message = "--staff and --mapping go together, and --refill needs them"
                raise InputError("template", [InputIssue("options", message)])
            write_template(output)
            out.print(f"Wrote the scenario template to {output}; Vejledning explains every column.", highlight=False)
            return
        _staff_target(output, refill)
        imported = import_staff(staff, mapping)
        merge = merge_staff(output, imported) if refill else None
        if merge is not None:
            refill_staff(output, merge.employees)
        else:
            write_template(output, imported.employees)
    _staff_report(output, staff, imported, merge)


def _staff_target(output: Path, refill: bool) -> None:
    """A staff import writes a new workbook, or with --refill one already there: a planner's
    workbook is never replaced by an empty one."""
    if output.exists() and not refill:
        message = "exists; pass --refill to replace only its staff rows, or name a new workbook"
        raise InputError(str(output), [InputIssue("output", message)])
    if refill and not output.exists():
        raise InputError(str(output), [InputIssue("output", "no workbook to refill; leave out --refill")])


def _staff_report(output: Path, staff: Path, imported: StaffImport, merge: StaffMerge | None) -> None:
    """What was written, what was left out by the skip rules, and what the planner fills next."""
    employees = merge.employees if merge is not None else imported.employees
    verb = "Refilled the staff of" if merge is not None else "Wrote"
    lines = [f"{verb} {output}: {len(employees)} employees from {staff}."]
    lines += [f"  Left out by the skip rule {rule}: {rows} row(s)." for rule, rows in imported.skipped.items()]
    if merge is not None and merge.added:
        lines.append(f"  New: {', '.join(merge.added)}.")
    if merge is not None and merge.removed:
        lines.append(f"  No longer in the export, removed: {', '.join(merge.removed)}.")
    competences = sorted({c for employee in employees for c in employee.competences})
    lines.append(f"  Competences they have (define them on sheet Kompetencer): {', '.join(competences)}.")
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)
    for title, rows in (merge.orphans if merge is not None else {}).items():
        err.print(f"Sheet {title}: {rows} row(s) name a removed employee; remove them before planning.", soft_wrap=True)


@app.command("rules")
def rules_command(
    scenario: Path | None = typer.Argument(
        None, help="A scenario file: say which plugins it uses, and mark the rules of those it does not."
    ),
) -> None:
    """List the registered rules and agreements with their parameters and sources, and the
    installed rule plugins with what they provide and whether they loaded."""
    from rostering.rules import plugin_of, plugins
    from rostering.rules.active import used_plugins

    used = None
    if scenario is not None:
        with exit_on_bad_input():
            used = used_plugins(load_scenario(scenario))
    origin = ("plugin",) if plugins() else ()  # without plugins, every rule is built in: no column for it

    def origin_of(ident: str) -> list[str]:
        return [_origin_text(plugin_of(ident), used)] if origin else []

    # One block of plain lines per rule: readable at any width, and every source in full.
    marked = " (rules of plugins the scenario does not use are marked)" if used is not None else ""
    out.print(f"Rules{marked}: id · severity · who it holds for — title", highlight=False)
    modules = sorted(agreements().values(), key=lambda a: a.id)
    for rule_id, rule_cls in sorted(registry().items()):
        origin_text = f" · {origin_of(rule_id)[0]}" if origin else ""
        lines = [
            f"{rule_id} · {rule_cls.severity.value} · {_scope_text(rule_cls, modules)} — {rule_cls.title}"
            + (f" · may be a preference (soft), per {rule_cls.soft_unit}" if rule_cls.soft_unit else "")
            + origin_text,
            f"    source: {rule_cls.source}",
            *(
                f"    cited for {agreement.id}: {agreement.cite(rule_cls)}"
                for agreement in modules
                if rule_id in agreement.rules and agreement.cite(rule_cls) != rule_cls.source
            ),
        ]
        params = _params_text(rule_cls)
        if params:
            lines.append(f"    parameters: {params}")
        for line in lines:
            out.print(line, highlight=False, soft_wrap=True)
    deals = Table(title="Agreements")
    for col in ("id", "title", "agreement rules", "source", *origin):
        deals.add_column(col)
    for agreement in modules:
        deals.add_row(
            agreement.id,
            agreement.title,
            ", ".join(agreement.rules) or "-",
            agreement.source or "-",
            *origin_of(agreement.id),
        )
    out.print(deals)
    terms = Table(title="Agreement terms (override per scenario: agreements: {id: {terms: {...}}})")
    terms.add_column("term", no_wrap=True)
    for agreement in modules:
        terms.add_column(agreement.id)
    for name, field in AgreementTerms.model_fields.items():
        label = name + (" (unverified)" if _unverified(field) else "")
        terms.add_row(label, *(_term_text(getattr(a.terms, name)) for a in modules))
    out.print(terms)
    _print_plugins(plugins(), used, scenario)


def _scope_text(rule_cls, modules) -> str:
    if rule_cls.scope != "agreement":
        return "everyone"
    bundled = [a.id for a in modules if rule_cls.id in a.rules]
    return "agreements " + ", ".join(bundled) if bundled else "where a local agreement names it"


def _params_text(rule_cls) -> str:
    """Each parameter with its default; those rules-dk marks unverified (U) say so."""
    texts = []
    for name, field in rule_cls.Params.model_fields.items():
        if name == "enabled":
            continue
        value = getattr(rule_cls.Params(), name)
        texts.append(f"{name}={_term_text(value)}" + (" (unverified)" if _unverified(field) else ""))
    return ", ".join(texts)


def _unverified(field) -> bool:
    """Whether a parameter's description carries rules-dk's U (unverified) mark."""
    return re.search(r"\bU\b|unverified", field.description or "") is not None


def _origin_text(plugin: str | None, used: set[str] | None) -> str:
    """Built-in, or the plugin's name; marked when the scenario shown does not use the plugin."""
    if plugin is None:
        return "built-in"
    return plugin if used is None or plugin in used else f"{plugin} (not used)"


def _print_plugins(found, used: set[str] | None, scenario: Path | None) -> None:
    """The installed plugins (entry point group rostering.rules): what each provides, whether it
    loaded (with the error if not), and whether the scenario given uses it."""
    if not found:
        out.print("No rule plugins installed (entry point group rostering.rules).", highlight=False)
        return
    table = Table(
        title="Rule plugins (a scenario uses one by listing it in plugins: or naming its rules or agreements)"
    )
    columns = ["name", "entry point", "package", "rules", "agreements", "status"]
    if used is not None:
        assert scenario is not None  # `used`: the plugins the scenario given uses
        columns.append("used by " + scenario.name)
    for col in columns:
        table.add_column(col)
    for plugin in found:
        status = "ok" if plugin.ok else Text.assemble(("failed", "red"), f": {plugin.error}")
        table.add_row(
            plugin.name,
            plugin.value,
            plugin.distribution or "-",
            ", ".join(plugin.rules) or "-",
            ", ".join(plugin.agreements) or "-",
            status,
            *([("yes" if plugin.name in used else "no")] if used is not None else []),
        )
    out.print(table)


def _term_text(value) -> str:
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, tuple):
        return ", ".join(value)
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
