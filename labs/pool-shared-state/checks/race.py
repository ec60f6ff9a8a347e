"""Probe: runs the learner's program with the thread schedule fuzzed, watching the thread pool too."""
from labkit import futureswatch, races

# The pool's downloads end milliseconds apart, so the pause between a worker's read of total_bytes and its
# write must be long enough for another worker's update to land inside it. With labkit.races' 2 ms a starter
# run on 3.13 now and then lost one or two flags' bytes only, or none (1 pass in 25 runs, 1 in 100); with
# 5 ms every run of 25 lost six flags or more. A fixed program pays it 20 times, inside its lock (~0.1 s).
LONG_PAUSE_SECONDS = 0.005

futureswatch.install()
try:
    races.observe_entry(long_pause=LONG_PAUSE_SECONDS)
finally:
    futureswatch.report()
