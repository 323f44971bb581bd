// gliolens demo OUTDIR: writes the synthetic four-modality demo case with its labels.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { UsageError } from '../usage-error.mjs';

export const help = 'usage: gliolens demo OUTDIR\n  writes the synthetic glioma phantom (T1, T1c, T2, FLAIR, labels) as .nii.gz';
export const options = {};

export function run({ core, positionals }) {
  if (positionals.length !== 1) throw new UsageError('give the output folder');
  const dir = resolve(positionals[0]);
  mkdirSync(dir, { recursive: true });
  return { synthetic: true, files: core.writeDemoCase(dir) };
}
