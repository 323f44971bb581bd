"""One-off analyses of the shipped model (their results and the decisions they informed are in HISTORY.md). Run them
as modules from models/glioma_seg, e.g. `/usr/bin/python3 -m experiments.thick_slices --help` (README.md there)."""
