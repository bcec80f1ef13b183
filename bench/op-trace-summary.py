#!/usr/bin/env python3
"""Sums a libtorch operator trace (./mlx bench --op-trace DIR writes DIR/METHOD.json) by operator.

Prints the total operator time, then the operators with the most self time (time not spent in the
operators they call), grouped by name, input shapes and the operator or autograd function that called
them (backward passes show as '...Backward0'). Times are those of the traced epochs.

Usage: bench/op-trace-summary.py TRACE.json [TOP]     (TOP rows, default 30)
"""
import collections
import json
import sys


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    events = [e for e in events if e.get("ph") == "X"]
    by_thread = collections.defaultdict(list)
    for e in events:
        by_thread[e.get("tid")].append(e)
    total = 0.0
    self_time = collections.Counter()
    calls = collections.Counter()
    for thread_events in by_thread.values():
        thread_events.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in thread_events:
            while stack and stack[-1]["ts"] + stack[-1]["dur"] <= e["ts"]:
                stack.pop()
            if stack:
                stack[-1]["_children"] = stack[-1].get("_children", 0) + e["dur"]
                e["_parent"] = stack[-1]["name"]
            else:
                total += e["dur"]
            stack.append(e)
        for e in thread_events:
            if not e["name"].startswith("aten::"):
                continue
            key = (e["name"], str(e.get("shape", "")), e.get("_parent", "").replace("autograd::engine::evaluate_function: ", ""))
            self_time[key] += e["dur"] - e.get("_children", 0)
            calls[key] += 1
    print("operator time %.1f ms (top-level operators and autograd functions, all threads)" % (total / 1e3))
    print("| self ms | share | calls | operator | input shapes | called from |")
    print("|---|---|---|---|---|---|")
    for key, t in self_time.most_common(top):
        print("| %.1f | %.1f %% | %d | %s | %s | %s |" % (t / 1e3, 100 * t / total, calls[key], key[0], key[1][:60],
                                                       key[2][:50]))


if __name__ == "__main__":
    main()
