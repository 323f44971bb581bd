// The cohort panel: a folder of cases (one subfolder per case, BraTS or BIDS names) run one case after another in the
// Worker as `gliolens batch` runs its rows, with its code for the columns (cli/batch/row.mjs): the same columns, order
// and number text as the CLI's table for the same options, so the CSV downloaded here is the table `gliolens batch`
// writes for the folder's cases table. Each case's volumes are released in the Worker before the next; the run pauses
// and resumes between cases; a row opens its case in the page's single-case view.
import { version } from '../../package.json';
import { MODALITIES, REGIONS, csvLine, leadingColumns } from '../../cli/batch/row.mjs';
import { TABLE_COLUMNS, cohortOf } from './cohort-cases.js';
import { chosenFiles, droppedFiles } from './dropped-files.js';
import { downloadFile } from './download.js';

const DEFAULT_REGIONS = ['ET', 'TC', 'WT'];
const STEPS = [
  { id: 'features', label: 'features (region × modality)', checked: true },
  { id: 'descriptors', label: 'descriptors (shape, proportions, location)', checked: false },
];

function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

function checkboxes(name, items) {
  return items.map(({ id, label, checked }) => `<label><input type="checkbox" name="${name}" value="${id}"${checked ? ' checked' : ''} /> ${label}</label>`).join(' ');
}

async function sha256Hex(text) {
  if (!crypto.subtle) throw new Error('the parameter file\'s sha256 needs a secure page (https or localhost)');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const seconds = (s) => (s < 90 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : `${Math.round(s / 60)} min`);

export class CohortPanel {
  #root;
  #core;
  #openCase;
  #message;
  // The folder's cohort (cohort-cases.js), each case with its run state: status 'pending' | 'running' | 'done' |
  // 'failed', row [[name, value]] or error.
  #cohort = null;
  #params = null;  // {name, text} of the parameter file chosen, or null: the defaults
  #plan = null;
  #header = null;  // the first row's column names: every row must have them
  #next = 0;
  #caseSeconds = [];
  #heapPeak = 0;  // bytes of the Worker's WASM heap after the cases' work, at most
  #state = 'idle';  // idle | running | paused | done
  #pauseRequested = false;

  // root: the panel's element; core: the CoreClient; openCase(files): loads a case's File objects into the page as
  // dropped files are; message(kind, text): the page's message list.
  constructor(root, core, { openCase, message }) {
    this.#root = root;
    this.#core = core;
    this.#openCase = openCase;
    this.#message = message;
    root.innerHTML = `
      <h2>Cohort: a folder of cases</h2>
      <p class="hint">A folder holding one subfolder per case, its files named as BraTS names them (<code>_t1</code>, <code>_t1ce</code>,
        <code>_t2</code>, <code>_flair</code>, <code>_seg</code>) or as BIDS does (<code>sub-01_ses-1_T1w</code>, <code>_ce-gd_T1w</code>,
        <code>_T2w</code>, <code>_FLAIR</code>, <code>_dseg</code>). Each case runs in this tab after the other, as <code>gliolens batch</code>
        runs a cases table of the folder (paths relative to it), and its row joins the table; nothing leaves the machine.
        Click a row to open its case above.</p>
      <div id="cohort-drop" class="cohort-drop" tabindex="0" role="button" aria-label="Drop a folder of cases here or click to choose one">
        <strong>Drop a folder of cases here</strong> or click to choose one
        <input id="cohort-folder" type="file" webkitdirectory multiple hidden />
      </div>
      <div class="cohort-options">
        <fieldset><legend>Steps</legend>${checkboxes('cohort-step', STEPS)}</fieldset>
        <fieldset><legend>Regions</legend>${checkboxes('cohort-region', Object.keys(REGIONS).map((id) => ({ id, label: id, checked: DEFAULT_REGIONS.includes(id) })))}</fieldset>
        <fieldset><legend>Modalities</legend>${checkboxes('cohort-modality', MODALITIES.map((id) => ({ id, label: id, checked: true })))}</fieldset>
        <label>Mode <select id="cohort-mode"><option value="pyradiomics" selected>PyRadiomics</option><option value="ibsi">IBSI</option></select></label>
        <label class="linklike">Parameter file <input id="cohort-params" type="file" accept=".yaml,.yml,.json,.txt" hidden /></label>
        <span id="cohort-params-name" class="hint">none: the mode's defaults</span>
      </div>
      <p id="cohort-found" class="hint" role="status"></p>
      <table id="cohort-cases" hidden><thead><tr><th>Case</th><th>Files (role: path)</th><th>Missing</th><th>Run</th></tr></thead><tbody></tbody></table>
      <div class="cohort-actions">
        <button type="button" id="cohort-run" disabled>Run the cohort</button>
        <button type="button" id="cohort-pause" disabled>Pause</button>
        <button type="button" id="cohort-csv" disabled>Download CSV</button>
        <button type="button" id="cohort-errors" disabled>Download errors</button>
        <progress id="cohort-progress" hidden></progress> <span id="cohort-status" role="status" aria-live="polite"></span>
      </div>
      <div class="cohort-table-box"><table id="cohort-table" hidden><thead></thead><tbody></tbody></table></div>`;
    root.dataset.state = 'idle';
    const drop = this.$('#cohort-drop');
    const choose = () => { if (!this.#busy) this.$('#cohort-folder').click(); };
    drop.addEventListener('click', choose);
    drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') choose(); });
    for (const type of ['dragenter', 'dragover']) drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add('dragging'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('dragging');
      if (!this.#busy) this.#take(droppedFiles(e.dataTransfer));
    });
    this.$('#cohort-folder').addEventListener('change', (e) => {
      this.#take(Promise.resolve(chosenFiles(e.target.files)));
      e.target.value = '';
    });
    this.$('#cohort-params').addEventListener('change', (e) => this.#readParams(e.target.files[0]));
    root.addEventListener('change', (e) => { if (e.target.type === 'checkbox') this.#refreshButtons(); });
    this.$('#cohort-run').addEventListener('click', () => this.#start());
    this.$('#cohort-pause').addEventListener('click', () => (this.#state === 'paused' ? this.#continue() : this.#pause()));
    this.$('#cohort-csv').addEventListener('click', () => downloadFile(`${this.#name}_gliolens_batch.csv`, this.csv(), 'text/csv'));
    this.$('#cohort-errors').addEventListener('click', () => downloadFile(`${this.#name}_gliolens_batch.errors.csv`, this.#errorsCsv(), 'text/csv'));
  }

  $(selector) {
    return this.#root.querySelector(selector);
  }

  get #busy() {
    return this.#state === 'running';
  }

  get #name() {
    return this.#cohort?.folder || 'cohort';
  }

  // The table as gliolens batch writes it: the header, then the finished cases' rows in the cases' order.
  csv() {
    const rows = this.#cohort?.cases.filter((k) => k.status === 'done') ?? [];
    if (!this.#header || rows.length === 0) return '';
    return csvLine(this.#header) + rows.map((k) => csvLine(k.row.map(([, value]) => value))).join('');
  }

  // The failed cases as gliolens batch's OUT.errors.csv has them (id, error).
  #errorsCsv() {
    const failed = this.#cohort?.cases.filter((k) => k.status === 'failed') ?? [];
    return csvLine(['id', 'error']) + failed.map((k) => csvLine([k.id, k.error])).join('');
  }

  async #take(entriesPromise) {
    try {
      const entries = await entriesPromise;
      const cohort = cohortOf(entries);
      if (cohort.cases.length === 0) throw new Error(`no NIfTI file (.nii, .nii.gz) in the ${entries.length} files dropped`);
      for (const kase of cohort.cases) Object.assign(kase, { status: 'pending', row: null, error: null });
      this.#cohort = cohort;
      this.#setState('idle');
      this.#resetRun();
      const found = `${cohort.folder || 'Folder'}: ${cohort.cases.length} case${cohort.cases.length === 1 ? '' : 's'}`;
      this.$('#cohort-found').textContent = cohort.ignored.length ? `${found}; ${cohort.ignored.length} other files ignored (not NIfTI)` : found;
    } catch (error) {
      this.#message('error', `cohort: ${error.message}`);
    }
    this.#renderCases();
    this.#refreshButtons();
  }

  async #readParams(file) {
    if (!file) return;
    try {
      // As the CLI reads it (Node's 'utf8': a byte-order mark kept), so the text and its sha256 are the same.
      this.#params = { name: file.name, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await file.arrayBuffer()) };
      this.$('#cohort-params-name').textContent = file.name;
    } catch (error) {
      this.#message('error', `${file.name}: cannot read the parameter file (${error.message})`);
    } finally {
      this.$('#cohort-params').value = '';
    }
  }

  #checked(name) {
    return [...this.#root.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
  }

  // The options as gliolens batch's plan has them (cli/commands/batch.mjs): our form, regions and modalities in the
  // order --regions ET,TC,WT,NCR,ED and --modalities t1,t1ce,t2,flair list them.
  async #planOf() {
    const params = this.#params?.text;
    return {
      form: 'gliolens',
      steps: this.#checked('cohort-step'),
      regions: this.#checked('cohort-region').map((id) => ({ id, labels: REGIONS[id] })),
      modalities: this.#checked('cohort-modality'),
      mode: this.$('#cohort-mode').value,
      params,
      paramsPath: this.#params?.name,
      paramsSha256: params === undefined ? '' : await sha256Hex(params),
    };
  }

  #refreshButtons() {
    const steps = this.#checked('cohort-step');
    const featuresReady = !steps.includes('features') || (this.#checked('cohort-region').length > 0 && this.#checked('cohort-modality').length > 0);
    this.$('#cohort-run').disabled = !this.#cohort || this.#busy || steps.length === 0 || !featuresReady;
    const pause = this.$('#cohort-pause');
    pause.disabled = !['running', 'paused'].includes(this.#state) || this.#pauseRequested;
    pause.textContent = this.#state === 'paused' ? 'Resume' : 'Pause';
    const done = this.#cohort?.cases.some((k) => k.status === 'done') ?? false;
    this.$('#cohort-csv').disabled = !done;
    this.$('#cohort-errors').disabled = !(this.#cohort?.cases.some((k) => k.status === 'failed') ?? false);
    for (const input of this.#root.querySelectorAll('.cohort-options input, .cohort-options select, #cohort-folder')) input.disabled = this.#busy || this.#state === 'paused';
  }

  #setState(state) {
    this.#state = state;
    this.#root.dataset.state = state;
    this.$('#cohort-progress').hidden = state !== 'running';
  }

  #resetRun() {
    this.#header = null;
    this.#next = 0;
    this.#caseSeconds = [];
    this.#heapPeak = 0;
    this.#pauseRequested = false;
    this.#root.dataset.done = '0';
    this.#root.dataset.failed = '0';
    this.#clearTable();
  }

  async #start() {
    if (!this.#cohort || this.#busy) return;
    for (const kase of this.#cohort.cases) Object.assign(kase, { status: 'pending', row: null, error: null });
    this.#resetRun();
    try {
      this.#plan = await this.#planOf();
    } catch (error) {
      // crypto.subtle (the parameter file's sha256) exists only where the page is served over https or from localhost.
      this.#message('error', `cohort: ${error.message}`);
      return;
    }
    this.#renderCases();
    await this.#continue();
  }

  #pause() {
    this.#pauseRequested = true;
    this.$('#cohort-status').textContent = `${this.$('#cohort-status').textContent} · pausing after this case…`;
    this.#refreshButtons();
  }

  // Runs the cases left, one at a time, until the last or a pause.
  async #continue() {
    const cases = this.#cohort.cases;
    this.#pauseRequested = false;
    this.#setState('running');
    this.#refreshButtons();
    while (this.#next < cases.length) {
      if (this.#pauseRequested) {
        this.#pauseRequested = false;
        this.#setState('paused');
        this.$('#cohort-status').textContent = `Paused after case ${this.#next} of ${cases.length}: Resume goes on with ${cases[this.#next].id}.`;
        this.#refreshButtons();
        return;
      }
      const kase = cases[this.#next];
      this.$('#cohort-status').textContent = `Case ${this.#next + 1} of ${cases.length} (${kase.id})${this.#eta(cases.length - this.#next)}`;
      kase.status = 'running';
      this.#renderCases();
      const started = performance.now();
      await this.#runCase(kase);
      this.#caseSeconds.push((performance.now() - started) / 1000);
      this.#next++;
      this.#renderCases();
      this.#appendRow(kase);
      this.#root.dataset.done = String(cases.filter((k) => k.status === 'done').length);
      this.#root.dataset.failed = String(cases.filter((k) => k.status === 'failed').length);
      this.#refreshButtons();
    }
    const failed = cases.filter((k) => k.status === 'failed').length;
    const total = this.#caseSeconds.reduce((a, b) => a + b, 0);
    this.$('#cohort-status').textContent = `Done: ${cases.length - failed} of ${cases.length} cases${failed ? `, ${failed} failed (see their rows)` : ''}, ${seconds(total)} of work, the Worker's heap at most ${Math.round(this.#heapPeak / 2 ** 20)} MiB.`;
    this.#setState('done');
    this.#refreshButtons();
  }

  #eta(left) {
    if (this.#caseSeconds.length === 0) return '';
    const mean = this.#caseSeconds.reduce((a, b) => a + b, 0) / this.#caseSeconds.length;
    return ` · ${seconds(mean)} a case, about ${seconds(mean * left)} left`;
  }

  async #runCase(kase) {
    try {
      if (kase.duplicates.length) {
        throw new Error(kase.duplicates.map((d) => `${d.paths.length} files for ${d.column} (${d.paths.join(', ')})`).join('; '));
      }
      const result = await this.#core.cohortCase(kase.files, this.#plan);
      this.#root.dataset.loadedAfter = String(result.loadedAfter);
      this.#heapPeak = Math.max(this.#heapPeak, result.heapBytes ?? 0);
      const row = [...leadingColumns(kase, TABLE_COLUMNS, this.#plan, version, { segmentation: '', notes: result.notes }), ...result.columns];
      const names = row.map(([name]) => name);
      // As gliolens batch's journal: the first row sets the header, a row with other columns fails.
      if (!this.#header) this.#header = names;
      else if (names.length !== this.#header.length || names.some((n, k) => n !== this.#header[k])) {
        throw new Error(`its columns differ from the table's (${names.length} against ${this.#header.length})`);
      }
      Object.assign(kase, { status: 'done', row });
    } catch (error) {
      Object.assign(kase, { status: 'failed', error: error.message });
    }
  }

  #renderCases() {
    const table = this.$('#cohort-cases');
    const cases = this.#cohort?.cases ?? [];
    table.hidden = cases.length === 0;
    table.querySelector('tbody').replaceChildren(...cases.map((kase) => {
      const files = Object.entries(kase.files).map(([column, f]) => `${column}: ${f.path}`);
      const problems = [...kase.duplicates.map((d) => `${d.column} twice: ${d.paths.join(', ')}`), ...kase.unrecognised.map((p) => `role not recognised: ${p}`)];
      const row = element('tr', {}, element('td', { textContent: kase.id }), element('td', { className: 'name', textContent: [...files, ...problems].join('\n') }),
        element('td', { textContent: kase.missing.join(', ') || '—' }), element('td', { textContent: kase.status === 'failed' ? 'failed' : kase.status }));
      row.dataset.case = kase.id;
      row.dataset.status = kase.status;
      return row;
    }));
  }

  // The results table emptied for a new run; #appendRow fills it: the CSV's header, then a row per case as it finishes.
  #clearTable() {
    const table = this.$('#cohort-table');
    table.querySelector('thead').replaceChildren();
    table.querySelector('tbody').replaceChildren();
    table.hidden = true;
  }

  #appendRow(kase) {
    const table = this.$('#cohort-table');
    if (this.#header && !table.querySelector('thead tr')) {
      table.querySelector('thead').append(element('tr', {}, ...this.#header.map((name) => element('th', { textContent: name }))));
    }
    const row = element('tr', { tabIndex: 0, title: `Open ${kase.id} in the viewer` });
    row.dataset.case = kase.id;
    row.dataset.status = kase.status;
    if (kase.status === 'done') {
      row.append(...kase.row.map(([, value]) => element('td', { textContent: value === null || value === undefined ? '' : String(value) })));
    } else {
      row.className = 'failed';
      row.dataset.error = kase.error;
      row.append(element('td', { textContent: kase.id }), element('td', { colSpan: Math.max(1, (this.#header?.length ?? 2) - 1), textContent: `failed: ${kase.error}` }));
    }
    const open = () => this.#open(kase);
    row.addEventListener('click', open);
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    table.querySelector('tbody').append(row);
    table.hidden = false;
  }

  async #open(kase) {
    const files = Object.values(kase.files).map((f) => f.file);
    if (files.length === 0) return;
    this.#message('info', `cohort: opening ${kase.id} (${files.length} files)`);
    await this.#openCase(files);
  }
}
