#!/usr/bin/env python3
"""Turns the raw output of bench/side-by-side.sh into the markdown table of docs/performance.md:
samples/s of the peer and of mlx per round, and mlx / peer per round (the rounds were interleaved).
Usage: bench/side-by-side-table.py docs/perf/bench-DATE.txt"""
import re, sys
from collections import defaultdict

runs = defaultdict(list)  # (model, threads, method, who) -> [samples/s per round]
section = None
for line in open(sys.argv[1]):
    m = re.match(r"== (\S+) threads (\d+) round (\d+) (peer|mlx)", line)
    if m:
        section = (m.group(1), int(m.group(2)), m.group(4))
        continue
    if section is None:
        continue
    model, threads, who = section
    if who == "peer":
        p = re.match(r"(\S+) ([0-9.]+)", line)   # torch_peer: 'erm 72800.1 samples/s ...'; derma: 'erm 64.7'
        if p and not line.startswith(("#", "torch")):
            runs[(model, threads, p.group(1), who)].append(float(p.group(2)))
    else:
        p = re.match(r"\| (\S+) \| [0-9.]+ \| ([0-9.]+) \|", line)
        if p:
            runs[(model, threads, p.group(1), who)].append(float(p.group(2)))

def fmt(v):
    return f"{v / 1000:.2f}k" if v >= 1000 else f"{v:.1f}"

keys = sorted({(k[0], k[1], k[2]) for k in runs}, key=lambda k: (k[0] != "mlp", -k[1]))
order = ["erm", "rrr", "cert-r4", "rand-r4", "adv-r4"]
keys.sort(key=lambda k: (k[0] != "mlp", -k[1], order.index(k[2]) if k[2] in order else 99))
ratios_by_key = {}  # (model, threads, method) -> mlx / peer per round, sorted
print("| model | threads | method | peer samples/s | mlx samples/s | mlx / peer |")
print("|---|---|---|---|---|---|")
for model, threads, method in keys:
    peer = runs.get((model, threads, method, "peer"), [])
    mlx = runs.get((model, threads, method, "mlx"), [])
    ratios = [m / p for p, m in zip(peer, mlx)]
    print(f"| {model} | {threads} | {method} | {', '.join(fmt(v) for v in peer)} | {', '.join(fmt(v) for v in mlx)} | "
          f"{', '.join(f'{r:.2f}x' for r in ratios)} |")
    ratios_by_key[(model, threads, method)] = sorted(ratios)
for (model, threads, method), ratios in ratios_by_key.items():
    if len(ratios) >= 3:
        mid = len(ratios) // 2
        median = ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2
        print(f"\nmlx / peer over {len(ratios)} rounds, {model}, {threads} threads, {method}: median {median:.2f}x, "
              f"{ratios[0]:.2f}-{ratios[-1]:.2f}x, above 1.0x in {sum(r >= 1.0 for r in ratios)}")
erm = defaultdict(list)
for (model, threads, method, who), vals in runs.items():
    if who == "mlx" and method in ("erm", "cert-r4"):
        erm[(model, threads, method)] = vals
for model, threads in sorted({(k[0], k[1]) for k in erm}):
    e, c = erm.get((model, threads, "erm")), erm.get((model, threads, "cert-r4"))
    if e and c:
        print(f"\nCert-R4 / ERM cost in mlx, {model}, {threads} threads: "
              + ", ".join(f"{a / b:.2f}x" for a, b in zip(e, c)))
