#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Generate golden /v1/aggregates fixtures from the REAL Gnocchi 4.7.1 code.

Every case runs Gnocchi's own code on chosen series:

* operations are validated with ``gnocchi.rest.aggregates.api.AggregatesController.FetchSchema``
  (voluptuous + pyparsing for the S-expression form) exactly as the REST layer does,
* ``extract_references`` lists the references,
* ``gnocchi.rest.aggregates.processor.aggregated`` aligns, fills, checks the overlap and evaluates
  the operations over ``carbonara.AggregatedTimeSerie`` objects built from the case's series,
* ``UnAggregableTimeseries.jsonify()`` gives the 400 bodies.

Nothing in here re-implements Gnocchi semantics; this file builds inputs and writes outputs.
See README.md next to this file.

Usage:
    python generate_aggregates_fixtures.py [--output PATH] [--check]
"""

import argparse
import json
import math
import os
import random
import sys
import types
import uuid

import numpy

from gnocchi import carbonara
from gnocchi.rest import api as rest_api
from gnocchi.rest.aggregates import api as agg_api
from gnocchi.rest.aggregates import exceptions
from gnocchi.rest.aggregates import processor

import voluptuous

GNOCCHI_VERSION = "4.7.1"
SEED = "stratus-aggregates-golden-v1"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.normpath(os.path.join(
    HERE, "..", "..", "Tests", "CarbonaraTests", "Fixtures",
    "gnocchi-aggregates-golden.json"))

SEC = 10 ** 9
MIN = 60 * SEC
T0 = 1420070400 * SEC  # 2015-01-01T00:00:00Z


class Abort(Exception):
    def __init__(self, status, detail):
        super().__init__(status)
        self.status = status
        self.detail = detail


def _abort(status, detail=""):
    raise Abort(status, detail)


# OperationsSchema reports pyparsing errors through rest.api.abort (pecan); catch them instead.
rest_api.abort = _abort


def num(v):
    """A float for JSON: NaN and infinities as strings."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def to_primitive(node):
    """The validated operation tree as JSON (timedeltas in ns as {"timedelta_ns": n})."""
    if isinstance(node, numpy.timedelta64):
        return {"timedelta_ns": int(node.astype("timedelta64[ns]").astype(numpy.int64))}
    if isinstance(node, (list, tuple)):
        return [to_primitive(n) for n in node]
    if isinstance(node, float):
        return num(node)
    return node


def make_series(rng, start, granularity, count, missing, lo=-50.0, hi=150.0, integers=False):
    ts, vs = [], []
    for i in range(count):
        if rng.random() < missing:
            continue
        ts.append(start + i * granularity)
        vs.append(float(rng.randint(int(lo), int(hi))) if integers else round(rng.uniform(lo, hi), 3))
    return ts, vs


def build_data(name):
    """Three metrics a, b, c at 60 s and 300 s with different gaps."""
    rng = random.Random("%s/%s" % (SEED, name))
    data = {}
    for ref in ("a", "b", "c"):
        data[ref] = {
            str(60 * SEC): make_series(rng, T0 + rng.randint(0, 3) * MIN, MIN, 40, 0.2),
            str(300 * SEC): make_series(rng, T0, 5 * MIN, 12, 0.15),
        }
    return data


def run_case(case):
    out = {k: v for k, v in case.items() if k != "data"}
    body = {"operations": case["operations"]}
    try:
        validated = voluptuous.Schema(agg_api.AggregatesController.FetchSchema, required=True)(body)
    except voluptuous.Invalid as e:
        out["error"] = {"cause": "Invalid input", "reason": str(e), "detail": [str(p) for p in e.path]}
        return out
    except Abort as e:
        out["error"] = e.detail
        return out
    operations = validated["operations"]
    out["validated"] = to_primitive(operations)
    references = agg_api.extract_references(operations)
    if not references:
        out["error"] = {"cause": "Operations is invalid", "reason": "At least one 'metric' is required",
                        "detail": to_primitive(operations)}
        return out
    refs_meta = case["references"]  # [{"lookup": [name, agg], "series": key-of-data, "name": metric name}]
    refs_and_ts = []
    refs = []
    for meta in refs_meta:
        metric = types.SimpleNamespace(id=uuid.uuid5(uuid.NAMESPACE_URL, meta["series"]), name=meta["series"])
        wildcard = meta["lookup"][0] if meta["lookup"][0] != meta["series"] else None
        resource = types.SimpleNamespace(id=meta.get("resource", "r")) if wildcard else None
        ref = processor.MetricReference(metric, meta["lookup"][1], resource, wildcard)
        if resource is None:
            ref.name = meta["lookup"][0]
            ref.lookup_key = [ref.name, ref.aggregation]
        refs.append(ref)
    for ref, meta in zip(refs, refs_meta):
        for g in case["granularities"]:
            ts, vs = case["data"][meta["series"]][str(g)]
            serie = carbonara.AggregatedTimeSerie.from_data(
                carbonara.Aggregation(ref.aggregation, numpy.timedelta64(g, "ns"), None),
                numpy.array(ts, dtype="datetime64[ns]"), numpy.array(vs, dtype=float))
            refs_and_ts.append((ref, serie))
    start = None if case.get("start") is None else numpy.datetime64(case["start"], "ns")
    stop = None if case.get("stop") is None else numpy.datetime64(case["stop"], "ns")
    # The REST layer's default: no fill and no needed_overlap means fill=dropna.
    fill = case["fill"] if "fill" in case else "dropna"
    overlap = case.get("needed_overlap")
    out["fill"] = fill
    try:
        result = processor.aggregated(refs_and_ts, operations, start, stop, overlap, fill)
    except exceptions.UnAggregableTimeseries as e:
        out["error"] = json.loads(json.dumps(e.jsonify(), default=str))
        return out
    except Exception as e:  # a 500 in Gnocchi
        out["internal_error"] = "%s: %s" % (type(e).__name__, e)
        return out

    def rows(measures):
        return [[int(t.astype("datetime64[ns]").astype(numpy.int64)),
                 int(g.astype("timedelta64[ns]").astype(numpy.int64)), num(v)]
                for t, g, v in measures]

    if "aggregated" in result:
        out["expected"] = {"aggregated": True, "columns": [rows(result["aggregated"])]}
    else:
        columns = []
        for ref in refs:
            if ref.resource is None:
                columns.append(rows(result[ref.name][ref.aggregation]))
            else:
                columns.append(rows(result[str(ref.resource.id)][ref.metric.name][ref.aggregation]))
        out["expected"] = {"aggregated": False, "columns": columns}
    return out


def refs(*names, agg="mean"):
    return [{"lookup": [n, agg], "series": n} for n in names]


def cases():
    data = build_data("base")
    both = [300 * SEC, 60 * SEC]
    abc = refs("a", "b", "c")
    metric_abc = ["metric", ["a", "mean"], ["b", "mean"], ["c", "mean"]]
    result = []

    def add(name, operations, references=abc, granularities=both, **options):
        case = {"name": name, "operations": operations, "references": references,
                "granularities": granularities, "data": data}
        case.update(options)
        result.append(case)

    for method in ["mean", "median", "std", "min", "max", "sum", "var", "count",
                   "rate:mean", "rate:sum", "rate:max", "rate:count", "rate:std"]:
        add("aggregate-%s" % method, ["aggregate", method, metric_abc])
    add("aggregate-sexpr", "(aggregate mean (metric (a mean) (b mean) (c mean)))")
    add("metric-single-form", "(metric a mean)", references=refs("a"))
    add("metrics-not-aggregated", ["metric", ["a", "mean"], ["b", "mean"]], references=refs("a", "b"))
    for fill in ["null", "dropna", "ffill", "bfill", "full_ffill", "full_bfill", 0.0, -1.5]:
        add("fill-%s" % fill, ["aggregate", "mean", metric_abc], fill=fill)
        add("fill-%s-not-aggregated" % fill, metric_abc, fill=fill)
    for overlap in [0.0, 10.0, 50.0, 100.0]:
        add("needed-overlap-%g" % overlap, ["aggregate", "sum", metric_abc], needed_overlap=overlap, fill=None)
        add("needed-overlap-%g-60s" % overlap, ["aggregate", "sum", metric_abc], granularities=[60 * SEC],
            needed_overlap=overlap, fill=None)
    add("needed-overlap-with-bounds", ["aggregate", "sum", metric_abc], granularities=[60 * SEC],
        needed_overlap=20.0, fill=None, start=T0 + 5 * MIN + 30 * SEC, stop=T0 + 30 * MIN)
    add("start-stop", ["aggregate", "mean", metric_abc], start=T0 + 7 * MIN + 10 * SEC, stop=T0 + 25 * MIN)
    add("start-only", metric_abc, start=T0 + 12 * MIN + 59 * SEC)
    add("stop-only", metric_abc, stop=T0 + 22 * MIN + 1)
    add("empty-window", ["aggregate", "mean", metric_abc], start=T0 + 1000 * MIN)
    add("empty-window-no-overlap", ["aggregate", "mean", metric_abc], start=T0 + 1000 * MIN,
        fill=None, needed_overlap=100.0)
    ops = ["=", "==", "eq", "<", "lt", ">", "gt", "<=", "≤", "le", ">=", "≥", "ge", "!=", "≠", "ne",
           "%", "mod", "+", "add", "-", "sub", "*", "×", "mul", "/", "÷", "div", "**", "^", "pow",
           "clip_min", "clip_max", "max"]
    for op in ops:
        add("binary-%s-number" % op, [op, ["metric", "a", "mean"], 7], references=refs("a"))
        add("binary-%s-series" % op, [op, ["metric", "a", "mean"], ["metric", "b", "mean"]],
            references=refs("a", "b"))
    add("binary-number-first", ["-", 100, ["metric", "a", "mean"]], references=refs("a"))
    add("binary-divide-by-zero", ["/", ["metric", "a", "mean"], 0], references=refs("a"))
    add("binary-divide-by-zero-null", ["/", ["metric", "a", "mean"], 0], references=refs("a"), fill="null")
    add("binary-mod-negative", ["%", ["metric", "a", "mean"], -7.5], references=refs("a"))
    add("binary-pow-fractional", ["**", ["metric", "a", "mean"], 0.5], references=refs("a"), fill="null")
    add("binary-broadcast", ["*", ["metric", ["a", "mean"], ["b", "mean"]], ["metric", "c", "mean"]])
    add("binary-aggregates", ["/", ["aggregate", "sum", metric_abc], ["aggregate", "count", metric_abc]])
    for op in ["abs", "absolute", "neg", "negative", "cos", "sin", "tan", "floor", "ceil"]:
        add("unary-%s" % op, [op, ["metric", ["a", "mean"], ["b", "mean"]]], references=refs("a", "b"))
    add("unary-sexpr", "(abs (metric a mean))", references=refs("a"))
    add("rateofchange", ["rateofchange", metric_abc])
    add("rateofchangesec", ["rateofchangesec", metric_abc], fill="ffill")
    add("rateofchangesec-null", ["rateofchangesec", ["metric", "a", "mean"]], references=refs("a"), fill="null")
    add("rateofchange-aggregated", ["rateofchange", ["aggregate", "max", metric_abc]])
    for method, window in [("mean", 3), ("max", 1), ("sum", 5), ("rate:max", 2), ("std", 4), ("median", 3),
                           ("count", 2)]:
        add("rolling-%s-%d" % (method, window), ["rolling", method, window, metric_abc])
    add("rolling-sexpr", "(rolling mean 2 (metric a mean))", references=refs("a"))
    add("rolling-too-long", ["rolling", "mean", 30, metric_abc], granularities=[300 * SEC])
    add("rolling-aggregated", ["aggregate", "mean", ["rolling", "sum", 2, metric_abc]])
    for method, span in [("mean", 600), ("max", "10 minutes"), ("sum", "3600"), ("std", 900), ("count", 600),
                         ("rate:sum", 600), ("median", 1200)]:
        add("resample-%s-%s" % (method, span), ["resample", method, span, metric_abc], granularities=[60 * SEC])
    add("resample-sexpr", "(aggregate mean (resample mean 10m (metric (a mean) (b mean))))",
        references=refs("a", "b"), granularities=[60 * SEC])
    add("resample-then-aggregate", ["aggregate", "sum", ["resample", "max", 600, metric_abc]])
    add("different-granularity", ["+", ["metric", "a", "mean"], ["resample", "mean", 600, ["metric", "b", "mean"]]],
        references=refs("a", "b"), granularities=[60 * SEC])
    add("clip-3", ["clip", ["metric", ["a", "mean"], ["b", "mean"]], 0, 80], references=refs("a", "b"))
    add("clip-2", ["clip", ["metric", "a", "mean"], 20], references=refs("a"))
    add("clip-series-bounds", ["clip", ["metric", "a", "mean"], ["metric", "b", "mean"], ["metric", "c", "mean"]],
        fill="ffill")
    add("nested", ["aggregate", "mean", ["*", ["abs", ["rateofchange", metric_abc]], 2]])
    add("numbers-as-strings", "(+ (* (metric a mean) 2) 1.5e1)", references=refs("a"))
    add("string-number-operand", ["+", ["metric", "a", "mean"], "3"], references=refs("a"))
    add("bool-operand", ["+", ["metric", "a", "mean"], True], references=refs("a"))
    add("duplicate-references", ["aggregate", "sum", ["metric", ["a", "mean"], ["a", "mean"], ["b", "mean"]]],
        references=refs("a", "b"))
    add("wildcard-lookup", ["aggregate", "mean", ["metric", "cpu*", "mean"]],
        references=[{"lookup": ["cpu*", "mean"], "series": "a", "resource": "r1"},
                    {"lookup": ["cpu*", "mean"], "series": "b", "resource": "r1"},
                    {"lookup": ["cpu*", "mean"], "series": "c", "resource": "r2"}])
    add("wildcard-lookup-not-aggregated", ["metric", "cpu*", "mean"],
        references=[{"lookup": ["cpu*", "mean"], "series": "a", "resource": "r1"},
                    {"lookup": ["cpu*", "mean"], "series": "c", "resource": "r2"}])
    # Validation and parse errors.
    for i, bad in enumerate([
            ["foo", ["metric", "a", "mean"]], ["aggregate", "foo", ["metric", "a", "mean"]],
            ["aggregate", "95pct", ["metric", "a", "mean"]], ["metric"], ["metric", "a", 1], [],
            ["metric", ["a", "mean"], ["b"]], ["metric", ["a", "mean", "x"]], ["metric", "a", "mean", "x"],
            ["aggregate", "mean", ["metric", "a", 1]], ["aggregate", "mean", ["foo", ["metric", "a", "mean"]]],
            ["+", ["metric", "a", "mean"], "x"], ["+", ["metric", "a", "mean"]], [["metric", "a", "mean"]],
            [1, 2], [None, 2], [1.5, 2], ["rolling", "mean", "2.5", ["metric", "a", "mean"]],
            ["rolling", "mean", 0, ["metric", "a", "mean"]], ["resample", "mean", "abc", ["metric", "a", "mean"]],
            ["resample", "mean", -60, ["metric", "a", "mean"]], ["abs", ["metric", "a", "mean"], 2],
            3, None, True, 1.5, {"a": 1},
            "(aggregate mean (metric a mean)", "aggregate mean", "", "   ", "  x", ")", "((a)", "1(a)",
            "(a\n b", "(metric \"a\" mean", "(foo (metric a mean))", "(metric a)"]):
        add("invalid-%02d" % i, bad, references=refs("a"))
    add("no-metric", ["aggregate", "mean", 2], references=[])
    add("no-metric-binary", ["+", 1, 2], references=[])
    add("trailing-text-ignored", "(metric a mean) garbage (", references=refs("a"))
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    generated = [run_case(c) for c in cases()]
    document = {
        "gnocchi_version": GNOCCHI_VERSION,
        "generator": {"seed": SEED, "numpy": numpy.__version__, "python": sys.version.split()[0]},
        "data": build_data("base"),
        "cases": generated,
    }
    text = json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.check:
        with open(args.output, encoding="utf-8") as f:
            if f.read() != text:
                print("fixture is out of date: %s" % args.output)
                return 1
        print("fixture is up to date (%d cases)" % len(generated))
        return 0
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %d cases to %s" % (len(generated), args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
