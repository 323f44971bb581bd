// gliolens convert IN OUT: rewrites a NIfTI image, optionally reoriented to RAS+ (axis permutation
// and flips, no interpolation) and/or resampled to a voxel spacing, keeping its world position.
import { UsageError } from '../usage-error.mjs';

export const help = `usage: gliolens convert IN OUT [--reorient RAS] [--resample SX,SY,SZ --interp nearest|linear|bspline]
  IN         a NIfTI file (.nii, .nii.gz, .hdr/.img)
  OUT        .nii or .nii.gz (.hdr for a pair)
  --reorient CODE     reorder the voxel axes to CODE (e.g. RAS, LPS) without resampling
  --resample SX,SY,SZ resample to this spacing in mm (IBSI centre-aligned grid)
  --interp NAME       nearest (labels), linear (default) or bspline (cubic)
  --normalize zscore  z-score within the non-zero voxels
  --clip LO,HI        clip to these percentiles of the non-zero voxels (before --normalize)
  --volume N          volume N of a 4-D file (default 0)
  prints the input header and the output grid as JSON`;

export const options = {
  reorient: { type: 'string' },
  resample: { type: 'string' },
  interp: { type: 'string' },
  normalize: { type: 'string' },
  clip: { type: 'string' },
  volume: { type: 'string' },
};

function numbers(text, count, what) {
  const parts = String(text).split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.length !== count || values.some((v) => !Number.isFinite(v) || parts.some((p) => p === ''))) {
    throw new UsageError(`${what}: ${count} comma-separated numbers expected, got "${text}"`);
  }
  return values;
}

export function run({ core, values, positionals }) {
  if (positionals.length !== 2) throw new UsageError('give an input and an output file');
  const [input, output] = positionals;
  if (!/\.(nii|nii\.gz|hdr)$/i.test(output)) throw new UsageError(`output "${output}": use .nii, .nii.gz or .hdr`);
  const opts = {};
  if (values.reorient !== undefined) {
    if (!/^[RLAPSI]{3}$/i.test(values.reorient)) throw new UsageError(`--reorient "${values.reorient}": three letters such as RAS`);
    opts.reorient = values.reorient.toUpperCase();
  }
  if (values.resample !== undefined) {
    opts.spacing = numbers(values.resample, 3, '--resample');
    if (opts.spacing.some((v) => v <= 0)) throw new UsageError('--resample: spacings must be positive');
  }
  if (values.interp !== undefined) {
    if (!['nearest', 'linear', 'bspline'].includes(values.interp)) {
      throw new UsageError(`--interp "${values.interp}": nearest, linear or bspline`);
    }
    if (values.resample === undefined) throw new UsageError('--interp needs --resample');
    opts.interp = values.interp;
  }
  if (values.normalize !== undefined) {
    if (values.normalize !== 'zscore') throw new UsageError(`--normalize "${values.normalize}": only zscore`);
    opts.normalize = 'zscore';
  }
  if (values.clip !== undefined) opts.clip = numbers(values.clip, 2, '--clip');
  if (values.volume !== undefined) {
    const n = Number(values.volume);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--volume "${values.volume}": a volume index >= 0`);
    opts.volume = n;
  }
  const result = core.convert(input, output, opts);
  return { input: { file: input, ...result.input }, output: { file: output, ...result.output }, warnings: result.warnings };
}
