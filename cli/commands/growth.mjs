// gliolens growth: volume change and velocity of diameter expansion between two dated scans (volumes, segmentations, or
// two FLAIR scans segmented by the FLAIR-only model).
import { openFlairModel, segmentFlairFile } from '../flair.mjs';
import { dateInPath } from '../scan-date.mjs';
import { UsageError } from '../usage-error.mjs';
import { list, number } from './survival-input.mjs';

export const help = `usage: gliolens growth --v1 mL --d1 YYYY-MM-DD --v2 mL --d2 YYYY-MM-DD
       gliolens growth --seg1 SEG --d1 DATE --seg2 SEG --d2 DATE [--labels 1,2,4]
       gliolens growth --flair1 A --flair2 B [--d1 DATE --d2 DATE] [--out1 M1 --out2 M2] [--flair-model DIR] [--threads N]
  volume change, mean tumour diameter (2V)^(1/3) and its velocity (mm/year), volume doubling time;
  from segmentations, the volume of the given labels (default: every non-zero label);
  from two FLAIR scans, the FLAIR abnormality of each (the FLAIR-only model, models/flair_seg or --flair-model DIR),
  each date read from its file's path (a YYYY-MM-DD or YYYYMMDD in the name or a folder) unless --d1/--d2 give it;
  --out1/--out2 write the two masks (on each FLAIR's own grid)`;

export const options = {
  v1: { type: 'string' },
  v2: { type: 'string' },
  d1: { type: 'string' },
  d2: { type: 'string' },
  seg1: { type: 'string' },
  seg2: { type: 'string' },
  labels: { type: 'string' },
  flair1: { type: 'string' },
  flair2: { type: 'string' },
  out1: { type: 'string' },
  out2: { type: 'string' },
  'flair-model': { type: 'string' },
  threads: { type: 'string' },
};

function segmentationVolume(core, path, labels) {
  const { id } = core.load(path);
  try {
    return core.segmentationVolume(id, labels);
  } finally {
    core.release(id);
  }
}

// Two FLAIR scans: each segmented by the FLAIR-only model, their abnormality volumes compared.
async function runFlair({ core, values }) {
  for (const flag of ['v1', 'v2', 'seg1', 'seg2', 'labels']) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} does not go with --flair1/--flair2 (the FLAIR model gives the volumes)`);
  }
  for (const k of [1, 2]) if (!values[`flair${k}`]) throw new UsageError(`give both FLAIR scans: --flair1 A --flair2 B (--flair${k} is missing)`);
  const dated = [1, 2].map((k) => {
    const path = values[`flair${k}`];
    if (values[`d${k}`]) return { path, date: values[`d${k}`], dateFrom: `--d${k}` };
    const date = dateInPath(path);
    if (!date) throw new UsageError(`no scan date (YYYY-MM-DD or YYYYMMDD) in ${path}: give it with --d${k} YYYY-MM-DD`);
    return { path, date, dateFrom: 'path' };
  });
  const started = performance.now();
  const model = await openFlairModel(core, values['flair-model'], { threads: Number(values.threads ?? 1) });
  const scans = [];
  try {
    for (const [n, scan] of dated.entries()) scans.push({ ...scan, ...(await segmentFlairFile(core, model, scan.path, values[`out${n + 1}`])) });
  } finally {
    model.release();
  }
  const report = core.growth({ volume1_ml: scans[0].mL, date1: scans[0].date, volume2_ml: scans[1].mL, date2: scans[1].date });
  const scan = (s) => ({ flair: s.flair, date: s.date, dateFrom: s.dateFrom, mL: s.mL, voxels: s.labels.reduce((n, l) => n + l.voxels, 0), ...(s.mask ? { mask: s.mask } : {}) });
  return {
    model: model.model,
    region: scans[0].region,
    scan1: scan(scans[0]),
    scan2: scan(scans[1]),
    ...report,
    warnings: scans.flatMap((s) => s.warnings),
    seconds: { network: model.networkSeconds(), total: (performance.now() - started) / 1000 },
  };
}

export function run({ core, values, positionals }) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.flair1 !== undefined || values.flair2 !== undefined) return runFlair({ core, values });
  for (const flag of ['out1', 'out2', 'flair-model', 'threads']) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --flair1/--flair2`);
  }
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
