"""The planner's web view: a JSON API mirroring the CLI (OpenAPI docs at /docs) and the static
front end in `static/`, served together so it works offline.

Every change carries the roster version the page last saw (409 when another tab got there
first). Every request must name in its Host header an address the server was started under
(421 otherwise), and served beyond 127.0.0.1 it must carry the token: an `Authorization:
Bearer` header, `?token=` (the page's first load), or the cookie that load sets. What a request
may hold, and what an answer or a log may say about it, is `edge.py`'s.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
import zipfile
from importlib import resources

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, NaiveDatetime, model_validator

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import Problem
from rostering.domain.scenario import AbsenceKind, Id
from rostering.exports.grid import grid_workbook
from rostering.exports.ical import employee_calendars
from rostering.exports.pay import payroll_run
from rostering.exports.payroll import PayrollProfileName, checked_text, load_profile
from rostering.exports.scenario_workbook import scenario_workbook_bytes
from rostering.io.roster_file import roster_csv
from rostering.replan.problem import NewAbsence
from rostering.solver.options import MAX_SEED, SolveOptions

from .edge import LOOPBACK_HOSTS, CheckedRoute, crashed, host_key, invalid_request, unknown_host
from .jobs import Jobs, UnknownJob
from .views import coverage_view, delta_view, findings_view, gap_view, grid_view
from .workspace import CellEdit, Conflict, Refused, Workspace

STATIC = resources.files("rostering.web") / "static"
SWAGGER_UI = resources.files("fastapi_offline") / "static"
MAX_TIME_LIMIT = 600.0
TOKEN_COOKIE = "rostering_token"

#: Cells in one edit or lock request: every cell of a four-week plan for 170 employees. The page
#: sends one; each edit re-scans the roster, so a million would hold the workspace for minutes.
MAX_CELLS = 5_000

#: Absences in one re-plan: a sick call names one or a few; each is laid out day by day.
MAX_ABSENCES = 100

#: How far before or after the plan a reported day may lie. Further off it can only be a typo, and
#: near year 1 or 9999 the clock arithmetic overflows.
PLAN_MARGIN_DAYS = 366


class Versioned(BaseModel):
    version: int = Field(description="The roster version the page last loaded (409 if it is not the current one).")


class Edit(BaseModel):
    employee_id: Id
    date: dt.date
    shift_id: Id | None = Field(None, description="A shift type id; null for a day off.")


class EditRequest(Versioned):
    edits: list[Edit] = Field(min_length=1, max_length=MAX_CELLS)


class LockRequest(Versioned):
    cells: list[tuple[Id, dt.date]] = Field(
        min_length=1, max_length=MAX_CELLS, description="[employee_id, date] pairs."
    )
    locked: bool = True


class SolveRequest(Versioned):
    time_limit: float = Field(10.0, gt=0, le=MAX_TIME_LIMIT, description="Seconds the solver may run.")
    seed: int = Field(1, ge=0, le=MAX_SEED, description="The solver's random seed.")

    def options(self) -> SolveOptions:
        return SolveOptions(self.time_limit, self.seed)


class AbsenceRequest(BaseModel):
    employee_id: Id
    first: dt.date
    last: dt.date
    kind: AbsenceKind = AbsenceKind.sygdom

    @model_validator(mode="after")
    def _ordered(self) -> AbsenceRequest:
        if self.last < self.first:
            raise ValueError(f"absence of {self.employee_id}: last day {self.last} is before the first {self.first}")
        return self

    def absence(self) -> NewAbsence:
        return NewAbsence(self.employee_id, self.first, self.last, self.kind)


class ReplanRequest(SolveRequest):
    absences: list[AbsenceRequest] = Field(min_length=1, max_length=MAX_ABSENCES)
    fill_other_gaps: bool = Field(
        False,
        description="Also fill understaffed slots the absences did not make; by default they stay as they were "
        "and only the gaps the absences opened are covered (as `rostering replan --fill-other-gaps`).",
    )
    today: NaiveDatetime | None = Field(
        None,
        description="Now, local time (no time zone: the scenario's applies): shifts starting before it stay. "
        "Default: midnight before the first absent day.",
    )

    def days(self) -> list[tuple[str, dt.date]]:
        """Every day the request names, with its field."""
        named = [
            (f"absences[{i}].{end}", getattr(a, end)) for i, a in enumerate(self.absences) for end in ("first", "last")
        ]
        return named + ([("today", self.today.date())] if self.today else [])


def create_app(ws: Workspace, token: str | None = None, hosts: frozenset[str] | None = LOOPBACK_HOSTS) -> FastAPI:
    """The web view on `ws`. The Host header must name one of `hosts` (None: any, for a server
    behind a trusted proxy; see `edge.answered_hosts`); with a `token` every request must carry it."""
    app = FastAPI(
        title="rostering",
        description="The planner's web view: roster grid, coverage, findings, edits, "
        "solve and re-plan, exports. Mirrors the `rostering` command line.",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    app.router.route_class = CheckedRoute
    jobs = Jobs(ws)
    answered = None if hosts is None else frozenset(host_key(name) for name in hosts)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        refused = unknown_host(request, answered) if answered is not None else None
        if refused is None and token is not None:
            refused = _unauthorised(request, token)
        if refused is not None:
            return refused
        try:
            response = await call_next(request)
        except Exception as exc:  # a bug: answered and logged here, so no server log quotes the request
            return crashed(request, exc)
        if token is not None:
            # The page opened with ?token= gets it as a cookie, so its scripts, styles and
            # downloads carry it too. Strict: no other site's page can send it along.
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

    app.add_exception_handler(RequestValidationError, invalid_request)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError):
        return JSONResponse({"detail": exc.render()}, status_code=422)

    async def conflict(request: Request, exc: Exception):
        """The roster's state, not the request, is in the way: 409 with the current version."""
        return JSONResponse({"detail": str(exc), "version": ws.version}, status_code=409)

    app.add_exception_handler(Conflict, conflict)
    app.add_exception_handler(Refused, conflict)

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(SWAGGER_UI)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs():
        """Swagger UI from the installed fastapi-offline, not a CDN: the docs work offline."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="rostering API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
        )

    @app.get("/api/roster", summary="The grid: employees × days, shifts, absences, wishes, locks, hours")
    def roster():
        with ws.lock:
            return grid_view(ws)

    @app.get("/api/findings", summary="The validator's findings on the current roster (as `rostering validate`)")
    def findings():
        with ws.lock:
            return findings_view(ws)

    @app.get("/api/coverage", summary="Planned vs min/target/max per day and shift (as `rostering coverage`)")
    def coverage(competence: Id | None = None):
        with ws.lock:
            view = coverage_view(ws, competence)
        if competence is not None and competence not in view["competences"]:
            raise HTTPException(422, f"unknown competence {competence!r}; known: {', '.join(view['competences'])}")
        return view

    @app.post("/api/edits", summary="Set or clear cells; answers with what changed (grid rows, findings, coverage)")
    def edit(request: EditRequest):
        with ws.lock:
            before, locks = ws.assessment(), ws.current.locks
            ws.edit(request.version, [CellEdit(e.employee_id, e.date, e.shift_id) for e in request.edits])
            return {"delta": delta_view(ws, before, locks)}

    @app.post("/api/locks", summary="Lock (pin) or unlock cells: a solve keeps locked cells as they are")
    def lock(request: LockRequest):
        with ws.lock:
            before, locks = ws.assessment(), ws.current.locks
            ws.set_locks(request.version, list(request.cells), request.locked)
            return {"delta": delta_view(ws, before, locks)}

    @app.get("/api/gap", summary="Who could take a slot, and why the others cannot (as `rostering explain`)")
    def gap(date: dt.date, shift: Id, competence: Id | None = None):
        with ws.lock:
            return gap_view(ws, date, shift, competence)

    @app.post("/api/undo", summary="Take back the last change (edit, lock, solve or re-plan)")
    def undo(request: Versioned):
        with ws.lock:
            ws.undo(request.version)
            return _state(ws)

    @app.post("/api/save", summary="Write the roster file atomically, keeping the previous one as .prev")
    def save(request: Versioned):
        path, previous = ws.save(request.version)
        return {"saved": str(path), "previous": str(previous) if previous else None, "version": ws.version}

    @app.post(
        "/api/solve",
        status_code=202,
        summary="Start a solve in the background, keeping locked cells; its roster becomes a proposal",
    )
    def start_solve(request: SolveRequest):
        return jobs.solve(request.version, request.options()).to_dict()

    @app.post(
        "/api/replan",
        status_code=202,
        summary="Report absences and re-plan with minimal changes; its roster becomes a proposal",
    )
    def start_replan(request: ReplanRequest):
        with ws.lock:
            _near_the_plan(ws.problem, request.days())
        absences = [a.absence() for a in request.absences]
        today = request.today or dt.datetime.combine(min(a.first for a in absences), dt.time())
        return jobs.replan(request.version, request.options(), absences, today, request.fill_other_gaps).to_dict()

    @app.get("/api/jobs/{job_id}", summary="A job's status, latest progress (objective, bound, gap) and proposal")
    def job(job_id: int):
        found = jobs.get(job_id)
        if found is None:
            raise HTTPException(404, f"no job {job_id}")
        return found.to_dict()

    @app.post(
        "/api/proposals/{job_id}/accept",
        summary="Take a finished job's proposal as the new roster (undoable); 409 if the roster changed since",
    )
    def accept_proposal(job_id: int, request: Versioned):
        with ws.lock:
            try:
                jobs.accept(job_id, request.version)
            except UnknownJob as exc:
                raise HTTPException(404, str(exc)) from None
            return _state(ws)

    @app.post("/api/proposals/{job_id}/discard", summary="Drop a finished job's proposal; the roster stays as it is")
    def discard_proposal(job_id: int):
        try:
            return jobs.discard(job_id).to_dict()
        except UnknownJob as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/api/export/roster.csv", summary="The roster as canonical CSV")
    def export_csv():
        with ws.lock:
            text = roster_csv(ws.current.roster)
        return _download(text.encode(), "text/csv; charset=utf-8", "roster.csv")

    @app.get("/api/export/roster.xlsx", summary="The planner's grid workbook (as `rostering export xlsx`)")
    def export_xlsx():
        with ws.lock:
            book = grid_workbook(ws.problem, ws.current.roster)
        buffer = io.BytesIO()
        book.save(buffer)
        return _download(
            buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "roster.xlsx"
        )

    @app.get(
        "/api/export/scenario.xlsx",
        summary="The scenario, with the absences reported here, as the planner's workbook (as `rostering "
        "export scenario`); the header X-Left-Out names what a workbook cannot hold",
    )
    def export_scenario():
        with ws.lock:
            scenario = ws.with_reported(ws.current)
        data, lost = scenario_workbook_bytes(scenario)
        response = _download(data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "scenario.xlsx")
        response.headers["X-Left-Out"] = ", ".join(lost)
        return response

    @app.get(
        "/api/export/payroll.csv",
        summary="Pay lines per employee, day and wage type (as `rostering export "
        "payroll`); 409 when the roster breaks hard rules, unless allow_violations",
    )
    def export_payroll(profile: PayrollProfileName = PayrollProfileName.generic, allow_violations: bool = False):
        chosen = load_profile(profile.value)
        with ws.lock:
            run = payroll_run(ws.problem, ws.current.roster)
        if run.broken and not allow_violations:
            raise Refused(
                f"the roster breaks {len(run.broken)} hard rule(s); nothing exported (see the findings, "
                f"or export with allow_violations to mark the affected lines)"
            )
        if run.mismatches:  # a bug, never a user error: payroll gets no hours that do not add up
            raise HTTPException(500, "sum check failed, nothing exported: " + "; ".join(run.mismatches))
        return _download(
            checked_text(run.lines, chosen).encode(chosen.encoding),
            f"text/csv; charset={chosen.encoding}",
            "payroll.csv",
        )

    @app.get("/api/export/ical.zip", summary="One .ics calendar per employee, zipped")
    def export_ical():
        with ws.lock:
            calendars = employee_calendars(ws.problem, ws.current.roster)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for employee_id, data in calendars.items():
                archive.writestr(f"{employee_id}.ics", data)
        return _download(buffer.getvalue(), "application/zip", "calendars.zip")

    return app


def _state(ws: Workspace) -> dict:
    """What the page redraws after a change: the grid, the findings and the coverage."""
    return {"roster": grid_view(ws), "findings": findings_view(ws), "coverage": coverage_view(ws)}


def _near_the_plan(problem: Problem, days: list[tuple[str, dt.date]]) -> None:
    """422 for a day more than PLAN_MARGIN_DAYS from the plan's horizon, naming its field."""
    first, last = problem.days[0], problem.days[-1]
    issues = [
        InputIssue(field, f"{day} is more than {PLAN_MARGIN_DAYS} days from the plan ({first}..{last})")
        for field, day in days
        if (first - day).days > PLAN_MARGIN_DAYS or (day - last).days > PLAN_MARGIN_DAYS
    ]
    if issues:
        raise InputError("replan", issues)


def _unauthorised(request: Request, token: str) -> Response | None:
    """401 unless the request carries `token` (header, ?token= or the cookie); None to go on."""
    header = request.headers.get("authorization", "")
    candidates = (
        header[7:] if header.lower().startswith("bearer ") else "",
        request.query_params.get("token", ""),
        request.cookies.get(TOKEN_COOKIE, ""),
    )
    if any(secrets.compare_digest(given.encode(), token.encode()) for given in candidates if given):
        return None
    return JSONResponse(
        {
            "detail": "missing or wrong token: pass the --token given to `rostering serve` "
            "(Authorization: Bearer TOKEN, or ?token=TOKEN)"
        },
        status_code=401,
    )


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
