// The case report and the session file, both assembled from what the page's panels already hold (nothing is
// recomputed): the report is one printed page (the browser's "Save as PDF" makes the file), the session a JSON file of
// the case's results that a later visit opens to see the same numbers without running anything again. Images are
// never in a session: they stay the user's files, and are dropped again to view them.
import { shown as descriptorText } from './descriptors-panel.js';
import { formatValue as featureText } from './features-panel.js';
import { labelInfo } from './labels.js';
import { percent } from './predictions-panel.js';

export const SESSION_FORMAT = 'gliolens-session';
export const SESSION_VERSION = 1;

const REPORT_DESCRIPTORS = {
  WT_original_shape_Sphericity: 'WT sphericity',
  WT_original_shape_Maximum3DDiameter: 'WT maximum 3D diameter (mm)',
  ET_over_TC: 'ET / TC',
  NCR_over_TC: 'NCR / TC',
  ED_over_WT: 'ED / WT',
  WT_components_min_1mL: 'WT components ≥ 1 mL',
  WT_multifocal: 'Multifocal',
  WT_hemisphere_left: 'Hemisphere',
  WT_crosses_midline: 'Crosses the midline',
};
const REPORT_VOLUMES = ['WT', 'TC', 'ET', 'NCR', 'ED'];
const KEY_FEATURES = ['original_firstorder_Mean', 'original_firstorder_Entropy', 'original_glcm_Contrast', 'original_glszm_ZoneEntropy'];
const MODALITY_LABELS = { t1: 'T1', t1c: 'T1c', t2: 'T2', flair: 'FLAIR' };
const DAYS_PER_YEAR = 365.25;

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

function table(className, head, rows) {
  const cell = (tag) => (content) => (content instanceof Node ? el(tag, {}, content) : el(tag, { textContent: String(content) }));
  return el('table', { className },
    head ? el('thead', {}, el('tr', {}, ...head.map(cell('th')))) : null,
    el('tbody', {}, ...rows));
}

// ---- the slice ----------------------------------------------------------------------------------

// The axial slice (third voxel axis) with the most tumour voxels of a label image ({img, hdr} as NiiVue holds it).
export function largestAxialSlice(labels) {
  const [, nx, ny, nz] = labels.hdr.dims;
  const perSlice = nx * ny;
  let best = { k: -1, voxels: 0 };
  for (let k = 0; k < nz; k++) {
    let voxels = 0;
    for (let i = k * perSlice, end = i + perSlice; i < end; i++) if (labels.img[i] !== 0) voxels++;
    if (voxels > best.voxels) best = { k, voxels };
  }
  return best;
}

// The slice drawn as NiiVue shows it: the background in its display window, the labels in their legend colours at
// half opacity, anterior up and the patient's left on the left (from the affine's signs; grids are near-axis-aligned).
// `scheme` says how the label values read (labels.js). A data: URL, which the page's Content-Security-Policy allows for
// images.
export function sliceImage(background, labels, k, scheme = 'brats') {
  const [, nx, ny] = labels.hdr.dims;
  const canvas = el('canvas', { width: nx, height: ny });
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(nx, ny);
  const affine = labels.hdr.affine;
  const flipX = affine[0][0] < 0;
  const flipY = affine[1][1] > 0;
  const sameGrid = background && background.hdr.dims.slice(1, 4).join() === labels.hdr.dims.slice(1, 4).join();
  const slope = background?.hdr.scl_slope || 1;
  const intercept = background?.hdr.scl_inter || 0;
  const low = background?.cal_min ?? 0;
  const range = (background?.cal_max ?? 1) - low || 1;
  const colours = new Map();
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const voxel = k * nx * ny + j * nx + i;
      const grey = sameGrid ? Math.max(0, Math.min(255, (255 * (background.img[voxel] * slope + intercept - low)) / range)) : 0;
      let rgb = [grey, grey, grey];
      const label = labels.img[voxel];
      if (label !== 0) {
        if (!colours.has(label)) colours.set(label, labelInfo(label, scheme).rgb);
        rgb = rgb.map((g, c) => 0.5 * g + 0.5 * colours.get(label)[c]);
      }
      const x = flipX ? nx - 1 - i : i;
      const y = flipY ? ny - 1 - j : j;
      pixels.data.set([...rgb, 255], 4 * (y * nx + x));
    }
  }
  context.putImageData(pixels, 0, 0);
  return canvas.toDataURL('image/png');
}

// ---- the report ---------------------------------------------------------------------------------

function caseLines(state) {
  const names = state.files.map((f) => `${f.name} (${MODALITY_LABELS[f.role] ?? (f.role === 'seg' ? 'segmentation' : f.role)})`);
  const seg = state.segmentation;
  return [
    el('p', { textContent: `Files: ${names.join(', ') || 'none'}` }),
    seg ? el('p', { textContent: `Segmentation: ${seg.name}${seg.predicted ? `, computed by ${seg.model}` : ', loaded'}` }) : null,
    state.synthetic ? el('p', { className: 'report-warning', textContent: 'Synthetic demo case: a computer-generated phantom, not a patient.' }) : null,
  ];
}

function sliceFigure(images) {
  if (!images?.labels) {
    return el('p', { className: 'report-note', textContent: 'No image in this report: the images are not loaded (a session holds no image; drop them again to include the slice).' });
  }
  const { k, voxels } = largestAxialSlice(images.labels);
  if (k < 0) return el('p', { className: 'report-note', textContent: 'The segmentation is empty: no tumour slice to show.' });
  const legend = [...new Set(images.labelValues)].map((v) => {
    const info = labelInfo(v, images.scheme);
    return el('span', { className: 'report-swatch-label' },
      el('span', { className: 'swatch', style: `background: rgb(${info.rgb.join(',')})` }), ` ${info.short}`);
  });
  return el('figure', { id: 'report-slice', className: 'report-slice' },
    el('img', { src: sliceImage(images.background, images.labels, k, images.scheme), alt: `axial slice ${k + 1} with the tumour labels` }),
    el('figcaption', {}, `Axial slice ${k + 1} of ${images.labels.hdr.dims[3]}, the largest tumour area (${voxels} voxels), on ${images.backgroundName ?? 'no background image'}. `, ...legend));
}

function volumesTable(state) {
  const rows = (state.segmentation?.labels ?? []).map(({ label, voxels, mL }) => el('tr', { className: 'report-volume' },
    el('td', { textContent: `${labelInfo(label, state.segmentation.scheme).name} (${label})` }),
    el('td', { className: 'volume', textContent: `${mL.toFixed(2)} mL`, title: `${voxels} voxels` })));
  rows.forEach((tr, i) => { tr.dataset.label = state.segmentation.labels[i].label; });
  return rows.length ? table('report-volumes', ['Label', 'Volume'], rows) : el('p', { className: 'report-note', textContent: 'No segmentation.' });
}

function descriptorsTable(state) {
  const descriptors = state.descriptors?.result?.descriptors;
  if (!descriptors) return el('p', { className: 'report-note', textContent: 'Descriptors not computed.' });
  const byName = new Map(descriptors.map((d) => [d.name, d]));
  const value = (name, format) => {
    const d = byName.get(name);
    const td = el('td', { className: 'value' });
    td.dataset.name = name;
    td.textContent = d?.value === null || d?.value === undefined ? '—' : format(name, d.value);
    if (d?.reason) td.title = d.reason;
    return td;
  };
  const mL = (name, v) => `${(v / 1000).toFixed(2)} mL`;
  const volumes = el('tr', {}, el('th', { textContent: 'Volume' }),
    ...REPORT_VOLUMES.map((r) => value(`${r}_original_shape_VoxelVolume`, mL)));
  const others = Object.entries(REPORT_DESCRIPTORS).filter(([name]) => byName.has(name)).map(([name, label]) =>
    el('tr', {}, el('th', { textContent: label }),
      Object.assign(value(name, descriptorText), { colSpan: REPORT_VOLUMES.length })));
  return table('report-descriptors', ['', ...REPORT_VOLUMES], [volumes, ...others]);
}

function featuresTable(state) {
  const results = state.features?.results ?? [];
  if (results.length === 0) return null;
  const region = results.some((r) => r.region === 'WT') ? 'WT' : results[0].region;
  const sets = results.filter((r) => r.region === region);
  const names = KEY_FEATURES.filter((n) => sets[0].features.some((f) => f.name === n));
  const chosen = names.length ? names : sets[0].features.slice(0, 4).map((f) => f.name);
  const rows = chosen.map((name) => el('tr', {}, el('th', { textContent: name.replace(/^original_/, '') }), ...sets.map((s) => {
    const f = s.features.find((x) => x.name === name);
    const td = el('td', { className: 'value', textContent: featureText(f?.value) });
    td.dataset.name = name;
    td.dataset.modality = s.modality;
    return td;
  })));
  return el('div', {}, el('h3', { textContent: `Key radiomic features, ${region} (${state.features.mode})` }),
    table('report-features', ['', ...sets.map((s) => MODALITY_LABELS[s.modality] ?? s.modality)], rows));
}

function predictionLine({ key, title, kind, model, prediction: p }) {
  const line = el('tr', { className: 'report-prediction' });
  line.dataset.outcome = key;
  const span = (className, text) => el('span', { className, textContent: text });
  const value = kind === 'cox'
    ? [Number.isFinite(p.median_survival)
      ? span('median', `${p.median_survival.toFixed(0)} days`) : span('median', 'not reached'),
    Number.isFinite(p.median_survival) ? ` (${(p.median_survival / DAYS_PER_YEAR).toFixed(1)} years; 95 % CI ${Number.isFinite(p.median_lower) ? p.median_lower.toFixed(0) : '—'} to ${Number.isFinite(p.median_upper) ? p.median_upper.toFixed(0) : 'not reached'} days)` : '']
    : [span('probability', percent(p.probability)),
      Number.isFinite(p.probability_lower) && Number.isFinite(p.probability_upper)
        ? el('span', {}, ' (95 % CI ', span('probability-lower', percent(p.probability_lower)), ' to ', span('probability-upper', percent(p.probability_upper)), ')')
        : ' (no interval)'];
  line.append(el('td', { textContent: kind === 'cox' ? `${title}, median` : title }), el('td', {}, ...value),
    modelCell(model));
  return line;
}

// The model and its version: the file's name and SHA-256 (what `gliolens batch` records as prediction_model_sha256).
function modelCell(model) {
  const cell = el('td', { className: 'report-model', textContent: `${model.name} — ${model.id}.json, sha256 ${model.sha256?.slice(0, 12) ?? 'not recorded'}` });
  if (model.sha256) {
    cell.title = `SHA-256 ${model.sha256}`;
    cell.dataset.sha256 = model.sha256;
  }
  return cell;
}

// The survival panel's patient prediction (a shipped survival or molecular model on entered values and the volumes).
function survivalLine({ model, inputs, unit, prediction: p }) {
  const line = el('tr', { className: 'report-prediction report-survival' });
  line.dataset.outcome = `survival:${model.id}`;
  const given = Object.entries(inputs).map(([name, v]) => `${name} ${Number(v.toFixed(3))}`).join(', ');
  const value = p.kind === 'logistic'
    ? el('span', { className: 'probability', textContent: percent(p.probability) })
    : el('span', {}, el('span', { className: 'median', textContent: Number.isFinite(p.median_survival) ? `${p.median_survival.toFixed(0)} ${unit}` : 'not reached' }),
      ` (95 % CI ${Number.isFinite(p.median_lower) ? p.median_lower.toFixed(0) : '—'} to ${Number.isFinite(p.median_upper) ? p.median_upper.toFixed(0) : 'not reached'}; risk group ${p.risk_group ?? '—'})`);
  line.append(el('td', { textContent: `${p.outcome}${p.kind === 'logistic' ? '' : ', median'} (from ${given})` }), el('td', {}, value), modelCell(model));
  return line;
}

function growthTable(growth) {
  if (!growth) return null;
  const r = growth.report;
  const fixed = (x, d) => (x === null || x === undefined ? '—' : x.toFixed(d));
  const row = (name, label, text) => {
    const td = el('td', { className: 'value', textContent: text });
    td.dataset.name = name;
    return el('tr', {}, el('th', { textContent: label }), td);
  };
  return el('div', {}, el('h3', { textContent: `Growth, ${growth.region.name}: ${growth.earlier.name} (${growth.earlier.date}) to ${growth.later.name} (${growth.later.date})` }),
    table('report-growth', null, [
      row('volume1_ml', 'Volume, earlier → later', `${fixed(r.volume1_ml, 2)} → ${fixed(r.volume2_ml, 2)} mL over ${r.days} days`),
      row('volume_change_percent', 'Volume change', r.volume_change_percent === null ? '—' : `${r.volume_change_percent > 0 ? '+' : ''}${fixed(r.volume_change_percent, 1)} %`),
      row('velocity_mm_per_year', 'Mean diameter velocity', `${fixed(r.velocity_mm_per_year, 2)} mm/year`),
      row('volume_doubling_days', 'Volume doubling time', r.volume_doubling_days === null ? 'none (no growth)' : `${fixed(r.volume_doubling_days, 0)} days`),
    ]));
}

function predictionsTable(state) {
  const p = state.predictions;
  const survival = state.survival ? table('report-predictions', ['Survival panel, patient', 'Prediction (95 % CI)', 'Model'], [survivalLine(state.survival)]) : null;
  if (!p) return el('div', {}, el('p', { className: 'report-note', textContent: 'No prediction from the images (the age was not entered, or no descriptor).' }), survival);
  const entered = [`age ${p.entered.age}`, p.entered.sex === '' ? null : p.entered.sex === '1' ? 'male' : 'female',
    p.entered.idh === '' ? null : `IDH ${p.entered.idh === '1' ? 'mutant' : 'wild-type'} (entered)`].filter(Boolean).join(', ');
  return el('div', {}, el('p', { textContent: `Entered: ${entered}.` }),
    p.outcomes.length ? table('report-predictions', ['Outcome', 'Prediction (95 % CI)', 'Model'], p.outcomes.map(predictionLine)) : null,
    ...(p.others ?? []).map(({ key, title, note }) => {
      const line = el('p', { className: 'report-note report-not-predicted', textContent: `${title}: ${note}` });
      line.dataset.outcome = key;
      return line;
    }),
    survival);
}

// Fills `root` with the report of `state` (what caseState() in main.js gathers, live or from a session); `images`
// ({background, labels, labelValues, backgroundName}, NiiVue images) when the images are loaded.
export function renderReport(root, state, images) {
  root.replaceChildren(
    el('header', { className: 'report-header' },
      el('h1', { textContent: `Gliolens case report: ${state.caseName}` }),
      el('p', { className: 'report-ruo', textContent: 'RESEARCH USE ONLY — not for diagnosis or clinical decisions. Predictions are model estimates from images, not test results.' }),
      el('p', { className: 'report-meta', textContent: `Printed ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · Gliolens version ${state.appVersion}` +
        (state.restoredFrom ? ` · results from the session file ${state.restoredFrom}` : '') })),
    el('div', { className: 'report-case' }, ...caseLines(state)),
    el('div', { className: 'report-columns' },
      el('div', {}, sliceFigure(images)),
      el('div', {}, el('h3', { textContent: 'Label volumes' }), volumesTable(state),
        el('h3', { textContent: 'Tumour descriptors' }), descriptorsTable(state))),
    el('h3', { textContent: 'What the images predict (research use only)' }), predictionsTable(state),
    growthTable(state.growth),
    featuresTable(state),
    el('p', { className: 'report-footer', textContent: 'Computed in the browser by Gliolens; no file left the machine. Research use only.' }));
  root.dataset.state = 'ready';
}

// ---- the session --------------------------------------------------------------------------------

export function sessionJson(state) {
  const { restoredFrom, ...kept } = state;
  return JSON.stringify({ format: SESSION_FORMAT, version: SESSION_VERSION, saved: new Date().toISOString(), ...kept }, null, 1);
}

// A session file's results, or an Error naming the file and what is wrong with it.
export function readSession(text, fileName) {
  let session;
  try {
    session = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName}: not JSON (${error.message})`);
  }
  if (session?.format !== SESSION_FORMAT) throw new Error(`${fileName}: not a Gliolens session file (no "format": "${SESSION_FORMAT}")`);
  if (session.version !== SESSION_VERSION) throw new Error(`${fileName}: session format version ${session.version}; this page reads version ${SESSION_VERSION}`);
  if (!Array.isArray(session.files)) throw new Error(`${fileName}: the session lists no files`);
  return session;
}
