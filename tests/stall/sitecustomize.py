"""The stall harness's hook: blocks a snippet's event loop once, for 60 ms, at a chosen point.

Put this folder on PYTHONPATH and name a plan in ASYNCSNIP_STALL_PLAN; anything else is left
alone. The plan is JSON: {"3.12": {"SNIPPET-ID": ["timer", 3], ...}, ...}. A process whose
script is `snippet-SNIPPET-ID.py` (as asyncsnip names it) then sleeps 60 ms, on the thread
running the loop:

- ["timer", k]: as the k-th timer of the run is made (call_later, call_at, sleep,
  timeout...), once its deadline is fixed: it and the timers before it are then 60 ms
  closer than the code says to everything after, as when the process is descheduled there
  (between two timers set in the same step, too);
- ["callback", n]: just before the n-th event-loop callback runs (a task step, a callback);
- ["count", 0]: never; the counts of timers and callbacks are written at exit instead.

Each stall writes a marker file into ASYNCSNIP_STALL_DIR, the proof that it happened. The
hook patches asyncio's pure-Python Handle._run and TimerHandle.__init__, which every loop of
the standard library uses; a fork server started with this on its path hands the patch to
every child it forks. (uvloop has its own handles: its loops are never stalled.)
"""

import os

if os.environ.get("ASYNCSNIP_STALL_PLAN"):
    import asyncio.events
    import atexit
    import json
    import sys
    import threading
    import time

    STALL_S = 0.06
    _lock = threading.Lock()
    _state = {"point": None, "timers": 0, "callbacks": 0, "done": False}

    def _point():
        """This process's stall point, read once, at the first callback or timer."""
        if _state["point"] is None:
            name = os.path.basename(sys.argv[0] if sys.argv else "")
            ident = name.removeprefix("snippet-").removesuffix(".py")
            version = f"{sys.version_info[0]}.{sys.version_info[1]}"
            plan = {}
            if name.startswith("snippet-"):
                with open(os.environ["ASYNCSNIP_STALL_PLAN"], encoding="utf-8") as file:
                    plan = json.load(file).get(version, {})
            _state["point"] = (ident, version, *plan.get(ident, ["none", 0]))
            if _state["point"][2] == "count":
                atexit.register(_write, "count")
        return _state["point"]

    def _write(kind):
        ident, version, *_ = _state["point"]
        path = os.path.join(os.environ["ASYNCSNIP_STALL_DIR"], f"{version}-{ident}.{kind}")
        with open(path, "w", encoding="utf-8") as file:
            json.dump({"timers": _state["timers"], "callbacks": _state["callbacks"]}, file)

    def _tick(kind):
        with _lock:
            key = "timers" if kind == "timer" else "callbacks"
            _state[key] += 1
            planned, at = _point()[2:]
            due = planned == kind and _state[key] == at and not _state["done"]
            _state["done"] = _state["done"] or due
        if due:
            time.sleep(STALL_S)
            _write("stalled")

    _run = asyncio.events.Handle._run
    _timer_init = asyncio.events.TimerHandle.__init__

    def _stalling_run(self):
        _tick("callback")
        return _run(self)

    def _stalling_timer_init(self, *args, **kwargs):
        _tick("timer")
        _timer_init(self, *args, **kwargs)

    asyncio.events.Handle._run = _stalling_run
    asyncio.events.TimerHandle.__init__ = _stalling_timer_init
