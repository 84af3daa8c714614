"""Measuring the system, never shipped to Lambda: `make bench` (cold starts, sizes, render
time, load), `make simulate` (a night at scale) and the night report. May import anything."""
