// The radiomics panel: features of every region (ET, TC, WT, NCR, ED) in every loaded modality, computed in the
// Worker one region x modality at a time (with progress), shown as a table and downloadable as CSV and JSON.

export const REGIONS = [
  { id: 'ET', name: 'Enhancing tumour', labels: [4] },
  { id: 'TC', name: 'Tumour core', labels: [1, 4] },
  { id: 'WT', name: 'Whole tumour', labels: [1, 2, 4] },
  { id: 'NCR', name: 'Necrotic core', labels: [1] },
  { id: 'ED', name: 'Edema', labels: [2] },
];
export const MODALITIES = [
  { role: 't1', label: 'T1' },
  { role: 't1c', label: 'T1c' },
  { role: 't2', label: 'T2' },
  { role: 'flair', label: 'FLAIR' },
];

function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// Long format: one row per region x modality x feature.
export function resultsToCsv(results) {
  const lines = ['region,labels,modality,file,name,ibsi_tag,value,reason'];
  for (const r of results) {
    for (const f of r.features) {
      lines.push([r.region, r.labels.join(' '), r.modality, r.file, f.name, f.ibsiTag, f.value, f.reason].map(csvField).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

export function resultsToJson(results, { mode, segmentation }) {
  return JSON.stringify({
    generator: 'Gliolens',
    mode,
    segmentation,
    results: results.map((r) => ({
      region: r.region,
      labels: r.labels,
      modality: r.modality,
      file: r.file,
      features: r.features.map((f) => ({ name: f.name, ibsi_tag: f.ibsiTag, value: f.value, reason: f.reason })),
    })),
  }, null, 2);
}

function formatValue(value) {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '0';
  const a = Math.abs(value);
  return a >= 1e5 || a < 1e-3 ? value.toExponential(4) : Number(value.toPrecision(6)).toString();
}

export class FeaturesPanel {
  #root;
  #core;
  #getFiles;
  #message;
  #results = [];
  #mode = 'pyradiomics';
  #segmentation = '';
  #busy = false;

  // root: the panel's element; core: the CoreClient; getFiles(): the page's loaded files ({role, id, name, labels});
  // message(kind, text): the page's message list.
  constructor(root, core, { getFiles, message }) {
    this.#root = root;
    this.#core = core;
    this.#getFiles = getFiles;
    this.#message = message;
    root.querySelector('#features-compute').addEventListener('click', () => this.compute());
    root.querySelector('#features-region').addEventListener('change', () => this.#renderTable());
    root.querySelector('#features-csv').addEventListener('click', () => this.#download('csv'));
    root.querySelector('#features-json').addEventListener('click', () => this.#download('json'));
    this.refresh();
  }

  // Called when files or roles change: enables the button when a segmentation and a modality are assigned.
  refresh() {
    const files = this.#getFiles();
    const ready = files.some((f) => f.role === 'seg') && files.some((f) => MODALITIES.some((m) => m.role === f.role));
    this.#root.querySelector('#features-compute').disabled = !ready || this.#busy;
    this.#root.querySelector('#features-hint').hidden = ready;
  }

  async compute() {
    if (this.#busy) return;
    const files = this.#getFiles();
    const seg = files.find((f) => f.role === 'seg');
    const modalities = MODALITIES.map((m) => ({ ...m, file: files.find((f) => f.role === m.role) })).filter((m) => m.file);
    if (!seg || modalities.length === 0) return;
    const present = new Set((seg.labels ?? []).map((l) => l.label));
    const regions = REGIONS.filter((r) => r.labels.some((l) => present.has(l)));
    for (const r of REGIONS) if (!regions.includes(r)) this.#message('info', `features: region ${r.id} is empty in ${seg.name}`);
    this.#mode = this.#root.querySelector('#features-mode').value;
    this.#segmentation = seg.name;
    this.#busy = true;
    this.#root.dataset.state = 'running';
    this.refresh();
    const bar = this.#root.querySelector('#features-progress');
    const text = this.#root.querySelector('#features-status');
    bar.hidden = false;
    bar.max = regions.length * modalities.length;
    const results = [];
    const started = performance.now();
    try {
      let done = 0;
      for (const region of regions) {
        for (const m of modalities) {
          bar.value = done;
          text.textContent = `Computing ${region.id} × ${m.label} (${done + 1}/${bar.max})…`;
          const out = await this.#core.features(m.file.id, seg.id, { labels: region.labels, mode: this.#mode });
          results.push({ region: region.id, labels: region.labels, modality: m.role, file: m.file.name, features: out.features });
          done++;
        }
      }
      bar.value = bar.max;
      this.#results = results;
      const seconds = (performance.now() - started) / 1000;
      text.textContent = `${results.length} region × modality sets, ${results.reduce((n, r) => n + r.features.length, 0)} values in ${seconds.toFixed(1)} s`;
      this.#root.dataset.state = 'done';
    } catch (error) {
      this.#message('error', `features: ${error.message}`);
      text.textContent = 'Feature extraction failed';
      this.#root.dataset.state = 'error';
    } finally {
      this.#busy = false;
      bar.hidden = true;
      this.refresh();
      this.#renderRegions();
      this.#renderTable();
    }
  }

  get results() {
    return this.#results;
  }

  #renderRegions() {
    const select = this.#root.querySelector('#features-region');
    const previous = select.value;
    const ids = [...new Set(this.#results.map((r) => r.region))];
    select.replaceChildren(...ids.map((id) => new Option(`${id} — ${REGIONS.find((r) => r.id === id).name}`, id, false, id === previous)));
    select.disabled = ids.length === 0;
    for (const b of this.#root.querySelectorAll('.features-download')) b.disabled = this.#results.length === 0;
  }

  #renderTable() {
    const table = this.#root.querySelector('#features-table');
    const region = this.#root.querySelector('#features-region').value;
    const sets = this.#results.filter((r) => r.region === region);
    table.hidden = sets.length === 0;
    if (sets.length === 0) return;
    const head = document.createElement('tr');
    head.append(...['Feature', 'IBSI', ...sets.map((s) => MODALITIES.find((m) => m.role === s.modality).label)].map((t) => {
      const th = document.createElement('th');
      th.textContent = t;
      return th;
    }));
    table.querySelector('thead').replaceChildren(head);
    const body = table.querySelector('tbody');
    const rows = sets[0].features.map((f, i) => {
      const tr = document.createElement('tr');
      tr.dataset.name = f.name;
      const name = document.createElement('td');
      name.className = 'name';
      name.textContent = f.name;
      const tag = document.createElement('td');
      tag.textContent = f.ibsiTag;
      tr.append(name, tag);
      for (const s of sets) {
        const g = s.features[i];
        const td = document.createElement('td');
        td.className = 'value';
        td.dataset.modality = s.modality;
        td.dataset.value = g.value === null ? '' : String(g.value);
        td.textContent = formatValue(g.value);
        if (g.value === null) td.title = g.reason;
        tr.append(td);
      }
      return tr;
    });
    body.replaceChildren(...rows);
  }

  #download(kind) {
    if (this.#results.length === 0) return;
    const text = kind === 'csv' ? resultsToCsv(this.#results) : resultsToJson(this.#results, { mode: this.#mode, segmentation: this.#segmentation });
    const blob = new Blob([text], { type: kind === 'csv' ? 'text/csv' : 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `gliolens_features.${kind}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}
