#!/usr/bin/env bash
# The performance table of docs/performance.md: the PyTorch eager peers and `mlx bench`, interleaved
# in one sitting (peer, mlx, peer, mlx) at 2 threads and then at 1, for the Decoy-MNIST MLP
# (../shared/bench/torch_peer.py) and the Decoy-DERM CNN (bench/derma_cnn_peer.py). Raw output on stdout.
#   PEER_PYTHON=/path/to/venv/bin/python bench/side-by-side.sh > docs/perf/bench-DATE.txt
# PEER_PYTHON: a Python with a current PyTorch CPU build (see ../shared/bench/README.md for how to
# install the wheel a machine carries); PEER_MLP: the MLP peer script (default ../shared/bench/torch_peer.py).
# METHODS (default all five), ROUNDS (default 2), MODELS (default "mlp derma-cnn") and REPEATS (timed MLP
# epochs, default 3) narrow or lengthen it: METHODS=erm MODELS=mlp ROUNDS=6 REPEATS=10 is the ERM sitting
# of docs/performance.md.
# Run it on an otherwise idle machine: about 15 minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PEER_PYTHON:-python3}"
PEER_MLP="${PEER_MLP:-$ROOT/../shared/bench/torch_peer.py}"
METHODS="${METHODS:-erm,rrr,cert-r4,rand-r4,adv-r4}"
ROUNDS="${ROUNDS:-2}"
MODELS="${MODELS:-mlp derma-cnn}"
REPEATS="${REPEATS:-3}"
[ -f "$PEER_MLP" ] || { echo "side-by-side: no MLP peer at $PEER_MLP (set PEER_MLP)" >&2; exit 2; }
"$PY" -c 'import torch' 2>/dev/null || { echo "side-by-side: $PY has no torch (set PEER_PYTHON)" >&2; exit 2; }
"$ROOT/mlx" -q info > /dev/null   # builds the app if needed, outside the timing
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(git -C "$ROOT" rev-parse --short HEAD) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# peer: $("$PY" -c 'import torch; print("torch", torch.__version__)')"
for T in 2 1; do
  for round in $(seq 1 "$ROUNDS"); do
    if [[ " $MODELS " == *" mlp "* ]]; then
      echo "== mlp threads $T round $round peer"
      "$PY" "$PEER_MLP" --threads "$T" --methods "$METHODS" --repeats "$REPEATS"
      echo "== mlp threads $T round $round mlx"
      MLX_THREADS="$T" "$ROOT/mlx" -q bench --methods "$METHODS" --repeats "$REPEATS"
    fi
    if [[ " $MODELS " == *" derma-cnn "* ]]; then
      echo "== derma-cnn threads $T round $round peer"
      "$PY" "$ROOT/bench/derma_cnn_peer.py" --threads "$T" --methods "$METHODS" --repeats 2
      echo "== derma-cnn threads $T round $round mlx"
      MLX_THREADS="$T" "$ROOT/mlx" -q bench -m derma-cnn --methods "$METHODS" --repeats 2
    fi
  done
done
