// The radiomics panel: features of every region (ET, TC, WT, NCR, ED) in every loaded modality, computed in the
// Worker one region x modality at a time (with progress; Cancel stops at the next region x modality), shown as a
// table with each set's grey levels and bin setting, and downloadable as CSV and JSON.
import { downloadFile } from './download.js';

export const REGIONS = [
  { id: 'ET', name: 'Enhancing tumour', labels: [4] },
  { id: 'TC', name: 'Tumour core', labels: [1, 4] },
  { id: 'WT', name: 'Whole tumour', labels: [1, 2, 4] },
  { id: 'NCR', name: 'Necrotic core', labels: [1] },
  { id: 'ED', name: 'Edema', labels: [2] },
];
// The FLAIR-only model's segmentation has one region, the FLAIR abnormality: the whole tumour, and nothing else.
const FLAIR_REGIONS = [{ id: 'WT', name: 'Whole tumour', labels: [1] }];
export const MODALITIES = [
  { role: 't1', label: 'T1' },
  { role: 't1c', label: 'T1c' },
  { role: 't2', label: 'T2' },
  { role: 'flair', label: 'FLAIR' },
];

// A fixed bin width on raw MR intensities that gives this many occupied grey levels or more is warned about:
// the scanner's arbitrary intensity scale then decides the texture features (and their cost). PyRadiomics'
// documentation recommends normalising MR images or a fixed bin count.
export const MANY_GREY_LEVELS = 200;

// The original image's grey levels of one extraction (the page extracts no filtered image types).
function originalGreyLevels(result) {
  return result.greyLevels?.find((g) => g.imageType === 'original') ?? null;
}

export function binSetting(g) {
  if (!g) return '';
  const bins = g.binWidth !== null ? `bin width ${g.binWidth}` : g.binCount !== null ? `${g.binCount} bins` : 'no binning';
  return g.normalize ? `${bins}, normalised` : bins;
}

// Whether a set's grey levels come from a fixed bin width on raw intensities and are many.
export function tooManyGreyLevels(g) {
  return Boolean(g) && g.binWidth !== null && !g.normalize && g.occupiedLevels >= MANY_GREY_LEVELS;
}

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
      // Added beside the features: readers of the earlier files see the same keys as before.
      grey_levels: (r.greyLevels ?? []).map((g) => ({
        image_type: g.imageType, occupied_levels: g.occupiedLevels, level_range: g.levelRange, bin_width: g.binWidth, bin_count: g.binCount, normalize: g.normalize,
      })),
    })),
  }, null, 2);
}

export function formatValue(value) {
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
  #cancelRequested = false;

  // root: the panel's element; core: the CoreClient; getFiles(): the page's loaded files ({role, id, name, labels});
  // message(kind, text): the page's message list.
  constructor(root, core, { getFiles, message }) {
    this.#root = root;
    this.#core = core;
    this.#getFiles = getFiles;
    this.#message = message;
    root.querySelector('#features-compute').addEventListener('click', () => this.compute());
    root.querySelector('#features-cancel').addEventListener('click', () => this.cancel());
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
    const flairOnly = seg.scheme === 'flair';
    const regions = (flairOnly ? FLAIR_REGIONS : REGIONS).filter((r) => r.labels.some((l) => present.has(l)));
    if (flairOnly) {
      this.#message('info', `features: ${seg.name} is the FLAIR-only model's one region, the FLAIR abnormality: its features are the whole tumour's (WT); `
        + 'the sub-regions (ET, TC, NCR, ED) need the sub-region model (all four sequences)');
    } else {
      for (const r of REGIONS) if (!regions.includes(r)) this.#message('info', `features: region ${r.id} is empty in ${seg.name}`);
    }
    this.#mode = this.#root.querySelector('#features-mode').value;
    this.#segmentation = seg.name;
    this.#busy = true;
    this.#cancelRequested = false;
    this.#root.dataset.state = 'running';
    // A new run replaces the last one's table as its sets finish.
    this.#results = [];
    this.#render();
    this.refresh();
    const cancel = this.#root.querySelector('#features-cancel');
    cancel.hidden = false;
    cancel.disabled = false;
    const bar = this.#root.querySelector('#features-progress');
    const text = this.#root.querySelector('#features-status');
    bar.hidden = false;
    const total = regions.length * modalities.length;
    bar.max = total;
    const started = performance.now();
    let done = 0;
    const report = (line) => {
      text.textContent = line;
      text.dataset.done = String(done);
      text.dataset.total = String(total);
    };
    try {
      // One request per region x modality: the Worker stays free between them, and Cancel takes effect there.
      for (const region of regions) {
        for (const m of modalities) {
          if (this.#cancelRequested) break;
          bar.value = done;
          report(`Computing ${region.id} on ${m.label}, ${done + 1} of ${total}…`);
          const out = await this.#core.features(m.file.id, seg.id, { labels: region.labels, mode: this.#mode });
          this.#results.push({ region: region.id, labels: region.labels, modality: m.role, file: m.file.name, features: out.features, greyLevels: out.greyLevels });
          done++;
          bar.value = done;
          this.#render();
        }
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const values = this.#results.reduce((n, r) => n + r.features.length, 0);
      if (done < total) {
        report(`Cancelled after ${done} of ${total}: the table holds the ${done} region × modality sets finished (${values} values, ${seconds} s); compute again for all`);
        this.#root.dataset.state = 'cancelled';
      } else {
        report(`${done} of ${total} region × modality sets, ${values} values in ${seconds} s`);
        this.#root.dataset.state = 'done';
      }
    } catch (error) {
      this.#message('error', `features: ${error.message}`);
      report(`Feature extraction failed after ${done} of ${total}`);
      this.#root.dataset.state = 'error';
    } finally {
      this.#busy = false;
      bar.hidden = true;
      cancel.hidden = true;
      this.refresh();
      this.#render();
    }
  }

  // Stops the run once the region x modality in the Worker is through (the core cannot stop inside one); the sets
  // finished so far stay in the table.
  cancel() {
    if (!this.#busy || this.#cancelRequested) return;
    this.#cancelRequested = true;
    this.#root.querySelector('#features-cancel').disabled = true;
    this.#root.dataset.state = 'cancelling';
    const text = this.#root.querySelector('#features-status');
    text.textContent = `${text.textContent.replace(/…$/, '')}: cancelling once it is through…`;
  }

  get results() {
    return this.#results;
  }

  // The table's sets with their mode and segmentation, for the report and the session file; null before a run.
  get state() {
    return this.#results.length ? { mode: this.#mode, segmentation: this.#segmentation, results: this.#results } : null;
  }

  // Shows the sets saved in a session, as computed then.
  restore({ mode, segmentation, results }) {
    if (this.#busy) return;
    this.#mode = mode;
    this.#segmentation = segmentation;
    this.#results = results;
    this.#root.dataset.state = 'done';
    this.#root.querySelector('#features-status').textContent = `${results.length} region × modality sets of ${segmentation} (${mode}), from the session file`;
    this.#render();
  }

  #render() {
    this.#renderRegions();
    this.#renderTable();
    this.#renderWarning();
  }

  // One note for every set whose fixed bin width on raw intensities gave many levels; the settings stay the user's.
  #renderWarning() {
    const note = this.#root.querySelector('#features-warning');
    const many = this.#results.filter((r) => tooManyGreyLevels(originalGreyLevels(r)));
    note.hidden = many.length === 0;
    if (many.length === 0) return;
    const label = (role) => MODALITIES.find((m) => m.role === role).label;
    const widths = [...new Set(many.map((r) => originalGreyLevels(r).binWidth))].join(', ');
    const sets = many.map((r) => `${r.region} on ${label(r.modality)} ${originalGreyLevels(r).occupiedLevels}`).join(', ');
    note.textContent = `Many grey levels: a fixed bin width of ${widths} on raw (not normalised) MRI intensities gives `
      + `${MANY_GREY_LEVELS} or more occupied levels in ${many.length} region × modality set${many.length > 1 ? 's' : ''} (${sets}). `
      + 'MRI intensities have no fixed scale, so such texture features depend on the scanner and take longer; '
      + 'PyRadiomics\' documentation recommends normalising MR images (normalize: true) or a fixed bin count (binCount). '
      + 'The features were computed with your settings, unchanged.';
    note.dataset.sets = many.map((r) => `${r.region}:${r.modality}`).join(' ');
  }

  #renderRegions() {
    const select = this.#root.querySelector('#features-region');
    const previous = select.value;
    const ids = [...new Set(this.#results.map((r) => r.region))];
    select.replaceChildren(...ids.map((id) => new Option(`${id} — ${REGIONS.find((r) => r.id === id).name}`, id, false, id === previous)));
    select.disabled = ids.length === 0;
    for (const b of this.#root.querySelectorAll('.features-download')) b.disabled = this.#results.length === 0 || this.#busy;
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
    // The region's grey levels and bin setting, per modality: what the texture matrices were built over.
    const noteRow = (className, title, cell) => {
      const tr = document.createElement('tr');
      tr.className = className;
      const th = document.createElement('th');
      th.colSpan = 2;
      th.textContent = title;
      tr.append(th, ...sets.map((s) => {
        const td = document.createElement('td');
        td.className = 'value';
        td.dataset.modality = s.modality;
        cell(td, originalGreyLevels(s));
        return td;
      }));
      return tr;
    };
    const levels = noteRow('grey-levels', 'Grey levels (occupied)', (td, g) => {
      td.dataset.value = g ? String(g.occupiedLevels) : '';
      td.textContent = g ? String(g.occupiedLevels) : '—';
      if (g) td.title = `${g.occupiedLevels} distinct grey levels in the region, spanning ${g.levelRange} bins`;
      if (tooManyGreyLevels(g)) {
        td.classList.add('many');
        td.textContent = `⚠ ${g.occupiedLevels}`;
      }
    });
    const bins = noteRow('bin-setting', 'Bin setting', (td, g) => {
      td.textContent = binSetting(g) || '—';
    });
    table.querySelector('thead').replaceChildren(head, levels, bins);
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
    downloadFile(`gliolens_features.${kind}`, text, kind === 'csv' ? 'text/csv' : 'application/json');
  }
}
