#!/usr/bin/env bash
# Builds the libFuzzer target for the NIfTI reader with clang-14 (-fsanitize=fuzzer,address, so the
# main g++ build is untouched), replays the malformed corpus through it, then fuzzes for
# FUZZ_SECONDS (default 40) from real headers and synthetic seeds. Fails on any crash, leak or hang.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${FUZZ_SECONDS:-40}"
out=build/fuzz
mkdir -p "$out/obj" "$out/corpus" "$out/seeds" "$out/malformed" "$out/scratch"

CC=clang-14
CXX=clang++-14
if ! command -v "$CXX" >/dev/null; then
  echo "fuzz: clang++-14 not installed: skipped"
  exit 0
fi
flags=(-g -O1 -fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer)
nifti=third_party/nifti_clib
inc=(-I. -I/usr/include/eigen3 -isystem "$nifti/nifti2" -isystem "$nifti/niftilib" -isystem "$nifti/znzlib")

build() {  # source object compiler extra...
  local src=$1 obj=$2 cc=$3; shift 3
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ core/io/nifti.hpp -nt "$obj" ] || [ core/io/gzip_whole.hpp -nt "$obj" ]; then
    "$cc" "${flags[@]}" "${inc[@]}" "$@" -c "$src" -o "$obj"
  fi
}
build "$nifti/nifti2/nifti2_io.c" "$out/obj/nifti2_io.o" "$CC" -DHAVE_ZLIB -w &
build "$nifti/znzlib/znzlib.c" "$out/obj/znzlib.o" "$CC" -DHAVE_ZLIB -w &
deflate=third_party/libdeflate
for c in deflate_decompress gzip_decompress crc32 utils; do
  build "$deflate/lib/$c.c" "$out/obj/deflate_$c.o" "$CC" -I"$deflate" -w &
done
build "$deflate/lib/x86/cpu_features.c" "$out/obj/deflate_x86_cpu_features.o" "$CC" -I"$deflate" -w &
build core/io/gzip_whole.cpp "$out/obj/gzip_whole.o" "$CXX" -std=c++20 -isystem "$deflate" &
build core/io/nifti.cpp "$out/obj/nifti.o" "$CXX" -std=c++20 &
build tests/fuzz/fuzz_reader.cpp "$out/obj/fuzz_reader.o" "$CXX" -std=c++20 &
wait
"$CXX" -fsanitize=fuzzer,address "$out"/obj/*.o -lz -lm -o "$out/fuzz_reader"

export FUZZ_SCRATCH="$out/scratch"
node tests/fuzz/corpus.mjs "$out/malformed"
node tests/fuzz/seeds.mjs "$out/seeds" "${GLIOLENS_SHARED_DATA:-../shared/data}"

echo "fuzz: replaying the malformed corpus"
"$out/fuzz_reader" -runs=0 "$out/malformed" 2>&1 | tail -n 2

echo "fuzz: ${seconds} s from the seeds"
log="$out/fuzz.log"
set +e
"$out/fuzz_reader" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus" "$out/seeds" "$out/malformed" >"$log" 2>&1
rc=$?
set -e
grep -E "stat::number_of_executed_units|stat::peak_rss_mb|^Done" "$log" || true
if [ $rc -ne 0 ]; then
  echo "fuzz: FAILED (exit $rc); the last lines of $log:"
  tail -n 40 "$log"
  exit 1
fi
echo "fuzz: ok, no crash, leak or hang"
