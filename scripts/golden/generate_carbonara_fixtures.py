#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Generate golden Carbonara fixtures from the REAL Gnocchi 4.7.1 code.

Every case is driven through Gnocchi's actual processing path:

* ``gnocchi.storage.file.FileStorage`` on a fresh temporary directory,
* one ``add_measures_to_metrics({metric: measures}, indexer)`` call per
  processing round, where ``measures`` is ``carbonara.make_timeseries`` built
  from the batch exactly in the given (unsorted, duplicated) order, which is
  what gnocchi's incoming drivers hand to storage (a plain concatenation),
* ``get_aggregated_measures({metric: [aggregation]})`` (no from/to) for every
  (method, granularity) of the archive policy,
* the raw unaggregated BoundTimeSerie after the last round
  (``_get_or_create_unaggregated_timeseries`` + ``BoundTimeSerie.unserialize``),
* ``get_aggregated_measures(..., resample=X)`` for resample cases, where X is
  what gnocchi's REST layer passes (``rest/api.py``): the calendar letter
  itself when it is a key of ``gnocchi.calendar.GROUPINGS``, otherwise
  ``utils.to_timespan(value)``.

Nothing in here re-implements Gnocchi semantics; this file only builds inputs
and serialises outputs.  See README.md next to this file.

Usage:
    python generate_carbonara_fixtures.py [--output PATH] [--check]
                                          [--sdist DIR]
"""

import argparse
import copy
import filecmp
import hashlib
import importlib.metadata
import json
import logging
import math
import os
import random
import shutil
import sys
import tempfile
import types
import uuid

import numpy

from gnocchi import archive_policy
from gnocchi import calendar
from gnocchi import carbonara
from gnocchi import indexer
from gnocchi import utils
from gnocchi.storage import file as file_storage

GNOCCHI_VERSION = "4.7.1"
SEED = "stratus-golden-v1"

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.normpath(os.path.join(
    HERE, "..", "..", "Tests", "CarbonaraTests", "Fixtures",
    "gnocchi-golden.json"))

# Units, in nanoseconds.
NS = 1
US = 1000
MS = 1000 * US
SEC = 1000 * MS
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR

# 2015-01-01T00:00:00Z
T2015 = 1420070400 * SEC

# What gnocchi's service.py installs from the default
# [archive_policy]/default_aggregation_methods option; it is what the
# built-in low/medium/high policies get in a real deployment.
CONF_DEFAULT_AGGREGATION_METHODS = ('mean', 'min', 'max', 'sum', 'std',
                                    'count')

PLAIN_METHODS = ['mean', 'sum', 'last', 'max', 'min', 'std', 'median',
                 'first', 'count']
PCT_METHODS = ['1pct', '5pct', '10pct', '25pct', '50pct', '75pct', '90pct',
               '95pct', '99pct']
RATE_METHODS = ['rate:mean', 'rate:sum', 'rate:last', 'rate:first',
                'rate:max', 'rate:min', 'rate:count', 'rate:std',
                'rate:median', 'rate:5pct', 'rate:50pct', 'rate:95pct',
                'rate:99pct']


# --------------------------------------------------------------------------
# Harness around the real Gnocchi storage driver
# --------------------------------------------------------------------------

class _FailOnErrorLogs(logging.Handler):
    """Gnocchi swallows some storage exceptions (return_none_on_failure) and
    only logs them; make any ERROR/CRITICAL log fatal for the generator."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def check(self, where):
        if self.records:
            msgs = "; ".join(r.getMessage() for r in self.records)
            self.records = []
            raise RuntimeError("gnocchi logged an error during %s: %s"
                               % (where, msgs))


ERROR_LOGS = _FailOnErrorLogs()


class FakeIndexer(object):
    """The only indexer calls add_measures_to_metrics makes for metrics
    without a resource."""

    def update_last_measure_timestamp(self, metric_id):
        pass

    def update_needs_raw_data_truncation(self, metric_id):
        pass

    def get_resource(self, *args, **kwargs):
        raise AssertionError("metrics have no resource")

    def update_resource(self, *args, **kwargs):
        raise AssertionError("metrics have no resource")


def to_datetime64(ts_ns_list):
    return numpy.array(ts_ns_list, dtype=numpy.int64).astype(
        'datetime64[ns]')


def ts_to_int_ns(x):
    return int(numpy.datetime64(x, 'ns').astype(numpy.int64))


def td_to_int_ns(x):
    return int(numpy.timedelta64(x, 'ns').astype(numpy.int64))


def float_out(v):
    v = float(v)
    if not math.isfinite(v):
        raise ValueError("non-finite value %r in gnocchi output" % v)
    return v


def serie_points(ts):
    stamps = ts.timestamps.astype('datetime64[ns]').astype(numpy.int64)
    return [[int(t), float_out(v)] for t, v in zip(stamps, ts.values)]


def effective_back_window(ap):
    bw = ap.back_window
    if any(m.startswith("rate:") for m in ap.aggregation_methods):
        bw += 1
    return bw


def run_case(spec, workdir, counter):
    """Run one case through gnocchi and return its JSON dict."""
    ap = spec["ap"]
    batches = spec["batches"]
    if not batches or any(len(b) == 0 for b in batches):
        raise ValueError("%s: every processing round needs measures"
                         % spec["name"])

    basepath = os.path.join(workdir, "case-%04d" % counter)
    os.makedirs(basepath)
    conf = types.SimpleNamespace(file_basepath=basepath, file_subdir_len=2)
    storage = file_storage.FileStorage(conf)
    storage.upgrade()
    metric = indexer.Metric(
        uuid.UUID(int=counter + 1), ap, resource_id=None,
        needs_raw_data_truncation=False)
    fake_indexer = FakeIndexer()

    for i, batch in enumerate(batches):
        measures = carbonara.make_timeseries(
            to_datetime64([t for t, _ in batch]),
            numpy.array([v for _, v in batch], dtype=numpy.float64))
        try:
            storage.add_measures_to_metrics({metric: measures}, fake_indexer)
        except Exception:
            sys.stderr.write("failure in case %s, round %d\n"
                             % (spec["name"], i))
            raise
        ERROR_LOGS.check("%s round %d" % (spec["name"], i))

    definition = sorted(ap.definition, key=lambda d: d.granularity)
    methods = sorted(ap.aggregation_methods)

    expected = []
    for d in definition:
        for method in methods:
            agg = ap.get_aggregation(method, d.granularity)
            ts = storage.get_aggregated_measures({metric: [agg]})[metric][agg]
            expected.append({
                "method": method,
                "granularity_ns": td_to_int_ns(d.granularity),
                "points": serie_points(ts),
            })
    ERROR_LOGS.check("%s read" % spec["name"])

    raw = storage._get_or_create_unaggregated_timeseries([metric])[metric]
    bound = carbonara.BoundTimeSerie.unserialize(
        raw, ap.max_block_size, effective_back_window(ap))
    expected_raw = serie_points(bound)

    resample_out = []
    for method, granularity_ns, to in spec.get("resample", []):
        agg = ap.get_aggregation(method, numpy.timedelta64(granularity_ns,
                                                          'ns'))
        assert agg is not None, (method, granularity_ns)
        # Same conversion as gnocchi/rest/api.py get_measures/aggregation.
        resample = (to if calendar.GROUPINGS.get(to)
                    else utils.to_timespan(to))
        ts = storage.get_aggregated_measures(
            {metric: [agg]}, resample=resample)[metric][agg]
        resample_out.append({
            "method": method,
            "granularity_ns": granularity_ns,
            "to": to,
            "points": serie_points(ts),
        })
    ERROR_LOGS.check("%s resample" % spec["name"])

    shutil.rmtree(basepath)

    case = {
        "name": spec["name"],
        "description": spec.get("description", ""),
        "policy": {
            "back_window": ap.back_window,
            "aggregation_methods": methods,
            "definition": [
                {"granularity_ns": td_to_int_ns(d.granularity),
                 "points": d.points if d.timespan is not None else None}
                for d in definition
            ],
        },
        "batches": [[[int(t), float_out(v)] for t, v in b] for b in batches],
        "expected": expected,
        "expected_raw": expected_raw,
    }
    if resample_out:
        case["resample"] = resample_out
    return case


def make_policy(name, back_window, methods, definition):
    """definition: list of (granularity_ns, points-or-None)."""
    items = [archive_policy.ArchivePolicyItem(
        granularity=numpy.timedelta64(g, 'ns'), points=p)
        for g, p in definition]
    return archive_policy.ArchivePolicy(name, back_window, items,
                                        aggregation_methods=methods)


# --------------------------------------------------------------------------
# Input builders (deterministic, seeded per case name)
# --------------------------------------------------------------------------

def rng_for(name):
    return random.Random("%s/%s" % (SEED, name))


# (weight, min gap ms, max gap ms)
IRREGULAR_GAPS = [
    (0.40, 200, 3000),
    (0.35, 3000, 20000),
    (0.18, 20000, 90000),
    (0.07, 120000, 400000),
]


def irregular_times(rng, start_ns, n, gaps=IRREGULAR_GAPS):
    out = []
    t = start_ns
    for _ in range(n):
        out.append(t)
        r = rng.random()
        acc = 0.0
        for w, lo, hi in gaps:
            acc += w
            if r <= acc:
                break
        t += rng.randint(lo, hi) * MS
    return out


def plain_values(rng, n, lo=-50.0, hi=150.0, digits=3):
    return [round(rng.uniform(lo, hi), digits) for _ in range(n)]


def counter_values(rng, n):
    """Counter-like data (monotonic with resets and a few dips), good for
    rate:*."""
    out = []
    v = rng.uniform(0, 1000)
    for i in range(n):
        r = rng.random()
        if r < 0.03:
            v = rng.uniform(0, 10)          # counter reset
        elif r < 0.08:
            v -= rng.uniform(0, 50)         # small dip
        else:
            v += rng.uniform(0, 100)
        out.append(round(v, 3))
    return out


def big_values(rng, n):
    out = []
    for _ in range(n):
        mag = 10 ** rng.uniform(-7, 12)
        sign = -1 if rng.random() < 0.45 else 1
        out.append(float("%.6g" % (sign * mag)))
    return out


def split_sequential(points, fractions):
    """Split a list into consecutive chunks at the given cumulative fractions
    (e.g. [0.5, 0.8] -> three chunks)."""
    n = len(points)
    cuts = [0] + [int(n * f) for f in fractions] + [n]
    return [points[cuts[i]:cuts[i + 1]] for i in range(len(cuts) - 1)]


def floor_to(t, g):
    return (t // g) * g


# --------------------------------------------------------------------------
# Case definitions
# --------------------------------------------------------------------------

def cases_individual_methods():
    out = []
    for method in PLAIN_METHODS + PCT_METHODS + RATE_METHODS:
        name = "method-" + method.replace(":", "-")
        rng = rng_for(name)
        n = 220
        times = irregular_times(rng, T2015 + 17 * SEC + 250 * MS, n)
        if method.startswith("rate:"):
            values = counter_values(rng, n)
        else:
            values = plain_values(rng, n)
        pts = list(zip(times, values))
        out.append({
            "name": name,
            "description": (
                "Single method %s, granularities 10s and 60s (no timespan), "
                "irregular gaps (single-point and empty buckets), two "
                "sequential processing rounds, back_window 0." % method),
            "ap": make_policy(name, 0, [method],
                              [(10 * SEC, None), (60 * SEC, None)]),
            "batches": split_sequential(pts, [0.6]),
        })
    return out


def case_all_methods_multiround():
    name = "all-methods-multiround-unsorted-dups-late"
    rng = rng_for(name)
    methods = PLAIN_METHODS + PCT_METHODS + RATE_METHODS
    n = 600
    times = irregular_times(rng, T2015 + 3 * HOUR + 7 * SEC, n)
    values = counter_values(rng, n)
    pts = list(zip(times, values))
    chunks = split_sequential(pts, [0.2, 0.4, 0.6, 0.8])
    batches = []
    seen = []
    for i, chunk in enumerate(chunks):
        batch = list(chunk)
        if seen:
            # late measures, duplicates of already-processed timestamps
            # with new values, and duplicates inside the batch
            for t, _ in rng.sample(seen[-60:], 8):
                batch.append((t, round(rng.uniform(-10, 2000), 3)))
            for t, _ in rng.sample(seen, 4):
                batch.append((t, round(rng.uniform(-10, 2000), 3)))
        for t, _ in rng.sample(chunk, 6):
            batch.append((t, round(rng.uniform(-10, 2000), 3)))
        rng.shuffle(batch)
        batches.append(batch)
        seen.extend(chunk)
    return [{
        "name": name,
        "description": (
            "Every method at once (rate:* present, so the raw buffer keeps "
            "back_window+1 blocks), granularities 10s/60s, back_window 1, "
            "5 shuffled rounds with in-batch duplicates, re-sent timestamps "
            "and late measures."),
        "ap": make_policy(name, 1, methods,
                          [(10 * SEC, 150), (60 * SEC, 40)]),
        "batches": batches,
    }]


def case_multi_granularity():
    out = []
    name = "granularities-1s-1m-1h"
    rng = rng_for(name)
    n = 1400
    gaps = [(0.5, 300, 2500), (0.4, 2500, 7000), (0.1, 7000, 40000)]
    times = irregular_times(rng, T2015 + 2 * HOUR + 1234 * MS, n, gaps)
    values = plain_values(rng, n)
    pts = list(zip(times, values))
    chunks = split_sequential(pts, [0.3, 0.55, 0.8])
    batches = []
    for c in chunks:
        c = list(c)
        rng.shuffle(c)
        batches.append(c)
    out.append({
        "name": name,
        "description": (
            "Granularities 1s, 60s and 3600s together (no timespan), "
            "~1400 points over ~1.5 hours, 4 shuffled sequential rounds."),
        "ap": make_policy(name, 0,
                          ['mean', 'max', 'count', 'rate:mean'],
                          [(1 * SEC, None), (60 * SEC, None),
                           (3600 * SEC, None)]),
        "batches": batches,
    })
    return out


def case_non_dividing():
    out = []
    # One round: pure grouping semantics for non-dividing granularities.
    name = "non-dividing-7s-60s-single-round"
    rng = rng_for(name)
    n = 400
    gaps = [(0.6, 500, 4000), (0.35, 4000, 15000), (0.05, 15000, 70000)]
    times = irregular_times(rng, T2015 + 11 * SEC, n, gaps)
    values = plain_values(rng, n)
    out.append({
        "name": name,
        "description": "Granularities 7s and 60s, one round.",
        "ap": make_policy(name, 0,
                          ['mean', 'sum', 'count', 'first', 'last', 'max',
                           'rate:sum'],
                          [(7 * SEC, None), (60 * SEC, None)]),
        "batches": [list(zip(times, values))],
    })

    # Several rounds: block size is 60s, so 7s buckets straddle block
    # boundaries; when a later round recomputes from the first point of the
    # raw buffer, the straddling bucket is recomputed from partial data.
    for bw in (0, 1):
        name = "non-dividing-7s-60s-multiround-bw%d" % bw
        rng = rng_for(name)
        base = T2015  # T2015 is a multiple of 7s and of 60s
        batches = []
        last = base
        for r in range(5):
            start = last + rng.randint(500, 3000) * MS
            times = []
            t = start
            while t < start + 100 * SEC:
                times.append(t)
                t += rng.randint(700, 3500) * MS
            batch = [(t, round(rng.uniform(0, 100), 3)) for t in times]
            if r >= 1:
                block_start = floor_to(last, 60 * SEC)
                eff = bw + 1  # rate:sum in the policy adds a block
                fbt = block_start - eff * 60 * SEC
                # dropped late measures (before the first kept block)
                for _ in range(2):
                    batch.append((fbt - rng.randint(1, 50000) * MS,
                                  round(rng.uniform(0, 100), 3)))
                # accepted late measures (inside kept blocks)
                for _ in range(3):
                    batch.append((rng.randint(fbt // MS, last // MS) * MS,
                                  round(rng.uniform(0, 100), 3)))
            last = max(t for t, _ in batch)
            rng.shuffle(batch)
            batches.append(batch)
        out.append({
            "name": name,
            "description": (
                "Granularities 7s and 60s (7 does not divide the 60s block), "
                "back_window %d, 5 rounds with accepted and dropped late "
                "measures." % bw),
            "ap": make_policy(name, bw,
                              ['mean', 'sum', 'count', 'first', 'last',
                               'max', 'rate:sum'],
                              [(7 * SEC, None), (60 * SEC, None)]),
            "batches": batches,
        })

    # Late measure that is dropped still triggers recomputation from the
    # first raw point: show the partial straddling bucket explicitly.
    name = "non-dividing-7s-60s-straddle-recompute"
    T = T2015
    b1 = [(T + s * SEC, float(s)) for s in range(100, 125)]          # 100..124
    b2 = [(T + s * SEC, float(s)) for s in range(125, 200, 2)]       # ..199
    b3 = [(T + 150 * SEC, 1000.0), (T + 201 * SEC, 201.0),
          (T + 203 * SEC, 203.0)]                                    # 150 dropped
    out.append({
        "name": name,
        "description": (
            "Handcrafted: 7s/60s, back_window 0, no rate. Round 3 carries a "
            "dropped late point (t+150s < first block t+180s) and new points; "
            "the 7s bucket [t+175s, t+182s) is recomputed from the raw "
            "buffer which only holds points >= t+180s."),
        "ap": make_policy(name, 0, ['mean', 'sum', 'count', 'first', 'last'],
                          [(7 * SEC, None), (60 * SEC, None)]),
        "batches": [b1, b2, b3],
    })

    name = "non-dividing-13s-45s-bw2"
    rng = rng_for(name)
    n = 700
    gaps = [(0.7, 500, 3000), (0.3, 3000, 12000)]
    times = irregular_times(rng, T2015 + 5 * HOUR + 3 * SEC, n, gaps)
    values = plain_values(rng, n)
    pts = list(zip(times, values))
    chunks = split_sequential(pts, [0.25, 0.5, 0.75])
    batches = []
    for i, c in enumerate(chunks):
        c = list(c)
        if i:
            prev = chunks[i - 1]
            for t, _ in rng.sample(prev[-40:], 5):
                c.append((t - rng.randint(0, 900) * MS,
                          round(rng.uniform(-50, 150), 3)))
        rng.shuffle(c)
        batches.append(c)
    out.append({
        "name": name,
        "description": ("Granularities 13s/45s with timespans, back_window 2,"
                        " 4 shuffled rounds with late measures."),
        "ap": make_policy(name, 2, ['mean', 'max', 'min', 'count', 'last',
                                    '90pct'],
                          [(13 * SEC, 120), (45 * SEC, 30)]),
        "batches": batches,
    })
    return out


def case_truncation():
    out = []
    name = "truncation-small-points-single-round"
    rng = rng_for(name)
    n = 1100
    gaps = [(0.8, 400, 2500), (0.2, 2500, 9000)]
    times = irregular_times(rng, T2015 + 7 * HOUR + 333 * MS, n, gaps)
    values = plain_values(rng, n)
    out.append({
        "name": name,
        "description": (
            "points limits 10 @1s, 5 @60s, 3 @600s with ~35min of data, "
            "single round (timespan counted back from the last point)."),
        "ap": make_policy(name, 0, ['mean', 'count', 'last', 'min', 'std'],
                          [(1 * SEC, 10), (60 * SEC, 5), (600 * SEC, 3)]),
        "batches": [list(zip(times, values))],
    })

    name = "truncation-small-points-multiround"
    rng = rng_for(name)
    n = 1300
    times = irregular_times(rng, T2015 + 9 * HOUR + 5 * SEC, n, gaps)
    values = plain_values(rng, n)
    pts = list(zip(times, values))
    out.append({
        "name": name,
        "description": (
            "Same limits as the single-round case, 5 sequential rounds, so "
            "old points are truncated and old splits deleted across rounds."),
        "ap": make_policy(name, 0, ['mean', 'count', 'last', 'min', 'std',
                                    'rate:max'],
                          [(1 * SEC, 10), (60 * SEC, 5), (600 * SEC, 3)]),
        "batches": split_sequential(pts, [0.2, 0.4, 0.6, 0.8]),
    })

    name = "truncation-with-gaps"
    T = T2015 + 12 * HOUR
    b1 = [(T + s * SEC, float(s % 17)) for s in range(0, 600, 3)]
    b2 = [(T + 1000 * SEC, 1.0), (T + 1010 * SEC, 2.0),
          (T + 1190 * SEC, 3.0), (T + 1260 * SEC, 4.0)]
    out.append({
        "name": name,
        "description": (
            "points 5 @60s and 20 @10s; the second round jumps ahead leaving "
            "empty buckets, so fewer than `points` buckets survive the "
            "timespan cut (timespan = granularity*points before the last "
            "point, exclusive)."),
        "ap": make_policy(name, 0, ['mean', 'count', 'last'],
                          [(10 * SEC, 20), (60 * SEC, 5)]),
        "batches": [b1, b2],
    })
    return out


def case_duplicates():
    out = []
    T = T2015 + 60 * SEC * 1000  # a multiple of 60s
    name = "duplicates-within-one-batch"
    batch = [
        (T + 0 * SEC, 5.0), (T + 0 * SEC, 3.0), (T + 0 * SEC, 7.0),
        (T + 1 * SEC, 10.0),
        (T + 2 * SEC, -1.0), (T + 2 * SEC, -1.0),
        (T + 2 * SEC + 500 * MS, 4.0),
        (T + 3 * SEC, 8.0), (T + 3 * SEC, 2.0),
        (T + 61 * SEC, 1.0), (T + 59 * SEC, 6.0), (T + 61 * SEC, 0.5),
        (T + 59 * SEC, 9.0), (T + 59 * SEC, -9.0),
        (T + 30 * SEC, 100.0), (T + 30 * SEC, -100.0), (T + 30 * SEC, 0.0),
        (T + 120 * SEC, 3.25), (T + 120 * SEC, 3.5),
    ]
    out.append({
        "name": name,
        "description": (
            "Handcrafted single batch with duplicate timestamps in arbitrary "
            "value order; shows which value survives in the raw buffer and "
            "in aggregates."),
        "ap": make_policy(name, 0,
                          ['mean', 'count', 'sum', 'first', 'last', 'min',
                           'max', 'rate:last', 'rate:sum'],
                          [(1 * SEC, None), (60 * SEC, None)]),
        "batches": [batch],
    })

    name = "duplicates-across-batches"
    b1 = [(T + s * SEC, float(s)) for s in range(0, 51, 5)]
    b2 = [(T + 10 * SEC, 100.0), (T + 45 * SEC, 200.0),
          (T + 45 * SEC, 150.0), (T + 65 * SEC, 1.0), (T + 70 * SEC, 2.0)]
    b3 = [(T + 45 * SEC, 999.0),           # before first block -> dropped
          (T + 60 * SEC, 7.0),             # exactly the first block start
          (T + 65 * SEC, 11.0), (T + 65 * SEC, -11.0),
          (T + 125 * SEC, 3.0)]
    b4 = [(T + 70 * SEC, 555.0),           # dropped
          (T + 120 * SEC - 1 * MS, 42.0),  # 1ms before first block: dropped
          (T + 120 * SEC, 5.0), (T + 121 * SEC, 6.0),
          (T + 125 * SEC, 30.0), (T + 125 * SEC, 20.0)]
    b5 = [(T + 121 * SEC, 60.0)]           # batch made of one re-sent point
    out.append({
        "name": name,
        "description": (
            "Handcrafted: re-sent timestamps across rounds (newer round wins "
            "when accepted), in-batch duplicates, points before the first "
            "block dropped (back_window 0, block 60s)."),
        "ap": make_policy(name, 0,
                          ['mean', 'count', 'sum', 'first', 'last', 'min',
                           'max'],
                          [(1 * SEC, None), (60 * SEC, None)]),
        "batches": [b1, b2, b3, b4, b5],
    })

    name = "duplicates-random-heavy"
    rng = rng_for(name)
    batches = []
    base = T2015 + 20 * HOUR
    slots = [base + i * 2500 * MS for i in range(300)]
    for r in range(4):
        lo = r * 60
        batch = []
        for _ in range(220):
            t = slots[rng.randint(max(0, lo - 20), min(len(slots) - 1, lo + 119))]
            batch.append((t, round(rng.uniform(-20, 20), 2)))
        rng.shuffle(batch)
        batches.append(batch)
    out.append({
        "name": name,
        "description": (
            "Random heavy duplication within and across 4 rounds on a 2.5s "
            "grid, back_window 1, with a rate method."),
        "ap": make_policy(name, 1, ['mean', 'count', 'last', 'first',
                                    'median', 'rate:mean'],
                          [(5 * SEC, None), (60 * SEC, None)]),
        "batches": batches,
    })
    return out


def case_unsorted():
    out = []
    name = "unsorted-single-batch"
    rng = rng_for(name)
    n = 400
    times = irregular_times(rng, T2015 + 30 * HOUR, n)
    values = plain_values(rng, n)
    batch = list(zip(times, values))
    rng.shuffle(batch)
    out.append({
        "name": name,
        "description": "One fully shuffled batch, no duplicates.",
        "ap": make_policy(name, 0, ['mean', 'first', 'last', 'median',
                                    'rate:last', '25pct'],
                          [(10 * SEC, None), (300 * SEC, None)]),
        "batches": [batch],
    })

    name = "reversed-batches-multiround"
    rng = rng_for(name)
    n = 800
    times = irregular_times(rng, T2015 + 40 * HOUR, n)
    values = plain_values(rng, n)
    pts = list(zip(times, values))
    chunks = split_sequential(pts, [0.33, 0.66])
    out.append({
        "name": name,
        "description": "Three sequential rounds, each batch in reverse order.",
        "ap": make_policy(name, 0, ['mean', 'first', 'last', 'sum',
                                    'rate:first'],
                          [(10 * SEC, 100), (300 * SEC, None)]),
        "batches": [list(reversed(c)) for c in chunks],
    })
    return out


def build_late_case(name, bw, methods, rounds, shuffle=True):
    rng = rng_for(name)
    g_small, g_block = 60 * SEC, 300 * SEC
    eff = bw + (1 if any(m.startswith("rate:") for m in methods) else 0)
    batches = []
    last = T2015 + 50 * HOUR + 13 * SEC
    for r in range(rounds):
        span = rng.randint(400, 900) * SEC
        times = []
        t = last + rng.randint(1000, 9000) * MS
        end = t + span
        while t < end:
            times.append(t)
            t += rng.randint(1500, 15000) * MS
        batch = [(t, round(rng.uniform(-30, 70), 3)) for t in times]
        if r > 0:
            block_start = floor_to(last, g_block)
            fbt = block_start - eff * g_block
            # exactly on the first kept block (accepted), 1ms before (dropped)
            batch.append((fbt, round(rng.uniform(-30, 70), 3)))
            batch.append((fbt - 1 * MS, round(rng.uniform(-30, 70), 3)))
            # spread of late measures: well before the window (dropped),
            # and inside the kept blocks, including the previous blocks
            for _ in range(4):
                batch.append((fbt - rng.randint(1, 2 * g_block // MS) * MS,
                              round(rng.uniform(-30, 70), 3)))
            for _ in range(8):
                batch.append((rng.randint(fbt // MS, last // MS) * MS,
                              round(rng.uniform(-30, 70), 3)))
        last = max(last, max(t for t, _ in batch))
        if shuffle:
            rng.shuffle(batch)
        batches.append(batch)
    return {
        "name": name,
        "description": (
            "Granularities 60s/300s (block 300s), back_window %d%s, %d "
            "rounds; each later round carries late measures exactly on and "
            "1ms before the first kept block, some well before it (dropped) "
            "and some inside the kept blocks (accepted)."
            % (bw, " (+1 block because of rate:*)" if eff != bw else "",
               rounds)),
        "ap": make_policy(name, bw, methods,
                          [(g_small, None), (g_block, 24)]),
        "batches": batches,
    }


def case_late():
    base = ['mean', 'count', 'sum', 'first', 'last', 'min', 'max']
    return [
        build_late_case("late-measures-bw0", 0, base, 6),
        build_late_case("late-measures-bw1", 1, base, 5),
        build_late_case("late-measures-bw2", 2, base, 4),
        build_late_case("late-measures-bw0-rate", 0,
                        ['mean', 'rate:mean', 'rate:last', 'rate:count'], 5),
        build_late_case("late-measures-bw2-rate", 2,
                        ['last', 'rate:sum', 'rate:max', 'rate:95pct'], 3,
                        shuffle=False),
        case_late_only_dropped(),
    ]


def case_late_only_dropped():
    name = "late-round-with-only-dropped-measures"
    T = T2015 + 60 * HOUR
    b1 = [(T + s * SEC, float(s % 11)) for s in range(0, 300, 4)]
    b2 = [(T + s * SEC, float(s % 7)) for s in range(301, 610, 5)]
    b3 = [(T + 10 * SEC, 99.0)]   # only a dropped measure in this round
    b4 = [(T + 200 * SEC, -5.0), (T + 620 * SEC, 4.0)]
    return {
        "name": name,
        "description": (
            "Handcrafted: round 3 only holds a measure older than the first "
            "kept block (dropped); it still triggers a recompute from the "
            "first raw point, which changes rate aggregates of the first "
            "kept bucket (its predecessor point is gone from the raw buffer)."
        ),
        "ap": make_policy(name, 0, ['mean', 'count', 'rate:sum', 'rate:mean',
                                    'rate:count'],
                          [(60 * SEC, None), (120 * SEC, None)]),
        "batches": [b1, b2, b3, b4],
    }


def case_rate_gaps():
    T = T2015 + 70 * HOUR
    pts = [(T + 10 * SEC, 1.0), (T + 20 * SEC, 3.0), (T + 200 * SEC, 10.0),
           (T + 210 * SEC, 12.0), (T + 400 * SEC, 20.0),
           (T + 430 * SEC, 25.0), (T + 450 * SEC, 24.0),
           (T + 470 * SEC, 30.0), (T + 490 * SEC, 31.0)]
    methods = ['mean', 'rate:mean', 'rate:sum', 'rate:count', 'rate:last',
               'rate:first']
    return [
        {
            "name": "rate-gaps-one-round",
            "description": (
                "Rate across empty buckets, all points in one round: the "
                "first point of a bucket is differenced against the previous "
                "point whatever its age."),
            "ap": make_policy("rate-gaps-one-round", 0, methods,
                              [(60 * SEC, None)]),
            "batches": [pts],
        },
        {
            "name": "rate-gaps-one-point-per-round",
            "description": (
                "Same points, one point per processing round: a round only "
                "differences against points from the previous granularity "
                "bucket, so rate values differ from the one-round case."),
            "ap": make_policy("rate-gaps-one-point-per-round", 0, methods,
                              [(60 * SEC, None)]),
            "batches": [[p] for p in pts],
        },
        {
            "name": "rate-gaps-two-points-per-round",
            "description": "Same points, two points per round.",
            "ap": make_policy("rate-gaps-two-points-per-round", 0, methods,
                              [(60 * SEC, None)]),
            "batches": [pts[i:i + 2] for i in range(0, len(pts), 2)],
        },
    ]


def case_big_values():
    name = "large-magnitudes-and-negatives"
    rng = rng_for(name)
    n = 240
    times = irregular_times(rng, T2015 + 80 * HOUR, n)
    values = big_values(rng, n)
    # a few exact zeros, and an all-negative stretch
    for i in rng.sample(range(n), 10):
        values[i] = 0.0
    for i in range(100, 125):
        values[i] = -abs(values[i])
    pts = list(zip(times, values))
    return [{
        "name": name,
        "description": ("Values spanning 1e-7..1e12 in magnitude, both signs, "
                        "zeros; two rounds."),
        "ap": make_policy(name, 0,
                          PLAIN_METHODS + ['10pct', '90pct', 'rate:mean',
                                           'rate:sum', 'rate:max',
                                           'rate:std'],
                          [(10 * SEC, None), (60 * SEC, None)]),
        "batches": split_sequential(pts, [0.5]),
    }]


def case_ns_edges():
    name = "nanosecond-bucket-edges"
    T = T2015 + 90 * HOUR   # multiple of 60s
    offsets = [
        60 * SEC - 1 * NS, 60 * SEC - 100 * NS, 60 * SEC - 200 * NS,
        60 * SEC - 300 * NS, 60 * SEC - 1 * US, 60 * SEC - 1 * MS,
        60 * SEC, 60 * SEC + 1 * NS,
        61 * SEC - 1 * NS, 61 * SEC - 500 * NS, 61 * SEC - 1 * US,
        120 * SEC - 50 * NS, 120 * SEC - 129 * NS, 120 * SEC - 127 * NS,
        120 * SEC - 1000 * NS, 120 * SEC,
        179 * SEC + 999999999 * NS,
        # The last point must not sit within ~128ns before a block boundary:
        # gnocchi would round it up, truncate the raw buffer to nothing and
        # crash in BoundTimeSerie.serialize (see README).
        185 * SEC,
    ]
    batch = [(T + o, float(i + 1)) for i, o in enumerate(offsets)]
    return [{
        "name": name,
        "description": (
            "Timestamps a few ns/us/ms before bucket boundaries; gnocchi "
            "computes floor(float64(ts_ns)/float64(g_ns)), so points within "
            "~128ns of a boundary fall into the NEXT bucket."),
        "ap": make_policy(name, 0, ['count', 'first', 'last', 'sum'],
                          [(1 * SEC, None), (60 * SEC, None)]),
        "batches": [batch],
    }]


def case_default_policies():
    out = []
    archive_policy.ArchivePolicy.DEFAULT_AGGREGATION_METHODS = (
        CONF_DEFAULT_AGGREGATION_METHODS)
    pol = archive_policy.DEFAULT_ARCHIVE_POLICIES

    # low: 5 min for 30 days; 45 days of data (splits are 12.5 days).
    name = "default-policy-low"
    rng = rng_for(name)
    n = 1200
    start = T2015 + 100 * DAY + 321 * SEC
    times = sorted(rng.randint(start // SEC, (start + 45 * DAY) // SEC) * SEC
                   for _ in range(n))
    values = plain_values(rng, n, 0, 100, 2)
    pts = list(zip(times, values))
    out.append({
        "name": name,
        "description": ("Built-in 'low' policy (conf default methods), 45 "
                        "days of data in 4 rounds: 30-day truncation and "
                        "deletion of whole old splits."),
        "ap": copy.deepcopy(pol['low']),
        "batches": split_sequential(pts, [0.4, 0.7, 0.9]),
    })

    name = "default-policy-medium"
    rng = rng_for(name)
    n = 1000
    start = T2015 + 200 * DAY + 17 * SEC
    times = sorted(rng.randint(start // SEC, (start + 9 * DAY) // SEC) * SEC
                   for _ in range(n))
    values = plain_values(rng, n, -5, 5, 3)
    pts = list(zip(times, values))
    chunks = split_sequential(pts, [0.25, 0.5, 0.75, 0.9])
    for c in chunks:
        rng.shuffle(c)
    out.append({
        "name": name,
        "description": ("Built-in 'medium' policy, 9 days of data in 5 "
                        "shuffled rounds (1m splits are 2.5 days; 7-day "
                        "truncation)."),
        "ap": copy.deepcopy(pol['medium']),
        "batches": chunks,
    })

    name = "default-policy-high"
    rng = rng_for(name)
    n = 1800
    gaps = [(0.7, 1000, 4000), (0.3, 4000, 8000)]
    times = irregular_times(rng, T2015 + 300 * DAY + 5 * HOUR + 1 * SEC, n,
                            gaps)
    values = plain_values(rng, n, 0, 1000, 1)
    pts = list(zip(times, values))
    chunks = split_sequential(pts, [0.3, 0.6, 0.85])
    out.append({
        "name": name,
        "description": ("Built-in 'high' policy, ~2h of data in 4 rounds "
                        "(1s splits are 1h; 1h truncation at 1s)."),
        "ap": copy.deepcopy(pol['high']),
        "batches": chunks,
    })

    name = "default-policy-bool"
    rng = rng_for(name)
    batches = []
    last = T2015 + 320 * DAY + 2 * HOUR
    for r in range(5):
        batch = []
        t = last + rng.randint(1, 5) * SEC
        for _ in range(500):
            batch.append((t, float(rng.randint(0, 1))))
            t += rng.randint(1, 20) * SEC
        if r > 0:
            fbt = floor_to(last, SEC) - 3600 * SEC
            batch.append((fbt, 1.0))                      # accepted
            batch.append((fbt - 1 * SEC, 1.0))            # dropped
            for _ in range(20):                           # mostly accepted
                batch.append((rng.randint((fbt - 600 * SEC) // SEC,
                                          last // SEC) * SEC,
                              float(rng.randint(0, 1))))
            # re-send an existing second with a flipped value
            for _ in range(5):
                tt, vv = rng.choice(batches[-1])
                batch.append((tt, 1.0 - vv))
        last = max(t for t, _ in batch)
        rng.shuffle(batch)
        batches.append(batch)
    out.append({
        "name": name,
        "description": ("Built-in 'bool' policy (1s, 365 days, back_window "
                        "3600, last) with late and re-sent measures across "
                        "5 rounds."),
        "ap": copy.deepcopy(pol['bool']),
        "batches": batches,
    })
    return out


def case_splits():
    out = []
    name = "split-boundaries-1s-multiround"
    rng = rng_for(name)
    batches = []
    t = T2015 + 400 * DAY + 3000 * SEC   # 10 min before a 1s-split boundary
    for r in range(6):
        batch = []
        for _ in range(700):
            batch.append((t, round(rng.uniform(0, 10), 2)))
            t += rng.choice([1, 1, 2, 3, 5]) * SEC + rng.randint(0, 999) * MS
        batches.append(batch)
    out.append({
        "name": name,
        "description": (
            "1s granularity with 4000 points and 5s with 300 points: ~4200 "
            "points over ~2.8h in 6 rounds cross several 3600-point split "
            "boundaries, and the timespans delete whole old splits."),
        "ap": make_policy(name, 0, ['last', 'count'],
                          [(1 * SEC, 4000), (5 * SEC, 300)]),
        "batches": batches,
    })

    name = "split-boundaries-10s-no-timespan"
    rng = rng_for(name)
    n = 800
    times = sorted(set(rng.randint(0, 40000) * 10 * SEC +
                       T2015 + 410 * DAY + rng.randint(0, 9) * SEC
                       for _ in range(n)))
    values = plain_values(rng, len(times))
    pts = list(zip(times, values))
    out.append({
        "name": name,
        "description": (
            "10s granularity, no timespan, sparse points over ~4.6 days "
            "(10s splits are 10h): many splits, 3 rounds."),
        "ap": make_policy(name, 0, ['mean', 'count', 'rate:mean'],
                          [(10 * SEC, None), (3600 * SEC, None)]),
        "batches": split_sequential(pts, [0.5, 0.8]),
    })
    return out


def case_resample():
    out = []
    name = "resample-calendar-daily"
    rng = rng_for(name)
    start_day = (T2015 + 75 * DAY) // DAY   # 2015-03-17
    days = 880                              # through mid-August 2017
    pts = []
    for d in range(days):
        if rng.random() < 0.08:
            continue  # some empty days
        for _ in range(rng.randint(1, 4)):
            t = (start_day + d) * DAY + rng.randint(0, DAY // SEC - 1) * SEC
            pts.append((t, round(rng.uniform(-20, 40), 2)))
    pts.sort()
    methods = ['mean', 'min', 'count', 'last', 'std', '90pct']
    tos = ['W', 'M', 'Q', 'H', 'Y', '604800', '2592000']
    out.append({
        "name": name,
        "description": (
            "1-day granularity over ~2.4 years (incl. leap day 2016-02-29), "
            "3 rounds; resampled to each calendar group and to 7/30 days."),
        "ap": make_policy(name, 0, methods, [(DAY, None)]),
        "batches": split_sequential(pts, [0.4, 0.8]),
        "resample": [(m, DAY, to) for m in methods for to in tos],
    })

    name = "resample-timedelta"
    rng = rng_for(name)
    n = 1000
    times = irregular_times(rng, T2015 + 500 * DAY + 1 * HOUR + 9 * SEC, n)
    values = counter_values(rng, n)
    pts = list(zip(times, values))
    methods = ['mean', 'max', 'count', 'first', '50pct', 'std',
               'rate:mean', 'rate:sum']
    tos = ['300', '3600', '90']
    out.append({
        "name": name,
        "description": (
            "60s (no timespan) and 10s (points 200) granularities, resampled "
            "to 5min, 1h and 90s (not a multiple of 60s). Resample "
            "re-applies the method to the stored aggregates; for rate:* it "
            "differences the stored rate series again."),
        "ap": make_policy(name, 0, methods, [(10 * SEC, 200),
                                             (60 * SEC, None)]),
        "batches": split_sequential(pts, [0.5]),
        "resample": ([(m, 60 * SEC, to) for m in methods for to in tos] +
                     [(m, 10 * SEC, '60') for m in ['mean', 'rate:sum',
                                                    'count']]),
    })
    return out


def case_misc():
    out = []
    name = "std-only-single-point-buckets"
    T = T2015 + 600 * DAY
    pts = [(T + i * 90 * SEC, float(i)) for i in range(20)]
    out.append({
        "name": name,
        "description": ("Every 60s bucket holds one point: std stores "
                        "nothing; rate:std needs two diffs per bucket."),
        "ap": make_policy(name, 0, ['std', 'count', 'rate:std',
                                    'rate:count'],
                          [(60 * SEC, None)]),
        "batches": [pts],
    })

    name = "single-measure"
    out.append({
        "name": name,
        "description": "A single measure, every non-rate method + rate.",
        "ap": make_policy(name, 0, PLAIN_METHODS + ['50pct', 'rate:mean'],
                          [(1 * SEC, 3), (3600 * SEC, None)]),
        "batches": [[(T2015 + 601 * DAY + 1500 * MS, 42.5)]],
    })

    name = "constant-values-pct"
    rng = rng_for(name)
    times = irregular_times(rng, T2015 + 602 * DAY, 200)
    out.append({
        "name": name,
        "description": "Constant and two-level values, percentiles/median.",
        "ap": make_policy(name, 0, ['1pct', '33pct', '50pct', '67pct',
                                    '99pct', 'median', 'std'],
                          [(30 * SEC, None)]),
        "batches": [[(t, 7.0 if i % 3 else -7.0)
                     for i, t in enumerate(times)]],
    })
    return out


def all_case_specs():
    specs = []
    specs += cases_individual_methods()
    specs += case_all_methods_multiround()
    specs += case_multi_granularity()
    specs += case_non_dividing()
    specs += case_truncation()
    specs += case_duplicates()
    specs += case_unsorted()
    specs += case_late()
    specs += case_rate_gaps()
    specs += case_big_values()
    specs += case_ns_edges()
    specs += case_default_policies()
    specs += case_splits()
    specs += case_resample()
    specs += case_misc()
    names = [s["name"] for s in specs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError("duplicate case names: %s" % sorted(dup))
    return specs


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

CHECKED_MODULES = [
    "carbonara.py", "calendar.py", "archive_policy.py", "utils.py",
    "storage/__init__.py", "storage/file.py", "indexer/__init__.py",
    "rest/api.py",
]


def verify_sdist(sdist_dir):
    import gnocchi
    installed = os.path.dirname(os.path.abspath(gnocchi.__file__))
    for rel in CHECKED_MODULES:
        a = os.path.join(installed, rel)
        b = os.path.join(sdist_dir, "gnocchi", rel)
        if not filecmp.cmp(a, b, shallow=False):
            raise SystemExit("installed gnocchi/%s differs from %s"
                             % (rel, b))


def render(cases, meta):
    lines = ['{"gnocchi_version":%s,' % json.dumps(GNOCCHI_VERSION)]
    lines.append('"generator":%s,' % json.dumps(meta, sort_keys=True,
                                                separators=(",", ":")))
    lines.append('"cases":[')
    body = [json.dumps(c, separators=(",", ":"), allow_nan=False)
            for c in cases]
    lines.append(",\n".join(body))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="regenerate in memory and fail if the output "
                        "file differs")
    parser.add_argument("--sdist", default=None,
                        help="unpacked gnocchi-4.7.1 sdist to compare the "
                        "installed modules against")
    parser.add_argument("--only", default=None,
                        help="substring filter on case names (debugging; "
                        "never use together with writing the real fixture)")
    args = parser.parse_args()
    if args.only and os.path.abspath(args.output) == DEFAULT_OUTPUT:
        parser.error("--only needs an explicit --output (it would overwrite "
                     "the committed fixture with a subset)")

    version = importlib.metadata.version("gnocchi")
    if version != GNOCCHI_VERSION:
        raise SystemExit("gnocchi %s installed, need %s"
                         % (version, GNOCCHI_VERSION))
    if args.sdist:
        verify_sdist(args.sdist)

    logging.getLogger().addHandler(ERROR_LOGS)
    # Deterministic, sequential storage operations.
    utils.parallel_map.MAX_WORKERS = 1

    specs = all_case_specs()
    if args.only:
        specs = [s for s in specs if args.only in s["name"]]

    workdir = tempfile.mkdtemp(prefix="stratus-golden-")
    try:
        cases = [run_case(s, workdir, i) for i, s in enumerate(specs)]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    meta = {
        "seed": SEED,
        "script": "scripts/golden/generate_carbonara_fixtures.py",
        "numpy": numpy.__version__,
        "lz4": importlib.metadata.version("lz4"),
        "python": "%d.%d.%d" % sys.version_info[:3],
        "storage_driver": "gnocchi.storage.file.FileStorage",
    }
    text = render(cases, meta)

    if args.check:
        with open(args.output) as f:
            current = f.read()
        if current != text:
            raise SystemExit("%s is out of date" % args.output)
        print("%s is up to date (%d cases)" % (args.output, len(cases)))
        return

    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w") as f:
        f.write(text)
    keep = os.path.join(os.path.dirname(args.output), ".keep")
    if os.path.exists(keep) and not args.only:
        os.unlink(keep)
    n_points = sum(len(e["points"]) for c in cases for e in c["expected"])
    print("wrote %s: %d cases, %d expected points, %d bytes, sha256 %s"
          % (args.output, len(cases), n_points, len(text.encode()),
             hashlib.sha256(text.encode()).hexdigest()[:16]))


if __name__ == "__main__":
    main()
