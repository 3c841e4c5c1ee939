"""Benchmarks (``make bench``): measured beside their ceilings, reported as ratios; never part of the tests."""
