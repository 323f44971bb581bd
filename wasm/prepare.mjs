// The Prepare flow's steps on volumes already loaded in the core (issue 29, docs/prepare.md), shared by the CLI
// (cli/prepare.mjs, which loads the files and writes the results) and the page's Worker (web/src/worker.js): brain
// extraction of the T1c (or a brain mask the caller gives); T1, T2 and FLAIR rigidly onto the T1c; the T1c (read through
// its brain mask) rigidly onto the SRI24 template, as BraTS places its cases (affinely on request); each sequence
// resampled once onto the template's grid through its composed matrix and stripped by the brain mask carried there. No file system, no network runtime: the brain-extraction network is injected
// (`runBrainNetwork(tensor, dims)`), so Node and the browser each run it their own way.
export const sequences = ['t1', 't1ce', 't2', 'flair'];

// The steps in order, as `onStep` names them; `timing` is the summary's seconds key the step counts under.
export const STEPS = [
  { id: 'brainExtraction', timing: 'brainExtraction', label: 'Brain extraction of the T1c' },
  { id: 't1->t1ce', timing: 'registerToT1c', label: 'T1 onto the T1c (rigid)' },
  { id: 't2->t1ce', timing: 'registerToT1c', label: 'T2 onto the T1c (rigid)' },
  { id: 'flair->t1ce', timing: 'registerToT1c', label: 'FLAIR onto the T1c (rigid)' },
  { id: 't1ce->sri24', timing: 'registerToTemplate', label: 'T1c onto the SRI24 template' },
  { id: 'resample', timing: 'resample', label: 'Resampling onto the SRI24 grid and stripping' },
];

const SEQUENCE_NAMES = { t1: 'T1', t1ce: 'T1c', t2: 'T2', flair: 'FLAIR' };

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

// Warnings of a registration that say its result is probably wrong (core/registration/registration.cpp), not merely
// that the images cover different slabs or the optimiser ran to its limit.
export function looksWrong(warning) {
  return /probably failed|check the overlay/.test(warning);
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

function cancelledError() {
  return Object.assign(new Error('prepare cancelled'), { name: 'CancelledError' });
}

// How the T1c is laid on the template. Rigid is the default because BraTS space is a rigid one: its cases keep their own
// brain sizes (the 14 shared BraTS brains span 1,284-1,729 mL, extents varying 2-4 %, around the template's 1,452 mL),
// so an affine fit that scales a patient's brain to the template's shows the network brains unlike its training data
// and places the tumour where BraTS's labels would not (docs/prepare.md: TCGA-FG-6692's whole-tumour Dice).
export const ATLAS_TRANSFORMS = ['rigid', 'affine'];

// Below this Dice between the T1c's brain mask carried onto the template and the template's brain, the T1c -> SRI24
// registration is called probably wrong. A right one gives 0.93-0.94 on TCGA-FG-6692 (MindGrab's mask, the reference
// mask; a patient's brain differs in size and shape from the template's); the template's own brain against itself moved scores 0.94 at 5 mm, 0.88 at
// 10 mm, 0.77 at 20 mm and 0.70-0.73 turned 10 degrees about the world origin, so a patient's brain off by a
// centimetre or more falls under it.
export const MIN_TEMPLATE_BRAIN_DICE = 0.85;

// Runs the steps on loaded volumes. scans: {t1, t1ce, t2, flair} ids; names: the same roles' file names, for messages
// (default the sequence's name); templateId: the loaded SRI24 T1 brain template; atlasTransform: 'rigid' (default) or
// 'affine' for the T1c onto the template; brainMaskId: a loaded brain mask on the T1c's grid (from another tool) to use
// instead of running the brain-extraction network (the caller keeps it; it is returned as ids.brainMask). onStep(id) hears each step of STEPS
// as it starts; shouldStop() (may be async) is asked before each, and a stop throws an Error named CancelledError after
// releasing what the flow made. Returns {ids (the volumes it made, the caller releases them: brainMask on the T1c's
// grid, brainMaskSri24, t1, t1ce, t2, flair in SRI24), inputs ({...scans, template}), matrices ({templateToT1c: template
// world -> T1c world, toT1c: {t1, t2, flair}: T1c world -> that sequence's world}), brain ({voxels, mL, networkInput}),
// registrations (each pair's summary; t1ce->sri24's also templateBrainDice: the Dice of brainMaskSri24 against the
// template's brain), warnings, seconds (by STEPS' timing keys), stepSeconds (by step id)}.
export async function prepareLoaded(core, { scans, names = {}, templateId, brainManifest, brainSource, runBrainNetwork,
  atlasTransform = 'rigid', brainMaskId = null, onStep = () => {}, shouldStop = () => false }) {
  const name = (role) => names[role] ?? SEQUENCE_NAMES[role];
  const missing = sequences.filter((role) => scans?.[role] === undefined || scans[role] === null);
  if (missing.length) throw new Error(`${missing.map((r) => SEQUENCE_NAMES[r]).join(', ')} missing: Prepare needs T1, T1c, T2 and FLAIR`);
  if (templateId === undefined || templateId === null) throw new Error('no SRI24 template loaded');
  if (!ATLAS_TRANSFORMS.includes(atlasTransform)) throw new Error(`atlas transform "${atlasTransform}" is not one of ${ATLAS_TRANSFORMS.join(', ')}`);
  const ids = {};
  const seconds = {};
  const stepSeconds = {};
  const warnings = [];
  const registrations = {};
  const toT1c = {};
  const step = async (id, work) => {
    if (await shouldStop()) throw cancelledError();
    onStep(id);
    const started = performance.now();
    const result = await work();
    const took = (performance.now() - started) / 1000;
    const { timing } = STEPS.find((s) => s.id === id);
    stepSeconds[id] = Number(took.toFixed(3));
    seconds[timing] = Number(((seconds[timing] ?? 0) + took).toFixed(3));
    return result;
  };
  try {
    const brain = await step('brainExtraction', async () => {
      if (brainMaskId !== null) return givenBrainMask(core, brainMaskId, scans.t1ce, name('t1ce'));
      const result = await core.extractBrain(scans.t1ce, { manifest: brainManifest, source: brainSource, runNetwork: runBrainNetwork });
      ids.brainMask = result.id;
      return result;
    });
    if (!brain.voxels) {
      throw new Error(brain.given ? `${name('t1ce')}: the brain mask given is empty`
        : `${name('t1ce')}: brain extraction found no brain in this scan (is it a head MRI?)`);
    }

    for (const role of ['t1', 't2', 'flair']) {
      await step(`${role}->t1ce`, () => {
        const result = registered(() => core.register(scans.t1ce, scans[role], { fixedMaskId: brain.id }), `${name(role)} onto ${name('t1ce')}`);
        toT1c[role] = result.matrix;
        registrations[`${role}->t1ce`] = registrationSummary(result);
        warnings.push(...result.warnings.map((w) => `${role} -> t1ce: ${w}`));
      });
    }
    const templateToT1c = await step('t1ce->sri24', () => {
      const result = registered(() => core.register(templateId, scans.t1ce, { affine: atlasTransform === 'affine', init: 'moments', movingMaskId: brain.id }),
        `${name('t1ce')} onto the SRI24 template`);
      registrations['t1ce->sri24'] = registrationSummary(result);
      warnings.push(...result.warnings.map((w) => `t1ce -> sri24: ${w}`));
      return result.matrix;
    });

    await step('resample', () => {
      ids.brainMaskSri24 = core.resampleThrough(brain.id, templateId, templateToT1c, { interp: 'nearest' });
      for (const role of sequences) {
        // Template world -> T1c world -> this sequence's world: one interpolation from the raw voxels.
        const matrix = role === 't1ce' ? templateToT1c : multiply(toT1c[role], templateToT1c);
        const placed = core.resampleThrough(scans[role], templateId, matrix);
        try {
          ids[role] = core.stripBrain(placed, ids.brainMaskSri24);
        } finally {
          core.release(placed);
        }
      }
    });
    // The T1c's brain carried onto the template against the template's own brain: one number for the registration a
    // clinician can read (0.93 on TCGA-FG-6692 with MindGrab's mask), and a warning in looksWrong's words when it is low.
    const toTemplate = registrations['t1ce->sri24'];
    toTemplate.templateBrainDice = core.templateBrainDice(ids.brainMaskSri24, templateId);
    if (toTemplate.templateBrainDice < MIN_TEMPLATE_BRAIN_DICE) {
      const warning = `the brain carried onto the template covers the template's brain with Dice ${toTemplate.templateBrainDice.toFixed(2)} `
        + `(below ${MIN_TEMPLATE_BRAIN_DICE}): the registration probably failed; check the overlay`;
      toTemplate.warnings = [...toTemplate.warnings, warning];
      warnings.push(`t1ce -> sri24: ${warning}`);
    }
    return {
      ids: { ...ids, brainMask: brain.id },
      inputs: { ...scans, template: templateId },
      matrices: { templateToT1c, toT1c },
      brain: { voxels: brain.voxels, mL: brain.mL, ...(brain.given ? { given: true } : { networkInput: brain.boxSize }) },
      registrations,
      warnings,
      seconds,
      stepSeconds,
    };
  } catch (error) {
    for (const id of new Set(Object.values(ids))) core.release(id);
    throw error;
  }
}

// A brain mask given for the T1c: checked against its grid (stripping it is the core's check), counted like the network's.
function givenBrainMask(core, maskId, t1ceId, t1ceName) {
  try {
    core.release(core.stripBrain(t1ceId, maskId));
  } catch (error) {
    throw Object.assign(new Error(`${t1ceName}: the brain mask given is not on its grid (${error.message})`), { name: error.name });
  }
  const labels = core.labelVolumes(maskId);
  return { id: maskId, voxels: labels.reduce((n, l) => n + l.voxels, 0), mL: labels.reduce((n, l) => n + l.mL, 0), boxSize: null, given: true };
}

// A registration whose core error names the pair it was registering.
function registered(run, pair) {
  try {
    return run();
  } catch (error) {
    throw Object.assign(new Error(`${pair}: registration failed: ${error.message}`), { name: error.name });
  }
}

// Labels segmented in SRI24 space (on the prepared sequences) carried back onto the raw T1c's own grid through the
// inverse of the T1c -> template matrix, nearest neighbour: the new volume's id. prepared: prepareLoaded's result (or
// {inputs: {t1ce}, matrices: {templateToT1c}}).
export function labelsOnT1cGrid(core, prepared, labelsSri24Id) {
  return core.resampleThrough(labelsSri24Id, prepared.inputs.t1ce, invertAffine(prepared.matrices.templateToT1c), { interp: 'nearest' });
}
