"""Probe: runs the learner's program with the thread schedule fuzzed, watching the thread pool too."""
from labkit import futureswatch, races

futureswatch.install()
try:
    races.observe_entry()
finally:
    futureswatch.report()
