"""Radiant benchmarks: import time, snapshot build, alias lookup, filtered listing.

Run with ``python -m benchmarks`` (``make bench``). It prints one table and exits 0; a missed
target shows as ``MISS`` in the ``ok?`` column but does not fail the run.
"""
