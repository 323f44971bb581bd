// gliolens register --fixed F --moving M --out-transform T.txt: the moving image registered onto the fixed one by
// Mattes mutual information (rigid, or affine with --affine), the transform written as text, optionally the moving
// image resampled onto the fixed grid.
import { writeFileSync } from 'node:fs';

import { transformText } from '../transform-text.mjs';
import { UsageError } from '../usage-error.mjs';

export const help = `usage: gliolens register --fixed F --moving M --out-transform T.txt [--out RESAMPLED.nii.gz] [--affine]
  --fixed F            the image that stays (NIfTI)
  --moving M           the image to move onto it (any MR contrast: mutual information)
  --out-transform T    write the 4x4 matrix that maps fixed world points to moving world points (RAS+ mm)
  --out R              write the moving image resampled onto the fixed grid (float32, linear)
  --affine             12 parameters (after a rigid pass) instead of 6 (rigid)
  --init header|moments  start from the scanner coordinates (default) or from the centres of mass
  --fixed-mask FM      a brain mask of the fixed image (its grid): the image is read as stripped
  --moving-mask MM     a brain mask of the moving image (its grid): the image is read as stripped
  --levels 4,2,1       pyramid spacings in mm, coarse to fine
  --samples N          fixed sample points a level (default 30000)
  prints the transform, the mutual information (and its normalised form, the quality number), the overlap,
  iterations, warnings and the time as JSON`;

export const options = {
  fixed: { type: 'string' },
  moving: { type: 'string' },
  'out-transform': { type: 'string' },
  out: { type: 'string' },
  affine: { type: 'boolean' },
  init: { type: 'string' },
  'fixed-mask': { type: 'string' },
  'moving-mask': { type: 'string' },
  levels: { type: 'string' },
  samples: { type: 'string' },
};

export function run({ core, values }) {
  if (!values.fixed || !values.moving) throw new UsageError('--fixed and --moving are required');
  if (!values['out-transform']) throw new UsageError('--out-transform is required');
  if (values.out !== undefined && !/\.(nii|nii\.gz)$/i.test(values.out)) throw new UsageError(`--out "${values.out}": use .nii or .nii.gz`);
  const opts = { affine: Boolean(values.affine) };
  if (values.init !== undefined) {
    if (!['header', 'moments'].includes(values.init)) throw new UsageError(`--init "${values.init}": header or moments`);
    opts.init = values.init;
  }
  if (values.levels !== undefined) {
    opts.levels = String(values.levels).split(',').map(Number);
    if (opts.levels.some((v) => !(v > 0))) throw new UsageError(`--levels "${values.levels}": positive spacings in mm, e.g. 4,2,1`);
  }
  if (values.samples !== undefined) {
    opts.samples = Number(values.samples);
    if (!Number.isInteger(opts.samples) || opts.samples < 100) throw new UsageError(`--samples "${values.samples}": an integer >= 100`);
  }
  const started = performance.now();
  const fixed = core.load(values.fixed);
  const moving = core.load(values.moving);
  if (values['fixed-mask']) opts.fixedMaskId = core.load(values['fixed-mask']).id;
  if (values['moving-mask']) opts.movingMaskId = core.load(values['moving-mask']).id;
  const result = core.register(fixed.id, moving.id, opts);
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(values['out-transform'], transformText(result.matrix, { kind: result.kind, fixed: values.fixed, moving: values.moving }));
  if (values.out) {
    const placed = core.resampleThrough(moving.id, fixed.id, result.matrix);
    core.saveVolume(placed, values.out, 'float32');
  }
  return {
    fixed: values.fixed,
    moving: values.moving,
    transform: values['out-transform'],
    ...(values.out ? { resampled: values.out } : {}),
    ...result,
    seconds: Number(seconds.toFixed(3)),
  };
}
