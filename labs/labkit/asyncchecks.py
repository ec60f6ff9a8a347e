"""Checks shared by the asyncio labs, over what labkit.asyncwatch saw in the learner's process: awaiting
what cannot be awaited, coroutines never awaited, a blocked event loop, and more than one event loop."""
from __future__ import annotations

import ast
import re
from typing import Optional, Sequence

from labkit.asyncseen import Watched, observed, site_line
from labkit.checks import Context, Run, expect_ran_cleanly, fail
from labkit.failures import format_list

_NOT_AWAITABLE = re.compile(r"object (\w+) can't be used in 'await' expression|'(\w+)' object can't be awaited")
_NOT_CALLABLE = re.compile(r"'(\w+)' object is not callable")
# 3.9: a task awaited a future of another loop (a lock's or semaphore's waiter); 3.10+: the object was used in
# a second loop after a first one.
_OTHER_LOOP = re.compile(r"attached to a different loop|is bound to a different event loop")
_WHY_OTHER_LOOP = ("asyncio.run() starts a new event loop, and an asyncio Semaphore, Lock, Event or Queue belongs to "
                   "one loop: on Python 3.9 the loop that is current when it is made (one made before asyncio.run(), "
                   "in a plain function or at the top of the file, belongs to another loop), on 3.10 and later the "
                   "first loop that uses it. Make it inside the coroutine that asyncio.run() runs, and pass it to the "
                   "coroutines that use it: then it works on every version.")
# Where each of these takes the function it runs in a thread, and what the learner is told to write instead.
_THREAD_RUNNERS = {"to_thread": 0, "run_in_executor": 1}
_WHY_AWAIT = ("`await` suspends the coroutine until the thing awaited is done, and only coroutines, Tasks and "
              "Futures can be awaited; calling an async function does not run it, it only makes a coroutine "
              "object, which runs when it is awaited or wrapped in a task.")


def _source_line(ctx: Context, line: Optional[int]) -> str:
    if not line:
        return ""
    lines = ctx.source.text.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _called_instead_of_passed(ctx: Context, line: int) -> Optional[str]:
    """When `line` hands to_thread / run_in_executor a call's result where it wants the function (to_thread(
    time.sleep(s))), the message for it; the call ran right there and the thread was given what it returned."""
    for node in ast.walk(ctx.source.tree):
        if not (isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or node.lineno)):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        place = _THREAD_RUNNERS.get(name)
        inner = node.args[place] if place is not None and len(node.args) > place else None
        if place is None or not isinstance(inner, ast.Call):
            continue
        passed: ast.expr = inner.func
        keywords = [*node.keywords, *inner.keywords]
        if inner.keywords and name == "run_in_executor":  # it takes no keyword arguments for the function
            passed = ast.Call(func=ast.Name(id="functools.partial"), args=[inner.func], keywords=inner.keywords)
            keywords = node.keywords
        args = [*node.args[:place], passed, *inner.args, *node.args[place + 1:]]
        fixed = ast.unparse(ast.Call(func=node.func, args=args, keywords=keywords))
        return (f"{name} was given the result of calling {ast.unparse(inner)}, not the function to call: "
                f"{ast.unparse(inner)} ran right there, on the event loop's thread (blocking it), and {name} then "
                f"tried to call what it returned. Pass the function and its arguments separately: `await {fixed}`.")
    return None


def expect_awaits_only_awaitables(ctx: Context, run: Run) -> None:
    """Turns the TypeErrors of a wrong `await` into a message that says what went wrong, then requires
    that the run ended cleanly."""
    error = run.exception
    if error is not None and error.type == "TypeError":
        found = _NOT_AWAITABLE.search(error.message)
        code = _source_line(ctx, error.line) if error.file == ctx.entry_name else ""
        if found:
            what = found.group(1) or found.group(2)
            advice = ""
            if "time.sleep" in code:
                advice = " time.sleep() blocks and returns None; the awaitable pause is `await asyncio.sleep(seconds)`."
            fail(f"Your program awaited something that is not awaitable: a {what} object, at line {error.line}"
                 f"{f' (`{code}`)' if code else ''}.{advice}", why=_WHY_AWAIT, file=error.file, line=error.line)
        if _NOT_CALLABLE.search(error.message) and error.file == ctx.entry_name and error.line:
            message = _called_instead_of_passed(ctx, error.line)
            if message:
                fail(f"At line {error.line} (`{code}`), {message}", file=error.file, line=error.line,
                     why="to_thread(func, *args) and run_in_executor(None, func, *args) call func themselves, in "
                         "another thread; with func(args) written inside, the call happens first, in the coroutine.")
        if "unhashable type: 'list'" in error.message and "gather" in code:
            fail(f"asyncio.gather was given a list at line {error.line} (`{code}`). gather takes the awaitables as "
                 "separate arguments: unpack the list with a star, `await asyncio.gather(*coroutines)`.",
                 why="gather treats each argument as one awaitable; a list is not one.", file=error.file, line=error.line)
    expect_ran_cleanly(run, ctx.entry_name)


def expect_objects_on_their_loop(ctx: Context, run: Run, watched: Watched) -> None:
    """Turns "... attached to a different loop" (3.9) or "... is bound to a different event loop" (3.10+) into
    what happened, at the line that made the lock or semaphore when it was made with no loop running."""
    error = run.exception
    if error is None or error.type != "RuntimeError" or not _OTHER_LOOP.search(error.message):
        return
    code = _source_line(ctx, error.line) if error.file == ctx.entry_name else ""
    at = f"At line {error.line}{f' (`{code}`)' if code else ''}, a" if error.line else "A"
    made = watched.made_outside_a_loop()
    if made is not None:
        made_code = _source_line(ctx, made["line"]) if made["file"] == ctx.entry_name else ""
        function = "the top of the file" if made["function"] == "<module>" else f"{made['function']}()"
        fail(f"{at} task waited on an asyncio {made['kind']} that belongs to another event loop than the one running "
             f"it. The {made['kind']} was made at line {made['line']}{f' (`{made_code}`)' if made_code else ''}, in "
             f"{function}, while no event loop was running: before asyncio.run() started the loop that runs the tasks.",
             why=_WHY_OTHER_LOOP, file=made["file"], line=made["line"])
    loops = len(watched.loops)
    fail(f"{at} task used an asyncio object (a Semaphore, Lock, Event or Queue) that belongs to another event loop; "
         f"this run made {loops} event loop{'s' if loops != 1 else ''}.", why=_WHY_OTHER_LOOP,
         file=error.file, line=error.line)


def expect_watched(ctx: Context, run: Run, *, tolerate: Sequence[str] = ()) -> Watched:
    """What the lab's probe saw through asyncwatch, once the run is known to have gone far enough to judge:
    no asyncio object used on another loop than its own, no wrong `await` (unless the exception's type is in
    `tolerate`, for a check of its own), the probe's report present, the functions it calls still coroutine
    functions, every coroutine awaited."""
    watched = observed(run.observations)
    if not (run.exception is not None and run.exception.type in tolerate):
        expect_objects_on_their_loop(ctx, run, watched)
        expect_awaits_only_awaitables(ctx, run)
    if not watched.reported:
        fail("The checks' probe did not report back, so nothing could be judged.",
             why="this usually means the program exited early (sys.exit while it was loaded?); the output below "
                 "may say more.")
    name = watched.extra.get("notCoroutine")
    if name:
        fail(f"{ctx.entry_name} needs a coroutine function named {name}: `async def {name}(...)`, as in the starter.",
             why="the checks call your coroutines themselves and watch them run; only an async def can await.",
             line=ctx.line_of_function(name))
    expect_every_coroutine_awaited(ctx, watched)
    return watched


def expect_every_coroutine_awaited(ctx: Context, watched: Watched) -> None:
    if not watched.unawaited:
        return
    first = watched.unawaited[0]
    file, line = site_line(first.get("site"))
    names = sorted({item["coroutine"] for item in watched.unawaited})
    where = f" (made at line {line})" if line else ""
    count = len(watched.unawaited)
    fail(f"{count} coroutine{'s were' if count > 1 else ' was'} never awaited: {format_list(names)}{where}. Python warned "
         f"\"RuntimeWarning: coroutine '{first['coroutine']}' was never awaited\": the call created a coroutine "
         "object and nothing ever ran it.", why=_WHY_AWAIT, file=file, line=line)


def expect_loop_never_blocked(ctx: Context, watched: Watched, limit: float, *, reference: str,
                              start: Optional[float] = None, end: Optional[float] = None,
                              hint: Optional[int] = None) -> Optional[float]:
    """No stretch longer than `limit` seconds in which the event loop could not run anything; returns the
    longest stretch seen (None when there was none worth noting)."""
    stall = watched.longest_stall(start, end)
    if stall is None or stall["seconds"] <= limit:
        return stall["seconds"] if stall else None
    where = stall.get("where") or []
    inner = where[0] if where else None
    place = ""
    if inner:
        code = _source_line(ctx, inner["line"]) if inner["file"] == ctx.entry_name else ""
        place = f", in {inner['function']}() at line {inner['line']}" + (f" (`{code}`)" if code else "")
    fail(f"The event loop was blocked for {stall['seconds']:.2f} s{place}: for that long it could not run any other "
         f"task or callback. The limit is {limit:.2f} s ({reference}).",
         why="asyncio runs every coroutine on one thread, taking turns only at each `await`. A call that blocks "
             "(time.sleep, a blocking network call, a long computation) holds that thread, so everything else "
             "stops. Await the asyncio version (asyncio.sleep), or move the blocking call to a thread with "
             "`await asyncio.to_thread(func, *args)` or `loop.run_in_executor(None, func, *args)`.",
         file=inner["file"] if inner else None, line=inner["line"] if inner else None, hint=hint,
         expected=f"<= {limit:.2f} s blocked", actual=f"{stall['seconds']:.2f} s blocked")


def expect_one_event_loop(ctx: Context, watched: Watched, *, hint: Optional[int] = None) -> None:
    count = len(watched.loops)
    if count == 1:
        return
    if count == 0:
        fail("Your program never started an event loop, so no coroutine ran.",
             why="coroutines run only on an event loop: start one, once, with asyncio.run(main_coroutine()).",
             line=ctx.line_of_function("main"), hint=hint)
    file, line = site_line(watched.loops[1].get("site"))
    code = _source_line(ctx, line) if file == ctx.entry_name else ""
    fail(f"Your program created {count} event loops, where one should run everything: a new loop was started at "
         f"line {line}{f' (`{code}`)' if code else ''}, again and again. Each asyncio.run() makes a new loop, runs "
         "one coroutine to the end and closes the loop, so an asyncio.run() per download runs the downloads one "
         "after another.",
         why="concurrency in asyncio comes from many tasks sharing ONE loop: call asyncio.run() once, on a "
             "coroutine that starts all the downloads (tasks, gather or as_completed) and awaits them.",
         file=file, line=line, hint=hint, expected="1 event loop", actual=f"{count} event loops")
