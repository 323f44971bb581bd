#!/usr/bin/env bash
# Packs what bench/gpu/device.sh needs on a GPU machine that has neither Chromium nor Node into .gpu/ (ignored by
# git): Debian's Chromium with every library it links (not glibc's) and two fonts, the built app (web/dist
# without its models: the device takes them from the repository), the cases' NIfTI files, each network's input
# tensor from the core (segment_bench.mjs --write-inputs) and Debian's GL/Vulkan dispatch libraries (as the device
# tool's notes advise). One xz stream, cut into parts that each fit one device call beside the repository's tracked
# files (64 MiB in all): .gpu/p1/bundle.xz.00, ..., with bundle.sha256 beside each.
#   bash bench/gpu/bundle.sh [--parts N (default: as few as fit)] [--cases A,B] [--inputs A,B]
# Needs: bash scripts/build, npm ci (onnxruntime-node), ../shared/data, apt-get download (network).
set -euo pipefail
cd "$(dirname "$0")/../.."
parts=
cases=Brats18_2013_3_1,Brats18_TCIA10_637_1
inputs=Brats18_2013_3_1,Brats18_TCIA10_637_1
while [ $# -gt 0 ]; do
  case $1 in
    --parts) parts=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --inputs) inputs=$2; shift 2 ;;
    *) echo "bundle.sh: unknown option $1"; exit 1 ;;
  esac
done
data=${GLIOLENS_SHARED_DATA:-../shared/data}/brats2018
[ -f web/dist/index.html ] || { echo "bundle.sh: build first (bash scripts/build)"; exit 1; }
work=$(mktemp -d /tmp/gliolens-bundle-XXXX)
trap 'rm -rf "$work"' EXIT

# Chromium and the libraries it links, without glibc's own (the machine's newer glibc serves them).
mkdir -p "$work/b/chromium/lib" "$work/b/site" "$work/b/cases" "$work/b/inputs" "$work/b/debs"
(cd /usr/lib/chromium && cp -a chromium chrome_crashpad_handler chrome_100_percent.pak chrome_200_percent.pak icudtl.dat libEGL.so libGLESv2.so \
  libvulkan.so.1 resources.pak snapshot_blob.bin v8_context_snapshot.bin locales "$work/b/chromium/")
ldd /usr/lib/chromium/chromium | awk '$3 ~ /^\// {print $3}' | grep -Ev '/(libc|libm|libpthread|libdl|librt|libresolv)\.so' |
  xargs cp -L -t "$work/b/chromium/lib/"
for nss in libsoftokn3.so libfreeblpriv3.so libfreebl3.so; do cp -L "/usr/lib/x86_64-linux-gnu/$nss" "$work/b/chromium/lib/"; done
# Without any font, Chromium aborts once a page draws text (Skia: "Not implemented", seen on the device's image).
mkdir -p "$work/b/chromium/fonts" && cp /usr/share/fonts/truetype/dejavu/DejaVuSans{,-Bold}.ttf "$work/b/chromium/fonts/"

(cd web/dist && tar --exclude=./models -cf - .) | tar -xf - -C "$work/b/site"
for c in ${cases//,/ }; do mkdir -p "$work/b/cases/$c" && cp "$data/$c/${c}_"{t1,t1ce,t2,flair}.nii.gz "$work/b/cases/$c/"; done
for c in ${inputs//,/ }; do
  NODE_PATH=${NODE_PATH:-/usr/share/nodejs} node bench/segment_bench.mjs --case "$c" --write-inputs "$work/b/inputs/$c" >/dev/null
done
(cd "$work/b/debs" && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null 2>&1)

# The executable part with the x86 filter (smaller), the rest plain; xz streams concatenate, tar -i reads both.
(cd "$work/b" && tar -cf - chromium | xz --x86 --lzma2=preset=9e -T1 > "$work/bundle.xz")
(cd "$work/b" && tar -cf - site cases inputs debs | xz -9 -T0 >> "$work/bundle.xz")
if [ -z "$parts" ]; then
  tracked=$(git ls-files -z | xargs -0 stat -c %s | awk '{s += $1} END {print s}')
  room=$((64 * 1024 * 1024 - tracked - 2 * 1000 * 1000))  # 2 MB for files changed or added before the calls
  size=$(stat -c %s "$work/bundle.xz")
  parts=$(((size + room - 1) / room))
fi
rm -rf .gpu && mkdir -p .gpu
sum=$(sha256sum "$work/bundle.xz" | cut -d' ' -f1)
(cd "$work" && split -n "$parts" -d -a 2 bundle.xz bundle.xz.)
for ((i = 0; i < parts; i++)); do
  n=$(printf %02d "$i")
  mkdir -p ".gpu/p$((i + 1))" && mv "$work/bundle.xz.$n" ".gpu/p$((i + 1))/" && echo "$sum" > ".gpu/p$((i + 1))/bundle.sha256"
done
du -sh .gpu/p*
