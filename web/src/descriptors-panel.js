// The tumour descriptors of the case's segmentation (loaded or computed), from the same core code as `gliolens
// descriptors`: volumes and proportions, multifocality, location in SRI24 space, and each region's shape; a value
// the core cannot give shows its reason. The CSV is the CLI's `--format csv` row.
import { descriptorsCsv } from '../../wasm/gliolens.mjs';
import { downloadFile } from './download.js';

const REGIONS = ['WT', 'TC', 'ET', 'NCR', 'ED'];
const SHAPE_PREFIX = '_original_shape_';
const VOLUME_FEATURES = ['VoxelVolume', 'MeshVolume'];
const PROPORTIONS = ['ET_over_TC', 'NCR_over_TC', 'ED_over_WT', 'TC_over_WT'];
const MULTIFOCALITY = ['WT_components_min_1mL', 'WT_multifocal', 'WT_largest_component_share'];
const LOCATION = [
  'WT_centroid_x_mm', 'WT_centroid_y_mm', 'WT_centroid_z_mm', 'WT_hemisphere_left', 'WT_crosses_midline',
  'WT_contralateral_extent_mm', 'WT_centroid_midline_distance_mm', 'WT_centroid_ventricles_distance_mm',
];
const YES_NO = new Set(['WT_multifocal', 'WT_crosses_midline']);

// The patient's ID as the CLI gives it: the file name without .nii/.nii.gz.
export function idOf(name) {
  return name.replace(/\.nii(\.gz)?$/i, '');
}

export function shown(name, value) {
  if (name === 'WT_hemisphere_left') return value === 1 ? 'left' : 'right';
  if (YES_NO.has(name)) return value === 1 ? 'yes' : 'no';
  if (Number.isInteger(value) || Math.abs(value) >= 1000) return value.toFixed(0);
  return Number(value.toPrecision(4)).toString();
}

// One cell for a descriptor: the value shown (its full value in data-value), or a dash with the reason on hover (the
// group lists each reason once, below its table).
function valueCell(descriptor, format = shown) {
  const td = document.createElement('td');
  td.className = 'value';
  td.dataset.name = descriptor.name;
  if (descriptor.value === null || descriptor.value === undefined) {
    td.dataset.reason = descriptor.reason ?? 'no value';
    td.title = td.dataset.reason;
    td.textContent = '—';
  } else {
    td.dataset.value = String(descriptor.value);
    td.textContent = format(descriptor.name, descriptor.value);
  }
  return td;
}

// A group: its heading, its tables, and a muted note for each distinct reason a value of the group is missing.
function group(title, ...tables) {
  const section = document.createElement('div');
  section.className = 'descriptors-group';
  section.append(Object.assign(document.createElement('h3'), { textContent: title }), ...tables);
  const reasons = new Map();
  for (const td of section.querySelectorAll('td[data-reason]')) {
    const label = td.closest('tr').querySelector('th').textContent;
    const column = td.closest('table').querySelector('thead')?.rows[0].cells[td.cellIndex]?.textContent;
    reasons.set(td.dataset.reason, [...(reasons.get(td.dataset.reason) ?? []), column ? `${column} ${label}` : label]);
  }
  for (const [reason, labels] of reasons) {
    const note = document.createElement('p');
    note.className = 'hint reason';
    note.textContent = `No value for ${labels.join(', ')}: ${reason.replace(/\.$/, '')}.`;
    section.append(note);
  }
  return section;
}

function row(label, ...cells) {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  th.textContent = label;
  tr.append(th, ...cells);
  return tr;
}

function table(className, head, rows) {
  const t = document.createElement('table');
  t.className = className;
  if (head) {
    const thead = document.createElement('thead');
    thead.append(row(head[0], ...head.slice(1).map((text) => Object.assign(document.createElement('th'), { textContent: text }))));
    t.append(thead);
  }
  const body = document.createElement('tbody');
  body.append(...rows);
  t.append(body);
  return t;
}

export class DescriptorsPanel {
  #root;
  #core;
  #getFiles;
  // The segmentation the descriptors are of ({key, id, name}) and the result, or the error's message.
  #source = null;
  #result = null;
  // Told the descriptors of the case's segmentation ({result, source}) once computed, and null while there are none
  // (no segmentation, computing, failed): the predictions panel reads the same numbers this section shows.
  #onChange;

  constructor(root, core, { getFiles, onChange = () => {} }) {
    this.#root = root;
    this.#core = core;
    this.#getFiles = getFiles;
    this.#onChange = onChange;
    root.innerHTML = `
      <h2>Tumour descriptors</h2>
      <p class="hint">From the segmentation's labels (WT 1+2+4, TC 1+4, ET 4, NCR 1, ED 2); location in SRI24 space as BraTS has it.
        <button type="button" id="descriptors-csv" disabled>Download CSV</button></p>
      <p id="descriptors-status" role="status" aria-live="polite"></p>
      <div id="descriptors-groups"></div>`;
    root.hidden = true;
    root.querySelector('#descriptors-csv').addEventListener('click', () => this.#download());
  }

  $(selector) {
    return this.#root.querySelector(selector);
  }

  // Computes the descriptors when the case's segmentation changed; hides the section without one.
  refresh() {
    const seg = this.#getFiles().find((f) => f.role === 'seg' && f.labels);
    this.#root.hidden = !seg;
    if (!seg) {
      // Descriptors restored from a session stay until a segmentation is loaded.
      if (this.#source?.restored) return;
      this.#source = null;
      this.#result = null;
      this.#root.dataset.state = 'none';
      this.#onChange(null);
      return;
    }
    if (this.#source?.key === seg.key) return;
    if (seg.scheme === 'flair') return this.#needSubregions(seg);
    const source = { key: seg.key, id: seg.id, name: seg.name };
    this.#source = source;
    this.#result = null;
    this.#onChange(null);
    this.#root.dataset.state = 'computing';
    this.$('#descriptors-status').textContent = `Computing the descriptors of ${seg.name}…`;
    this.$('#descriptors-status').className = '';
    this.$('#descriptors-groups').replaceChildren();
    this.$('#descriptors-csv').disabled = true;
    this.#core.descriptors(seg.id).then(
      (result) => { if (this.#source === source) this.#show(result); },
      (error) => { if (this.#source === source) this.#fail(error); },
    );
  }

  // The descriptors shown ({result, source: {name}}), for the report and the session file; null while there are none.
  get state() {
    return this.#result ? { result: this.#result, source: { name: this.#source.name } } : null;
  }

  // Shows descriptors saved in a session as they were computed, without the segmentation.
  restore({ result, source }) {
    this.#source = { key: null, id: null, name: source.name, restored: true };
    this.#root.hidden = false;
    this.#show(result);
  }

  // The FLAIR-only model's one label is not the BraTS labels the descriptors read (its 1 would pass as necrosis):
  // nothing is computed, and the section says what it needs.
  #needSubregions(seg) {
    this.#source = { key: seg.key, id: seg.id, name: seg.name };
    this.#result = null;
    this.#onChange(null);
    this.#root.dataset.state = 'needs-subregions';
    const status = this.$('#descriptors-status');
    status.className = '';
    status.textContent = `${seg.name} is the FLAIR-only model's one region, the FLAIR abnormality: the descriptors (sub-region volumes and `
      + 'proportions, multifocality, location, shape per region) and the predictions made from them need the sub-region model '
      + '(all four sequences). The abnormality\'s volume is in the legend; its radiomic features are those of the whole tumour (WT).';
    this.$('#descriptors-groups').replaceChildren();
    this.$('#descriptors-csv').disabled = true;
  }

  #fail(error) {
    this.#root.dataset.state = 'error';
    const status = this.$('#descriptors-status');
    status.className = 'error';
    status.textContent = `The descriptors of ${this.#source.name} could not be computed: ${error?.message || 'unknown error'}`;
    this.#onChange(null);
  }

  #show(result) {
    this.#result = result;
    const byName = new Map(result.descriptors.map((d) => [d.name, d]));
    const get = (name) => byName.get(name) ?? { name, value: null, reason: 'not computed by this core' };
    const mL = (name, value) => `${(value / 1000).toFixed(2)} mL`;
    const volumeRows = VOLUME_FEATURES.map((f) => row(f === 'VoxelVolume' ? 'Volume (voxels)' : 'Volume (mesh)',
      ...REGIONS.map((r) => valueCell(get(`${r}${SHAPE_PREFIX}${f}`), mL))));
    const proportionRows = PROPORTIONS.map((name) => row(name.replace('_over_', ' / '), valueCell(get(name))));
    const multifocalityLabels = {
      WT_components_min_1mL: `Components ≥ ${result.settings.componentMinMl} mL`,
      WT_multifocal: 'Multifocal',
      WT_largest_component_share: 'Largest component share',
    };
    const shapeFeatures = [...new Set(result.descriptors.map((d) => d.name.split(SHAPE_PREFIX)[1]).filter(Boolean))]
      .filter((f) => !VOLUME_FEATURES.includes(f));
    const groups = [
      group('Volumes and proportions', table('descriptors-volumes', ['', ...REGIONS], volumeRows),
        table('descriptors-proportions', null, proportionRows)),
      group('Multifocality', table('descriptors-multifocality', null,
        MULTIFOCALITY.map((name) => row(multifocalityLabels[name], valueCell(get(name)))))),
      group('Location (SRI24, RAS mm)', table('descriptors-location', null, LOCATION.map((name) =>
        row(name.replace(/^WT_/, '').replace(/_left$/, '').replace(/_mm$/, ' (mm)').replaceAll('_', ' '), valueCell(get(name)))))),
      group('Shape per region', table('descriptors-shape', ['', ...REGIONS], shapeFeatures.map((f) =>
        row(f, ...REGIONS.map((r) => valueCell(get(`${r}${SHAPE_PREFIX}${f}`))))))),
    ];
    this.$('#descriptors-groups').replaceChildren(...groups);
    const missing = result.descriptors.filter((d) => d.value === null || d.value === undefined).length;
    this.$('#descriptors-status').className = '';
    this.$('#descriptors-status').textContent = `${result.descriptors.length - missing} of ${result.descriptors.length} descriptors of ${this.#source.name}`
      + (missing ? ` (${missing} without a value, reasons below each group)` : '');
    this.$('#descriptors-csv').disabled = false;
    this.#root.dataset.state = 'done';
    this.#onChange({ result, source: this.#source });
  }

  #download() {
    if (!this.#result) return;
    const id = idOf(this.#source.name);
    downloadFile(`${id}_descriptors.csv`, descriptorsCsv(id, this.#result.descriptors), 'text/csv');
  }
}
