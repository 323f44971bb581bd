"""Training code of the FLAIR-abnormality network (models/flair_seg): run each entry point as
`/usr/bin/python3 -m training.NAME` from models/flair_seg."""
