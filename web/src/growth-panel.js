// Growth between two scans of one patient, as `gliolens growth` computes it: the case's segmentation (loaded or
// computed) is one scan, the other is a second segmentation file (loaded in the Worker, never joining the case), a
// second FLAIR scan (segmented in the Worker with the FLAIR-only model; then both volumes are FLAIR abnormalities, the
// case's from its FLAIR-model segmentation, and the two masks are shown side by side) or a volume typed in. Volumes
// are in mL, so the two segmentations may lie on different grids. Every number is the core's
// (core/survival/growth.cpp).
import { flairMaskName, flairModelName } from './flair-model.js';
import { LABELS } from './labels.js';
import { largestAxialSlice, sliceImage } from './report.js';
import { isNiftiName } from './roles.js';
import { dateInName } from './scan-date.js';
import { Viewer } from './viewer.js';

// The region whose volume is compared, as `--labels` (none: every non-zero label, the CLI's default).
const REGIONS = [
  { id: 'all', name: 'Whole tumour (every label)', labels: null },
  { id: '1,4', name: 'Tumour core (labels 1, 4)', labels: [1, 4] },
  { id: '4', name: 'Enhancing tumour (label 4)', labels: [4] },
];
// Two FLAIR abnormalities (the FLAIR-only model's one label, or a FLAIR scan against the case's FLAIR-model mask).
const FLAIR_REGION = { id: 'flair', name: 'FLAIR abnormality (FLAIR-only model)', labels: null };
// The case's FLAIR-model segmentation against another scan's segmentation file: every label of each.
const MIXED_REGION = { id: 'all', name: 'FLAIR abnormality of this case (FLAIR-only model), every label of the other', labels: null };
const BRATS_LABELS = new Set(LABELS.map((l) => l.value));

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// One result row: the label, the number as shown (its full value in data-value, for checks), and a note.
function resultRow(name, value, shown, note = '') {
  const data = value === null || value === undefined ? '' : ` data-value="${value}"`;
  return `<tr data-name="${name}"><th>${esc(shown.label)}</th><td class="value"${data}>${esc(shown.text)}</td><td class="hint">${esc(note)}</td></tr>`;
}

export class GrowthPanel {
  #root;
  #core;
  #getFiles;
  #flairModel;
  // The other scan, loaded in the Worker: {kind: 'seg', name, id, dims} (a segmentation file) or {kind: 'flair', name,
  // id (its FLAIR-model mask), mL, flair, mask (the FLAIR and the mask as NiiVue images, for the side-by-side view)}.
  #other = null;
  #otherLoads = 0;
  // The case's FLAIR abnormality when its own segmentation is not the FLAIR model's: {key (the FLAIR's and the model's),
  // promise of {id, mask}}.
  #caseFlairMask = null;
  #caseKey = null;
  // The growth shown ({earlier, later: {name, date}, region: {id, name}, report}), for the report and the session
  // file; one restored from a session stays until a segmentation is loaded.
  #shown = null;

  // flairModel: the bundled FLAIR-only model (flair-model.js), shared with the segment panel.
  constructor(root, core, { getFiles, flairModel }) {
    this.#root = root;
    this.#core = core;
    this.#getFiles = getFiles;
    this.#flairModel = flairModel;
    root.innerHTML = `
      <h2>Growth between two scans <span class="hint">(research use only)</span></h2>
      <p class="hint">Volume change, mean tumour diameter (2V)<sup>1/3</sup>, its velocity and the volume doubling time between
        this case's segmentation and another scan of the same patient, as <code>gliolens growth</code> gives them.</p>
      <div class="growth-scans">
        <fieldset><legend>This case</legend>
          <span id="growth-case-name"></span>
          <label>is the <select id="growth-case-order"><option value="later" selected>later scan</option><option value="earlier">earlier scan</option></select></label>
          <label>dated <input id="growth-case-date" type="date" /></label>
        </fieldset>
        <fieldset id="growth-other"><legend>Other scan (<span id="growth-other-order">earlier</span>)</legend>
          <label>from <select id="growth-other-source"><option value="file" selected>a segmentation file</option><option value="flair">a FLAIR scan</option><option value="ml">a volume in mL</option></select></label>
          <label id="growth-other-file-box" class="linklike">choose or drop <span id="growth-other-what">a segmentation</span> (.nii, .nii.gz)
            <input id="growth-other-file" type="file" accept=".nii,.gz,.nii.gz" hidden /></label>
          <span id="growth-other-ml-box" hidden><input id="growth-other-ml" type="number" min="0" step="any" aria-label="volume of the other scan" /> mL</span>
          <label>dated <input id="growth-other-date" type="date" /></label>
          <p id="growth-other-status" class="hint"></p>
        </fieldset>
      </div>
      <label>Region <select id="growth-labels">${REGIONS.map((r) => `<option value="${r.id}">${esc(r.name)}</option>`).join('')}</select></label>
      <span id="growth-region-fixed" class="hint" hidden></span>
      <button type="button" id="growth-compute">Compute growth</button>
      <p id="growth-status" role="status" aria-live="polite"></p>
      <div id="growth-result"></div>
      <div id="growth-masks" class="growth-masks"></div>`;
    root.hidden = true;
    this.$('#growth-case-order').addEventListener('change', () => {
      this.$('#growth-other-order').textContent = this.#caseIsLater() ? 'earlier' : 'later';
    });
    this.$('#growth-other-source').addEventListener('change', () => {
      // A segmentation file and a FLAIR scan are different things: the one chosen for the other source goes.
      const source = this.$('#growth-other-source').value;
      if (this.#other && source !== 'ml' && this.#other.kind !== (source === 'flair' ? 'flair' : 'seg')) this.#dropOther();
      this.#showSource();
    });
    this.$('#growth-other-file').addEventListener('change', (e) => this.#loadOther(e.target.files[0]));
    const other = this.$('#growth-other');
    other.addEventListener('dragover', (e) => { e.preventDefault(); other.classList.add('dragging'); });
    other.addEventListener('dragleave', () => other.classList.remove('dragging'));
    other.addEventListener('drop', (e) => {
      e.preventDefault();
      other.classList.remove('dragging');
      if (this.$('#growth-other-source').value === 'ml') this.$('#growth-other-source').value = 'file';
      this.#showSource();
      this.#loadOther(e.dataTransfer.files[0]);
    });
    this.$('#growth-compute').addEventListener('click', () => this.#compute());
  }

  $(selector) {
    return this.#root.querySelector(selector);
  }

  #caseSegmentation() {
    return this.#getFiles().find((f) => f.role === 'seg' && f.labels);
  }

  #caseIsLater() {
    return this.$('#growth-case-order').value === 'later';
  }

  #source() {
    return this.$('#growth-other-source').value;
  }

  #showSource() {
    const source = this.#source();
    const fromFile = source !== 'ml';
    this.$('#growth-other-file-box').hidden = !fromFile;
    this.$('#growth-other-what').textContent = source === 'flair' ? 'a FLAIR scan' : 'a segmentation';
    this.$('#growth-other-ml-box').hidden = fromFile;
    this.$('#growth-other-status').hidden = !fromFile;
    this.#showRegion();
  }

  // Whether the growth compares FLAIR abnormalities: the case's segmentation is the FLAIR model's, or the other scan
  // is a FLAIR scan. Then there is one region only.
  #comparesFlair() {
    return this.#caseSegmentation()?.scheme === 'flair' || this.#source() === 'flair';
  }

  #showRegion() {
    const fixed = this.#comparesFlair();
    this.$('#growth-labels').hidden = fixed;
    this.$('#growth-region-fixed').hidden = !fixed;
    this.$('#growth-region-fixed').textContent = this.#source() === 'flair'
      ? 'the FLAIR abnormality of both scans (FLAIR-only model)'
      : 'the FLAIR abnormality of this case (FLAIR-only model, one label) against every label of the other';
  }

  // The case's FLAIR file, if loaded.
  #caseFlair() {
    return this.#getFiles().find((f) => f.role === 'flair');
  }

  // Shown once the case has a segmentation; a result of another segmentation is cleared.
  refresh() {
    const seg = this.#caseSegmentation();
    if (!seg && this.#shown?.restored) return;
    this.#root.hidden = !seg;
    if (seg?.key === this.#caseKey) return;
    this.#caseKey = seg?.key ?? null;
    this.#shown = null;
    this.#dropCaseFlairMask();
    this.$('#growth-case-name').textContent = seg ? seg.name : '';
    this.$('#growth-result').replaceChildren();
    this.$('#growth-masks').replaceChildren();
    if (seg) {
      // The FLAIR model's segmentation is compared with other FLAIR scans first of all.
      if (seg.scheme === 'flair' && this.#source() === 'file' && !this.#other) this.$('#growth-other-source').value = 'flair';
      const date = [seg, ...this.#getFiles().filter((f) => f.role && f.role !== 'seg')].map((f) => dateInName(f.name)).find(Boolean);
      if (date && !this.$('#growth-case-date').value) this.$('#growth-case-date').value = date;
    }
    this.#showSource();
    this.#status('', seg ? 'ready' : 'none');
  }

  get state() {
    if (!this.#shown) return null;
    const { restored, ...state } = this.#shown;
    return state;
  }

  // Shows a session's growth result as saved (no segmentation is loaded with a session).
  restore(state) {
    this.#root.hidden = false;
    this.#show({ ...state, restored: true });
  }

  #status(text, state) {
    const status = this.$('#growth-status');
    status.textContent = text;
    status.className = state === 'error' ? 'error' : '';
    this.#root.dataset.state = state;
  }

  // Loads the other scan, a segmentation file or a FLAIR scan as the source says, in the Worker; a load that fails
  // says why under the other scan, and one overtaken by a later choice is dropped without a word.
  async #loadOther(file) {
    if (!file) return;
    const flair = this.#source() === 'flair';
    const status = this.$('#growth-other-status');
    this.#dropOther();
    const load = this.#otherLoads;
    const current = () => load === this.#otherLoads;
    status.className = 'hint';
    status.textContent = `Loading ${file.name}…`;
    this.#root.dataset.other = 'loading';
    try {
      if (!isNiftiName(file.name)) throw new Error(`${file.name}: not a NIfTI file (.nii or .nii.gz expected)`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (flair) await this.#loadOtherFlair(file.name, bytes, current, status);
      else await this.#loadOtherSegmentation(file.name, bytes, current, status);
    } catch (error) {
      if (!current()) return;
      status.className = 'error';
      status.textContent = error.message.startsWith(file.name) ? error.message : `${file.name}: ${error.message}`;
      this.#root.dataset.other = 'error';
    } finally {
      this.$('#growth-other-file').value = '';
    }
  }

  // A segmentation file, kept in the Worker once its voxels are found to be BraTS labels (an image chosen by mistake has
  // integer intensities that would pass as thousands of labels).
  async #loadOtherSegmentation(name, bytes, current, status) {
    const loaded = await this.#core.load(name, bytes);
    let kept = false;
    try {
      const labels = await this.#core.labelVolumes(loaded.id);
      const foreign = labels.find((l) => !BRATS_LABELS.has(l.label));
      if (foreign) {
        throw new Error(`${name}: voxel value ${foreign.label} is not a BraTS label (0 background, `
          + `${LABELS.map((l) => `${l.value} ${l.name.toLowerCase()}`).join(', ')}): not a BraTS segmentation`);
      }
      if (!current()) return;
      this.#other = { kind: 'seg', name, id: loaded.id, dims: loaded.header.dims.slice(0, 3) };
      kept = true;
      this.#dateFromName(name);
      const found = labels.map((l) => `${l.label} (${l.mL.toFixed(2)} mL)`).join(', ') || 'none (no tumour)';
      status.textContent = [`${name}: ${this.#other.dims.join('×')} voxels, labels ${found}`, ...loaded.warnings].join('; ');
      this.#root.dataset.other = 'loaded';
    } finally {
      if (!kept) this.#core.release(loaded.id).catch(() => {});
    }
  }

  // Forgets the other scan (and any load of one still running).
  #dropOther() {
    this.#otherLoads++;
    if (this.#other) this.#core.release(this.#other.id).catch(() => {});
    this.#other = null;
    this.$('#growth-other-status').textContent = '';
    this.$('#growth-other-status').className = 'hint';
    delete this.#root.dataset.other;
  }

  #dropCaseFlairMask() {
    const previous = this.#caseFlairMask;
    this.#caseFlairMask = null;
    previous?.promise.then(({ id }) => this.#core.release(id)).catch(() => {});
  }

  // The other scan's date from its file name, when the name holds one; true if so.
  #dateFromName(name) {
    const date = dateInName(name);
    if (date) this.$('#growth-other-date').value = date;
    return Boolean(date);
  }

  // A second FLAIR scan, segmented in the Worker with the FLAIR-only model; only its mask stays there.
  async #loadOtherFlair(fileName, bytes, current, status) {
    let flairId = null, maskId = null;
    try {
      const loaded = await this.#core.load(fileName, bytes);
      flairId = loaded.id;
      if (!current()) return;
      const name = flairMaskName(fileName);
      const result = await this.#flairModel.run({ id: flairId, name }, (step) => {
        if (current()) status.textContent = `${fileName}: ${step}…`;
      }).promise;
      maskId = result.id;
      if (!current()) return;
      const [flair, mask] = await Promise.all([Viewer.image(fileName, bytes), Viewer.image(name, result.bytes)]);
      if (!current()) return;
      this.#other = { kind: 'flair', name: fileName, id: maskId, mL: result.mL, flair, mask };
      maskId = null;  // kept: released when the other scan goes
      const dated = this.#dateFromName(fileName);
      status.textContent = [`${fileName}: ${loaded.header.dims.slice(0, 3).join('×')} voxels, FLAIR abnormality ${result.mL.toFixed(2)} mL `
        + `(FLAIR-only model ${flairModelName(result.manifest)}, ${result.seconds.toFixed(1)} s)${dated ? `; date ${this.$('#growth-other-date').value} read from the file name` : ''}`,
      ...loaded.warnings, ...(result.warnings ?? [])].join('; ');
      this.#root.dataset.other = 'loaded';
    } finally {
      // The FLAIR itself is not needed in the Worker once segmented; a mask of a superseded load goes too.
      for (const id of [flairId, maskId]) if (id !== null) this.#core.release(id).catch(() => {});
    }
  }

  // The case's FLAIR abnormality for a comparison with a FLAIR scan: its segmentation when the FLAIR model made it,
  // else the FLAIR model run on its FLAIR here (kept in the Worker while the case stays). {id, mask, flair, name} or
  // {problem}.
  async #caseFlairAbnormality() {
    const seg = this.#caseSegmentation();
    const flair = this.#caseFlair();
    if (seg.scheme === 'flair') return { id: seg.id, mask: seg.image, flair: flair?.image ?? null, name: seg.name };
    if (!flair) return { problem: `A FLAIR scan is compared with this case's FLAIR abnormality, and this case has no FLAIR loaded.` };
    // Made anew for another FLAIR of the case, or once another FLAIR model is chosen.
    const key = `${flair.key} ${this.#flairModel.key}`;
    if (this.#caseFlairMask?.key !== key) {
      this.#dropCaseFlairMask();
      const name = flairMaskName(flair.name);
      const promise = this.#flairModel.run({ id: flair.id, name }, (step) => this.#status(`This case's FLAIR: ${step}…`, 'computing')).promise
        .then(async (result) => ({ id: result.id, mask: await Viewer.image(name, result.bytes) }));
      this.#caseFlairMask = { key, promise };
      promise.catch(() => { if (this.#caseFlairMask?.promise === promise) this.#caseFlairMask = null; });
    }
    const { id, mask } = await this.#caseFlairMask.promise;
    return { id, mask, flair: flair.image, name: `${flair.name} (FLAIR-only model)` };
  }

  // The other scan for the Worker ({date, id} or {date, volume_ml}), or a message saying what is missing.
  #otherScan() {
    const date = this.$('#growth-other-date').value;
    if (this.#source() === 'flair') {
      if (!this.#other) return { problem: 'Choose the other FLAIR scan (.nii, .nii.gz): it is segmented here with the FLAIR-only model.' };
      if (!date) return { problem: `Enter the date of the other scan (${this.#other.name}).` };
      return { scan: { id: this.#other.id, date }, name: this.#other.name, flair: this.#other.flair, mask: this.#other.mask };
    }
    if (this.#source() === 'file') {
      if (!this.#other) return { problem: 'Choose the other scan\'s segmentation file (or give its volume in mL).' };
      if (!date) return { problem: `Enter the date of the other scan (${this.#other.name}).` };
      return { scan: { id: this.#other.id, date }, name: this.#other.name };
    }
    const text = this.$('#growth-other-ml').value;
    if (text === '') return { problem: 'Enter the other scan\'s volume in mL (a number of mL, 0 or more).' };
    if (!date) return { problem: 'Enter the date of the other scan.' };
    return { scan: { volume_ml: Number(text), date }, name: `${text} mL` };
  }

  async #compute() {
    const seg = this.#caseSegmentation();
    if (!seg) return;
    const caseDate = this.$('#growth-case-date').value;
    if (!caseDate) return this.#status(`Enter the date of this case's scan (${seg.name}).`, 'error');
    const other = this.#otherScan();
    if (other.problem) return this.#status(other.problem, 'error');
    const flairs = this.#source() === 'flair';
    const region = flairs ? FLAIR_REGION : this.#comparesFlair() ? MIXED_REGION : REGIONS.find((r) => r.id === this.$('#growth-labels').value);
    const caseKey = this.#caseKey;
    this.$('#growth-result').replaceChildren();
    this.$('#growth-masks').replaceChildren();
    this.#shown = null;
    this.#status('Computing…', 'computing');
    let earlier = null, later = null;
    try {
      const abnormality = flairs ? await this.#caseFlairAbnormality() : null;
      if (caseKey !== this.#caseKey) return;
      if (abnormality?.problem) return this.#status(abnormality.problem, 'error');
      const current = abnormality
        ? { scan: { id: abnormality.id, date: caseDate }, name: abnormality.name, flair: abnormality.flair, mask: abnormality.mask }
        : { scan: { id: seg.id, date: caseDate }, name: seg.name };
      [earlier, later] = this.#caseIsLater() ? [other, current] : [current, other];
      const report = await this.#core.growth(earlier.scan, later.scan, region.labels);
      if (caseKey !== this.#caseKey) return;
      const scan = ({ name, scan: { date } }) => ({ name, date });
      this.#show({ earlier: scan(earlier), later: scan(later), region: { id: region.id, name: region.name }, report });
      if (flairs) this.#showMasks([[earlier, report.volume1_ml], [later, report.volume2_ml]]);
    } catch (error) {
      if (caseKey !== this.#caseKey) return;
      if (!earlier) return this.#status(`This case's FLAIR abnormality: ${error.message}`, 'error');
      this.#status(`Growth from ${earlier.name} (${earlier.scan.date}) to ${later.name} (${later.scan.date}): ${error.message}`, 'error');
    }
  }

  // The two FLAIR abnormalities side by side, each on the axial slice of its largest area over its own FLAIR, with
  // its date and volume. scans: [[{name, scan: {date}, flair, mask}, mL], …] (NiiVue images).
  #showMasks(scans) {
    const figures = scans.map(([{ name, scan: { date }, flair, mask }, mL]) => {
      const figure = document.createElement('figure');
      figure.className = 'growth-mask';
      figure.dataset.date = date;
      figure.dataset.ml = mL;
      const { k, voxels } = largestAxialSlice(mask);
      figure.dataset.voxels = voxels;
      const caption = document.createElement('figcaption');
      caption.textContent = `${date}: ${mL.toFixed(2)} mL`;
      caption.title = name;
      if (k < 0) {
        figure.append(Object.assign(document.createElement('p'), { className: 'hint', textContent: 'no FLAIR abnormality found' }), caption);
      } else {
        const image = Object.assign(document.createElement('img'), {
          src: sliceImage(flair, mask, k, 'flair'),
          alt: `${name}: axial slice ${k + 1} of ${mask.hdr.dims[3]}, the largest FLAIR abnormality area`,
        });
        caption.textContent += ` · slice ${k + 1} of ${mask.hdr.dims[3]} (${voxels} voxels)`;
        figure.append(image, caption);
      }
      return figure;
    });
    this.$('#growth-masks').replaceChildren(...figures);
  }

  #show(shown) {
    const { report: r, earlier, later, region } = shown;
    this.#shown = shown;
    const fixed = (x, d) => (x === null || x === undefined ? '—' : x.toFixed(d));
    const signed = (x, d) => (x > 0 ? '+' : '') + fixed(x, d);
    const rows = [
      resultRow('days', r.days, { label: 'Interval', text: `${r.days} days (${fixed(r.years, 2)} years)` }),
      resultRow('volume1_ml', r.volume1_ml, { label: 'Volume, earlier scan', text: `${fixed(r.volume1_ml, 2)} mL` }, `${earlier.name}, ${earlier.date}`),
      resultRow('volume2_ml', r.volume2_ml, { label: 'Volume, later scan', text: `${fixed(r.volume2_ml, 2)} mL` }, `${later.name}, ${later.date}`),
      resultRow('volume_change_ml', r.volume_change_ml, { label: 'Volume change', text: `${signed(r.volume_change_ml, 2)} mL` }),
      resultRow('volume_change_percent', r.volume_change_percent, { label: 'Volume change (%)', text: r.volume_change_percent === null ? '—' : `${signed(r.volume_change_percent, 1)} %` },
        r.volume_change_percent === null ? 'no percentage of an empty earlier volume' : ''),
      resultRow('mean_diameter1_mm', r.mean_diameter1_mm, { label: 'Mean diameter, earlier scan', text: `${fixed(r.mean_diameter1_mm, 1)} mm` }),
      resultRow('mean_diameter2_mm', r.mean_diameter2_mm, { label: 'Mean diameter, later scan', text: `${fixed(r.mean_diameter2_mm, 1)} mm` }),
      resultRow('velocity_mm_per_year', r.velocity_mm_per_year, { label: 'Diameter velocity', text: `${signed(r.velocity_mm_per_year, 2)} mm/year` },
        'for low-grade gliomas, 8 mm/year or more marks fast growth'),
      resultRow('volume_doubling_days', r.volume_doubling_days, { label: 'Volume doubling time', text: r.volume_doubling_days === null ? '—' : `${fixed(r.volume_doubling_days, 0)} days` },
        r.volume_doubling_days === null ? 'none: the volume does not grow' : ''),
    ];
    this.$('#growth-result').innerHTML = `<table class="growth-table"><tbody>${rows.join('')}</tbody></table>`
      + `<p class="hint">${esc(region.name)}; ${esc(r.method)}. Research use only.${shown.restored ? ' From the session file, not recomputed.' : ''}</p>`;
    this.#status(`Growth from ${earlier.name} to ${later.name}`, 'done');
  }
}
