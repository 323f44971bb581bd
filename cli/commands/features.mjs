// gliolens features --image IMG --mask MASK [--label N] [--params FILE] [--mode ibsi|pyradiomics] [--format csv|json]
import { readFileSync } from 'node:fs';

import { parseLabels } from '../labels.mjs';
import { UsageError } from '../usage-error.mjs';

export { parseLabels };

export const help = `usage: gliolens features --image IMG --mask MASK [--label N] [--params FILE] [--mode ibsi|pyradiomics] [--format csv|json]
  radiomic features of the voxels of MASK labelled N (default 1, or the parameter file's label) in IMG
  --label N       the label; a comma list (1,4) takes their union as one region
  --params FILE   a PyRadiomics YAML parameter file (setting, imageType, featureClass)
  --mode M        pyradiomics (default: PyRadiomics' names and defaults) or ibsi (every IBSI aggregation)
  --format F      csv (default; columns name, ibsi_tag, value, reason) or json`;

export const options = {
  image: { type: 'string' },
  mask: { type: 'string' },
  label: { type: 'string' },
  params: { type: 'string' },
  mode: { type: 'string', default: 'pyradiomics' },
  format: { type: 'string', default: 'csv' },
};

function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(features) {
  const lines = ['name,ibsi_tag,value,reason'];
  for (const f of features) lines.push([f.name, f.ibsiTag, f.value, f.reason].map(csvField).join(','));
  return lines.join('\n') + '\n';
}

export function readParams(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the parameter file (${error.code ?? error.message})`);
  }
}

// The extraction itself, on volumes already loaded (gliolens batch loads a case's volumes once for
// all its regions): its errors name the parameter file or the image and mask.
export function extractLoaded(core, { imageId, maskId, image, mask, labelOptions, mode, params, paramsPath }) {
  try {
    return core.features(imageId, maskId, { ...labelOptions, mode, params });
  } catch (error) {
    if (paramsPath && /^parameter file: /.test(error.message)) error.message = `${paramsPath}: ${error.message}`;
    else error.message = `${image} / ${mask}: ${error.message}`;
    throw error;
  }
}

export function run({ core, values, positionals }) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.image) throw new UsageError('give the image: --image IMG');
  if (!values.mask) throw new UsageError('give the mask: --mask MASK');
  if (!['ibsi', 'pyradiomics'].includes(values.mode)) throw new UsageError(`--mode must be ibsi or pyradiomics, not "${values.mode}"`);
  if (!['csv', 'json'].includes(values.format)) throw new UsageError(`--format must be csv or json, not "${values.format}"`);
  const labelOptions = parseLabels(values.label);
  const params = values.params ? readParams(values.params) : undefined;
  const image = core.load(values.image);
  const mask = core.load(values.mask);
  let result;
  try {
    result = extractLoaded(core, {
      imageId: image.id, maskId: mask.id, image: values.image, mask: values.mask, labelOptions, mode: values.mode, params, paramsPath: values.params,
    });
  } finally {
    core.release(image.id);
    core.release(mask.id);
  }
  if (values.format === 'csv') return toCsv(result.features);
  return {
    image: values.image,
    mask: values.mask,
    labels: result.labels,
    mode: result.mode,
    params: values.params ?? null,
    warnings: result.warnings,
    features: result.features.map((f) => ({ name: f.name, ibsi_tag: f.ibsiTag, value: f.value, reason: f.reason })),
  };
}
