// gliolens growth: volume change and velocity of diameter expansion between two dated scans.
import { UsageError } from '../usage-error.mjs';
import { list, number } from './survival-input.mjs';

export const help = `usage: gliolens growth --v1 mL --d1 YYYY-MM-DD --v2 mL --d2 YYYY-MM-DD
       gliolens growth --seg1 SEG --d1 DATE --seg2 SEG --d2 DATE [--labels 1,2,4]
  volume change, mean tumour diameter (2V)^(1/3) and its velocity (mm/year), volume doubling time;
  from segmentations, the volume of the given labels (default: every non-zero label)`;

export const options = {
  v1: { type: 'string' },
  v2: { type: 'string' },
  d1: { type: 'string' },
  d2: { type: 'string' },
  seg1: { type: 'string' },
  seg2: { type: 'string' },
  labels: { type: 'string' },
};

function segmentationVolume(core, path, labels) {
  const { id } = core.load(path);
  try {
    return core.segmentationVolume(id, labels);
  } finally {
    core.release(id);
  }
}

export function run({ core, values, positionals }) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const labels = list(values.labels)?.map((l) => number(l, '--labels', { integer: true }));
  const volume = (v, seg, k) => {
    if (v !== undefined && seg !== undefined) throw new UsageError(`give --v${k} or --seg${k}, not both`);
    if (v !== undefined) return number(v, `--v${k}`, { min: 0 });
    if (seg !== undefined) return segmentationVolume(core, seg, labels);
    throw new UsageError(`give the volume of scan ${k}: --v${k} mL or --seg${k} FILE`);
  };
  const volume1 = volume(values.v1, values.seg1, 1);
  const volume2 = volume(values.v2, values.seg2, 2);
  if (!values.d1 || !values.d2) throw new UsageError('give both scan dates: --d1 YYYY-MM-DD --d2 YYYY-MM-DD');
  const report = core.growth({ volume1_ml: volume1, date1: values.d1, volume2_ml: volume2, date2: values.d2 });
  return { ...(values.seg1 ? { seg1: values.seg1, seg2: values.seg2, labels: labels ?? 'all non-zero' } : {}), ...report };
}
