"""Checks for spinner-thread: the answer is printed, spin() draws frames in a second thread while slow()
works, the spinner is stopped with its Event and joined, no thread outlives the program, and the final
screen shows no trace of the spinner."""
from typing import Any, Dict, List

from labkit.checks import Context, Run, check, fail
from labkit.races import run_with_hang_hint
from labkit.terminal import Screen, render
from labkit.threadwatch import observed

TIMEOUT = 10.0
MIN_FRAMES = 3
HANG_HINT = 3


def main_run(ctx: Context) -> Run:
    return run_with_hang_hint(ctx, HANG_HINT, probe="observe.py", timeout=TIMEOUT)


def seen(run: Run) -> Dict[str, Any]:
    found = observed(run.observations)
    if not found:
        fail("The checks could not observe your program: it ended before reporting what it did.",
             why="run `python spinner.py` yourself and make sure it ends normally.")
    return found


def calls_of(run: Run, name: str) -> List[Dict[str, Any]]:
    return [c for c in seen(run).get("calls", []) if c["fn"] == name]


def slow_call(ctx: Context, run: Run) -> Dict[str, Any]:
    slows = calls_of(run, "slow")
    if not slows or slows[0]["end"] is None:
        fail("slow() was never called (or never returned).",
             why="the spinner exists to show that slow work is going on: supervisor() must call slow().",
             line=ctx.line_of_function("supervisor"), hint=1)
    return slows[0]


def screen_of(run: Run) -> Screen:
    return render([(text, "spin" if inside else "other") for _, _, _, inside, text in seen(run).get("writes", [])])


def frames(run: Run) -> List[List[Any]]:
    """Writes made inside spin() that draw something: the spinner's frames."""
    return [w for w in seen(run).get("writes", []) if w[3] and w[4].strip()]


def spinner_threads(run: Run, slow: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The spin() calls that ran in a thread other than slow()'s."""
    return [c for c in calls_of(run, "spin") if c["key"] != slow["key"]]


@check("prints-answer")
def prints_answer(ctx: Context) -> str:
    run = main_run(ctx)
    slow = slow_call(ctx, run)
    answer = str(slow.get("result"))
    shown = screen_of(run).text_without(lambda tag: tag == "spin")
    if answer not in shown:
        fail(f"slow() returned {answer}, but the screen does not show it at the end of the run.",
             why="the spinner is decoration; the answer is the program's result. supervisor() should return "
                 "what slow() returned, and main() print it, e.g. 'Answer: 42'.",
             line=ctx.line_of_function("main"), hint=2, expected=f"a line showing {answer}",
             actual=" | ".join(screen_of(run).lines()) or "(nothing)")
    return f"the answer {answer} is on screen"


@check("spins-during-slow")
def spins_during_slow(ctx: Context) -> str:
    run = main_run(ctx)
    slow = slow_call(ctx, run)
    drawn = frames(run)
    during = [w for w in drawn if slow["start"] <= w[0] <= slow["end"] and w[1] != slow["key"]]
    after = [w for w in drawn if w[0] > slow["end"]]
    seconds = (slow["end"] - slow["start"]) / 1e9
    line = ctx.line_of_function("supervisor")
    if not calls_of(run, "spin"):
        fail("spin() was never called, so no spinner was drawn.", line=line, hint=1,
             why="supervisor() should run spin('thinking!', done) in a second thread while slow() works.")
    if len(during) >= MIN_FRAMES:
        return f"{len(during)} frames drawn while slow() worked for {seconds:.1f} s"
    if not spinner_threads(run, slow):
        fail(f"The spinner drew no frame while slow() worked ({seconds:.1f} s): spin() ran in the same thread as "
             f"slow(), so it could only draw before or after the work ({len(after)} frame(s) after it).",
             why="one thread does one thing at a time. To draw while slow() works, spin() needs a thread of its own, "
                 "started before slow() is called.", line=ctx.line_of_call("spin", inside="supervisor") or line,
             hint=1, expected=f">= {MIN_FRAMES} frames during slow()", actual=f"{len(during)} during, {len(after)} after")
    fail(f"Only {len(during)} frame(s) were drawn while slow() worked for {seconds:.1f} s"
         + (f", and {len(after)} after it returned" if after else "") + ".",
         why="the spinner thread must be started before slow() is called and draw a frame every FRAME_SECONDS "
             "until the work is done.", line=ctx.line_of_call("slow", inside="supervisor") or line, hint=1,
         expected=f">= {MIN_FRAMES} frames during slow()", actual=f"{len(during)}")


@check("spinner-stopped-joined")
def spinner_stopped_joined(ctx: Context) -> str:
    run = main_run(ctx)
    slow = slow_call(ctx, run)
    found = seen(run)
    line = ctx.line_of_function("supervisor")
    spinners = spinner_threads(run, slow)
    if not spinners:
        fail("spin() never ran in a second thread, so there is no spinner thread to stop and join.",
             why="start a threading.Thread(target=spin, args=('thinking!', done)) before slow(), then stop and join it.",
             line=line, hint=1)
    spinner = spinners[0]
    name = spinner["thread"]
    flags = {e["id"]: e["set"] for e in found.get("eventsSet", [])}
    if not spinner.get("events"):
        fail(f"spin() in thread {name!r} got no threading.Event to tell it when to stop.",
             why="an Event is the standard way to tell a thread to finish: done.set() in one thread, done.wait() "
                 "or done.is_set() in the other.", line=ctx.line_of_function("spin"), hint=3)
    if not any(flags.get(event) for event in spinner["events"]):
        fail(f"The Event given to spin() was never set, so the spinner thread {name!r} was never told to stop.",
             why="after slow() returns, done.set() tells the spinner the work is finished.",
             line=ctx.line_of_call("slow", inside="supervisor") or line, hint=3)
    joins = [j for j in found.get("joins", []) if j["key"] == spinner["key"]]
    if not joins:
        fail(f"The spinner thread {name!r} was never joined.",
             why="join() waits until the thread has finished, here until the spinner has cleared its line; without "
                 "it, supervisor() can return and print while the spinner is still drawing.",
             line=ctx.line_of_call("set", inside="supervisor") or line, hint=3)
    if all(j["aliveAfter"] for j in joins):
        fail(f"join() on the spinner thread {name!r} returned while the thread was still running (a timeout?).",
             why="join() without a timeout waits until the thread is done; set the Event first so it ends quickly.",
             line=ctx.line_of_call("join", inside="supervisor") or line, hint=3)
    if spinner["end"] is None or spinner["end"] < slow["end"]:
        fail(f"The spinner thread {name!r} stopped before slow() was done.",
             why="spin() should keep drawing until the Event is set after slow() returns.",
             line=ctx.line_of_function("spin"), hint=3)
    return f"the spinner thread {name!r} was stopped by its Event and joined"


@check("no-threads-left")
def no_threads_left(ctx: Context) -> str:
    run = main_run(ctx)
    alive = seen(run).get("alive", [])
    if not alive:
        return "only the main thread was left when the program ended"
    names = ", ".join(f"{t['name']!r}" + (" (daemon)" if t["daemon"] else "") for t in alive)
    fail(f"When the program's main code ended, thread(s) {names} were still running.",
         why="a daemon thread is killed wherever it is when the program exits (mid-frame, its line never cleared); "
             "a non-daemon one keeps the program from exiting. Stop every thread you start (set its Event) and "
             "join it before the program ends.", line=ctx.line_of_function("supervisor"), hint=3)


@check("line-cleared")
def line_cleared(ctx: Context) -> str:
    run = main_run(ctx)
    screen = screen_of(run)
    left = screen.rows_with(lambda tag: tag == "spin")
    if not left:
        return "no trace of the spinner on the final screen"
    row, text = left[0]
    unfinished = [c for c in calls_of(run, "spin") if c["end"] is None]
    if unfinished:
        # The clearing code is fine; it never ran. Blaming it (hint 4) would send the learner the wrong way.
        name = unfinished[0]["thread"]
        daemon = any(t["name"] == name and t["daemon"] for t in seen(run).get("alive", []))
        fail(f"The spinner's last frame is still on screen (line {row} shows {text!r}) because spin() never got to "
             f"its clearing code: thread {name!r} was still drawing when the program ended"
             + (", and as a daemon thread it was killed mid-frame." if daemon else "."),
             why="spin() clears its line only after its loop ends. After slow() returns, call done.set() so the loop "
                 "ends, then spinner.join() to wait until the line is cleared, before anything else is printed.",
             line=ctx.line_of_call("slow", inside="supervisor") or ctx.line_of_function("supervisor"), hint=3,
             expected="a blank spinner line", actual=repr(text))
    fail(f"The spinner's last frame is still on screen when the program ends: line {row} shows {text!r}.",
         why="'\\r' only moves the cursor back to the start of the line; the characters stay until something "
             "overwrites them. After the last frame, print '\\r', as many spaces as the frame had characters, and "
             "'\\r' again (all with end=''), so the next output starts on a clean line.",
         line=ctx.line_of_function("spin"), hint=4, expected="a blank spinner line", actual=repr(text))
