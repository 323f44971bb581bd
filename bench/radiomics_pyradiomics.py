#!/usr/bin/env python3
"""PyRadiomics' side of the radiomics benchmark (bench/run_radiomics.sh runs it, one process per case).

    PYTHONPATH=PEER/shim:PEER /usr/bin/python3 bench/radiomics_pyradiomics.py --masks MASK_ROOT CASE_DIR...

PEER is the PyRadiomics peer that ../shared/tools/pyradiomics/build.sh builds (PyRadiomics with its SimpleITK
stand-in). For each case, in this one process: reads the 4 modalities and the region masks that
radiomics_bench --write-masks wrote (MASK_ROOT/<case>/{ET,TC,WT}.nii.gz), then runs execute() on each
region x modality with a default RadiomicsFeatureExtractor (binWidth 25, no resampling, Original image, all
default features), diagnostics off (they add work and no feature). One JSON line per case on stdout, timed as
the native and WASM sides time theirs; "startup_s" is the imports, which no column includes.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

STARTED = time.perf_counter()

REGIONS = ("ET", "TC", "WT")
MODALITIES = ("t1", "t1ce", "t2", "flair")


def stopwatch():
    wall0, cpu0 = time.perf_counter(), time.process_time()
    return lambda: (time.perf_counter() - wall0, time.process_time() - cpu0)


def time_case(case_dir, mask_root, extractor, sitk):
    case = os.path.basename(os.path.normpath(case_dir))
    present = [r for r in REGIONS if os.path.isfile(os.path.join(mask_root, case, f"{r}.nii.gz"))]
    elapsed = stopwatch()
    images = [sitk.ReadImage(os.path.join(case_dir, f"{case}_{m}.nii.gz")) for m in MODALITIES]
    masks = [sitk.ReadImage(os.path.join(mask_root, case, f"{r}.nii.gz")) for r in present]
    read_s, read_cpu = elapsed()
    regions, features, errors = [], 0, []
    for name, mask in zip(present, masks):
        elapsed = stopwatch()
        for modality, image in zip(MODALITIES, images):
            try:
                result = extractor.execute(image, mask, label=1)
                features += sum(1 for k in result if not k.startswith("diagnostics_"))
            except Exception as e:  # noqa: BLE001  (reported beside the time, the case goes on)
                errors.append(f"{name} {modality}: {e}")
        seconds, cpu = elapsed()
        regions.append({"name": name, "seconds": seconds, "cpu_s": cpu})
    return {
        "engine": "pyradiomics", "case": case, "read_s": read_s, "read_cpu_s": read_cpu,
        "extract_s": sum(r["seconds"] for r in regions), "extract_cpu_s": sum(r["cpu_s"] for r in regions),
        "extractions": len(present) * len(MODALITIES), "features": features, "regions": regions, "errors": errors,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--masks", required=True, help="the folder radiomics_bench --write-masks wrote")
    ap.add_argument("cases", nargs="+", help="BraTS case folders")
    args = ap.parse_args()

    import radiomics
    import SimpleITK as sitk
    from radiomics import featureextractor
    # what PyRadiomics and the stand-in would otherwise import lazily inside the first timed extraction
    import nibabel  # noqa: F401
    import scipy.ndimage  # noqa: F401
    import scipy.special  # noqa: F401

    radiomics.setVerbosity(60)
    logging.getLogger("radiomics").setLevel(logging.ERROR)
    extractor = featureextractor.RadiomicsFeatureExtractor(additionalInfo=False)
    startup_s = time.perf_counter() - STARTED
    for case_dir in args.cases:
        row = time_case(case_dir, args.masks, extractor, sitk)
        row["startup_s"] = startup_s
        row["version"] = radiomics.__version__
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    sys.exit(main())
