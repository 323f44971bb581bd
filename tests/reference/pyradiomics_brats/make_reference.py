#!/usr/bin/env python3
"""PyRadiomics' own values for every region of every modality of the shared BraTS cases (issue 31).

Writes pyradiomics_brats.csv beside this file: one row per case x modality x region, PyRadiomics' default settings
(Original image, every default feature, binWidth 25, no resampling, 3D), the region as a binary mask of the BraTS
labels (ET = 4, TC = 1+4, WT = 1+2+4, NCR = 1, ED = 2). `status` is "ok" or PyRadiomics' error for that region.
tests/core/test_radiomics_brats_parity.cpp compares our PyRadiomics mode with it, so CI needs no PyRadiomics.

Run with the peer built by ../shared/tools/pyradiomics/build.sh DIR (PyRadiomics + its SimpleITK shim):
  PYTHONPATH=DIR/shim:DIR /usr/bin/python3 tests/reference/pyradiomics_brats/make_reference.py \
      [--data ../shared/data/brats2018] [--cases ID,ID] [--out FILE]
--cases rewrites only those cases' rows of the output (by default the committed file beside this script).
"""
import argparse
import csv
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np

MODALITIES = ["t1", "t1ce", "t2", "flair"]
REGIONS = {"ET": [4], "TC": [1, 4], "WT": [1, 2, 4], "NCR": [1], "ED": [2]}
HERE = Path(__file__).resolve().parent


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(HERE.parents[2].parent / "shared" / "data" / "brats2018"))
    ap.add_argument("--cases", default=None)
    ap.add_argument("--out", default=str(HERE / "pyradiomics_brats.csv"))
    args = ap.parse_args()

    import radiomics
    from radiomics import featureextractor
    radiomics.setVerbosity(60)
    logging.getLogger("radiomics").setLevel(logging.ERROR)

    out = Path(args.out)
    data = Path(args.data)
    cases = args.cases.split(",") if args.cases else sorted(p.name for p in data.iterdir() if p.is_dir())
    kept = {}
    header = None
    if out.exists():
        with out.open() as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        for r in rows[1:]:
            if r[0] not in cases:
                kept[(r[0], r[1], r[2])] = r
    extractor = featureextractor.RadiomicsFeatureExtractor()
    new = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            seg = nib.load(str(data / case / f"{case}_seg.nii.gz"))
            labels = np.asarray(seg.dataobj)
            started = time.perf_counter()
            for region, wanted in REGIONS.items():
                mask_path = Path(tmp) / f"{case}_{region}.nii.gz"
                binary = np.isin(labels, wanted).astype(np.uint8)
                img = nib.Nifti1Image(binary, seg.affine, seg.header)
                img.set_data_dtype(np.uint8)
                nib.save(img, str(mask_path))
                for modality in MODALITIES:
                    image_path = data / case / f"{case}_{modality}.nii.gz"
                    try:
                        result = extractor.execute(str(image_path), str(mask_path))
                        values = {k: float(v) for k, v in result.items() if not k.startswith("diagnostics_")}
                        new[(case, modality, region)] = ("ok", values)
                    except Exception as e:  # PyRadiomics refuses the region: keep its reason
                        new[(case, modality, region)] = (str(e).replace("\n", " "), {})
            print(f"{case}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    names = sorted({n for _, v in new.values() for n in v})
    if header is not None:
        old_names = header[4:]
        if names and old_names != names:
            sys.exit(f"feature names changed ({len(old_names)} -> {len(names)}); regenerate every case")
        names = old_names
    rows = dict(kept)
    for key, (status, values) in new.items():
        rows[key] = list(key) + [status] + [f"{values[n]:.12g}" if n in values else "" for n in names]
    order = {m: i for i, m in enumerate(MODALITIES)}
    rorder = {r: i for i, r in enumerate(REGIONS)}
    with out.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["case", "modality", "region", "status"] + names)
        for key in sorted(rows, key=lambda k: (k[0], order[k[1]], rorder[k[2]])):
            w.writerow(rows[key])
    print(f"wrote {out} ({len(rows)} rows, PyRadiomics {radiomics.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
