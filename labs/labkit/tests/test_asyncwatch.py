"""labkit.asyncwatch inside a real learner process (through labkit.run.launch with a probe), and its
checker side."""
import os
import sys
import textwrap

from labkit.asyncseen import Watched, observed
from labkit.run import Run, launch
from labkit.tests.support import TempDirTestCase, child_env

PROBE = """
    from labkit import asyncwatch, probe
    asyncwatch.install()
    try:
        probe.run_entry()
    finally:
        asyncwatch.report()
"""


class AsyncWatchTest(TempDirTestCase):
    def watch(self, source: str) -> Watched:
        folder = self.make_dir()
        entry = os.path.join(folder, "prog.py")
        self.source = textwrap.dedent(source)
        with open(entry, "w", encoding="utf-8") as handle:
            handle.write(self.source)
        probe_path = os.path.join(self.make_dir(), "probe.py")
        with open(probe_path, "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(PROBE))
        run: Run = launch(sys.executable, entry, work_dir=folder, scratch=self.make_dir(), timeout=20,
                          env=child_env(), probe=probe_path)
        self.assertTrue(run.ok, run.stderr)
        self.run_output = run.stderr
        self.run_stdout = run.stdout
        watched = observed(run.observations)
        self.assertTrue(watched.reported)
        return watched

    def line_of(self, text: str) -> int:
        return next(n for n, line in enumerate(self.source.splitlines(), 1) if text in line)

    def test_counts_every_event_loop_and_where_it_was_made(self) -> None:
        watched = self.watch("""
            import asyncio

            async def one(n):
                await asyncio.sleep(0)
                return n

            for n in range(3):
                asyncio.run(one(n))
        """)
        self.assertEqual(len(watched.loops), 3)
        self.assertEqual({loop["site"]["line"] for loop in watched.loops}, {self.line_of("asyncio.run(one(n))")})
        self.assertEqual(watched.loops[0]["site"]["file"], "prog.py")

    def test_a_blocking_call_is_a_stall_at_the_learners_line(self) -> None:
        watched = self.watch("""
            import asyncio, time

            async def ticker():
                while True:
                    await asyncio.sleep(0.01)

            async def main():
                task = asyncio.create_task(ticker())
                await asyncio.sleep(0.3)   # waiting the asyncio way: the loop stays free
                time.sleep(0.3)            # blocking: the loop stops
                task.cancel()

            asyncio.run(main())
        """)
        blocked = watched.longest_stall()
        self.assertIsNotNone(blocked)
        # time.sleep(0.3) cannot block for less than that; a busy machine only makes it longer.
        self.assertGreaterEqual(blocked["seconds"], 0.25)
        self.assertEqual(blocked["where"][0]["line"], self.line_of("time.sleep(0.3)"))
        self.assertEqual(blocked["where"][0]["function"], "main")
        # The 0.3 s spent in asyncio.sleep was not a stall: every other pause is far shorter than the block.
        others = [s for s in watched.stalls if s is not blocked]
        self.assertTrue(all(s["seconds"] < blocked["seconds"] / 2 for s in others), others)

    def test_tasks_record_who_cancelled_them_and_how_they_ended(self) -> None:
        watched = self.watch("""
            import asyncio

            async def polite():
                try:
                    await asyncio.sleep(10)
                except asyncio.CancelledError:
                    return "stopped"

            async def plain():
                await asyncio.sleep(10)

            async def failing():
                raise ValueError("no")

            async def main():
                tasks = [asyncio.create_task(polite()), asyncio.create_task(plain()), asyncio.create_task(failing())]
                await asyncio.sleep(0.01)
                for task in tasks[:2]:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

            asyncio.run(main())
        """)
        polite, plain, failing = (watched.tasks_of(name)[0] for name in ("polite", "plain", "failing"))
        self.assertEqual((polite["outcome"], plain["outcome"], failing["outcome"]), ("result", "cancelled", "exception"))
        self.assertEqual(failing["exception"], "ValueError: no")
        self.assertEqual(polite["cancelSite"]["line"], self.line_of("task.cancel()"))
        self.assertIsNone(failing["cancelAt"])
        main = watched.tasks_of("main")[0]
        self.assertEqual(polite["parent"], main["id"])
        self.assertLess(polite["cancelAt"], polite["doneAt"])

    def test_watched_tasks_look_like_plain_tasks_to_the_learner(self) -> None:
        watched = self.watch("""
            import asyncio

            async def nap():
                await asyncio.sleep(0)

            async def main():
                plain, named = asyncio.create_task(nap()), asyncio.create_task(nap(), name="mine")
                print(repr(plain), plain.get_name(), named.get_name())
                await asyncio.gather(plain, named)

            asyncio.run(main())
        """)
        self.assertRegex(self.run_stdout.strip(), r"^<Task pending name='Task-\d+' coro=<nap\(\) running at .*>> Task-\d+ mine$")
        self.assertEqual([t["name"] for t in watched.tasks_of("nap")][1], "mine")

    def test_a_coroutine_never_awaited_is_reported_where_it_was_made(self) -> None:
        watched = self.watch("""
            import asyncio

            async def job():
                await asyncio.sleep(0)

            async def main():
                job()
                await job()

            asyncio.run(main())
        """)
        self.assertEqual([u["coroutine"] for u in watched.unawaited], ["job"])
        self.assertEqual(watched.unawaited[0]["site"]["line"], self.line_of("    job()"))
        # The learner still sees Python's own warning, without the long origin traceback.
        self.assertIn("RuntimeWarning: coroutine 'job' was never awaited", self.run_output)
        self.assertNotIn("Coroutine created at", self.run_output)

    def test_locks_and_semaphores_are_counted_where_they_were_made(self) -> None:
        watched = self.watch("""
            import asyncio

            async def one(shared):
                async with asyncio.Semaphore(2):
                    async with shared:
                        await asyncio.sleep(0)

            async def main():
                shared = asyncio.BoundedSemaphore(1)
                lock = asyncio.Lock()
                await asyncio.gather(*(one(shared) for _ in range(4)))

            asyncio.run(main())
        """)
        made = {(p["kind"], p["line"], p["function"]): p["made"] for p in watched.primitives}
        self.assertEqual(made, {("Semaphore", self.line_of("asyncio.Semaphore(2)"), "one"): 4,
                                ("BoundedSemaphore", self.line_of("BoundedSemaphore(1)"), "main"): 1,
                                ("Lock", self.line_of("asyncio.Lock()"), "main"): 1})
        again = watched.made_again_and_again("Semaphore")
        self.assertEqual((again or {}).get("made"), 4)
        self.assertIsNone(watched.made_again_and_again("Lock"))

    def test_locks_and_semaphores_made_with_no_loop_running_are_counted_apart(self) -> None:
        watched = self.watch("""
            import asyncio

            TOP = asyncio.Lock()

            def plain(n):
                return asyncio.Semaphore(n)

            async def main(outside):
                inside = asyncio.Semaphore(1)
                async with inside, outside:
                    await asyncio.sleep(0)

            asyncio.run(main(plain(2)))
        """)
        outside = {(p["kind"], p["line"]): p["outsideLoop"] for p in watched.primitives}
        self.assertEqual(outside, {("Lock", self.line_of("TOP = asyncio.Lock()")): 1,
                                   ("Semaphore", self.line_of("asyncio.Semaphore(n)")): 1,
                                   ("Semaphore", self.line_of("asyncio.Semaphore(1)")): 0})
        first = watched.made_outside_a_loop()
        self.assertEqual((first or {}).get("line"), self.line_of("TOP = asyncio.Lock()"))
        self.assertIsNone(Watched(primitives=[{"kind": "Lock", "made": 2, "outsideLoop": 0}]).made_outside_a_loop())

    def test_marks_share_the_clock_of_the_other_records(self) -> None:
        watched = self.watch("""
            import asyncio
            from labkit import asyncwatch

            async def main():
                asyncwatch.mark("before")
                await asyncio.sleep(0)
                asyncwatch.mark("after")

            asyncio.run(main())
        """)
        before, after = watched.mark("before"), watched.mark("after")
        self.assertIsNotNone(before)
        main = watched.tasks_of("main")[0]
        self.assertLessEqual(main["createdAt"], before)
        self.assertLessEqual(before, after)
        self.assertLessEqual(after, main["doneAt"])
        self.assertIsNone(watched.mark("never"))


class WatchedTest(TempDirTestCase):
    def test_longest_stall_only_counts_stalls_that_overlap_the_window(self) -> None:
        watched = Watched(stalls=[{"start": 1.0, "seconds": 0.5}, {"start": 5.0, "seconds": 0.2}])
        self.assertEqual(watched.longest_stall()["seconds"], 0.5)
        self.assertEqual(watched.longest_stall(4.0, 6.0)["seconds"], 0.2)
        self.assertEqual(watched.longest_stall(1.4, 2.0)["seconds"], 0.5)
        self.assertIsNone(watched.longest_stall(2.0, 4.0))

    def test_a_run_without_a_report_reads_as_not_reported(self) -> None:
        self.assertFalse(observed([{"other": 1}, "text"]).reported)
        found = observed([{"asyncwatch": {"loops": [{"number": 1}]}, "extra": 2}])
        self.assertTrue(found.reported)
        self.assertEqual((len(found.loops), found.extra), (1, {"extra": 2}))
