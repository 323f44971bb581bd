#!/usr/bin/env bash
# Registration benchmark on the raw TCGA-FG-6692 study (docs/registration.md): the registrations of a Prepare step
# (T1, T2, FLAIR rigidly onto the T1c; the T1c, stripped by its reference brain mask, affinely onto SRI24; the four
# resampled onto the template grid) natively (g++ -O2 over the built core) and as WASM under Node, then Debian's
# elastix on the same pairs (tests/node/elastix/ parameter files: rigid-header.txt for one session's series, rigid.txt + affine.txt onto the template).
# Prints each step's milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${GLIOLENS_SHARED_DATA:-../shared/data}"
raw="$data/raw/TCGA-FG-6692"
template="$data/atlas/sri24/sri24_t1_brain.nii.gz"
if [ ! -f "$raw/t1c.nii.gz" ] || [ ! -f "$template" ]; then
  echo "bench: shared data absent ($raw, $template): nothing to measure"
  exit 0
fi
inputs=("$template" "$raw/t1c.nii.gz" "$raw/t1c_brain_mask_reference.nii.gz" "$raw/t1.nii.gz" "$raw/t2.nii.gz" "$raw/flair.nii.gz")
out=build/bench-registration
mkdir -p "$out"
if [ ! -f build/native/libgliolens_core.a ]; then
  echo "bench: build the core first (bash scripts/build)"
  exit 1
fi
g++ -std=c++20 -O2 -DNDEBUG -I. -I/usr/include/eigen3 bench/registration_native.cpp \
  build/native/libgliolens_core.a build/native/libnifti_clib.a build/native/libdeflate_decompress.a -lz -lm -o "$out/registration_native"
echo "bench: native"
"$out/registration_native" "${inputs[@]}"
echo "bench: WASM (Node $(node --version))"
node bench/registration_wasm.mjs "${inputs[@]}"
if ! command -v elastix >/dev/null; then
  echo "bench: elastix not installed (apt-get install elastix): its column skipped"
  exit 0
fi
echo "bench: elastix $(elastix --version | head -1) (native, its default threads)"
# elastix gets the T1c stripped (the mask applied), as our registration reads it.
node --input-type=module - "$raw/t1c.nii.gz" "$raw/t1c_brain_mask_reference.nii.gz" "$out/t1c_brain.nii.gz" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
const [image, mask, out] = process.argv.slice(2);
const bytes = gunzipSync(readFileSync(image));
const m = gunzipSync(readFileSync(mask));
const view = new DataView(bytes.buffer, bytes.byteOffset), mv = new DataView(m.buffer, m.byteOffset);
const size = { 2: 1, 4: 2, 16: 4 }[view.getInt16(70, true)], msize = { 2: 1, 4: 2, 16: 4 }[mv.getInt16(70, true)];
const start = view.getFloat32(108, true), mstart = mv.getFloat32(108, true);
for (let n = 0; mstart + n * msize < m.length; n++) {
  let zero = true;
  for (let b = 0; b < msize; b++) zero &&= m[mstart + n * msize + b] === 0;
  if (zero) for (let b = 0; b < size; b++) bytes[start + n * size + b] = 0;
}
writeFileSync(out, gzipSync(bytes));
JS
time_elastix() {  # label, fixed, moving, parameter files...
  local label="$1" fixed="$2" moving="$3"; shift 3
  local dir="$out/elastix-${label// /_}" params=() p
  mkdir -p "$dir"
  for p in "$@"; do params+=(-p "$p"); done
  local t0; t0=$(date +%s%N)
  elastix -f "$fixed" -m "$moving" "${params[@]}" -out "$dir" >/dev/null
  echo "{\"step\":\"$label\",\"ms\":$(( ($(date +%s%N) - t0) / 1000000 ))}"
}
p=tests/node/elastix
time_elastix "t1 rigid onto t1c" "$raw/t1c.nii.gz" "$raw/t1.nii.gz" "$p/rigid-header.txt"
time_elastix "t2 rigid onto t1c" "$raw/t1c.nii.gz" "$raw/t2.nii.gz" "$p/rigid-header.txt"
time_elastix "flair rigid onto t1c" "$raw/t1c.nii.gz" "$raw/flair.nii.gz" "$p/rigid-header.txt"
time_elastix "t1c affine onto sri24" "$template" "$out/t1c_brain.nii.gz" "$p/rigid.txt" "$p/affine.txt"
