// The JavaScript face of the WASM core: one object, a handful of verbs. Used by the browser's
// Worker (files arrive as bytes and pass through the in-memory file system) and by the Node CLI
// (files are read from their real paths).

// ONNX Runtime's own errors, reworded with the model's name: the CLI and the page's Worker run networks with
// different ONNX Runtime builds, and say the same when one fails.
export function networkLoadError(modelName, error) {
  return new Error(`${modelName}: ONNX Runtime cannot load this model (${error.message})`);
}

export function networkRunError(modelName, dims, error) {
  return new Error(`${modelName}: the network failed on an input of shape [${dims.join(', ')}] (${error.message})`);
}

// Whether two headers (load()'s or header()'s: dims, affine rows) describe the same voxel grid: the same three spatial
// dims and voxel-to-world affines within 1e-3 mm (the tolerance compareGrids uses by default).
export function sameGrid(a, b) {
  if (a.dims.slice(0, 3).join() !== b.dims.slice(0, 3).join()) return false;
  return a.affine.every((row, r) => row.every((v, c) => Math.abs(v - b.affine[r][c]) < 1e-3));
}

// The models' volume inputs (mL) from a segmentation's BraTS label volumes ([{label, mL}], as labelVolumes gives
// them): the page's survival panel and gliolens batch fill a model's volume features the same way.
export const VOLUME_INPUTS = { ncr_ml: [1], ed_ml: [2], et_ml: [4], tc_ml: [1, 4], wt_ml: [1, 2, 4] };

export function volumeInputs(labelVolumes) {
  const mL = new Map(labelVolumes.map((l) => [l.label, l.mL]));
  return Object.fromEntries(Object.entries(VOLUME_INPUTS).map(([name, labels]) => [name, labels.reduce((sum, l) => sum + (mL.get(l) ?? 0), 0)]));
}

// The descriptor a model input reads: a PyRadiomics-named input (original_shape_<Feature>, as PyRadiomics names the
// column of the one mask it was given) is the whole tumour's, WT_original_shape_<Feature>; any other is its own name.
// The page, gliolens batch and the model-fitting scripts map model inputs to descriptors the same way.
export function descriptorNameOf(modelInput) {
  return modelInput.startsWith('original_shape_') ? `WT_${modelInput}` : modelInput;
}

// The descriptors' CSV (`gliolens descriptors --format csv` and the page's download): a header, then one row (ID,
// each descriptor's value, empty where it has none).
export function descriptorsCsv(id, descriptors) {
  const field = (value) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = ['ID', ...descriptors.map((d) => d.name)].map(field).join(',');
  const row = [id, ...descriptors.map((d) => d.value)].map(field).join(',');
  return `${header}\n${row}\n`;
}

export class Gliolens {
  #module;
  #session;
  #scratch = 0;

  constructor(module) {
    this.#module = module;
    this.#session = new module.Session();
  }

  // Loads a NIfTI file by path. Returns {id, name, header, warnings}; throws an Error naming the file.
  load(path, name = path) {
    return this.#session.load(path, name);
  }

  // Loads NIfTI bytes (browser): they pass through the module's in-memory file system and are
  // removed from it at once, so memory holds only the decoded volume.
  loadBytes(name, bytes) {
    const path = this.#scratchPath(name);
    this.#module.FS.writeFile(path, bytes);
    try {
      return this.load(path, name);
    } finally {
      this.#module.FS.unlink(path);
    }
  }

  header(path) {
    return this.#session.header(path);
  }

  headerOfBytes(name, bytes) {
    const path = this.#scratchPath(name);
    this.#module.FS.writeFile(path, bytes);
    try {
      return this.header(path);
    } finally {
      this.#module.FS.unlink(path);
    }
  }

  // Volume in mL of each non-zero label of a loaded segmentation: [{label, voxels, mL}].
  labelVolumes(id) {
    return this.#session.labelVolumes(id);
  }

  // Volume in mL of the labels `labels` of a loaded segmentation (every non-zero label without them): the volume
  // `gliolens growth --seg1/--seg2` and the page's growth tool compare.
  segmentationVolume(id, labels = null) {
    return this.labelVolumes(id)
      .filter((row) => !labels || labels.includes(row.label))
      .reduce((sum, row) => sum + row.mL, 0);
  }

  // Writes the synthetic demo case into `directory`; returns [{role, path}].
  writeDemoCase(directory, { compressed = true } = {}) {
    return this.#session.writeDemoCase(directory, compressed);
  }

  // The demo case as bytes (browser): [{role, name, bytes}].
  demoCaseBytes() {
    const dir = this.#scratchPath('demo');
    this.#module.FS.mkdir(dir);
    try {
      return this.writeDemoCase(dir, { compressed: false }).map(({ role, path }) => {
        const bytes = this.#module.FS.readFile(path);
        this.#module.FS.unlink(path);
        return { role, name: path.slice(dir.length + 1), bytes };
      });
    } finally {
      this.#module.FS.rmdir(dir);
    }
  }

  // Radiomic features of the voxels of mask `maskId` whose label is `label` (or in `labels`, a region
  // such as TC = [1, 4]) in image `imageId`. `mode`: 'pyradiomics' (default) or 'ibsi'; `params`: the text
  // of a PyRadiomics YAML parameter file. Returns {labels, mode, features: [{name, family, imageType,
  // ibsiTag, aggregation, value (null when undefined), reason}], greyLevels, warnings}. greyLevels: per image type,
  // the grey levels the discretisation gave the region and the bin setting in force, under PyRadiomics' names:
  // [{imageType, occupiedLevels (distinct levels; 0 for an empty region), levelRange (bins spanned), binWidth,
  // binCount (one of them null), normalize}].
  features(imageId, maskId, { label, labels, mode = 'pyradiomics', params } = {}) {
    const options = { mode };
    if (labels !== undefined) options.labels = [...labels];
    else if (label !== undefined) options.label = label;
    if (params !== undefined && params !== null) options.params = String(params);
    return this.#module.extractFeatures(this.#session, imageId, maskId, options);
  }

  // Descriptors of the tumour in loaded segmentation `segId` (BraTS labels 1 NCR, 2 ED, 4 ET): each region's
  // (WT, TC, ET, NCR, ED) PyRadiomics shape features named <region>_original_shape_<Feature>, the compartments'
  // proportions, multifocality and the location in SRI24 space. Returns {descriptors: [{name, value (null when
  // undefined), reason}], settings: {componentMinMl, midlineMarginMm, midlineXMm, ventriclesCentreMm}}; an Error
  // when the segmentation has no tumour or labels other than 0, 1, 2 and 4.
  descriptors(segId) {
    return this.#module.tumourDescriptors(this.#session, segId);
  }

  // A volume's voxels and geometry: {header, warnings, grid: {dims, spacing, affine, orientation},
  // data: Float32Array}. options: {volume: index of a 4-D file}.
  readVolume(path, { name = path, ...options } = {}) {
    return this.#module.ioReadVolume(path, name, options);
  }

  // Reads `input`, optionally reorients ({reorient: 'RAS'}), resamples ({spacing: [sx, sy, sz],
  // interp: 'nearest'|'linear'|'bspline'}), normalises ({clip: [lo, hi], normalize: 'zscore'}),
  // and writes `output` (.nii/.nii.gz). Returns {input: header, output: grid and datatype, warnings}.
  convert(input, output, { name = input, ...options } = {}) {
    return this.#module.ioConvert(input, output, name, options);
  }

  // The same pipeline as convert() in memory, nothing written: {output: grid, times: {readMs,
  // reorientMs, resampleMs, normalizeMs}} (benchmarks).
  preprocess(input, { name = input, ...options } = {}) {
    return this.#module.ioPreprocess(input, name, options);
  }

  // Whether the files share one voxel grid (dims, affine within `toleranceMm`): {same, difference}.
  compareGrids(paths, { toleranceMm = 1e-3 } = {}) {
    return this.#module.ioCompareGrids(paths, toleranceMm);
  }

  // --- survival (core/survival/workflow.cpp): CSV text and options in, parsed JSON reports out ------
  // Cox regression on a cohort table. options: {time, event, covariates?, strata?, split?, ties?,
  // penalty?: 'none'|'l2'|'elasticnet'|'lasso', alpha?, lambda?, cv?, seed?, bootstrap?,
  // risk_groups?, calibration_time?, auc_times?, name?, source?, time_unit?}. Returns {data,
  // coefficients, tests, concordance, risk_groups, calibration?, warnings, model}.
  fit(csvText, options, { source = 'CSV' } = {}) {
    return JSON.parse(this.#module.survivalCox(String(csvText), source, JSON.stringify(options ?? {})));
  }

  // Logistic classifier (IDH, 1p/19q). options: {outcome, covariates?, positive?, split?, penalty?, ...}.
  fitLogistic(csvText, options, { source = 'CSV' } = {}) {
    return JSON.parse(this.#module.survivalLogistic(String(csvText), source, JSON.stringify(options ?? {})));
  }

  // Kaplan-Meier curves (by `group` when given) and the log-rank test. options: {time, event, group?}.
  km(csvText, options, { source = 'CSV' } = {}) {
    return JSON.parse(this.#module.survivalKaplanMeier(String(csvText), source, JSON.stringify(options ?? {})));
  }

  // A gliolens-model (object or JSON text) applied to {feature: value}. options: {times?, stratum?}.
  predict(model, features, options = {}) {
    const text = typeof model === 'string' ? model : JSON.stringify(model);
    return JSON.parse(this.#module.survivalPredict(text, JSON.stringify(features), JSON.stringify(options)));
  }

  // Growth between two scans: {volume1_ml, date1, volume2_ml, date2} (dates YYYY-MM-DD).
  growth(options) {
    return JSON.parse(this.#module.survivalGrowth(JSON.stringify(options)));
  }

  // Columns of a cohort table (name, numeric, present, distinct values when few) for pickers.
  tableSummary(csvText, { source = 'CSV' } = {}) {
    return JSON.parse(this.#module.survivalTableSummary(String(csvText), source));
  }

  // Bytes of WebAssembly memory now reserved (it grows, never shrinks): for memory checks.
  get heapBytes() {
    return this.#module.HEAP8.length;
  }

  // A segmentation model's manifest from its text, checked by the core's one reader (docs/manifest.md): an Error
  // naming `source` (its file) and the key when it is not JSON, not a manifest, or asks for what the code does not do.
  readSegmentationManifest(text, source) {
    this.#module.readSegmentationManifest(String(text), source);
    return JSON.parse(text);
  }

  // Segments the tumour of four loaded modalities ([T1, T1c, T2, FLAIR] ids) with a network that
  // `runNetwork(tensor, dims)` runs (ONNX Runtime in the browser or in Node) and returns region
  // logits for. `manifest` (the object readSegmentationManifest gives, or its text) is read by the core, which
  // prepares each network's input and builds the label volume on the T1's grid: this only carries tensors.
  // Returns {id, labels: [{label, voxels, mL}], passes, windows, refine, warnings}; warnings name a file whose
  // non-zero region is larger than the model's window or far larger than a skull-stripped brain (still segmented).
  // `mirror` averages the network over the input and its three mirror images (test-time augmentation). A manifest whose
  // `inference.patch_voxels_ijk` is smaller than the prepared grid runs the network on overlapping
  // windows (`inference.overlap`, default 0.5) that the core plans and blends with Gaussian weights.
  // A manifest with a `refine` section is a cascade: `runRefineNetwork(tensor, dims)` runs its second network on
  // the box around the first stage's tumour at full resolution (its own `refine.inference` windows), and its
  // labels replace the first stage's there; `refine` in the result is then {box: [i, j, k] voxels, boxStart: its first
  // voxel on the working grid (may be negative), windows}; box null when the first stage found no tumour.
  // `keepSmallComponents` skips the manifest's small-component clean-up (a real second lesion under its
  // threshold would otherwise go).
  async segment(ids, { manifest, runNetwork, runRefineNetwork, mirror = false, keepSmallComponents = false, onProgress = () => {}, isCancelled = () => false }) {
    const text = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
    const run = this.#module.startSegmentation(this.#session, ids, text, 'manifest', keepSmallComponents);
    try {
      if (run.twoStage() && !runRefineNetwork) throw new Error(`${run.name()}: a two-stage model needs its refine network`);
      const stopIfCancelled = () => {
        if (isCancelled()) throw Object.assign(new Error('segmentation cancelled'), { name: 'CancelledError' });
      };
      const firstInput = run.firstInput();
      const first = await this.#runPasses(firstInput, runNetwork, mirror, (p) => onProgress({ stage: 1, ...p }), stopIfCancelled);
      run.setFirstOutput(first.logits);
      let refine = null;
      if (run.twoStage()) {
        // The box around the first stage's tumour (post-processed), from the labels the run keeps.
        const boxed = run.refineInput();
        if (boxed.tensor.length > 0) {
          const second = await this.#runPasses(boxed, runRefineNetwork, mirror, (p) => onProgress({ stage: 2, ...p }), stopIfCancelled);
          run.setRefineOutput(second.logits);
          refine = { box: [...boxed.grid], boxStart: [...boxed.windowStart], windows: second.windows };
        } else {
          refine = { box: null, boxStart: null, windows: 0 };
        }
      }
      stopIfCancelled();
      const { id } = run.finish();
      return { id, labels: this.labelVolumes(id), passes: first.passes, windows: first.windows, refine, warnings: [...firstInput.warnings] };
    } finally {
      // The run's modalities and tensors go with it, finished, cancelled or failed.
      run.delete();
    }
  }

  // One stage's logits over its prepared grid: the network once, or on each mirror image too (flipped back and
  // averaged).
  async #runPasses(prepared, runNetwork, mirror, onProgress, stopIfCancelled) {
    const [gi, gj, gk] = prepared.grid;
    const flips = mirror ? [null, 0, 1, 2] : [null];
    let sum = null;
    let windows = 1;
    for (const [pass, axis] of flips.entries()) {
      stopIfCancelled();
      const input = axis === null ? prepared.tensor : this.#module.mirrorTensor(prepared.tensor, prepared.channels, prepared.grid, axis);
      let logits = await this.#runOverGrid(input, prepared, runNetwork, (window, count) => {
        windows = count;
        onProgress({ pass: pass + 1, passes: flips.length, window, windows: count });
      }, stopIfCancelled);
      if (axis !== null) logits = this.#module.mirrorTensor(logits, logits.length / (gi * gj * gk), prepared.grid, axis);
      if (sum === null) sum = Float32Array.from(logits);
      else for (let i = 0; i < sum.length; i++) sum[i] += logits[i];
    }
    if (flips.length > 1) for (let i = 0; i < sum.length; i++) sum[i] /= flips.length;
    return { logits: sum, passes: flips.length, windows };
  }

  // The network's output over the whole prepared grid: one run when its window (the core's, from the manifest)
  // covers the grid, else one run per planned window, blended by the core.
  async #runOverGrid(input, prepared, runNetwork, onWindow, stopIfCancelled) {
    const patch = prepared.window;
    const dims = (p) => [1, prepared.channels, p[2], p[1], p[0]];
    if (patch.every((p, a) => p === prepared.grid[a])) {
      onWindow(1, 1);
      return runNetwork(input, dims(patch));
    }
    const windows = new this.#module.SlidingWindows();
    try {
      const origins = windows.plan(input, prepared.grid, patch, prepared.overlap, prepared.channels);
      for (let n = 0; n < origins.length; n++) {
        stopIfCancelled();
        onWindow(n + 1, origins.length);
        windows.add(n, await runNetwork(windows.window(n), dims(patch)));
      }
      return windows.result();
    } finally {
      windows.delete();
    }
  }

  // A brain-extraction model's manifest (gliolens-brain-extraction-manifest/1) from its text, checked by the core's one
  // reader: an Error naming `source` and the key when the code cannot run it.
  readBrainExtractionManifest(text, source) {
    this.#module.readBrainExtractionManifest(String(text), source);
    return JSON.parse(text);
  }

  // The brain mask of loaded scan `id` from a brain-extraction network that `runNetwork(tensor, dims)` runs (ONNX
  // Runtime) and returns logits for. The core conforms and scales the scan (and crops it, when `manifest` asks) and maps
  // the network's brain probability back onto the scan's grid (docs/manifest.md). Returns {id (the mask, 0/1, a new
  // loaded volume), voxels, mL, boxSize (the network's input, voxels i, j, k of the conformed grid)}.
  async extractBrain(id, { manifest, runNetwork, source = 'manifest' }) {
    const text = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
    const run = this.#module.startBrainExtraction(this.#session, id, text, source);
    try {
      const input = run.input();
      const logits = await runNetwork(input.tensor, input.dims);
      const { id: maskId } = run.finish(logits);
      const [brain] = this.labelVolumes(maskId);
      return { id: maskId, voxels: brain?.voxels ?? 0, mL: brain?.mL ?? 0, boxSize: [...input.boxSize] };
    } finally {
      run.delete();
    }
  }

  // The FLAIR-only model's manifest (gliolens-flair-manifest/1) from its text, checked by the core's one reader: an
  // Error naming `source` and the key when the code cannot run it.
  readFlairManifest(text, source) {
    this.#module.readFlairManifest(String(text), source);
    return JSON.parse(text);
  }

  // The FLAIR abnormality (= whole tumour, one label) of loaded FLAIR `id` from the FLAIR-only network, which
  // `runNetwork(tensor, dims)` runs (ONNX Runtime) on batches of `inference.slices_per_run` axial slices (dims [n, 1, H,
  // W]) and returns the logits of. The core reorients, scales and samples the slices (models/flair_seg/training/
  // preprocess.py, docs/manifest.md) and maps the probabilities back onto the FLAIR's own grid. onProgress({slice,
  // slices}) after each batch; isCancelled() is asked before each, and a cancel throws an Error named CancelledError.
  // Returns {id (the mask, a new loaded volume: output.label where abnormal, else 0), labels: [{label, voxels, mL}],
  // mL (the abnormality's volume from the FLAIR's own voxel size), slices (how many slices the network ran on),
  // model: {name, version}, region (what the label is), input: {slices: their k on the model-oriented grid, centre: the
  // window's centre (i, j voxels there), scale: the intensity divisor}}.
  async segmentFlair(id, { manifest, runNetwork, source = 'manifest', onProgress = () => {}, isCancelled = () => false }) {
    const text = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
    const run = this.#module.startFlairSegmentation(this.#session, id, text, source);
    try {
      const model = run.model();
      const { tensor, dims, slices: kept, centre, scale } = run.input();
      const [slices, , height, width] = dims;
      const pixels = height * width;
      const logits = new Float32Array(slices * pixels);
      for (let first = 0; first < slices; first += model.slicesPerRun) {
        if (isCancelled()) throw Object.assign(new Error('segmentation cancelled'), { name: 'CancelledError' });
        const count = Math.min(model.slicesPerRun, slices - first);
        const batch = tensor.slice(first * pixels, (first + count) * pixels);
        const out = await runNetwork(batch, [count, 1, height, width]);
        if (out.length !== batch.length) {
          throw new Error(`${model.name}: the network gave ${out.length} values for ${count} slices of ${width} x ${height} pixels`);
        }
        logits.set(out, first * pixels);
        onProgress({ slice: first + count, slices });
      }
      if (isCancelled()) throw Object.assign(new Error('segmentation cancelled'), { name: 'CancelledError' });
      const { id: maskId } = run.finish(logits);
      const labels = this.labelVolumes(maskId);
      return {
        id: maskId,
        labels,
        mL: labels.reduce((sum, l) => sum + l.mL, 0),
        slices,
        model: { name: model.name, version: model.version },
        region: model.region,
        input: { slices: [...kept], centre: [...centre], scale },
      };
    } finally {
      run.delete();
    }
  }

  // Loaded scan `scanId` with every voxel outside loaded mask `maskId` set to 0: the new volume's id.
  stripBrain(scanId, maskId) {
    return this.#module.stripBrain(this.#session, scanId, maskId);
  }

  // Writes a loaded volume as NIfTI at `path` (its own qform/sform); datatype uint8, int16 or float32.
  saveVolume(id, path, datatype = 'uint8') {
    this.#module.saveVolume(this.#session, id, path, datatype);
  }

  // Dice and HD95 (mm) of a predicted against an expert label volume: [{region, dice, hd95, ...}].
  scoreSegmentation(predictedId, truthId) {
    return this.#module.scoreSegmentation(this.#session, predictedId, truthId);
  }

  // A loaded volume written as NIfTI (.nii.gz) bytes, in its own space (qform/sform kept).
  volumeBytes(id, name, { datatype = 'uint8' } = {}) {
    const path = this.#scratchPath(name);
    this.#module.saveVolume(this.#session, id, path, datatype);
    try {
      return this.#module.FS.readFile(path);
    } finally {
      this.#module.FS.unlink(path);
    }
  }

  // Registers loaded volume `movingId` onto loaded volume `fixedId` (core/registration, docs/registration.md): Mattes
  // mutual information, so any two MR contrasts; rigid, or affine with {affine: true}. options: {init: 'header'
  // (default: the scanner coordinates roughly agree) | 'moments' (centres of mass), levels: pyramid spacings in mm
  // ([4, 2, 1]), samples (30000 a level), bins (32), maxIterations, minStepMm, fixedMaskId, movingMaskId}. Returns
  // {kind, matrix (4x4 rows, fixed world mm -> moving world mm), mutualInformation, normalizedMutualInformation (the
  // quality number), initialMutualInformation, overlap, iterations, converged, levels, warnings}.
  register(fixedId, movingId, options = {}) {
    return this.#module.registerVolumes(this.#session, fixedId, movingId, options);
  }

  // Loaded volume `movingId` laid on loaded volume `referenceId`'s grid through `matrix` (a registration's, fixed
  // world -> moving world; rows), in one interpolation. options: {interp: 'linear' | 'nearest' (labels) | 'bspline',
  // spacing: [sx, sy, sz] to use the reference grid resampled to that spacing}. Returns the new volume's id.
  resampleThrough(movingId, referenceId, matrix, options = {}) {
    return this.#module.resampleThrough(this.#session, movingId, referenceId, matrix, options);
  }

  // The surface of loaded skull-stripped template `templateId`'s brain (its non-zero voxels, one voxel thick) as a new
  // loaded label volume (1) on its grid, to draw over a scan registered onto it: the new volume's id.
  templateOutline(templateId) {
    return this.#module.templateOutline(this.#session, templateId);
  }

  // Dice between loaded brain mask `maskId` and loaded template `templateId`'s brain (non-zero voxels), on one grid:
  // how well a scan's brain, carried onto the template, covers the template's.
  templateBrainDice(maskId, templateId) {
    return this.#module.templateBrainDice(this.#session, maskId, templateId);
  }

  release(id) {
    this.#session.release(id);
  }

  get loadedCount() {
    return this.#session.count();
  }

  #scratchPath(name) {
    const safe = String(name).replace(/[^A-Za-z0-9._-]/g, '_');
    const dir = '/scratch';
    if (!this.#module.FS.analyzePath(dir).exists) this.#module.FS.mkdir(dir);
    return `${dir}/${this.#scratch++}_${safe}`;
  }
}
