// Growth between two scans of one patient, as `gliolens growth` computes it: the case's segmentation (loaded or
// computed) is one scan, the other is a second segmentation file (loaded in the Worker, never joining the case) or a
// volume typed in. Volumes are in mL, so the two segmentations may lie on different grids. Every number is the
// core's (core/survival/growth.cpp).
import { LABELS } from './labels.js';
import { isNiftiName } from './roles.js';

// The region whose volume is compared, as `--labels` (none: every non-zero label, the CLI's default).
const REGIONS = [
  { id: 'all', name: 'Whole tumour (every label)', labels: null },
  { id: '1,4', name: 'Tumour core (labels 1, 4)', labels: [1, 4] },
  { id: '4', name: 'Enhancing tumour (label 4)', labels: [4] },
];
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
  // The second segmentation, loaded in the Worker: {name, id, dims} or null.
  #other = null;
  #caseKey = null;
  // The growth shown ({earlier, later: {name, date}, region: {id, name}, report}), for the report and the session
  // file; one restored from a session stays until a segmentation is loaded.
  #shown = null;

  constructor(root, core, { getFiles }) {
    this.#root = root;
    this.#core = core;
    this.#getFiles = getFiles;
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
          <label>from <select id="growth-other-source"><option value="file" selected>a segmentation file</option><option value="ml">a volume in mL</option></select></label>
          <label id="growth-other-file-box" class="linklike">choose or drop a segmentation (.nii, .nii.gz)
            <input id="growth-other-file" type="file" accept=".nii,.gz,.nii.gz" hidden /></label>
          <span id="growth-other-ml-box" hidden><input id="growth-other-ml" type="number" min="0" step="any" aria-label="volume of the other scan" /> mL</span>
          <label>dated <input id="growth-other-date" type="date" /></label>
          <p id="growth-other-status" class="hint"></p>
        </fieldset>
      </div>
      <label>Region <select id="growth-labels">${REGIONS.map((r) => `<option value="${r.id}">${esc(r.name)}</option>`).join('')}</select></label>
      <button type="button" id="growth-compute">Compute growth</button>
      <p id="growth-status" role="status" aria-live="polite"></p>
      <div id="growth-result"></div>`;
    root.hidden = true;
    this.$('#growth-case-order').addEventListener('change', () => {
      this.$('#growth-other-order').textContent = this.#caseIsLater() ? 'earlier' : 'later';
    });
    this.$('#growth-other-source').addEventListener('change', () => this.#showSource());
    this.$('#growth-other-file').addEventListener('change', (e) => this.#loadOther(e.target.files[0]));
    const other = this.$('#growth-other');
    other.addEventListener('dragover', (e) => { e.preventDefault(); other.classList.add('dragging'); });
    other.addEventListener('dragleave', () => other.classList.remove('dragging'));
    other.addEventListener('drop', (e) => {
      e.preventDefault();
      other.classList.remove('dragging');
      this.$('#growth-other-source').value = 'file';
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

  #showSource() {
    const fromFile = this.$('#growth-other-source').value === 'file';
    this.$('#growth-other-file-box').hidden = !fromFile;
    this.$('#growth-other-ml-box').hidden = fromFile;
    this.$('#growth-other-status').hidden = !fromFile;
  }

  // Shown once the case has a segmentation; a result of another segmentation is cleared.
  refresh() {
    const seg = this.#caseSegmentation();
    if (!seg && this.#shown?.restored) return;
    this.#root.hidden = !seg;
    if (seg?.key === this.#caseKey) return;
    this.#caseKey = seg?.key ?? null;
    this.#shown = null;
    this.$('#growth-case-name').textContent = seg ? seg.name : '';
    this.$('#growth-result').replaceChildren();
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

  // Loads the other scan's segmentation in the Worker and checks that its voxels are BraTS labels (an image chosen
  // by mistake has integer intensities that would pass as thousands of labels).
  async #loadOther(file) {
    if (!file) return;
    const status = this.$('#growth-other-status');
    const previous = this.#other;
    this.#other = null;
    if (previous) this.#core.release(previous.id).catch(() => {});
    status.className = 'hint';
    status.textContent = `Loading ${file.name}…`;
    this.#root.dataset.other = 'loading';
    let id = null;
    try {
      if (!isNiftiName(file.name)) throw new Error(`${file.name}: not a NIfTI file (.nii or .nii.gz expected)`);
      const loaded = await this.#core.load(file.name, new Uint8Array(await file.arrayBuffer()));
      id = loaded.id;
      const labels = await this.#core.labelVolumes(id);
      const foreign = labels.find((l) => !BRATS_LABELS.has(l.label));
      if (foreign) {
        throw new Error(`${file.name}: voxel value ${foreign.label} is not a BraTS label (0 background, `
          + `${LABELS.map((l) => `${l.value} ${l.name.toLowerCase()}`).join(', ')}): not a BraTS segmentation`);
      }
      this.#other = { name: file.name, id, dims: loaded.header.dims.slice(0, 3) };
      const found = labels.map((l) => `${l.label} (${l.mL.toFixed(2)} mL)`).join(', ') || 'none (no tumour)';
      status.textContent = [`${file.name}: ${this.#other.dims.join('×')} voxels, labels ${found}`, ...loaded.warnings].join('; ');
      this.#root.dataset.other = 'loaded';
    } catch (error) {
      if (id !== null) this.#core.release(id).catch(() => {});
      status.className = 'error';
      status.textContent = error.message.startsWith(file.name) ? error.message : `${file.name}: ${error.message}`;
      this.#root.dataset.other = 'error';
    } finally {
      this.$('#growth-other-file').value = '';
    }
  }

  // The other scan for the Worker ({date, id} or {date, volume_ml}), or a message saying what is missing.
  #otherScan() {
    const date = this.$('#growth-other-date').value;
    if (this.$('#growth-other-source').value === 'file') {
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
    const region = REGIONS.find((r) => r.id === this.$('#growth-labels').value);
    const current = { scan: { id: seg.id, date: caseDate }, name: seg.name };
    const [earlier, later] = this.#caseIsLater() ? [other, current] : [current, other];
    const caseKey = this.#caseKey;
    this.$('#growth-result').replaceChildren();
    this.#shown = null;
    this.#status('Computing…', 'computing');
    try {
      const report = await this.#core.growth(earlier.scan, later.scan, region.labels);
      if (caseKey !== this.#caseKey) return;
      const scan = ({ name, scan: { date } }) => ({ name, date });
      this.#show({ earlier: scan(earlier), later: scan(later), region: { id: region.id, name: region.name }, report });
    } catch (error) {
      if (caseKey !== this.#caseKey) return;
      this.#status(`Growth from ${earlier.name} (${earlier.scan.date}) to ${later.name} (${later.scan.date}): ${error.message}`, 'error');
    }
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
