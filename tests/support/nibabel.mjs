// nibabel (Debian's python3-nibabel) as the independent reference for NIfTI geometry.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

export function nibabelAvailable() {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import nibabel'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Header facts as nibabel sees them: shape, zooms, affine (best affine), axis codes, dtype.
export function nibabelHeader(path) {
  const script = `
import json, sys, nibabel as nib
img = nib.load(sys.argv[1])
print(json.dumps({"shape": list(img.shape), "zooms": [float(z) for z in img.header.get_zooms()],
  "affine": img.affine.tolist(), "axcodes": "".join(nib.aff2axcodes(img.affine)),
  "dtype": str(img.get_data_dtype())}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8' }));
}
