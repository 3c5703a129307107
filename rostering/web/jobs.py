"""Solve and re-plan as background jobs: the browser polls the progress line (objective, bound,
gap) while CP-SAT runs in a thread, and the result becomes a new roster version, undoable like
an edit. One job at a time: the machine's cores are all given to the running one."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from dataclasses import dataclass, field, replace

from rostering.analysis.verify import Verified, solve_and_verify
from rostering.replan.changes import change_list
from rostering.replan.problem import NewAbsence, replan_problem
from rostering.solver.options import SolveOptions
from rostering.solver.search import Progress

from .workspace import Conflict, Refused, Snapshot, Workspace, pinned

PROGRESS_KEPT = 100

#: Finished jobs kept for the page to poll; older ones answer 404. A job keeps its change list,
#: which can name every shift, and a server left running for weeks starts thousands of jobs.
JOBS_KEPT = 20


@dataclass
class Job:
    id: int
    kind: str  # "solve" | "replan"
    started_version: int
    time_limit: float
    status: str = "running"  # running | done | no roster | stale | failed
    message: str = ""
    progress: list[dict] = field(default_factory=list)
    summary: dict | None = None
    changes: list[dict] = field(default_factory=list)
    version: int | None = None  # the roster version the result became
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def record(self, p: Progress) -> None:
        self.progress.append(
            {
                "phase": p.phase,
                "elapsed": round(p.elapsed, 2),
                "objective": round(p.objective, 2),
                "bound": round(p.bound, 2),
                "gap": round(p.gap, 4),
            }
        )
        del self.progress[:-PROGRESS_KEPT]

    def to_dict(self) -> dict:
        end = self.finished if self.finished is not None else time.monotonic()
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "message": self.message,
            "elapsed": round(end - self.started, 2),
            "time_limit": self.time_limit,
            "progress": self.progress[-1] if self.progress else None,
            "progress_lines": len(self.progress),
            "summary": self.summary,
            "changes": self.changes,
            "version": self.version,
        }


class Jobs:
    """The workspace's jobs, newest last; at most one running."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._guard = threading.Lock()

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def running(self) -> Job | None:
        return next((j for j in self._jobs.values() if j.status == "running"), None)

    def solve(self, version: int, options: SolveOptions) -> Job:
        """Re-solve the whole roster from the current one, keeping locked cells."""
        ws = self.workspace
        with ws.lock:
            ws.expect(version)
            problem, snapshot = ws.locked_problem(), ws.current
        return self._start(
            "solve",
            version,
            options,
            lambda job: self._finish(
                job,
                solve_and_verify(
                    problem,
                    options,
                    on_progress=job.record,
                    hint=snapshot.roster if snapshot.roster.assignments else None,
                ),
                replace(snapshot, label="solve"),
            ),
        )

    def replan(self, version: int, options: SolveOptions, absences: list[NewAbsence], today: dt.datetime) -> Job:
        """Cover new absences with as few changes as possible (as `rostering replan`); the
        absences become part of the roster's scenario, and the change list is the job's result."""
        ws = self.workspace
        with ws.lock:
            ws.expect(version)
            snapshot = ws.current
            problem = replan_problem(ws.with_reported(snapshot), snapshot.roster, today, absences, "roster")
            sick = {(a.employee_id, day) for a in absences for day in problem.days if a.first <= day <= a.last}
            locks = frozenset(snapshot.locks - sick)
            problem = pinned(problem, snapshot.roster, locks)
        kept = tuple(
            NewAbsence(a.employee_id, max(a.first, today.date()), a.last, a.kind)
            for a in absences
            if a.last >= today.date()
        )
        ill = {a.employee_id for a in absences}
        frozen = problem.frozen_until
        assert frozen is not None  # replan_problem sets it: the minute of `today`
        begun = {
            (r.employee_id, r.date)
            for r in snapshot.roster.assignments
            if r.employee_id in ill and problem.timeline.minute(r.start) < frozen
        }
        after = replace(
            snapshot,
            locks=locks,
            absences=snapshot.absences + kept,
            begun=snapshot.begun | begun,
            extra_hours=True,
            label=f"re-plan for {', '.join(a.employee_id for a in absences)}",
        )

        def run(job: Job) -> None:
            verified = solve_and_verify(problem, options, on_progress=job.record, hint=snapshot.roster)
            if verified.result.has_roster:
                job.changes = [
                    {
                        "employee_id": c.employee_id,
                        "date": c.date.isoformat(),
                        "old": c.old,
                        "new": c.new,
                        "inside_notice": c.inside_notice,
                    }
                    for c in change_list(problem, snapshot.roster, verified.result.roster)
                ]
            self._finish(job, verified, after)

        return self._start("replan", version, options, run)

    def _start(self, kind: str, version: int, options: SolveOptions, work) -> Job:
        with self._guard:
            if self.running() is not None:
                raise Refused("a solve is already running; wait for it to finish")
            job = Job(next(self._ids), kind, version, options.time_limit)
            self._jobs[job.id] = job
            for old in list(self._jobs)[:-JOBS_KEPT]:  # oldest first; the one running is the newest
                del self._jobs[old]

        def target() -> None:
            try:
                work(job)
            except Exception as exc:  # reported to the browser, never a dead thread
                job.status, job.message = "failed", f"{type(exc).__name__}: {exc}"
            finally:
                job.finished = time.monotonic()

        threading.Thread(target=target, name=f"rostering-{kind}-{job.id}", daemon=True).start()
        return job

    def _finish(self, job: Job, verified: Verified, after: Snapshot) -> None:
        result = verified.result
        job.summary = verified.summary.to_dict()
        if not result.has_roster:
            job.status, job.message = "no roster", _no_roster(job.summary)
            return
        try:
            job.version = self.workspace.change(job.started_version, replace(after, roster=result.roster))
        except Conflict:
            job.status = "stale"
            job.message = "the roster was edited while the solver ran; its result was not applied"
            return
        job.status = "done"
        job.message = f"{len(result.roster.assignments)} shifts, objective {job.summary['objective']:.1f}" + (
            f", {len(job.changes)} change(s)" if job.kind == "replan" else ""
        )


def _no_roster(summary: dict) -> str:
    if summary["conflicts"]:
        return "no roster can satisfy these together: " + "; ".join(
            f"{c['employee']}: {c['rule']}" for c in summary["conflicts"]
        )
    return "no roster found within the time limit; try a longer one"
