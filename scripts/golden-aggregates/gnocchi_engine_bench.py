#!/usr/bin/env python3
"""Times Gnocchi 4.7.1's own cross-series engine (validation of the S-expression + processor.aggregated) on
the workload of `stratus-bench aggregates`: mean across 100 series × 1,440 points at 60 s, same timestamps
and with 5 % gaps. Run with the environment of requirements.txt:

    /tmp/agg-venv/bin/python scripts/golden-aggregates/gnocchi_engine_bench.py
"""
import random
import statistics
import time
import types
import uuid

import numpy
import voluptuous

from gnocchi import carbonara
from gnocchi.rest.aggregates import api as agg_api
from gnocchi.rest.aggregates import processor

METRICS, POINTS, RUNS = 100, 1440, 20
G = numpy.timedelta64(60, "s")
T0 = numpy.datetime64("2024-01-01T00:00:00", "ns")


def run(label, gaps):
    rng = random.Random(7)
    refs_and_ts = []
    names = []
    for i in range(METRICS):
        ts = T0 + numpy.arange(POINTS) * G
        values = numpy.round(100 + numpy.cumsum(numpy.random.default_rng(i).normal(0, 1, POINTS)), 2)
        if gaps:
            keep = numpy.array([rng.randrange(20) != 0 for _ in range(POINTS)])
            ts, values = ts[keep], values[keep]
        metric = types.SimpleNamespace(id=uuid.uuid4(), name=None)
        ref = processor.MetricReference(metric, "mean")
        names.append(ref.name)
        refs_and_ts.append((ref, carbonara.AggregatedTimeSerie.from_data(
            carbonara.Aggregation("mean", G, None), ts, values)))
    text = "(aggregate mean (metric %s))" % " ".join("(%s mean)" % n for n in names)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        operations = voluptuous.Schema(agg_api.AggregatesController.FetchSchema, required=True)(
            {"operations": text})["operations"]
        result = processor.aggregated(refs_and_ts, operations, None, None, None, "dropna")
        times.append(time.perf_counter() - start)
    print("| %s | %.1f ms | %.1f ms | %d |" % (label, min(times) * 1e3, statistics.median(times) * 1e3,
                                             len(result["aggregated"])))


print("| operation (Gnocchi 4.7.1, numpy %s) | best | median | answer points |" % numpy.__version__)
print("| --- | --- | --- | --- |")
run("mean, same timestamps", False)
run("mean, 5 % gaps (dropna)", True)
