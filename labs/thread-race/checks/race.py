"""Probe: runs the learner's program with the thread schedule fuzzed, so the race shows on every run."""
from labkit import races

races.observe_entry()
