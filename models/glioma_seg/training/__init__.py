"""Training, evaluation and export of the Gliolens glioma segmentation networks (the shipped files live one folder up).

Run the entry points as modules from models/glioma_seg, e.g. `/usr/bin/python3 -m training.train --help` (README.md there).
Library: model (the U-Net, loading checkpoints and exported .onnx), preprocess (the exact preprocessing and label
map), augment, loop (the loss and training loop), malloc_reuse, paths.
"""
