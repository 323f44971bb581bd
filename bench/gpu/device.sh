#!/usr/bin/env bash
# The WebGPU benchmark on a machine with a real GPU and no Node (the device tool's GPU machine): unpacks the bundle
# that bench/gpu/bundle.sh made (Debian's Chromium with its libraries, the built app, the cases' NIfTI files and the
# networks' input tensors), finds the Chromium flags under which WebGPU gets the real GPU (probe page), then runs
# bench/gpu/bench.html: WebGPU against WASM in the app's Worker; then bench/gpu/native_gpu.py (PyTorch on the GPU, the
# native ceiling). Writes to $OUT: result.json, native_gpu.json, segs.tar (the label maps), logs.tar.gz (server and
# Chromium logs, adapter probes, nvidia-smi samples).
#   bash bench/gpu/device.sh             (run in the repository root; the bundle's parts in $GPU_STAGE or .gpu/*/)
# Env: GPU_STAGE (default /root/stage, where earlier calls left parts), GPU_CASES, GPU_RUNS, GPU_ACCEPT_ANY=1 (bench
# whatever adapter is found, to try this script on a machine without a GPU), GPU_FLAGS (Chromium's GPU flags: no
# probing), GPU_SKIP_DEBS=1.
set -u
cd "$(dirname "$0")/../.."
repo=$PWD
OUT=${OUT:-/tmp/gliolens-gpu-out}
stage=${GPU_STAGE:-/root/stage}
cases=${GPU_CASES:-Brats18_2013_3_1,Brats18_TCIA10_637_1}
runs=${GPU_RUNS:-3}
work=/tmp/gliolens-gpu
rm -rf "$work" && mkdir -p "$work/logs" "$work/out" "$OUT"
say() { echo "device.sh [$(date +%T)] $*"; }
finish() {
  cp "$work/out/result.json" "$OUT/" 2>/dev/null
  (cd "$work/out" && ls ./*.nii.gz >/dev/null 2>&1 && tar -cf "$OUT/segs.tar" ./*.nii.gz)
  tar -czf "$OUT/logs.tar.gz" -C "$work" logs
  say "wrote $(ls "$OUT" | tr '\n' ' ')"
}
trap finish EXIT

# ---- the bundle -----------------------------------------------------------------------------------------------
expected=$(find "$stage" .gpu -name bundle.sha256 2>/dev/null | head -1 | xargs cat)
parts=()
for i in 00 01 02 03 04 05 06 07; do
  part=$(ls "$stage/bundle.xz.$i" .gpu/*/bundle.xz.$i 2>/dev/null | head -1)
  [ -n "$part" ] && parts+=("$part")
done
say "bundle parts: ${parts[*]:-none}"
cat "${parts[@]}" > "$work/bundle.xz"
actual=$(sha256sum "$work/bundle.xz" | cut -d' ' -f1)
if [ "$actual" != "${expected%% *}" ]; then say "bundle checksum $actual, expected ${expected%% *}: parts missing?"; exit 2; fi
xz -dc -T0 "$work/bundle.xz" | tar -xi -C "$work" && rm "$work/bundle.xz"
say "unpacked: $(du -sh "$work" | cut -f1)"

# ---- the machine --------------------------------------------------------------------------------------------------
{
  grep PRETTY /etc/os-release; nproc; nvidia-smi -L; nvidia-smi --query-gpu=driver_version,memory.total --format=csv
  ls /dev/nvidia* /dev/dri 2>&1
  find /usr/local/nvidia /usr/share/vulkan /usr/share/glvnd /etc/vulkan /etc/glvnd \( -name 'nvidia_icd*.json' -o -name '10_nvidia.json' \) 2>/dev/null
  ls /usr/local/nvidia/lib64 2>/dev/null | grep -Ei 'glx|vulkan|egl' | head
} > "$work/logs/machine.txt" 2>&1
cat "$work/logs/machine.txt"
if [ -z "${GPU_SKIP_DEBS:-}" ]; then for deb in "$work"/debs/*.deb; do dpkg -x "$deb" /; done; ldconfig; fi
chromium=$work/chromium/chromium
export LD_LIBRARY_PATH=$work/chromium/lib:/usr/local/nvidia/lib64:/usr/local/nvidia/lib
icd=$(find /usr/local/nvidia /usr/share/vulkan /etc/vulkan -name 'nvidia_icd*.json' 2>/dev/null | head -1)
[ -n "$icd" ] && export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
cat > "$work/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>$work/chromium/fonts</dir><cachedir>$work/fontcache</cachedir></fontconfig>
EOF
export FONTCONFIG_FILE=$work/fonts.conf
egl=$(find /usr/local/nvidia /usr/share/glvnd -name '10_nvidia.json' 2>/dev/null | head -1)
[ -n "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
say "Vulkan driver file: ${icd:-none}; EGL vendor file: ${egl:-none}"
ldd "$chromium" | grep 'not found' && say "Chromium is missing libraries (above)"

# ---- the site: the built app, this page, the model from the repository, cases and inputs from the bundle -----------
site=$work/site
cp "$repo/bench/gpu/bench.html" "$repo/bench/gpu/bench.js" "$repo/bench/logit-agreement.mjs" "$repo/web/src/webgpu-adapter.js" "$site/"
rm -rf "$site/models" && mkdir -p "$site/models" && ln -s "$repo/models/glioma_seg" "$site/models/glioma_seg"
ln -s "$work/cases" "$site/cases"
ln -s "$work/inputs" "$site/inputs"

# One browser on one page until the page posts /done (or the server gives up); $1: log name, $2: flags, $3: query.
port=8123
browse() {
  local name=$1 flags=$2 query=$3 timeout=$4 out=$work/$1
  port=$((port + 1))
  python3 "$repo/bench/gpu/serve.py" "$site" "$out" --port "$port" --timeout "$timeout" > "$work/logs/$name.server.log" 2>&1 &
  local server=$!
  sleep 0.5
  # shellcheck disable=SC2086
  "$chromium" --headless=new --no-sandbox --disable-dev-shm-usage --disable-gpu-sandbox --enable-unsafe-webgpu \
    --ignore-gpu-blocklist --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --enable-webgpu-developer-features --enable-logging=stderr --user-data-dir="$work/profile-$name" $flags "http://127.0.0.1:$port/bench.html?$query" \
    > "$work/logs/$name.chromium.log" 2>&1 &
  local browser=$!
  # Until the page says it is done, or Chromium ends first (a crash would leave the server waiting out its timeout).
  while kill -0 "$server" 2>/dev/null; do
    if ! kill -0 "$browser" 2>/dev/null; then
      wait "$browser"
      say "$name: Chromium ended (status $?) before the page said it was done" >&2
      kill "$server" 2>/dev/null
      break
    fi
    sleep 1
  done
  wait "$server" 2>/dev/null
  kill "$browser" 2>/dev/null; sleep 1; kill -9 "$browser" 2>/dev/null
  pkill -9 -f "profile-$name" 2>/dev/null
  cat "$out/result.json" 2>/dev/null
}

variants=(
  "--enable-features=Vulkan --use-angle=vulkan --disable-vulkan-surface"
  "--enable-features=Vulkan --use-vulkan=native --use-angle=vulkan --disable-vulkan-surface"
  "--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan --use-angle=vulkan --disable-vulkan-surface"
  "--use-angle=vulkan --enable-features=Vulkan"
  "--enable-features=Vulkan --use-gl=egl"
  ""
)
chosen=${GPU_FLAGS:-}
found_gpu=${GPU_FLAGS:+yes}
[ -n "$found_gpu" ] && variants=()
for i in "${!variants[@]}"; do
  found=$(browse "probe$i" "${variants[$i]}" "mode=probe" 25)
  echo "$i [${variants[$i]}] -> $found" | tee -a "$work/logs/probes.txt"
  if echo "$found" | grep -qi nvidia || { [ -n "${GPU_ACCEPT_ANY:-}" ] && echo "$found" | grep -q '"available":true'; }; then
    chosen=${variants[$i]}
    found_gpu=yes
    break
  fi
done
if [ -z "$found_gpu" ]; then
  say "no flags gave WebGPU the GPU: no benchmark (Chromium logs in logs.tar.gz)"
  exit 3
fi
say "benchmark with [$chosen], cases $cases, $runs runs after the first"
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used,clocks.sm --format=csv -lms 250 > "$work/logs/nvidia-smi.csv" 2>&1 &
smi=$!
browse out "$chosen" "cases=$cases&runs=$runs" "${GPU_TIMEOUT:-420}" > /dev/null
kill "$smi" 2>/dev/null
cp "$work/logs/out.server.log" "$OUT/" 2>/dev/null
cat "$work/logs/out.server.log"
# After the browser, so that neither disturbs the other's timing.
say "native PyTorch on the GPU, same inputs"
PYTHONPATH="$repo/models/glioma_seg" timeout "${GPU_NATIVE_TIMEOUT:-120}" python3 "$repo/bench/gpu/native_gpu.py" "$work/inputs" --json "$OUT/native_gpu.json" 2>&1 |
  tee "$work/logs/native_gpu.log" | grep -v Warning
