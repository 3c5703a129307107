"""The planner's web view: a JSON API mirroring the CLI (OpenAPI docs at /docs) and the static
front end in `static/`, served together so it works offline.

Every change carries the roster version the page last saw (409 when another tab got there
first). Served beyond 127.0.0.1, every request must carry the token: an `Authorization:
Bearer` header, `?token=` (the page's first load), or the cookie that load sets.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
import zipfile
from importlib import resources

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, model_validator

from rostering.domain.errors import InputError
from rostering.domain.scenario import AbsenceKind
from rostering.exports.grid import grid_workbook
from rostering.exports.ical import employee_calendars
from rostering.exports.pay import payroll_run
from rostering.exports.payroll import PayrollProfileName, checked_text, load_profile
from rostering.io.roster_file import roster_csv
from rostering.replan.problem import NewAbsence
from rostering.solver.options import SolveOptions

from .jobs import Jobs
from .views import coverage_view, findings_view, grid_view
from .workspace import CellEdit, Conflict, Refused, Workspace

STATIC = resources.files("rostering.web") / "static"
SWAGGER_UI = resources.files("fastapi_offline") / "static"
MAX_TIME_LIMIT = 600.0
TOKEN_COOKIE = "rostering_token"


class Versioned(BaseModel):
    version: int = Field(description="The roster version the page last loaded (409 if it is not the current one).")


class Edit(BaseModel):
    employee_id: str
    date: dt.date
    shift_id: str | None = Field(None, description="A shift type id; null for a day off.")


class EditRequest(Versioned):
    edits: list[Edit] = Field(min_length=1)


class LockRequest(Versioned):
    cells: list[tuple[str, dt.date]] = Field(min_length=1, description="[employee_id, date] pairs.")
    locked: bool = True


class SolveRequest(Versioned):
    time_limit: float = Field(10.0, gt=0, le=MAX_TIME_LIMIT, description="Seconds the solver may run.")
    seed: int = 1


class AbsenceRequest(BaseModel):
    employee_id: str
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
    absences: list[AbsenceRequest] = Field(min_length=1)
    today: dt.datetime | None = Field(
        None,
        description="Now, local time: shifts starting before it stay. Default: midnight before the first absent day.",
    )


#: The names this machine answers to. Served on loopback without a token, a request must name
#: one of them in its Host header: a page of another site that rebinds its own name to
#: 127.0.0.1 (DNS rebinding) sends its own name there, and is refused.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def create_app(ws: Workspace, token: str | None = None, hosts: frozenset[str] | None = LOOPBACK_HOSTS) -> FastAPI:
    """The web view on `ws`. With a `token` every request must carry it; without one, the Host
    header must name one of `hosts` (None: any, for a server behind a trusted proxy)."""
    app = FastAPI(
        title="rostering",
        description="The planner's web view: roster grid, coverage, findings, edits, "
        "solve and re-plan, exports. Mirrors the `rostering` command line.",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    jobs = Jobs(ws)

    @app.middleware("http")
    async def require_token(request: Request, call_next):
        if token is None:
            if hosts is not None and _host_name(request) not in hosts:
                return JSONResponse({"detail": "unknown Host: open the page as http://127.0.0.1"}, status_code=421)
            return await call_next(request)
        if not _authorised(request, token):
            return JSONResponse(
                {
                    "detail": "missing or wrong token: pass the --token given to `rostering serve` "
                    "(Authorization: Bearer TOKEN, or ?token=TOKEN)"
                },
                status_code=401,
            )
        response = await call_next(request)
        # The page opened with ?token= gets it as a cookie, so its scripts, styles and
        # downloads carry it too. Strict: no other site's page can send it along.
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return response

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
    def coverage(competence: str | None = None):
        with ws.lock:
            view = coverage_view(ws, competence)
        if competence is not None and competence not in view["competences"]:
            raise HTTPException(422, f"unknown competence {competence!r}; known: {', '.join(view['competences'])}")
        return view

    @app.post("/api/edits", summary="Set or clear cells; answers with the new grid and findings")
    def edit(request: EditRequest):
        with ws.lock:
            ws.edit(request.version, [CellEdit(e.employee_id, e.date, e.shift_id) for e in request.edits])
            return _state(ws)

    @app.post("/api/locks", summary="Lock (pin) or unlock cells: a solve keeps locked cells as they are")
    def lock(request: LockRequest):
        with ws.lock:
            ws.set_locks(request.version, list(request.cells), request.locked)
            return _state(ws)

    @app.post("/api/undo", summary="Take back the last change (edit, lock, solve or re-plan)")
    def undo(request: Versioned):
        with ws.lock:
            ws.undo(request.version)
            return _state(ws)

    @app.post("/api/save", summary="Write the roster file atomically, keeping the previous one as .prev")
    def save(request: Versioned):
        path, previous = ws.save(request.version)
        return {"saved": str(path), "previous": str(previous) if previous else None, "version": ws.version}

    @app.post("/api/solve", status_code=202, summary="Start a solve in the background, keeping locked cells")
    def start_solve(request: SolveRequest):
        return jobs.solve(request.version, SolveOptions(request.time_limit, request.seed)).to_dict()

    @app.post("/api/replan", status_code=202, summary="Report absences and re-plan with minimal changes")
    def start_replan(request: ReplanRequest):
        absences = [a.absence() for a in request.absences]
        today = request.today or dt.datetime.combine(min(a.first for a in absences), dt.time())
        return jobs.replan(request.version, SolveOptions(request.time_limit, request.seed), absences, today).to_dict()

    @app.get("/api/jobs/{job_id}", summary="A job's status and latest progress (objective, bound, gap)")
    def job(job_id: int):
        found = jobs.get(job_id)
        if found is None:
            raise HTTPException(404, f"no job {job_id}")
        return found.to_dict()

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


def _host_name(request: Request) -> str:
    """The Host header's name, without port or IPv6 brackets."""
    host = request.headers.get("host", "")
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _authorised(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    candidates = (
        header[7:] if header.lower().startswith("bearer ") else "",
        request.query_params.get("token", ""),
        request.cookies.get(TOKEN_COOKIE, ""),
    )
    return any(secrets.compare_digest(given.encode(), token.encode()) for given in candidates if given)


def _download(data: bytes, media_type: str, filename: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
