"""Where the shipped model, the repository and the reference data are, seen from this package."""
import os

MODEL_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # models/glioma_seg: manifest, .onnx, reference/
REPO_DIR = os.path.normpath(os.path.join(MODEL_DIR, "..", ".."))
BRATS_DATA = os.path.normpath(os.path.join(REPO_DIR, "..", "shared", "data", "brats2018"))  # never copied into the repo
REFERENCE_DIR = os.path.join(MODEL_DIR, "reference")
CLI = os.path.join(REPO_DIR, "bin", "gliolens.mjs")
