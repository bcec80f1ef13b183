#!/usr/bin/env bash
# Checks the whole GPU path of mlx on a machine with an NVIDIA GPU (docs/gpu.md). Run it from the
# repository root; it builds the cuda variant (MLX_MAVEN_PROFILES=cuda) unless PYTORCH_LIBRARY_PATH
# names an installed CUDA libtorch 2.7.1, in which case that build is used with it.
#
#   bench/gpu-check.sh [OUT]      (OUT: a folder for the outputs, default runs/gpu-check)
#
# Steps, each must pass: mlx info shows a CUDA device; bench of every regularizer on the MLP and of
# erm, rrr, cert-r4 on the derma-cnn with --device cuda; one MiniLM training step on generated text
# (--device cuda); a short MLP training run, its ONNX export and predict, whose log must name the CUDA
# execution provider. Exit 0 when all passed; the first failure stops it with its step named.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/runs/gpu-check}"
export MLX_MAVEN_PROFILES="${MLX_MAVEN_PROFILES:-cuda}"
MLX="$ROOT/mlx"
mkdir -p "$OUT"
step() { echo "== gpu-check: $*" >&2; }
fail() { echo "gpu-check: FAILED at: $*" >&2; exit 1; }

step "mlx info (a CUDA device must be listed)"
"$MLX" --device cuda info | tee "$OUT/info.txt" || fail "mlx --device cuda info (see the message above)"
grep -q '^device: *cuda:' "$OUT/info.txt" || fail "mlx info does not run on a CUDA device"

step "bench, every regularizer on the MLP"
"$MLX" --device cuda bench --methods all --repeats 2 | tee "$OUT/bench-mlp.md" || fail "bench on the MLP"

step "bench, the derma-cnn"
"$MLX" --device cuda bench -m derma-cnn --methods erm,rrr,cert-r4 --repeats 2 | tee "$OUT/bench-cnn.md" \
  || fail "bench on the derma-cnn"

step "one MiniLM training step (generated reviews)"
"$MLX" --device cuda train -d decoy-spam -m minilm -r rrr --epochs 1 --batch-size 16 \
  --dataset-param train-limit=16 --dataset-param test-limit=16 --overwrite -o "$OUT/minilm" \
  || fail "MiniLM training step"
grep -q '"device" : "cuda:' "$OUT/minilm/config.json" || grep -q '"device":"cuda:' "$OUT/minilm/config.json" \
  || fail "the MiniLM run did not record a CUDA device"

step "MLP run, ONNX export, predict with the CUDA execution provider"
"$MLX" --device cuda train -r erm --epochs 1 --dataset-param train-limit=2000 --dataset-param test-limit=500 \
  --overwrite -o "$OUT/mlp" || fail "MLP training"
"$MLX" export "$OUT/mlp" -o "$OUT/mlp.onnx" || fail "export"
"$MLX" -v predict "$OUT/mlp.onnx" --dataset decoy-mnist --dataset-param test-limit=500 2>&1 | tee "$OUT/predict.txt"
grep -q 'execution provider: CUDA' "$OUT/predict.txt" || fail "predict did not run on the CUDA execution provider"

echo "gpu-check: all steps passed; outputs in $OUT" >&2
