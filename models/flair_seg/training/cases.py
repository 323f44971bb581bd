"""The patients the FLAIR network learns from (../shared/data: lgg_flair's 64 lower-grade gliomas, skull on; the 14
BraTS 2018 cases, skull-stripped, whole tumour = FLAIR abnormality) and their patient-level folds."""
import glob, os
import numpy as np

SHARED = os.environ.get("GLIOLENS_SHARED_DATA", os.path.join(os.path.dirname(__file__), "../../../../shared/data"))
FOLDS = 5
FOLD_SEED = 20261207


def all_cases():
    """[(case id, FLAIR path, mask path, source)] in name order; mask 0 / non-zero."""
    cases = []
    for d in sorted(glob.glob(os.path.join(SHARED, "lgg_flair", "TCGA_*"))):
        cases.append((os.path.basename(d), os.path.join(d, "flair.nii.gz"), os.path.join(d, "mask.nii.gz"), "lgg_flair"))
    for d in sorted(glob.glob(os.path.join(SHARED, "brats2018", "Brats18_*"))):
        cid = os.path.basename(d)
        cases.append((cid, os.path.join(d, cid + "_flair.nii.gz"), os.path.join(d, cid + "_seg.nii.gz"), "brats2018"))
    return cases


def fold_of():
    """{case id: fold} - each source shuffled with a fixed seed and dealt round-robin, so every fold holds about a
    fifth of each source."""
    rng = np.random.default_rng(FOLD_SEED)
    folds = {}
    for source in ("lgg_flair", "brats2018"):
        ids = [c[0] for c in all_cases() if c[3] == source]
        for n, cid in enumerate(rng.permutation(ids)):
            folds[str(cid)] = n % FOLDS
    return folds
