// The Prepare flow (issue 29, docs/prepare.md): four raw scans (NIfTI files or DICOM folders, any grids, not
// registered, not stripped) -> the four sequences in SRI24 space (the template's 240 x 240 x 155, 1 mm grid), stripped,
// as the tumour network knows them. Steps: DICOM conversion; brain extraction of the T1c; T1, T2 and FLAIR rigidly onto
// the T1c; the T1c (read through its brain mask) affinely onto the template; each sequence resampled once through its
// composed matrix; the brain mask carried into SRI24 (nearest) strips them. The steps on loaded volumes are
// wasm/prepare.mjs's, which the page's Worker runs too; here the files are loaded (DICOM folders converted) and written.
// The brain-extraction network runs through an injected `runBrainNetwork(tensor, dims)`, so the CLI runs ONNX Runtime
// Web and a test can run the native engine.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { convertDicomFolder } from '../wasm/dicom-node.mjs';
import { sameGrid } from '../wasm/gliolens.mjs';
import { prepareLoaded, sequences } from '../wasm/prepare.mjs';
import { sharedDataTemplate } from './shared-data.mjs';
import { transformText } from './transform-text.mjs';

export { invertAffine, labelsOnT1cGrid, multiply, sequences } from '../wasm/prepare.mjs';

// The SRI24 template is CC BY-SA and not in the repository: the shared reference data's copy when there is one.
export { sharedDataTemplate } from './shared-data.mjs';

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

// Runs the whole flow. inputs: {t1, t1ce, t2, flair} paths; out: a folder (or null to write nothing); template: the SRI24
// T1 brain template; atlasTransform: 'rigid' (default) or 'affine'; brainMask: a brain mask file on the T1c's grid to use
// instead of the brain-extraction network (it must match the T1c's header: dims and affine). Returns {ids (loaded volumes: sri24 sequences, masks, the raw scans, the template), inputs (the raw
// scans' and the template's ids), matrices, summary}; the caller releases the ids (releasePrepared).
export async function prepare(core, { inputs, out = null, template = sharedDataTemplate(), brainManifest, brainSource, runBrainNetwork,
  atlasTransform = 'rigid', brainMask = null }) {
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
  if (brainMask) {
    try {
      ids.brainMask = loadBrainMask(core, resolve(brainMask), scans.t1ce);
    } catch (error) {
      for (const id of Object.values(ids)) core.release(id);
      throw error;
    }
  }

  let flow;
  try {
    flow = await prepareLoaded(core, {
      scans: Object.fromEntries(sequences.map((role) => [role, scans[role].id])),
      names: inputs,
      templateId,
      brainManifest,
      brainSource,
      runBrainNetwork,
      atlasTransform,
      brainMaskId: ids.brainMask ?? null,
    });
  } catch (error) {
    for (const id of Object.values(ids)) core.release(id);
    throw error;
  }
  Object.assign(ids, flow.ids);
  Object.assign(seconds, flow.seconds);
  warnings.push(...flow.warnings);
  const { templateToT1c, toT1c } = flow.matrices;
  const { registrations, brain } = flow;

  const files = {};
  if (out) {
    await timed('write', () => {
      mkdirSync(out, { recursive: true });
      for (const role of sequences) core.saveVolume(ids[role], files[role] = join(out, `${role}.nii.gz`), 'float32');
      core.saveVolume(ids.brainMask, files.brainMask = join(out, 'brain_mask_t1ce.nii.gz'), 'uint8');
      core.saveVolume(ids.brainMaskSri24, files.brainMaskSri24 = join(out, 'brain_mask.nii.gz'), 'uint8');
      const write = (name, matrix, kind, fixed, moving) => writeFileSync(files[name] = join(out, `${name}.txt`), transformText(matrix, { kind, fixed, moving }));
      write('t1ce_to_sri24', templateToT1c, registrations['t1ce->sri24'].kind, basename(template), inputs.t1ce);
      for (const role of ['t1', 't2', 'flair']) write(`${role}_to_t1ce`, toT1c[role], 'rigid', inputs.t1ce, inputs[role]);
    });
  }
  return {
    ids,
    inputs: flow.inputs,
    matrices: flow.matrices,
    summary: {
      inputs: Object.fromEntries(sequences.map((r) => [r, resolve(inputs[r])])),
      template: resolve(template),
      ...(out ? { output: resolve(out), files } : {}),
      brain,
      registrations,
      warnings,
      seconds: { ...seconds, total: Object.values(seconds).reduce((a, b) => a + b, 0) },
      stepSeconds: flow.stepSeconds,  // each step of wasm/prepare.mjs's STEPS by its id (seconds sums the three rigid ones)
    },
  };
}

// A brain mask file for the T1c, refused by name unless it lies on the T1c's grid (dims and affine within 1e-3 mm).
function loadBrainMask(core, path, t1ce) {
  if (!existsSync(path)) throw new Error(`${path}: no such file (--brain-mask)`);
  const { id, header } = core.load(path);
  if (!sameGrid(header, t1ce.header)) {
    core.release(id);
    throw new Error(`${path}: the brain mask is not on the T1c's grid (${header.dims.slice(0, 3).join('x')} against ${t1ce.header.dims.slice(0, 3).join('x')}, or another affine); give a mask of ${t1ce.source}`);
  }
  return id;
}

export function releasePrepared(core, prepared) {
  for (const id of new Set(Object.values(prepared.ids))) core.release(id);
}
