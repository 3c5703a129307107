"""Mutation fuzzing of the input edge, and the cost of the bomb classes.

Every bundled scenario and a solved roster of it are mutated at random (a line dropped, doubled or
cut, characters flipped, a value swapped for a hostile one) and read the way `validate` reads
them. Each outcome is counted: read, refused with an InputError (exit 2), or anything else (a
traceback: a defect). Then each bomb class is timed and its peak memory measured.

    python bench/hostile.py --inputs 2000 --seed 1
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from rostering.domain.errors import InputError
from rostering.domain.problem import build_problem
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario
from rostering.rules import PluginError

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    "9" * 5000,
    "1e400",
    ".nan",
    "-.inf",
    "2026-13-01",
    "9999-12-31",
    "0001-01-01",
    "07:00:30",
    "[" * 300,
    "{a: " * 100,
    "? [a]\n: 1",
    "&x [1]",
    "*x",
    "!!python/object:os.system",
    '=HYPERLINK("x")',
    "\x00",
    "é" * 300,
    "null",
    "true",
    "-1",
    "0",
    "''",
    "[]",
    "{}",
    ".".join(["0101" + "70", "12" + "34"]),  # a CPR shape, assembled so none is stored
    "4600000000000000000",
]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        n = rng.randrange(len(lines))
        kind = rng.randrange(5)
        if kind == 0:
            del lines[n]
        elif kind == 1:
            lines.insert(n, lines[n])
        elif kind == 2:
            lines[n] = lines[n][: rng.randrange(len(lines[n]) + 1)] + "\n"
        elif kind == 3:
            pos = rng.randrange(len(lines[n]) + 1)
            lines[n] = (
                lines[n][:pos]
                + chr(rng.choice([0x20, 0x3A, 0x2C, 0x5B, 0x7B, 0x22, 0x27, 0x2D, 0xE6]))
                + lines[n][pos:]
            )
        else:
            tokens = lines[n].replace(",", " , ").replace(":", " : ").split(" ")
            tokens[rng.randrange(len(tokens))] = rng.choice(HOSTILE)
            lines[n] = " ".join(tokens)
        if not lines:
            break
    return "".join(lines) or "x"


def outcome(read) -> str:
    try:
        read()
        return "read"
    except (InputError, PluginError):
        return "exit 2"
    except Exception as exc:  # noqa: BLE001 - what the bench is looking for
        return f"TRACEBACK {type(exc).__name__}: {str(exc)[:80]}"


def fuzz(inputs: int, seed: int, folder: Path) -> Counter:
    rng = random.Random(seed)
    sources = sorted(ROOT.glob("scenarios/**/*.yaml"))
    problem = build_problem(load_scenario(ROOT / "scenarios/tiny/tiny_plejehjem.yaml"))
    roster = (ROOT / "tests/data/tiny_pool_published.csv").read_text(encoding="utf-8")
    seen: Counter = Counter()
    for n in range(inputs):
        if n % 2:
            path = folder / f"r{n}.csv"
            path.write_text(mutate(roster, rng), encoding="utf-8", errors="surrogatepass")
            seen["roster " + outcome(lambda path=path: read_roster(path, problem))] += 1
        else:
            path = folder / f"s{n}.yaml"
            path.write_text(mutate(rng.choice(sources).read_text(encoding="utf-8"), rng), encoding="utf-8")
            seen["scenario " + outcome(lambda path=path: build_problem(load_scenario(path)))] += 1
        path.unlink()
    return seen


BOMBS = {
    "billion laughs (YAML)": "validate {laughs} {roster}",
    "nesting 100,000 deep (JSON)": "validate {deep} {roster}",
    "1,000,000-row roster (CSV)": "validate {tiny} {rows}",
    "1 MB scenario name": "solve {name} --time-limit 5 --workers 1",
}


def bombs(folder: Path) -> list[tuple[str, float, int, int]]:
    tiny = (ROOT / "scenarios/tiny/tiny_plejehjem.yaml").read_text(encoding="utf-8")
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"{b}: &{b} [" + ", ".join([f"*{a}"] * 10) + "]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
    files = {
        "laughs": ("\n".join(levels) + "\n" + tiny, "laughs.yaml"),
        "deep": ("[" * 100_000 + "]" * 100_000, "deep.json"),
        "rows": ("employee_id,date,shift_id,start,end\n" + "e01,2026-03-30,dag,07:00,15:00\n" * 1_000_000, "rows.csv"),
        "name": (tiny.replace("name: Tiny plejehjem", "name: " + "x" * 1_000_000), "name.yaml"),
        "roster": ("employee_id,date,shift_id,start,end\n", "roster.csv"),
        "tiny": (tiny, "tiny.yaml"),
    }
    paths = {}
    for key, (text, name) in files.items():
        paths[key] = folder / name
        paths[key].write_text(text, encoding="utf-8")
    out = []
    for label, args in BOMBS.items():
        command = [shutil.which("rostering") or "rostering", *args.format(**paths).split()]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        out.append((label, seconds, peak, done.returncode))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seen = fuzz(args.inputs, args.seed, Path(tmp))
        print(f"{args.inputs} mutated inputs, seed {args.seed}:")
        for what, count in sorted(seen.items()):
            print(f"  {count:6d}  {what}")
        print("\n| bomb | seconds | peak MB (largest child so far) | exit |\n|---|---:|---:|---:|")
        for label, seconds, peak, code in bombs(Path(tmp)):
            print(f"| {label} | {seconds:.1f} | {peak} | {code} |")


if __name__ == "__main__":
    main()
