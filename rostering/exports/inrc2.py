"""A roster of a static INRC-II instance as the competition's weekly solution files, so the
official validator (or bench/inrc2_eval.py) scores it: week k of instance `nNNNwW_H_w1-...`
goes to `Sol-nNNNwW-<wk>-<k>.txt`, with each shift's nurse, weekday, shift type and skill."""

from __future__ import annotations

from pathlib import Path

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import Problem
from rostering.domain.roster import Assignment
from rostering.io.files import write_atomic
from rostering.io.inrc2 import NAME, WEEKDAYS


def solution_files(problem: Problem, rows: list[Assignment], instance: str) -> dict[str, str]:
    """File name -> text of each week's solution. Every row needs a skill (its competence; a row
    without one is read as the nurse's only skill); all problems are raised at once. A skill
    the nurse lacks is written as it is: the validator counts it (H4)."""
    match = NAME.fullmatch(instance)
    if match is None:
        raise InputError(instance, [InputIssue("instance", "not an INRC-II instance name nNNNwW_H_w1-w2-...")])
    weeks = match["weeks"].split("-")
    if len(weeks) * 7 != len(problem.days):
        raise InputError(
            instance, [InputIssue("weeks", f"{len(weeks)} weeks, the scenario has {len(problem.days)} days")]
        )
    skills = {staff.id: staff.competences for staff in problem.employees}
    lines: list[list[str]] = [[] for _ in weeks]
    issues = []
    for row in sorted(rows, key=lambda r: (r.date, r.employee_id, r.shift_id)):
        skill = row.competence or (skills[row.employee_id][0] if len(skills[row.employee_id]) == 1 else None)
        if skill is None:
            issues.append(InputIssue(row.source or row.employee_id, f"{row.employee_id} {row.date}: no competence"))
            continue
        day = problem.day_index[row.date]
        lines[day // 7].append(f"{row.employee_id} {WEEKDAYS[day % 7]} {row.shift_id} {skill}")
    if issues:
        raise InputError(instance, issues)
    dataset = match["dataset"]
    return {
        f"Sol-{dataset}-{week}-{k}.txt": f"SOLUTION\n{k} {dataset}\n\nASSIGNMENTS = {len(body)}\n"
        + "".join(f"{line}\n" for line in body)
        for k, (week, body) in enumerate(zip(weeks, lines, strict=True))
    }


def write_solutions(problem: Problem, rows: list[Assignment], instance: str, folder: Path) -> list[Path]:
    """Write the weekly files into `folder` (made if missing), each whole or not at all."""
    files = solution_files(problem, rows, instance)
    paths = []
    for name, text in files.items():
        path = Path(folder) / name
        write_atomic(path, text)
        paths.append(path)
    return paths
