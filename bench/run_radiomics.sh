#!/usr/bin/env bash
# Radiomics benchmark over the shared BraTS cases: per case, all default features (Original image, PyRadiomics
# mode) of ET, TC and WT x 4 modalities natively, as WASM under Node and with PyRadiomics (the peer that
# ../shared/tools/pyradiomics/build.sh builds), one core each; their ratios, the worst case and the mean.
# Usage: bash bench/run_radiomics.sh [--cases ID,ID] [--no-pyradiomics] [--pyradiomics DIR] [--json FILE] [CASE_DIR...]
#   (needs bash scripts/build first; ../shared/data). Without CASE_DIR: every case of ../shared/data/brats2018.
# Env: GLIOLENS_SHARED_DATA, GLIOLENS_PYRADIOMICS (the peer's folder; default build.sh's), GLIOLENS_NATIVE_DIR
# (default build/native: libgliolens_core.a, libnifti_clib.a), GLIOLENS_WASM_DIR; GLIOLENS_BENCH_PER_FAMILY=1: also
# the native CPU time of each feature family alone, per case.
set -euo pipefail
cd "$(dirname "$0")/.."
native="${GLIOLENS_NATIVE_DIR:-build/native}"
exe="$native/radiomics_bench"
if [ ! -x "$exe" ] || [ bench/radiomics_bench.cpp -nt "$exe" ] || [ "$native/libgliolens_core.a" -nt "$exe" ]; then
  echo "bench: compiling $exe"
  g++ -std=c++20 -O2 -DNDEBUG -I. -I/usr/include/eigen3 bench/radiomics_bench.cpp \
    "$native/libgliolens_core.a" "$native/libnifti_clib.a" "$native/libdeflate_decompress.a" -lz -lm -o "$exe"
fi
exec node bench/radiomics_cases.mjs --native "$exe" "$@"
