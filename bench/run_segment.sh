#!/usr/bin/env bash
# Segmentation benchmark: onnxruntime-node (native CPU) beside ONNX Runtime Web's WASM backend in Node
# and in headless Chromium (the app's Worker), 1 and 2 threads, on one real BraTS case's input to each
# network of the model (a cascade has two), with peak memory and output agreement; then the whole case
# through `gliolens segment`.
# Usage: bash bench/run_segment.sh [--case ID] [--runs N] [--threads 1,2] [--no-browser] [--no-cli] [--webgpu] [--json FILE] [--model-dir DIR]
# Needs: bash scripts/build (build/wasm, web/dist), npm ci --ignore-scripts (onnxruntime-node), ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/wasm/gliolens_node.cjs ] || [ ! -f web/dist/index.html ]; then
  echo "bench: build first (bash scripts/build)"; exit 1
fi
if [ ! -d node_modules/onnxruntime-node ]; then
  echo "bench: onnxruntime-node missing: npm ci --ignore-scripts"; exit 1
fi
echo "bench: $(nproc) CPUs here, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exec node bench/segment_bench.mjs "$@"
