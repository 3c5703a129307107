"""Solve and re-plan as background jobs: the browser polls the progress line (objective, bound,
gap) while CP-SAT runs in a thread, and a roster found becomes a proposal (`proposals.py`): the
planner accepts it, as a new roster version undoable like an edit, or discards it. One job at a
time: the machine's cores are all given to the running one.

A job's life: running -> proposal | no roster | failed; a proposal -> accepted | discarded, or
stale when accepting finds the roster changed since the job started (its result was computed
from a roster that is no longer there)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from dataclasses import dataclass, field, replace

from rostering.analysis.replanned import GapsLeft, checked_on, gaps_left
from rostering.analysis.verify import Verified, solve_and_verify
from rostering.domain.problem import Problem
from rostering.domain.roster import Roster
from rostering.replan.changes import Change, change_list
from rostering.replan.problem import NewAbsence, replan_problem
from rostering.replan.scope import left_by_absence, only_the_absence_gaps
from rostering.solver.options import SolveOptions
from rostering.solver.search import Progress

from .proposals import Proposal, kpis
from .workspace import Conflict, Refused, Snapshot, Workspace, pinned

PROGRESS_KEPT = 100

#: Finished jobs kept for the page to poll; older ones answer 404. A job keeps its proposal (a
#: roster and its change list, which can name every shift), and a server left running for weeks
#: starts thousands of jobs.
JOBS_KEPT = 20


class UnknownJob(LookupError):
    """No job by that id (never started, or dropped beyond JOBS_KEPT)."""


@dataclass
class Job:
    id: int
    kind: str  # "solve" | "replan"
    started_version: int
    time_limit: float
    status: str = "running"  # running | proposal | no roster | failed | accepted | discarded | stale
    message: str = ""
    progress: list[dict] = field(default_factory=list)
    summary: dict | None = None
    proposal: Proposal | None = None
    gaps: GapsLeft | None = None  # a re-plan's: the understaffed slots it left
    fill_other_gaps: bool | None = None  # a re-plan's: whether it was asked to fill the others too
    version: int | None = None  # the roster version accepting the proposal made
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    # How to read Progress.below_min in words: ("hours" | "slots", the understaffed_min weight)
    below_min: tuple[str, float] | None = None

    def record(self, p: Progress) -> None:
        line = {
            "phase": p.phase,
            "elapsed": round(p.elapsed, 2),
            "objective": round(p.objective, 2),
            "bound": round(p.bound, 2),
            "gap": round(p.gap, 4),
        }
        if p.below_min is not None and self.below_min is not None:
            unit, weight = self.below_min  # the term's points are its weight per hour or per shift
            line[f"below_min_{unit}"] = round(p.below_min / weight, 1)
        self.progress.append(line)
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
            "proposal": self.proposal.to_dict() if self.proposal else None,
            "gaps_left": self.gaps.to_dict() if self.gaps else None,
            "fill_other_gaps": self.fill_other_gaps,
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

        def run(job: Job) -> None:
            hint = snapshot.roster if snapshot.roster.assignments else None
            verified = solve_and_verify(problem, options, on_progress=job.record, hint=hint)
            if verified.result.has_roster:
                # A solve plans a draft: its changes are edits, not changes to a published plan,
                # so no notice applies (change_list would measure it from the horizon's start).
                found = change_list(problem, snapshot.roster, verified.result.roster)
                changes = [replace(c, inside_notice=False) for c in found]
                self._propose(job, problem, snapshot.roster, replace(snapshot, label="solve"), changes, verified)
            self._finish(job, verified)

        return self._start("solve", version, options, run, below_min=_below_min_reading(problem))

    def replan(
        self,
        version: int,
        options: SolveOptions,
        absences: list[NewAbsence],
        today: dt.datetime,
        fill_other_gaps: bool = False,
    ) -> Job:
        """Cover new absences with as few changes as possible (as `rostering replan`): by default
        only the gaps the absences made (rostering.replan.scope). The absences become part of the
        roster's scenario when the proposal is accepted."""
        ws = self.workspace
        with ws.lock:
            ws.expect(version)
            snapshot = ws.current
            problem = replan_problem(ws.with_reported(snapshot), snapshot.roster, today, absences, "roster")
            sick = {(a.employee_id, day) for a in absences for day in problem.days if a.first <= day <= a.last}
            locks = frozenset(snapshot.locks - sick)
            problem = pinned(problem, snapshot.roster, locks)
        solved_on = problem if fill_other_gaps else only_the_absence_gaps(problem, snapshot.roster)
        after = _reported(snapshot, problem, absences, today, locks)

        def run(job: Job) -> None:
            verified = checked_on(
                problem, solve_and_verify(solved_on, options, on_progress=job.record, hint=snapshot.roster)
            )
            if verified.result.has_roster:
                # Before: the roster as the absence leaves it, her lost shifts gone and nothing
                # covered yet, measured on the same problem as the proposal.
                left = left_by_absence(problem, snapshot.roster)
                changes = change_list(problem, snapshot.roster, verified.result.roster)
                self._propose(job, problem, left, after, changes, verified)
                job.gaps = gaps_left(problem, snapshot.roster, verified.result.roster)
            self._finish(job, verified)

        # A scoped re-plan's progress counts only the gaps it was asked to cover: no words for it.
        reading = _below_min_reading(problem) if fill_other_gaps else None
        return self._start("replan", version, options, run, fill_other_gaps=fill_other_gaps, below_min=reading)

    def accept(self, job_id: int, version: int) -> Job:
        """Make the job's proposal the current roster (a new version, undoable). Refused unless
        the roster is still the one the job started from: the job is then stale."""
        ws = self.workspace
        with ws.lock, self._guard:
            job = self._proposal_of(job_id)
            assert job.proposal is not None  # _proposal_of checked it
            if ws.version != job.proposal.base_version:
                job.status = "stale"
                job.message = (
                    f"the roster changed since this {job.kind} started (version {job.proposal.base_version}, now "
                    f"{ws.version}); its proposal can no longer be applied: run it again"
                )
                raise Conflict(job.message)
            job.version = ws.change(version, job.proposal.snapshot)
            job.status, job.message = "accepted", f"accepted as version {job.version}: {job.message}"
            return job

    def discard(self, job_id: int) -> Job:
        with self._guard:
            job = self._proposal_of(job_id)
            job.status, job.message = "discarded", f"discarded: {job.message}"
            return job

    def _proposal_of(self, job_id: int) -> Job:
        """The job, which must hold a proposal still open."""
        job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJob(f"no job {job_id}")
        if job.status != "proposal" or job.proposal is None:
            raise Refused(f"job {job_id} is {job.status}, not a proposal waiting to be accepted or discarded")
        return job

    def _start(self, kind: str, version: int, options: SolveOptions, work, **fields) -> Job:
        with self._guard:
            if self.running() is not None:
                raise Refused("a solve is already running; wait for it to finish")
            job = Job(next(self._ids), kind, version, options.time_limit, **fields)
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

    def _propose(
        self, job: Job, problem: Problem, before: Roster, after: Snapshot, changes: list[Change], verified: Verified
    ) -> None:
        """The job's roster as a proposal onto the version it started from, with the figures of
        `before` and of the proposal, both measured on `problem` (the one the job solved)."""
        roster = verified.result.roster
        job.proposal = Proposal(
            job.started_version,
            replace(after, roster=roster),
            tuple(changes),
            kpis(problem, before),
            kpis(problem, roster),
        )

    def _finish(self, job: Job, verified: Verified) -> None:
        job.summary = verified.summary.to_dict()
        if job.proposal is None:
            job.status, job.message = "no roster", _no_roster(job.summary)
            return
        message = job.proposal.describe()
        if job.gaps is not None:
            message += "; " + _gaps_text(job.gaps, bool(job.fill_other_gaps))
        if self.workspace.version != job.started_version:
            message += "; the roster was edited while the solver ran, so it can no longer be accepted"
        job.message = message
        job.status = "proposal"  # last: a page polling sees the status only with everything set


def _reported(
    snapshot: Snapshot, problem: Problem, absences: list[NewAbsence], today: dt.datetime, locks: frozenset
) -> Snapshot:
    """The workspace's state once a re-plan is accepted, but for its roster: the absences from
    today on reported, and the shifts the absent began before today kept as worked."""
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
    return replace(
        snapshot,
        locks=locks,
        absences=snapshot.absences + kept,
        begun=snapshot.begun | begun,
        extra_hours=True,
        label=f"re-plan for {', '.join(a.employee_id for a in absences)}",
    )


def _gaps_text(gaps: GapsLeft, filled: bool) -> str:
    """What a re-plan left understaffed, in the planner's words."""
    line = (
        f"{gaps.absence} slot(s) the absence emptied stay short" if gaps.absence else "the absence's gaps are covered"
    )
    if filled:
        return f"{line}; {gaps.other} other understaffed slot(s) remain"
    return f"{line}; {gaps.other} other understaffed slot(s) left as they were (fill other gaps to cover them too)"


def _below_min_reading(problem: Problem) -> tuple[str, float] | None:
    """How the progress line turns the understaffed_min points into hours (or, with weights per
    shift, shifts) below min for the page: they are the term's weight per hour or per shift."""
    weights = problem.scenario.weights
    if not weights.understaffed_min:
        return None
    return ("hours" if weights.staffing_per == "hour" else "slots", weights.understaffed_min)


def _no_roster(summary: dict) -> str:
    if summary["conflicts"]:
        return (
            "no roster can satisfy these together: "
            + "; ".join(f"{c['employee']}: {c['rule']}" for c in summary["conflicts"])
            + "; the current roster stays as it is"
        )
    return "no roster found within the time limit; the current roster stays as it is (try a longer limit)"
