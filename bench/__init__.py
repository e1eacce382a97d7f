"""Benchmark of the hot pages on a large data set (``make bench``); see docs/benchmarks.md."""
