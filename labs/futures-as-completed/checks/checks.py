"""Checks for futures-as-completed, from what a probe saw of concurrent.futures while the program ran."""
import re
from typing import Dict, List, Optional

from labkit.checks import Context, Run, check, fail
from labkit.flagchecks import expect_flags_saved, printed_codes, run_downloader
from labkit.flags import POP20_CC
from labkit.futureswatch import observed

PROBE = "observe.py"
_EARLY_STATE = re.compile(r"\b(pending|running)\b", re.IGNORECASE)
_ANY_STATE = re.compile(r"\b(pending|running|finished|done)\b", re.IGNORECASE)


def code_of_future(run: Run) -> Dict[int, str]:
    return {e["future"]: str(e["arg"]) for e in observed(run.observations) if e["event"] == "submit"}


def submit_line(ctx: Context) -> Optional[int]:
    return ctx.line_of_call("submit") or ctx.line_of_function("download_many")


@check("saves-all-flags")
def saves_all_flags(ctx: Context) -> str:
    run_downloader(ctx, PROBE)
    return expect_flags_saved(ctx, POP20_CC)


@check("reports-future-states")
def reports_future_states(ctx: Context) -> str:
    run = run_downloader(ctx, PROBE)
    shown: Dict[str, str] = {}
    for line in run.stdout.splitlines():
        state = _EARLY_STATE.search(line)
        for cc in printed_codes(line, POP20_CC) if state else []:
            shown.setdefault(cc, state.group(1).lower())
    missing = [cc for cc in sorted(POP20_CC) if cc not in shown]
    if missing:
        late = any(_ANY_STATE.search(line) for line in run.stdout.splitlines())
        fail(f"Expected one line per code, printed right after its submit, showing the code and its future's "
             f"state (pending or running); {len(missing)} code(s) had none: {', '.join(missing)}."
             + (" Futures printed only after they finished show state=finished, which is too late." if late else ""),
             why="a future is a promise of a result: right after submit it is pending (waiting for a worker) or "
                 "running, and watching the state change is how you see the pool at work.",
             line=submit_line(ctx), expected="Scheduled for BD: <Future at 0x… state=running>",
             actual=(run.stdout.strip().splitlines() or ["(nothing)"])[0])
    states = sorted(set(shown.values()))
    return f"states shown for all 20 futures ({' and '.join(states)})"


@check("creates-futures-first")
def creates_futures_first(ctx: Context) -> str:
    run = run_downloader(ctx, PROBE)
    events = observed(run.observations)
    submits = [e for e in events if e["event"] == "submit"]
    if len(submits) < len(POP20_CC):
        fail(f"Expected {len(POP20_CC)} calls to executor.submit, one per flag; the probe saw {len(submits)}.",
             why="submit is how each call becomes a Future you can watch and collect; this lab is about using it "
                 "directly instead of map.", line=ctx.line_of_function("download_many"),
             expected=len(POP20_CC), actual=len(submits))
    last_submit = submits[-1]["t"]
    early = [e for e in events if e["event"] in ("result", "yield") and e["t"] < last_submit]
    if early:
        codes = code_of_future(run)
        first = codes.get(early[0]["future"], "?")
        before = sum(1 for e in submits if e["t"] < early[0]["t"])
        fail(f"The result of {first}'s future was read when only {before} of {len(submits)} futures existed.",
             why="reading a result waits for that download, so the next submit has to wait too: the downloads "
                 "go one by one. Create all the futures first (deferred execution), then collect the results.",
             line=ctx.line_of_call("result") or submit_line(ctx), expected=f"{len(submits)} futures before the first result",
             actual=f"{before} futures before the first result")
    return f"all {len(submits)} futures created before any result was read"


@check("handles-completion-order")
def handles_completion_order(ctx: Context) -> str:
    run = run_downloader(ctx, PROBE)
    line = ctx.line_of_call("as_completed")
    if line is None:
        fail("No call to as_completed in flags.py.",
             why="this lab is about one API, concurrent.futures.as_completed, so this check reads your code for "
                 "a call to it: as_completed(futures) yields each future as soon as it is done, whatever order "
                 "they were submitted in.", line=ctx.line_of_function("download_many"))
    events = observed(run.observations)
    codes = code_of_future(run)
    waited = [e for e in events if e["event"] == "result" and not e["was_done"]]
    if waited:
        fail(f"The result of {codes.get(waited[0]['future'], '?')}'s future was read before it had finished, "
             f"so your program waited for it while others were already done ({len(waited)} such reads).",
             why="handling results in completion order means taking each future from as_completed and reading "
                 "its result then, when it is ready; reading them in your own order makes the fast ones wait "
                 "for the slow ones.", line=ctx.line_of_call("result") or line)
    yielded = [codes.get(e["future"], "?") for e in events if e["event"] == "yield"]
    if len(yielded) < len(POP20_CC):
        fail(f"as_completed handed out {len(yielded)} futures, but there are {len(POP20_CC)} downloads.",
             why="pass every future you submitted to as_completed and loop over all of them.", line=line,
             expected=len(POP20_CC), actual=len(yielded))
    handled = result_lines_codes(run.stdout)
    if handled != yielded:
        fail("The results were not printed in the order as_completed handed out the futures.",
             why="print each result inside the as_completed loop, as it arrives, so the output shows the real "
                 "completion order.", line=line, expected=" ".join(yielded), actual=" ".join(handled) or "(nothing)")
    in_order = yielded == sorted(yielded)
    return "results handled as they completed" + (" (this time, by chance, in input order)" if in_order else f": {' '.join(yielded[:6])} …")


def result_lines_codes(stdout: str) -> List[str]:
    """Codes of the lines printed after the futures were scheduled: those without an early state."""
    codes: List[str] = []
    for line in stdout.splitlines():
        if not _EARLY_STATE.search(line):
            codes.extend(printed_codes(line, POP20_CC))
    return codes
