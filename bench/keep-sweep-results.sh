#!/usr/bin/env bash
# Copies what a sweep folder needs to be reported and resumed, without the trials' run folders
# (weights, reports): plan.json, the sweep file, sweep.md/json/csv/tex, and every trial's trial.json
# and result.json. Restore by copying the destination back to a sweep folder and running
# `mlx sweep FILE -o THAT_FOLDER --resume`: trials with a result are not run again.
#   bench/keep-sweep-results.sh runs/sweep-ibp-ex docs/results/sweeps/ibp-ex
set -euo pipefail
SRC="${1:?sweep folder}"; DEST="${2:?destination}"
[ -f "$SRC/plan.json" ] || { echo "keep-sweep-results: $SRC holds no sweep (no plan.json)" >&2; exit 2; }
mkdir -p "$DEST/trials"
for f in plan.json sweep-file.yaml sweep-file.yml sweep-file.json sweep.md sweep.json sweep.csv sweep.tex; do
  [ -f "$SRC/$f" ] && cp "$SRC/$f" "$DEST/$f"
done
for t in "$SRC"/trials/*/; do
  id="$(basename "$t")"
  [ -f "$t/result.json" ] || continue
  mkdir -p "$DEST/trials/$id"
  cp "$t/trial.json" "$t/result.json" "$DEST/trials/$id/"
done
echo "keep-sweep-results: $(ls "$DEST/trials" | wc -l) finished trials kept in $DEST" >&2
