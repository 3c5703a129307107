"""`rostering serve`: the planner's web view, bound to this machine unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import typer

from rostering.io.scenario_file import load_scenario

from .app import EXIT_INPUT, app, err, exit_on_bad_input, out


@app.command("serve")
def serve_command(
    scenario: Path = typer.Argument(..., help="Scenario file (YAML, JSON or .xlsx workbook)."),
    roster: Path | None = typer.Option(
        None,
        "--roster",
        "-r",
        help="Roster to open and save to (.csv or .json); a file that does not exist yet is created on save.",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; anything but this machine needs --token."),
    allow_host: list[str] = typer.Option(
        [],
        "--allow-host",
        metavar="NAME",
        help="Another name the page is opened under (repeatable), e.g. this machine's name with --host 0.0.0.0. "
        "A request naming a host other than these, --host or this machine's loopback names is refused (421).",
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port."),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="ROSTERING_TOKEN",
        help="Every request must carry it (required when --host is not loopback).",
    ),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in the default browser."),
    autosave: bool = typer.Option(
        True,
        "--autosave/--no-autosave",
        help="Keep unsaved changes in <roster>.autosave.json beside --roster after every change, so a restart "
        "resumes them; Save removes the file.",
    ),
) -> None:
    """The planner's web view in the browser: roster grid, coverage heatmap, live rule checks,
    edits with undo, solve and re-plan, exports."""
    import uvicorn

    from rostering.web.app import create_app
    from rostering.web.edge import LOOPBACK_HOSTS, answered_hosts, host_key
    from rostering.web.server import config
    from rostering.web.workspace import Workspace

    if host_key(host) not in LOOPBACK_HOSTS and not token:
        err.print(f"--host {host} makes the roster reachable from other machines; give --token as well.", markup=False)
        raise typer.Exit(EXIT_INPUT)
    with exit_on_bad_input():
        workspace = Workspace.open(load_scenario(scenario), roster, autosave_on=autosave)
    url = f"http://{host}:{port}/"
    # The token is never printed: a terminal's scrollback and CI logs are read by others.
    opened = " (open it with ?token=<your token>)" if token else ""
    out.print(
        f"Serving {workspace.scenario.name} ({len(workspace.problem.employees)} employees, "
        f"{len(workspace.current.roster.assignments)} shifts) on {url}{opened}  (Ctrl+C stops)",
        highlight=False,
        markup=False,
    )
    if workspace.notice:
        (out if workspace.restored else err).print(workspace.notice, highlight=False, markup=False, soft_wrap=True)
    if workspace.autosave_path is not None and not workspace.restored:
        out.print(
            f"Unsaved changes are kept in {workspace.autosave_path} until you save.",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    if open_browser:
        import webbrowser

        webbrowser.open(url + (f"?token={token}" if token else ""))
    web = create_app(workspace, token, answered_hosts(host, allow_host))
    uvicorn.Server(config(web, host, port)).run()
