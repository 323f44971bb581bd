// Where the tests find the project and the shared reference data (outside the repository).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedData = process.env.GLIOLENS_SHARED_DATA ?? resolve(projectRoot, '..', 'shared', 'data');
export const bratsDir = join(sharedData, 'brats2018');

export function bratsCase(id = 'Brats18_2013_11_1') {
  const dir = join(bratsDir, id);
  const files = Object.fromEntries(['t1', 't1ce', 't2', 'flair', 'seg'].map((s) => [s, join(dir, `${id}_${s}.nii.gz`)]));
  return { id, dir, files, present: Object.values(files).every((f) => existsSync(f)) };
}

// For node:test: the reason to skip when the shared data is absent, or false.
export function skipWithoutSharedData(...paths) {
  const missing = paths.filter((p) => !existsSync(p));
  return missing.length ? `shared reference data absent (${missing[0]}): skipped` : false;
}
