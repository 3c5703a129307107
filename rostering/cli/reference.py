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

from rostering.domain.scenario import Scenario
from rostering.exports.scenario_workbook import write_template
from rostering.io.files import check_output
from rostering.io.scenario_file import load_scenario
from rostering.rules import AgreementTerms, agreements, registry

from .app import app, exit_on_bad_input, out, parents_option, workbook_output


@app.command("schema")
def schema_command() -> None:
    """Print the scenario file's JSON Schema."""
    print(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


@app.command("template")
def template_command(
    output: Path = typer.Option(..., "--output", "-o", help="Workbook to write (.xlsx)."),
    parents: bool = parents_option(),
) -> None:
    """An empty scenario workbook: a sheet each for settings, competences, shift types, staff,
    normering, absences, unavailable days, wishes and locked shifts, with Danish headings, and
    Vejledning explaining every column. Filled in, it goes wherever a scenario file does."""
    with exit_on_bad_input():
        workbook_output(output)
        check_output(output, parents=parents)
        write_template(output)
    out.print(f"Wrote the scenario template to {output}; Vejledning explains every column.", highlight=False)


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
