#!/bin/bash
# The cross-validation and the final model, one after another (each resumable: rerun this script after a stop).
# Usage: bash cv.sh OUT_DIR [extra train arguments]
set -e
out=${1:-/tmp/flair_seg/cv}; shift || true
cd "$(dirname "$0")"
/usr/bin/python3 -m training.cache
for fold in 0 1 2 3 4 -1; do
  name=fold$fold; [ "$fold" = -1 ] && name=all
  [ -f "$out/$name/ckpt.pt" ] && continue
  /usr/bin/python3 -m training.train --out "$out/$name" --fold "$fold" "$@"
done
