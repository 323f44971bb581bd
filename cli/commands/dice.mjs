// gliolens dice --pred P --truth T: Dice and HD95 (mm) for whole tumour, tumour core and enhancing tumour.
import { UsageError } from '../usage-error.mjs';

export const help = 'usage: gliolens dice --pred P --truth T\n  Dice and 95th-percentile Hausdorff distance (mm) for WT {1,2,4}, TC {1,4}, ET {4}';
export const options = { pred: { type: 'string' }, truth: { type: 'string' } };

export function run({ core, values }) {
  if (!values.pred || !values.truth) throw new UsageError('--pred and --truth are required');
  const pred = core.load(values.pred);
  const truth = core.load(values.truth);
  return { pred: values.pred, truth: values.truth, regions: core.scoreSegmentation(pred.id, truth.id) };
}
