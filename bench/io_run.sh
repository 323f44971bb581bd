#!/usr/bin/env bash
# I/O benchmark: load (gz), reorient to RAS, resample to 1 mm (trilinear) and z-score the four
# modalities of a BraTS case natively (g++ -O3), as WASM under Node, and with nibabel + scipy;
# prints the median of REPEATS runs per stage and the ratios to nibabel + scipy.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${REPEATS:-5}"
case_id="${BRATS_CASE:-Brats18_2013_11_1}"
dir="${GLIOLENS_SHARED_DATA:-../shared/data}/brats2018/$case_id"
if [ ! -d "$dir" ]; then
  echo "bench: shared data absent ($dir): nothing to measure"
  exit 0
fi
files=("$dir/${case_id}_t1.nii.gz" "$dir/${case_id}_t1ce.nii.gz" "$dir/${case_id}_t2.nii.gz" "$dir/${case_id}_flair.nii.gz")

out=build/bench-io
mkdir -p "$out"
nifti=third_party/nifti_clib
deflate=third_party/libdeflate
srcs=(bench/io_native.cpp core/io/nifti.cpp core/io/gzip_whole.cpp core/imaging/resample.cpp core/imaging/reorient.cpp
      core/imaging/intensity.cpp core/imaging/preprocess.cpp core/imaging/bspline.cpp)
if [ ! -x "$out/io_native" ] || [ -n "$(find "${srcs[@]}" core/io core/imaging -newer "$out/io_native" 2>/dev/null)" ]; then
  echo "bench: building the native benchmark"
  gcc -O3 -DNDEBUG -DHAVE_ZLIB -w -I"$nifti/nifti2" -I"$nifti/niftilib" -I"$nifti/znzlib" \
    -c "$nifti/nifti2/nifti2_io.c" -o "$out/nifti2_io.o"
  gcc -O3 -DNDEBUG -DHAVE_ZLIB -w -I"$nifti/znzlib" -c "$nifti/znzlib/znzlib.c" -o "$out/znzlib.o"
  deflate_objs=()
  for c in deflate_decompress gzip_decompress crc32 utils x86/cpu_features; do
    gcc -O3 -DNDEBUG -w -I"$deflate" -c "$deflate/lib/$c.c" -o "$out/deflate_${c//\//_}.o"
    deflate_objs+=("$out/deflate_${c//\//_}.o")
  done
  g++ -std=c++20 -O3 -DNDEBUG -I. -I/usr/include/eigen3 -isystem "$nifti/nifti2" -isystem "$nifti/niftilib" \
    -isystem "$nifti/znzlib" -isystem "$deflate" "${srcs[@]}" "$out/nifti2_io.o" "$out/znzlib.o" "${deflate_objs[@]}" \
    -lz -lm -o "$out/io_native"
fi

# glibc hands every block over 32 MB back to the kernel on free, so each new volume is fresh pages,
# and page faults are slow in sandboxed kernels (measured here: reorient 4x slower). A WASM heap is
# reused once grown; keep the native heap too, so that the comparison is of the code.
echo "bench: native (glibc heap kept: MALLOC_MMAP_MAX_=0)"
MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4000000000 "$out/io_native" "$repeats" "${files[@]}" | tee "$out/native.jsonl"
echo "bench: WASM (Node $(node --version))"
node bench/io_wasm.mjs "$repeats" "${files[@]}" | tee "$out/wasm.jsonl"
echo "bench: nibabel + scipy"
/usr/bin/python3 bench/io_nibabel.py "$repeats" "${files[@]}" | tee "$out/nibabel.jsonl"

node --input-type=module - "$out" <<'JS'
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const load = (name) => readFileSync(`${dir}/${name}.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const runs = { native: load('native'), wasm: load('wasm'), nibabel: load('nibabel') };
const stages = ['load', 'reorient', 'resample', 'normalize'];
const med = Object.fromEntries(Object.entries(runs).map(([k, rs]) => [k, Object.fromEntries(
  [...stages, 'total'].map((s) => [s, median(rs.map((r) => (s === 'total' ? stages.reduce((a, t) => a + r[t], 0) : r[s])))]))]));
const pad = (s, n) => String(s).padStart(n);
console.log('\nmedian ms for 4 modalities (240x240x155 int16, gz)');
console.log(`${'stage'.padEnd(10)}${pad('native', 10)}${pad('wasm', 10)}${pad('nibabel', 10)}${pad('native/nib', 12)}${pad('wasm/nib', 10)}${pad('wasm/native', 13)}`);
for (const s of [...stages, 'total']) {
  const n = med.native[s], w = med.wasm[s], p = med.nibabel[s];
  console.log(`${s.padEnd(10)}${pad(n.toFixed(0), 10)}${pad(w.toFixed(0), 10)}${pad(p.toFixed(0), 10)}${pad((n / p).toFixed(2), 12)}${pad((w / p).toFixed(2), 10)}${pad((w / n).toFixed(2), 13)}`);
}
JS
