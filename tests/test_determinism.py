"""Outputs that never depend on luck: the whole built-in catalog, with its event loop stalled
for 60 ms at many points, and with the machine's cores kept busy, on 3.11, 3.12 and 3.13.

The stall is tests/stall/sitecustomize.py, on PYTHONPATH for `check`, so the fork server
imports it and every snippet it forks inherits the hook. A first run counts each snippet's
timers and callbacks; the stall points are then chosen from those counts (the timers are
where a stall can reorder what happens, see `points`), and each round stalls every snippet
at its next point. Every stall leaves a marker file: a snippet that was planned to stall and
left none fails the test, so a stall that never happened cannot pass for a good result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from asyncsnip.catalog.loader import load
from test_builtin_catalog import interpreters

HOOK = Path(__file__).parent / "stall"
TIMER_POINTS = 8  # at most this many timers per snippet, spread over its run
CALLBACK_POINTS = 2  # and this many callbacks, spread too
Plan = dict[str, dict[str, list[Any]]]
Point = tuple[str, list[Any]]  # ("3.12-SNIPPET-ID", ["timer", 3])


def check(
    pythons: dict[str, str], env: dict[str, str], ids: list[str], catalog: Sequence[str] = ()
) -> dict[str, Any]:
    argv = [sys.executable, "-m", "asyncsnip", *catalog, "check", "--json", *ids]
    for executable in pythons.values():
        argv += ["--python", executable]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def problems(report: dict[str, Any]) -> list[str]:
    return [
        f"{r['id']} on {r['python']}: {r['status']}\n{r['diff'] or r['stderr'][-600:]}"
        for r in report["results"]
        if r["status"] in ("failed", "mismatch", "timeout")
    ]


def stalled_run(
    pythons: dict[str, str], plan: Plan, where: Path, ids: list[str], catalog: Sequence[str] = ()
) -> tuple[dict[str, Any], set[str]]:
    """Run `check` with the plan; the report and the markers the snippets left."""
    where.mkdir()
    (where / "plan.json").write_text(json.dumps(plan))
    env = dict(
        os.environ,
        PYTHONPATH=str(HOOK),
        ASYNCSNIP_STALL_PLAN=str(where / "plan.json"),
        ASYNCSNIP_STALL_DIR=str(where),
    )
    report = check(pythons, env, ids, catalog)
    return report, {p.name for p in where.iterdir() if p.name != "plan.json"}


def spread(count: int, most: int) -> list[int]:
    """Up to `most` of 1..count, evenly spread, the first and the last included."""
    if count <= most:
        return list(range(1, count + 1))
    return sorted({1 + round(i * (count - 1) / (most - 1)) for i in range(most)})


def points(counts: dict[str, int]) -> list[list[Any]]:
    """Where to stall one snippet: at its timers first (a stall between two timers is what
    breaks an output that relies on the margin between two sleeps), then at callbacks."""
    timers = [["timer", k] for k in spread(counts["timers"], TIMER_POINTS)]
    # the last few callbacks of a run that reads pipes vary in number: stay below them
    reached = max(1, counts["callbacks"] * 2 // 3)
    callbacks = [["callback", n] for n in spread(reached, CALLBACK_POINTS)]
    return timers + callbacks


@pytest.fixture(scope="module")
def pythons() -> dict[str, str]:
    found = interpreters()
    assert sorted(found) == ["3.11", "3.12", "3.13"]
    return found


def test_outputs_survive_a_stall_at_every_chosen_point(
    pythons: dict[str, str], tmp_path: Path
) -> None:
    """Each snippet, stalled 60 ms at each of its chosen points on every Python: no failure
    and no mismatch, and every planned stall left its marker."""
    ids = sorted(load(builtin=True).snippets)
    counting = {version: {i: ["count", 0] for i in ids} for version in pythons}
    report, markers = stalled_run(pythons, counting, tmp_path / "count", [])
    assert problems(report) == []
    counts = {
        m.removesuffix(".count"): json.loads((tmp_path / "count" / m).read_text()) for m in markers
    }
    chosen = {key: points(found) for key, found in counts.items()}
    rounds = max(len(p) for p in chosen.values())
    failures: list[str] = []
    unreached: list[Point] = []
    for r in range(rounds):
        due = [(key, where[r]) for key, where in chosen.items() if r < len(where)]
        failed, missed = stall_round(pythons, due, tmp_path / f"round-{r}")
        failures += failed
        unreached += missed
    # a point a run did not reach (its count of callbacks varies a little): half as far
    retry = [(key, [kind, max(1, at // 2)]) for key, (kind, at) in unreached]
    failed, missing = stall_round(pythons, retry, tmp_path / "retry") if retry else ([], [])
    failures += failed
    stalled = sum(len(p) for p in chosen.values()) - len(unreached) + len(retry) - len(missing)
    print(
        f"{stalled} stalled runs in {rounds} rounds and a retry of {len(retry)},"
        f" over {len(chosen)} snippet-Pythons"
    )
    assert failures == []
    assert missing == []


def stall_round(
    pythons: dict[str, str], due: list[Point], where: Path
) -> tuple[list[str], list[Point]]:
    """Stall each (snippet-Python, point) once: the problems, and the points not reached."""
    plan: Plan = {version: {} for version in pythons}
    for key, point in due:
        version, ident = key.split("-", 1)
        plan[version][ident] = point
    ids = sorted({ident for by_id in plan.values() for ident in by_id})
    report, markers = stalled_run(pythons, plan, where, ids)
    missed = [(key, point) for key, point in due if f"{key}.stalled" not in markers]
    return [f"{where.name}: {p}" for p in problems(report)], missed


def test_outputs_survive_two_cpu_hogs(pythons: dict[str, str]) -> None:
    """`check` of the whole catalog on every Python while two processes keep both cores
    busy: nothing fails, nothing mismatches, nothing times out."""
    hog = [sys.executable, "-c", "while True: pass"]
    hogs = [subprocess.Popen(hog) for _ in range(2)]
    try:
        report = check(pythons, dict(os.environ), [])
    finally:
        for process in hogs:
            process.kill()
            process.wait()
    assert problems(report) == []
    assert report["summary"]["passed"] + report["summary"]["skipped"] == report["summary"]["total"]


RACY = """
version = 1

[[snippets]]
id = "racy"
title = "Two sleeps 50 ms apart decide the output"
tags = ["racy"]
code = \'\'\'
import asyncio


async def tick(name: str, seconds: float) -> None:
    await asyncio.sleep(seconds)
    print(name)


async def main() -> None:
    await asyncio.gather(tick("slow", 0.1), tick("fast", 0.05))


asyncio.run(main())
\'\'\'
output = \'\'\'
fast
slow
\'\'\'
"""


def test_the_harness_catches_a_margin_between_two_sleeps(
    pythons: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snippet whose output rests on 50 ms between two sleeps passes unstalled, and
    mismatches once stalled between its two timers, on every Python; a fresh interpreter
    (no fork server) is stalled just as a forked one is."""
    catalog = tmp_path / "racy.toml"
    catalog.write_text(RACY)
    options = ["--no-builtin", "--catalog", str(catalog)]
    report = check(pythons, dict(os.environ), [], options)
    assert problems(report) == []
    plan: Plan = {version: {"racy": ["timer", 1]} for version in pythons}
    for server in ("1", "0"):
        monkeypatch.setenv("ASYNCSNIP_FORKSERVER", server)
        report, markers = stalled_run(pythons, plan, tmp_path / server, [], options)
        assert [r["status"] for r in report["results"]] == ["mismatch"] * len(pythons)
        assert markers == {f"{version}-racy.stalled" for version in pythons}
