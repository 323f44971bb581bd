// One case of gliolens batch, step by step, with the single-case verbs' own code: `gliolens segment`
// where the row has no seg, the extraction of `gliolens features` for each region x modality (or the
// row's one Image/Mask pair), `gliolens descriptors` of the seg, `gliolens predict` on the row's
// numbers, the seg's volumes and the descriptors.
// Returns the case's output columns in order: {columns: [[name, value], ...], heapBytes}.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { descriptorsOf } from '../commands/descriptors.mjs';
import { extractLoaded } from '../commands/features.mjs';
import { run as predictVerb } from '../commands/predict.mjs';
import { run as segmentVerb } from '../commands/segment.mjs';
import { parseLabels } from '../labels.mjs';
import { descriptorNameOf, volumeInputs } from '../../wasm/gliolens.mjs';
import { featureColumns, gliolensValues } from './row.mjs';


function loaded(core, path, opened) {
  const volume = core.load(path);
  opened.push(volume.id);
  return volume.id;
}

function extracted(core, { imageId, maskId, image, mask, labelOptions, plan }) {
  return extractLoaded(core, { imageId, maskId, image, mask, labelOptions, mode: plan.mode, params: plan.params, paramsPath: plan.paramsPath });
}

async function segmentRow(core, kase, plan) {
  if (!plan.steps.includes('segment')) throw new Error('no seg given and the segment step is off (--steps)');
  const missing = ['t1', 't1ce', 't2', 'flair'].filter((m) => !kase.paths[m]);
  if (missing.length) throw new Error(`no seg given, and segmenting needs ${missing.join(', ')}`);
  mkdirSync(plan.segDir, { recursive: true });
  const out = join(plan.segDir, `${kase.id}_seg.nii.gz`);
  const result = await segmentVerb({ core, values: { ...kase.paths, out, model: plan.segModel, threads: '1' } });
  return { seg: out, model: `${result.model.name} ${result.model.version}` };
}

function predictionColumns(core, segId, kase, plan, columns, descriptors) {
  const features = {};
  for (const [name, text] of Object.entries(kase.extra)) if (text !== undefined && text !== '' && Number.isFinite(Number(text))) features[name] = Number(text);
  const descriptorValue = new Map(descriptors.filter((d) => typeof d.value === 'number').map((d) => [d.name, d.value]));
  for (const [name, value] of descriptorValue) if (!(name in features)) features[name] = value;
  for (const input of plan.modelInputs ?? []) {
    if (!(input in features) && descriptorValue.has(descriptorNameOf(input))) features[input] = descriptorValue.get(descriptorNameOf(input));
  }
  if (segId !== null) {
    for (const [name, mL] of Object.entries(volumeInputs(core.labelVolumes(segId)))) if (!(name in features)) features[name] = mL;
  }
  const p = predictVerb({ core, positionals: [], values: { model: plan.modelPath, features: JSON.stringify(features), times: plan.times, curve: false, confidence: '0.95' } });
  for (const [key, value] of Object.entries(p)) {
    if (['model', 'kind', 'outcome', 'time_unit', 'warnings', 'survival_at'].includes(key)) continue;
    columns.push([`predict_${key}`, value]);
  }
  for (const s of p.survival_at ?? []) {
    for (const key of ['survival', 'lower', 'upper']) columns.push([`predict_${key}_${s.time}`, s[key]]);
  }
  return p.warnings ?? [];
}

export async function runCase(core, kase, plan) {
  const opened = [];
  const columns = [];
  const notes = [];
  let segmentation = '';
  try {
    if (plan.form === 'pyradiomics') {
      const { Image: image, Mask: mask } = kase.paths;
      if (!image || !mask) throw new Error('the row needs both Image and Mask');
      const labelOptions = parseLabels(kase.label ?? plan.label);
      featureColumns(extracted(core, { imageId: loaded(core, image, opened), maskId: loaded(core, mask, opened), image, mask, labelOptions, plan }), '', columns, notes);
    } else {
      let seg = kase.paths.seg;
      if (!seg) ({ seg, model: segmentation } = await segmentRow(core, kase, plan));
      const segId = loaded(core, seg, opened);
      const descriptors = await gliolensValues(plan, {
        openImage: (modality) => {
          if (!kase.paths[modality]) throw new Error(`no ${modality} given`);
          return loaded(core, kase.paths[modality], opened);
        },
        release: (id) => {
          opened.splice(opened.indexOf(id), 1);
          core.release(id);
        },
        extract: (imageId, modality, region) => extracted(core, {
          imageId, maskId: segId, image: kase.paths[modality], mask: seg, labelOptions: parseLabels(region.labels), plan,
        }),
        descriptors: () => descriptorsOf(core, seg).descriptors,
      }, columns, notes);
      if (plan.steps.includes('predict')) notes.push(...predictionColumns(core, segId, kase, plan, columns, descriptors).map((w) => `predict: ${w}`));
    }
    return { columns, segmentation, notes: notes.join('; '), heapBytes: core.heapBytes };
  } finally {
    for (const id of opened) core.release(id);
    // A job runs case after case in one core: a volume a step forgot to release would pile up until the WASM heap's
    // 4 GiB ran out hundreds of cases later, so it fails the case now, naming the leak.
    if (core.loadedCount !== 0) throw new Error(`internal error: ${core.loadedCount} volume(s) still loaded after the case`);
  }
}
