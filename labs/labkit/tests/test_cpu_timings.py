"""cpu-parallel's timing summary: medians of interleaved runs, and the caveats that keep a busy or
one-CPU machine from showing a learner figures that contradict the lab."""
import importlib.util
import os
import unittest
from typing import Any, Dict, List, Optional

from labkit.tests.support import LABS_ROOT


def load_checks() -> Any:
    path = os.path.join(LABS_ROOT, "cpu-parallel", "checks", "checks.py")
    spec = importlib.util.spec_from_file_location("cpu_parallel_checks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checks = load_checks()


def observed(seconds: Dict[str, List[float]], cpus: int = 2, cpu_share: float = 1.0,
             others: Optional[float] = None) -> Dict[str, Any]:
    samples = {mode: [{"seconds": s, "cpuSeconds": s * (cpu_share if mode == "sequential" else 1.0)} for s in runs]
               for mode, runs in seconds.items()}
    return {"samples": samples, "cpus": cpus, "othersCpus": others}


QUIET = {"sequential": [0.40, 0.41, 0.40], "threads": [0.42, 0.41, 0.43], "processes": [0.24, 0.23, 0.25]}


class TimingSummaryTest(unittest.TestCase):
    def test_medians_of_the_runs_without_caveats_on_a_quiet_machine(self) -> None:
        text = checks.speedups(observed(QUIET))
        self.assertIn("sequential 0.40 s, threads 0.42 s (0.95x), processes 0.24 s (1.67x)", text)
        self.assertIn("medians of 3 runs", text)
        self.assertNotIn("pinch of salt", text)

    def test_one_slow_outlier_does_not_move_the_median(self) -> None:
        runs = dict(QUIET, sequential=[0.40, 0.95, 0.41])
        self.assertIn("sequential 0.41 s", checks.speedups(observed(runs)))

    def test_one_cpu_says_no_speed_up_can_show(self) -> None:
        text = checks.speedups(observed(dict(QUIET, processes=[0.42, 0.43, 0.42]), cpus=1))
        self.assertIn("1 CPU", text)
        self.assertIn("no speed-up can show", text)

    def test_a_busy_machine_is_named(self) -> None:
        text = checks.speedups(observed(QUIET, cpu_share=0.6))
        self.assertIn("machine was busy", text)
        self.assertIn("60% of a CPU", text)

    def test_other_programs_keeping_cpus_busy_are_named(self) -> None:
        text = checks.speedups(observed(dict(QUIET, processes=[0.40, 0.41, 0.40]), others=1.0))
        self.assertIn("other programs kept about 1.0 of its 2 CPUs busy", text)
        self.assertNotIn("go against", text)  # the reason is known, so the guess is not added
        self.assertNotIn("pinch of salt", checks.speedups(observed(QUIET, others=0.1)))

    def test_runs_that_disagree_are_named(self) -> None:
        text = checks.speedups(observed(dict(QUIET, threads=[0.42, 0.30, 0.43])))
        self.assertIn("differed by up to 43%", text)

    def test_figures_against_the_lesson_are_never_shown_bare(self) -> None:
        text = checks.speedups(observed(dict(QUIET, threads=[0.34, 0.35, 0.34])))
        self.assertIn("go against what the lab teaches", text)
        text = checks.speedups(observed(dict(QUIET, processes=[0.41, 0.42, 0.41])))
        self.assertIn("go against what the lab teaches", text)

    def test_a_run_that_stopped_early_has_no_timing(self) -> None:
        self.assertIn("no timing", checks.speedups({"cpus": 2}))


if __name__ == "__main__":
    unittest.main()
