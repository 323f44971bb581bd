#!/usr/bin/env bash
# Radiomics benchmark, natively and as WASM under Node: all default features (Original image, 7 families) of
# ET, TC and WT x 4 modalities of one BraTS case, and of PyRadiomics' brain1. Prints seconds and ROI voxels/s.
# Usage: bash bench/run_radiomics.sh [BRATS_CASE_DIR]   (needs bash scripts/build first; ../shared/data)
# Env: GLIOLENS_NATIVE_DIR (default build/native: libgliolens_core.a, libnifti_clib.a), GLIOLENS_WASM_DIR;
# GLIOLENS_BENCH_PER_FAMILY=1: the native CPU time of each feature family alone. Both print wall and CPU time (CPU
# time is the honest number on a loaded machine).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${GLIOLENS_SHARED_DATA:-../shared/data}"
case_dir="${1:-$data/brats2018/Brats18_2013_11_1}"
brain1="$data/radiomics/pyradiomics"
if [ ! -d "$case_dir" ]; then echo "bench: BraTS case $case_dir absent (../shared/data): skipped"; exit 0; fi
native="${GLIOLENS_NATIVE_DIR:-build/native}"
exe="$native/radiomics_bench"
if [ ! -x "$exe" ] || [ bench/radiomics_bench.cpp -nt "$exe" ] || [ "$native/libgliolens_core.a" -nt "$exe" ]; then
  echo "bench: compiling $exe"
  g++ -std=c++20 -O2 -DNDEBUG -I. -I/usr/include/eigen3 bench/radiomics_bench.cpp \
    "$native/libgliolens_core.a" "$native/libnifti_clib.a" -lz -lm -o "$exe"
fi
echo "bench: $(nproc) CPUs here; each run uses one core"
"$exe" "$case_dir" "$brain1"
# wasm/node.mjs loads the module with require(): the directory must be absolute
if [ -n "${GLIOLENS_WASM_DIR:-}" ]; then export GLIOLENS_WASM_DIR="$(cd "$GLIOLENS_WASM_DIR" && pwd)"; fi
node bench/radiomics_bench.mjs "$case_dir" "$brain1"
