"""Whole-process timings of asyncsnip's hot paths, as ratios to `python -c pass`.

Usage: .venv/bin/python bench/run.py [--runs 15] [--json out.json] [--skip-check] [--skip-scale]

Every figure is the median wall time of --runs runs of a fresh process, measured in the same
run as the floor (`python -c pass` with the same interpreter), so the ratios hold on any
machine. `check` is measured against its own floor: the longest snippet run alone (nothing
can finish before it) and the sum of every snippet run one after another (--jobs 1).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

PYTHON = sys.executable
ASYNCSNIP = [str(Path(PYTHON).parent / "asyncsnip")]  # the console script users run


def timed_pipe(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - started


def timed_pty(argv: list[str], env: dict[str, str]) -> float:
    """Run with stdout and stderr on a pseudo-terminal, draining it as a terminal would."""
    master, slave = pty.openpty()
    drain = threading.Thread(target=_drain, args=(master,), daemon=True)
    drain.start()
    started = time.perf_counter()
    subprocess.run(argv, stdout=slave, stderr=slave, env=env, check=True)
    took = time.perf_counter() - started
    os.close(slave)
    drain.join(timeout=2)
    os.close(master)
    return took


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def median(measure: Callable[[], float], runs: int) -> float:
    measure()  # warm the page cache and any parsed-catalog cache
    return statistics.median(measure() for _ in range(runs))


def bench_env() -> dict[str, str]:
    """The user's environment, minus what would distort it: bytecode caches are written
    (as after a real install), colour is not forced off."""
    env = dict(os.environ, COLUMNS="100", ASYNCSNIP_PAGER="")  # a pager would wait for keys
    for name in ("NO_COLOR", "PYTHONDONTWRITEBYTECODE", "ASYNCSNIP_CATALOG", "_ASYNCSNIP_COMPLETE"):
        env.pop(name, None)
    return env


Case = tuple[list[str], Callable[..., float], dict[str, str]]


def completion_env(env: dict[str, str], line: str) -> dict[str, str]:
    """A bash completion request, as the generated bash script makes it."""
    words = line.split(" ")
    return dict(
        env, _ASYNCSNIP_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1)
    )


def startup_cases(env: dict[str, str]) -> dict[str, Case]:
    return {
        "python -c pass (floor)": ([PYTHON, "-c", "pass"], timed_pipe, env),
        "completion: `asyncsnip run ` TAB (bash)": (
            ASYNCSNIP,
            timed_pipe,
            completion_env(env, "asyncsnip run "),
        ),
        "show gather (piped)": ([*ASYNCSNIP, "show", "gather"], timed_pipe, env),
        "show 'run blocking code' (search, piped)": (
            [*ASYNCSNIP, "show", "run blocking code"],
            timed_pipe,
            env,
        ),
        "show gather (terminal)": ([*ASYNCSNIP, "show", "gather"], timed_pty, env),
        "list (piped)": ([*ASYNCSNIP, "list"], timed_pipe, env),
        "export --compact (piped)": ([*ASYNCSNIP, "export", "--compact"], timed_pipe, env),
        "run hello-world": ([*ASYNCSNIP, "run", "hello-world"], timed_pipe, env),
    }


def scale_cases(env: dict[str, str]) -> dict[str, Case]:
    return {
        "python -c pass (floor)": ([PYTHON, "-c", "pass"], timed_pipe, env),
        "list": ([*ASYNCSNIP, "list"], timed_pipe, env),
        "show gather": ([*ASYNCSNIP, "show", "gather"], timed_pipe, env),
        "show 'run blocking code' (search)": (
            [*ASYNCSNIP, "show", "run blocking code"],
            timed_pipe,
            env,
        ),
        "completion: `asyncsnip run ` TAB": (
            ASYNCSNIP,
            timed_pipe,
            completion_env(env, "asyncsnip run "),
        ),
    }


def measure(cases: dict[str, Case], runs: int) -> list[dict[str, object]]:
    """Median wall time of each case; the cases take turns, run after run, so a slow spell
    of the machine is shared by all of them instead of landing on one."""
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for round_ in range(runs + 1):  # round 0 warms caches and is not counted
        for name, (argv, how, env) in cases.items():
            seconds = how(argv, env)
            if round_:
                timings[name].append(seconds)
    floor = statistics.median(next(iter(timings.values())))
    return [
        {
            "case": name,
            "median_ms": round(statistics.median(values) * 1000, 1),
            "ratio": statistics.median(values) / floor,
        }
        for name, values in timings.items()
    ]


def measure_scale(runs: int) -> list[dict[str, object]]:
    """list, show and completion with 1,000 and 10,000 user snippets, against built-in only
    (all of them taking turns in one measurement, like the start-up cases)."""
    from generate_catalog import write_catalog

    sizes = (0, 1_000, 10_000)
    with tempfile.TemporaryDirectory() as root:
        cases: dict[str, Case] = {}
        for size in sizes:
            config = Path(root) / str(size)
            if size:
                write_catalog(config / "asyncsnip" / "snippets.toml", size)
            env = dict(bench_env(), XDG_CONFIG_HOME=str(config))
            for name, case in scale_cases(env).items():
                cases[f"{name}, {size:,} user snippets"] = case
        rows = [row for row in measure(cases, runs) if "floor" not in str(row["case"])]
    baseline = {str(r["case"]).rsplit(", ", 1)[0]: r for r in rows if ", 0 user" in str(r["case"])}
    for row in rows:
        base = baseline[str(row["case"]).rsplit(", ", 1)[0]]
        row["ratio"] = float(str(row["median_ms"])) / float(str(base["median_ms"]))
    return rows


def measure_check(runs: int) -> list[dict[str, object]]:
    """Whole-catalog check against its floor (the longest snippet run alone: nothing can
    finish before it) and against every snippet run one after another; with the fork server
    and, for comparison, with a fresh interpreter per snippet."""
    report = json.loads(_check([])[0])
    durations = {r["id"]: r["duration_s"] for r in report["results"] if r["status"] != "skipped"}
    longest = max(durations, key=durations.__getitem__)
    alone = median(lambda: timed_pipe([*ASYNCSNIP, "run", longest], bench_env()), runs)
    rows: list[dict[str, object]] = [
        {"case": f"longest snippet alone: run {longest}", "median_ms": round(alone * 1000, 1)}
    ]
    count = len(report["results"])
    for label, env in (("", {}), (", fresh interpreters", {"ASYNCSNIP_FORKSERVER": "0"})):
        walls, cpus = zip(*(_timed_check([], env) for _ in range(max(3, runs // 3))), strict=True)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        rows.append(
            {
                "case": f"check, whole catalog{label}",
                "median_ms": round(wall * 1000, 1),
                "ratio": wall / alone,
                "vs_1.15x_longest_plus_0.5s": wall / (1.15 * alone + 0.5),
                "vs_1.3x_longest_plus_0.5s": wall / (1.3 * alone + 0.5),
                "cpu_ms_per_snippet": round(cpu * 1000 / count, 1),
            }
        )
    one_by_one = _timed_check(["--jobs", "1"], {})[0]
    rows.append(
        {"case": "check, one after another (--jobs 1)", "median_ms": round(one_by_one * 1000)}
    )
    rows[1]["speedup_vs_one_by_one"] = one_by_one / float(str(rows[1]["median_ms"])) * 1000
    return rows


def _check(extra: list[str], env: dict[str, str] | None = None) -> tuple[str, float]:
    """The JSON report of `check`, and the CPU seconds it and everything it started used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    argv = [*ASYNCSNIP, "check", "--json", *extra]
    out = subprocess.run(argv, capture_output=True, text=True, env={**bench_env(), **(env or {})})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return out.stdout, cpu


def _timed_check(extra: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    output, cpu = _check(extra, env)
    took = time.perf_counter() - started
    report = json.loads(output)
    bad = {k: v for k, v in report["summary"].items() if k in ("failed", "mismatch", "timeout")}
    if any(bad.values()):
        raise SystemExit(f"check did not pass, figures would be meaningless: {bad}")
    return took, cpu


def table(rows: list[dict[str, object]], ratio: str = "ratio") -> str:
    lines = [f"| case | median | {ratio} |", "|---|---:|---:|"]
    for row in rows:
        ratio = f"{row['ratio']:.1f}x" if "ratio" in row else ""
        lines.append(f"| {row['case']} | {row['median_ms']} ms | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per case (median taken)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--skip-check", action="store_true", help="leave out check")
    parser.add_argument("--skip-scale", action="store_true", help="leave out the large catalogs")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs, {args.runs} runs each\n")
    startup = measure(startup_cases(bench_env()), args.runs)
    print(table(startup, "x floor"))
    scale = [] if args.skip_scale else measure_scale(args.runs)
    if scale:
        print()
        print(table(scale, "x built-in only"))
    check = [] if args.skip_check else measure_check(args.runs)
    if check:
        print()
        print(table(check, "x longest"))
        for row in check[1:3]:
            print(
                f"\n{row['case']}: {row['vs_1.15x_longest_plus_0.5s']:.2f} of the "
                f"1.15 x longest + 0.5 s budget, {row['vs_1.3x_longest_plus_0.5s']:.2f} of "
                f"1.3 x longest + 0.5 s (issue 15); {row['cpu_ms_per_snippet']} ms CPU per snippet"
            )
        print(f"speed-up over one after another: {check[1]['speedup_vs_one_by_one']:.1f}x")
    if args.json:
        figures = {"startup": startup, "scale": scale, "check": check}
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
