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
from pathlib import Path
from typing import Any

import pytest
from test_builtin_catalog import interpreters

HOOK = Path(__file__).parent / "stall"
TIMER_POINTS = 8  # at most this many timers per snippet, spread over its run
CALLBACK_POINTS = 2  # and this many callbacks, spread too
Plan = dict[str, dict[str, list[Any]]]


def check(pythons: dict[str, str], env: dict[str, str], ids: list[str]) -> dict[str, Any]:
    argv = [sys.executable, "-m", "asyncsnip", "check", "--json", *ids]
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
    pythons: dict[str, str], plan: Plan, where: Path, ids: list[str]
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
    report = check(pythons, env, ids)
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
    callbacks = [["callback", n] for n in spread(counts["callbacks"], CALLBACK_POINTS)]
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
    ids = sorted(json.loads(subprocess.check_output([*ASYNCSNIP_LIST], text=True)))
    counting = {version: {i: ["count", 0] for i in ids} for version in pythons}
    report, markers = stalled_run(pythons, counting, tmp_path / "count", [])
    assert problems(report) == []
    counts = {
        m.removesuffix(".count"): json.loads((tmp_path / "count" / m).read_text())
        for m in markers
    }
    chosen = {key: points(found) for key, found in counts.items()}
    rounds = max(len(p) for p in chosen.values())
    failures: list[str] = []
    missing: list[str] = []
    stalls = 0
    for r in range(rounds):
        plan: Plan = {version: {} for version in pythons}
        for key, where in chosen.items():
            if r < len(where):
                version, ident = key.split("-", 1)
                plan[version][ident] = where[r]
        due = sorted({ident for by_id in plan.values() for ident in by_id})
        report, markers = stalled_run(pythons, plan, tmp_path / f"round-{r}", due)
        failures += [f"round {r}: {p}" for p in problems(report)]
        planned = {f"{v}-{i}.stalled" for v, by_id in plan.items() for i in by_id}
        missing += [f"round {r}: {m} {plan[m[:4]][m[5:-8]]}" for m in sorted(planned - markers)]
        stalls += len(planned & markers)
    print(f"{stalls} stalled runs in {rounds} rounds over {len(chosen)} snippet-Pythons")
    print("\n".join(failures))
    assert failures == []
    assert missing == []


ASYNCSNIP_LIST = [sys.executable, "-c", "from asyncsnip.catalog.loader import load; import json;"
                  "print(json.dumps(sorted(load(builtin=True).snippets)))"]  # fmt: skip
