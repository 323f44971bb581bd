// The FLAIR-only model: the bundled one (models/flair_seg, served beside the page as the tumour model is) or the
// user's own; its manifest, checked by the core, what it is and how good it was in cross-validation, and a run of it
// in the Worker on a loaded FLAIR. The segment panel runs it on a case with FLAIR but not all four sequences; the
// growth panel on a second FLAIR scan.
const MODEL_DIR = 'models/flair_seg/';
const MANIFEST_FORMAT = 'gliolens-flair-manifest/1';

// Whether a manifest's text says it is a FLAIR-only model's (its `format`); the core's reader checks the rest.
export function isFlairManifest(text) {
  try {
    return JSON.parse(text)?.format === MANIFEST_FORMAT;
  } catch {
    return false;  // not JSON: the reader the caller falls back on says so
  }
}

// "flair_abnormality_2d 1.0.0": the model's name and version (the page says which model ran with it).
export function flairModelName(manifest) {
  return `${manifest.name} ${manifest.version}`;
}

// "cross-validated Dice 0.86 (lgg_flair, 64 patients), 0.88 (brats2018, 14 patients), 5 folds", from the manifest's
// validation section (mean Dice over patients, out of fold); '' when the manifest has none. A cross-validation still
// under way (folds_scored: the folds whose patients were scored) says how many of its folds the numbers cover.
export function flairValidationSummary(manifest) {
  const validation = manifest.validation?.cross_validated;
  if (!validation) return '';
  const sources = Object.entries(validation)
    .filter(([source, s]) => source !== 'all' && Number.isFinite(s?.mean_dice))
    .map(([source, s]) => `${s.mean_dice.toFixed(2)} (${source}${s.patients ? `, ${s.patients} patients` : ''})`);
  if (!sources.length) return '';
  const scored = Array.isArray(validation.folds_scored) ? validation.folds_scored.length : null;
  const folds = scored !== null && validation.folds ? `, ${scored} of ${validation.folds} folds scored so far`
    : validation.folds ? `, ${validation.folds} folds` : '';
  return `cross-validated Dice ${sources.join(', ')}${folds}`;
}

// "TCGA_CS_4942_gliolens_flair_seg.nii.gz": the name of the FLAIR-only model's mask of the FLAIR file `flairName`, the
// sequence's part of the name (_flair, _t2_flair) dropped: the mask is the case's.
export function flairMaskName(flairName) {
  const caseName = flairName.replace(/([_-]?(t2)?[_-]?flair)?\.nii(\.gz)?$/i, '') || 'case';
  return `${caseName}_gliolens_flair_seg.nii.gz`;
}

export class FlairModel {
  #core;
  #manifest = null;
  #backend;
  #own = null;  // the user's model: {manifest, source, url, bytes}

  // backend(): the backend the page's user chose (auto, webgpu or wasm), for runs that name none (the growth panel's).
  constructor(core, { backend = () => 'auto' } = {}) {
    this.#core = core;
    this.#backend = backend;
  }

  // The bundled manifest, read once; an Error saying what is wrong when it is missing or invalid.
  manifest() {
    this.#manifest ??= (async () => {
      const url = new URL('manifest.json', new URL(MODEL_DIR, location.href));
      const response = await fetch(url);
      if (!response.ok) throw new Error(`the bundled FLAIR model's manifest is missing (${MODEL_DIR}manifest.json: ${response.status})`);
      return this.#core.readFlairManifest(await response.text(), `${MODEL_DIR}manifest.json`);
    })();
    this.#manifest.catch(() => { this.#manifest = null; });
    return this.#manifest;
  }

  // The user's own FLAIR-only model, run from now on instead of the bundled one: manifest (read by the core's reader),
  // source (its file name, for errors), url (the Worker keeps networks by it: one per choice) and bytes (the network).
  useOwn(model) {
    this.#own = model;
  }

  // Which model runs now ('bundled', or the user's model's url): a mask made by one is not another's.
  get key() {
    return this.#own?.url ?? 'bundled';
  }

  // Segments loaded FLAIR `id` in the Worker with the model chosen when it starts; the label volume's .nii.gz is named
  // `name`; `backend` auto, webgpu or wasm (default: the page's choice). Returns {promise, cancel} (the promise as
  // CoreClient.segmentFlair's, with `manifest` added); `onStep(text)` hears the progress.
  run({ id, name, backend = this.#backend() }, onStep = () => {}) {
    let running = null;
    let cancelRequested = false;
    const own = this.#own;
    const promise = (async () => {
      const manifest = own?.manifest ?? await this.manifest();
      const model = own ?? { source: `${MODEL_DIR}manifest.json`, url: new URL(manifest.model.file, new URL(MODEL_DIR, location.href)).href, bytes: null };
      running = this.#core.segmentFlair({ id, manifest, source: model.source, modelUrl: model.url, modelBytes: model.bytes, backend, name },
        ({ step }) => onStep(step));
      if (cancelRequested) running.cancel();
      return { ...(await running.promise), manifest };
    })();
    return {
      promise,
      cancel: () => {
        cancelRequested = true;
        return running?.cancel();
      },
    };
  }
}
