// gliolens volumes SEG: the volume of each label of a segmentation, in mL.
import { UsageError } from '../usage-error.mjs';

export const help = 'usage: gliolens volumes SEG\n  prints the voxel count and volume (mL) of each non-zero label';
export const options = {};

export function run({ core, positionals }) {
  if (positionals.length !== 1) throw new UsageError('give exactly one segmentation file');
  const { id, name } = core.load(positionals[0]);
  return { file: name, labels: core.labelVolumes(id) };
}
