// The Prepare flow (issue 29, docs/prepare.md): four raw scans (NIfTI files or DICOM folders, any grids, not
// registered, not stripped) -> the four sequences in SRI24 space (the template's 240 x 240 x 155, 1 mm grid), stripped,
// as the tumour network knows them. Steps: DICOM conversion; brain extraction of the T1c; T1, T2 and FLAIR rigidly onto
// the T1c; the T1c (read through its brain mask) affinely onto the template; each sequence resampled once through its
// composed matrix; the brain mask carried into SRI24 (nearest) strips them. The brain-extraction network runs through
// an injected `runBrainNetwork(tensor, dims)`, so the CLI runs ONNX Runtime Web and a test can run the native engine.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { convertDicomFolder } from '../wasm/dicom-node.mjs';
import { transformText } from './transform-text.mjs';

export const sequences = ['t1', 't1ce', 't2', 'flair'];

// The SRI24 template is CC BY-SA and not in the repository: the shared reference data's copy when there is one.
export function sharedDataTemplate() {
  const data = process.env.GLIOLENS_SHARED_DATA ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
  const path = join(data, 'atlas', 'sri24', 'sri24_t1_brain.nii.gz');
  return existsSync(path) ? path : null;
}

// Rows of a 4x4 product a * b (both rows).
export function multiply(a, b) {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, v, k) => sum + v * b[k][j], 0)));
}

// The inverse of an affine 4x4 (rows, last row 0 0 0 1).
export function invertAffine(m) {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('transform cannot be inverted (singular matrix)');
  const r = [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
  const t = [m[0][3], m[1][3], m[2][3]];
  return [
    ...r.map((row) => [...row, -(row[0] * t[0] + row[1] * t[1] + row[2] * t[2])]),
    [0, 0, 0, 1],
  ];
}

// A NIfTI file as given, or a DICOM folder converted (it must hold exactly one series): {id, header, source, warnings}.
export async function loadScan(core, path, role) {
  if (!existsSync(path)) throw new Error(`${path}: no such file or folder (--${role})`);
  if (!statSync(path).isDirectory()) {
    const { id, header } = core.load(path);
    return { id, header, source: path, warnings: [] };
  }
  const { series, warnings } = await convertDicomFolder(path);
  if (series.length !== 1) {
    throw new Error(`${path}: ${series.length === 0 ? 'no DICOM series' : `${series.length} DICOM series (${series.map((s) => s.description || s.name).join(', ')})`} ` +
                    `in the --${role} folder; give a folder with exactly one series (gliolens dicom lists and converts them)`);
  }
  const [only] = series;
  const { id, header } = core.loadBytes(`${role}_${only.name}`, only.nifti);
  return { id, header, source: path, warnings: [...warnings, ...only.warnings] };
}

function registrationSummary(result) {
  return {
    kind: result.kind,
    normalizedMutualInformation: result.normalizedMutualInformation,
    mutualInformation: result.mutualInformation,
    initialMutualInformation: result.initialMutualInformation,
    overlap: result.overlap,
    converged: result.converged,
    warnings: result.warnings,
  };
}

// Runs the whole flow. inputs: {t1, t1ce, t2, flair} paths; out: a folder (or null to write nothing); template: the SRI24
// T1 brain template. Returns {ids (loaded volumes: sri24 sequences, masks, the T1c), matrices, summary}; the caller
// releases the ids.
export async function prepare(core, { inputs, out = null, template = sharedDataTemplate(), brainManifest, brainSource, runBrainNetwork }) {
  if (!template || !existsSync(template)) {
    throw new Error(`${template ?? 'SRI24 template'}: SRI24 T1 brain template not found; give it with --template FILE (sri24_t1_brain.nii.gz)`);
  }
  const seconds = {};
  const warnings = [];
  const timed = async (step, work) => {
    const started = performance.now();
    const result = await work();
    seconds[step] = Number(((performance.now() - started) / 1000).toFixed(3));
    return result;
  };
  const ids = {};
  const scans = await timed('load', async () => {
    const loaded = {};
    for (const role of sequences) {
      loaded[role] = await loadScan(core, resolve(inputs[role]), role);
      warnings.push(...loaded[role].warnings.map((w) => `${role}: ${w}`));
    }
    return loaded;
  });
  const templateId = core.load(resolve(template)).id;
  ids.template = templateId;
  for (const role of sequences) ids[`raw_${role}`] = scans[role].id;

  const brain = await timed('brainExtraction', () =>
    core.extractBrain(scans.t1ce.id, { manifest: brainManifest, source: brainSource, runNetwork: runBrainNetwork }));
  ids.brainMask = brain.id;

  const registrations = {};
  const toT1c = {};
  await timed('registerToT1c', async () => {
    for (const role of ['t1', 't2', 'flair']) {
      const result = core.register(scans.t1ce.id, scans[role].id, { fixedMaskId: brain.id });
      toT1c[role] = result.matrix;
      registrations[`${role}->t1ce`] = registrationSummary(result);
      warnings.push(...result.warnings.map((w) => `${role} -> t1ce: ${w}`));
    }
  });
  const templateToT1c = await timed('registerToTemplate', () => {
    const result = core.register(templateId, scans.t1ce.id, { affine: true, init: 'moments', movingMaskId: brain.id });
    registrations['t1ce->sri24'] = registrationSummary(result);
    warnings.push(...result.warnings.map((w) => `t1ce -> sri24: ${w}`));
    return result.matrix;
  });

  await timed('resample', () => {
    ids.brainMaskSri24 = core.resampleThrough(brain.id, templateId, templateToT1c, { interp: 'nearest' });
    for (const role of sequences) {
      // Template world -> T1c world -> this sequence's world: one interpolation from the raw voxels.
      const matrix = role === 't1ce' ? templateToT1c : multiply(toT1c[role], templateToT1c);
      const placed = core.resampleThrough(scans[role].id, templateId, matrix);
      ids[role] = core.stripBrain(placed, ids.brainMaskSri24);
      core.release(placed);
    }
  });

  const files = {};
  if (out) {
    await timed('write', () => {
      mkdirSync(out, { recursive: true });
      for (const role of sequences) core.saveVolume(ids[role], files[role] = join(out, `${role}.nii.gz`), 'float32');
      core.saveVolume(brain.id, files.brainMask = join(out, 'brain_mask_t1ce.nii.gz'), 'uint8');
      core.saveVolume(ids.brainMaskSri24, files.brainMaskSri24 = join(out, 'brain_mask.nii.gz'), 'uint8');
      const write = (name, matrix, kind, fixed, moving) => writeFileSync(files[name] = join(out, `${name}.txt`), transformText(matrix, { kind, fixed, moving }));
      write('t1ce_to_sri24', templateToT1c, 'affine', basename(template), inputs.t1ce);
      for (const role of ['t1', 't2', 'flair']) write(`${role}_to_t1ce`, toT1c[role], 'rigid', inputs.t1ce, inputs[role]);
    });
  }
  return {
    ids,
    matrices: { templateToT1c, toT1c },
    summary: {
      inputs: Object.fromEntries(sequences.map((r) => [r, resolve(inputs[r])])),
      template: resolve(template),
      ...(out ? { output: resolve(out), files } : {}),
      brain: { voxels: brain.voxels, mL: brain.mL, networkInput: brain.boxSize },
      registrations,
      warnings,
      seconds: { ...seconds, total: Object.values(seconds).reduce((a, b) => a + b, 0) },
    },
  };
}

// Labels segmented in SRI24 space (on the prepared sequences) carried back onto the raw T1c's own grid through the
// inverse of the T1c -> template matrix, nearest neighbour: the new volume's id.
export function labelsOnT1cGrid(core, prepared, labelsSri24Id) {
  return core.resampleThrough(labelsSri24Id, prepared.ids.raw_t1ce, invertAffine(prepared.matrices.templateToT1c), { interp: 'nearest' });
}

export function releasePrepared(core, prepared) {
  for (const id of new Set(Object.values(prepared.ids))) core.release(id);
}
