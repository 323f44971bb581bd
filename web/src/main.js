// The page: files in, roles assigned, images shown, label volumes listed. Heavy work is in the Worker.
import { CohortPanel } from './cohort-panel.js';
import { describeFiles } from '../../wasm/dicom.mjs';
import { sameGrid } from '../../wasm/gliolens.mjs';
import { CoreClient } from './core-client.js';
import { DescriptorsPanel } from './descriptors-panel.js';
import { DicomClient } from './dicom-client.js';
import { downloadFile } from './download.js';
import { chosenFiles, droppedFiles } from './dropped-files.js';
import { PredictionsPanel } from './predictions-panel.js';
import { PreparePanel } from './prepare-panel.js';
import { FeaturesPanel } from './features-panel.js';
import { FlairModel } from './flair-model.js';
import { GrowthPanel } from './growth-panel.js';
import { labelInfo } from './labels.js';
import { startOffline } from './offline.js';
import { readSession, renderReport, sessionJson } from './report.js';
import { ROLES, guessRole, isNiftiName } from './roles.js';
import { SegmentPanel } from './segment-panel.js';
import { loadedSegmentationScheme } from './segmentation-model.js';
import { SurvivalPanel } from './survival-panel.js';
import { Viewer } from './viewer.js';

const $ = (selector) => document.querySelector(selector);
const core = new CoreClient();
const dicom = new DicomClient();
// The Worker client, for the console and the browser tests.
window.gliolensCore = core;
const viewerReady = Viewer.create($('#viewer'));

// Every loaded file, in the order loaded: {key, name, bytes, role, id, header, image, labels, synthetic, series (a
// converted DICOM series: {description, seriesNumber, modality})}; a segmentation computed here also has predicted,
// model (which model made it and why) and scheme ('flair': the FLAIR-only model's one label; else BraTS labels). The
// Prepare panel's sequences in SRI24 space have prepared: true; the raw scans they came from keep their old role as
// rawRole (unassigned now, still viewable).
const files = [];
let shownRole = '';
let nextKey = 1;
// The session file opened in this page ({name, session}): its results stand in for a case whose images are not loaded.
let restored = null;

// ---- messages and progress ---------------------------------------------------------------------
function message(kind, text) {
  const li = document.createElement('li');
  li.className = kind;
  li.textContent = text;
  $('#messages').prepend(li);
}

function progress(text) {
  const box = $('#progress');
  box.hidden = !text;
  box.querySelector('.text').textContent = text ?? '';
}

// ---- loading ------------------------------------------------------------------------------------
// roleNotes: what to say when there is no role (a DICOM series says why its description gave none).
async function loadOne(name, bytes, { role = guessRole(name), synthetic = false, series = null, roleNotes = null } = {}) {
  const loaded = await core.load(name, bytes);
  for (const warning of loaded.warnings) message('warning', warning);
  const entry = { key: nextKey++, name, bytes, role: '', id: loaded.id, header: loaded.header, image: null, labels: null, synthetic, series };
  entry.image = await Viewer.image(name, bytes);
  files.push(entry);
  await assignRole(entry, role);
  if (!role) for (const note of roleNotes ?? [`${name}: role not recognised from the name — choose it in the list`]) message('warning', note);
  return entry;
}

// fileList: File objects or [{path, file}] (a folder's files). NIfTI files load as they are; the others go to the
// DICOM converter together (a series spans many files), and each series it finds joins the list.
async function loadFiles(fileList) {
  const list = [...fileList].map((f) => (f instanceof File ? { path: f.webkitRelativePath || f.name, file: f } : f));
  if (list.length === 0) return;
  $('#synthetic-badge').hidden = files.every((f) => !f.synthetic) || list.length > 0 ? true : $('#synthetic-badge').hidden;
  const nifti = list.filter(({ file }) => isNiftiName(file.name));
  for (const [i, { file }] of nifti.entries()) {
    progress(`Loading ${file.name} (${i + 1}/${nifti.length})…`);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      await loadOne(file.name, bytes);
    } catch (error) {
      message('error', error.message.startsWith(file.name) ? error.message : `${file.name}: ${error.message}`);
    }
  }
  const others = list.filter(({ file }) => !isNiftiName(file.name));
  if (others.length) await loadDicom(others);
  progress(null);
  await refresh();
}

async function loadDicom(entries) {
  progress(`Converting ${entries.length} file${entries.length === 1 ? '' : 's'} from DICOM (dcm2niix)…`);
  let converted;
  try {
    converted = await dicom.convert(entries);
  } catch (error) {
    if (error.name !== 'NoDicomError') {
      message('error', error.message);
      return;
    }
    // Neither NIfTI nor DICOM: name the files, as for any file the page cannot read.
    const names = describeFiles(entries.map(({ path }) => ({ name: path })));
    message('error', entries.length === 1
      ? `${names}: not a NIfTI file (.nii or .nii.gz expected), and dcm2niix found no DICOM image in it`
      : `${names}: not NIfTI files (.nii or .nii.gz expected), and dcm2niix found no DICOM image in them`);
    return;
  }
  for (const warning of converted.warnings) message('warning', warning);
  if (converted.skipped.length) message('info', `not DICOM, skipped: ${converted.skipped.join(', ')}`);
  for (const [i, { name, bytes, description, seriesNumber, modality, role, warnings }] of converted.series.entries()) {
    progress(`Loading DICOM series ${name} (${i + 1}/${converted.series.length})…`);
    try {
      await loadOne(name, bytes, { role, series: { description, seriesNumber, modality }, roleNotes: warnings });
    } catch (error) {
      message('error', error.message.startsWith(name) ? error.message : `${name}: ${error.message}`);
    }
  }
}

async function loadDemo() {
  progress('Generating the synthetic demo case…');
  try {
    const demo = await core.demo();
    for (const [i, part] of demo.entries()) {
      progress(`Loading ${part.name} (${i + 1}/${demo.length})…`);
      await loadOne(part.name, new Uint8Array(part.bytes), { role: part.role, synthetic: true });
    }
    $('#synthetic-badge').hidden = false;
  } catch (error) {
    message('error', `demo case: ${error.message}`);
  }
  progress(null);
  await refresh();
}

// ---- roles --------------------------------------------------------------------------------------
async function assignRole(entry, role) {
  if (role) {
    for (const other of files) {
      if (other !== entry && other.role === role) {
        other.role = '';
        message('info', `${entry.name} is now ${roleLabel(role)}; ${other.name} is unassigned`);
      }
    }
  }
  entry.role = role;
  if (role === 'seg' && !entry.labels) {
    try {
      entry.labels = await core.labelVolumes(entry.id);
    } catch (error) {
      entry.role = '';
      message('error', error.message);
    }
  }
  checkGrids();
}

function roleLabel(role) {
  return ROLES.find((r) => r.id === role)?.label ?? 'unassigned';
}

function checkGrids() {
  const assigned = files.filter((f) => f.role);
  const reference = assigned[0];
  for (const f of assigned.slice(1)) {
    if (!sameGrid(reference.header, f.header)) {
      message('warning', `${f.name}: its voxel grid differs from ${reference.name} (dims or affine); overlays may not align`);
    }
  }
}

// ---- rendering ----------------------------------------------------------------------------------
function renderFileList() {
  const table = $('#file-list');
  const body = table.querySelector('tbody');
  body.replaceChildren();
  table.hidden = files.length === 0;
  for (const f of files) {
    const row = document.createElement('tr');
    row.dataset.file = f.name;
    row.dataset.role = f.role;
    const name = document.createElement('td');
    name.className = 'name';
    name.textContent = f.name;
    if (f.series) {
      const series = document.createElement('small');
      series.className = 'series';
      series.textContent = `DICOM series ${f.series.seriesNumber ?? '?'}: ${f.series.description || 'no description'}${f.series.modality ? ` (${f.series.modality})` : ''}`;
      name.append(document.createElement('br'), series);
    }
    const roleCell = document.createElement('td');
    const select = document.createElement('select');
    select.className = 'role';
    select.setAttribute('aria-label', `role of ${f.name}`);
    for (const option of [{ id: '', label: 'unassigned' }, ...ROLES]) {
      const o = new Option(option.label, option.id, false, option.id === f.role);
      select.add(o);
    }
    select.addEventListener('change', async () => {
      await assignRole(f, select.value);
      await refresh();
    });
    roleCell.append(select);
    if (f.prepared || (f.rawRole && !f.role)) {
      const note = document.createElement('small');
      note.className = 'series';
      note.textContent = f.prepared ? 'prepared: SRI24 space' : `raw ${roleLabel(f.rawRole)}, prepared below`;
      name.append(document.createElement('br'), note);
    }
    const size = document.createElement('td');
    size.textContent = f.header.dims.join('×');
    row.append(name, roleCell, size);
    body.append(row);
  }
}

function renderLegend() {
  const saved = restored?.session.segmentation;
  const seg = files.find((f) => f.role === 'seg') ?? (saved ? { labels: saved.labels, scheme: saved.scheme } : null);
  const table = $('#legend');
  const body = table.querySelector('tbody');
  body.replaceChildren();
  table.hidden = !seg;
  $('#legend-empty').hidden = Boolean(seg);
  if (!seg) return;
  for (const { label, voxels, mL } of seg.labels) {
    const info = labelInfo(label, seg.scheme);
    const row = document.createElement('tr');
    row.dataset.label = label;
    row.dataset.ml = mL;
    row.dataset.voxels = voxels;
    const swatch = document.createElement('td');
    swatch.innerHTML = `<span class="swatch" style="background: rgb(${info.rgb.join(',')})"></span>`;
    const name = document.createElement('td');
    name.textContent = `${info.name} (${label})`;
    const volume = document.createElement('td');
    volume.className = 'volume';
    volume.textContent = `${mL.toFixed(2)} mL`;
    volume.title = `${voxels} voxels`;
    row.append(swatch, name, volume);
    body.append(row);
  }
}

// The viewer's choice: the assigned modalities by role, and the raw scans a Prepare left unassigned ('raw:<key>').
function renderModalitySelect() {
  const select = $('#modality-select');
  const modalities = files.filter((f) => f.role && f.role !== 'seg');
  const raw = files.filter((f) => f.rawRole && !f.role);
  const options = [...modalities.map((f) => ({ value: f.role, label: roleLabel(f.role) })),
    ...raw.map((f) => ({ value: `raw:${f.key}`, label: `${f.name}, raw` }))];
  const fallback = ['t1c', 'flair', 't1', 't2'].find((r) => modalities.some((f) => f.role === r)) ?? options[0]?.value ?? '';
  if (!options.some((o) => o.value === shownRole)) shownRole = fallback;
  select.replaceChildren(...options.map((o) => new Option(o.label, o.value, false, o.value === shownRole)));
  select.disabled = options.length === 0;
}

// The file the viewer shows as background.
function shownFile() {
  return files.find((f) => f.role && f.role === shownRole) ?? files.find((f) => `raw:${f.key}` === shownRole)
    ?? files.find((f) => !f.role) ?? null;
}

// A segmentation file the user loaded reads as BraTS labels, or as the FLAIR-only model's one label where
// loadedSegmentationScheme says so; which of the two can change with the sequences loaded beside it. A change gives the
// file a new key: the panels, which know a segmentation by its key, then read it anew.
function readLoadedSegmentation() {
  const seg = files.find((f) => f.role === 'seg' && f.labels && !f.predicted);
  if (!seg) return;
  const scheme = loadedSegmentationScheme(seg.labels, files);
  if (scheme === (seg.scheme ?? 'brats')) return;
  seg.scheme = scheme;
  seg.key = nextKey++;
  message('info', scheme === 'flair'
    ? `${seg.name}: one label (1) and not all four sequences loaded: read as a FLAIR abnormality mask, as gliolens segment --flair writes it, not as BraTS necrotic core`
    : `${seg.name}: all four sequences loaded: read as BraTS labels (1 necrotic core)`);
}

async function refresh() {
  readLoadedSegmentation();
  renderFileList();
  renderLegend();
  renderModalitySelect();
  descriptorsPanel?.refresh();
  growthPanel?.refresh();
  featuresPanel?.refresh();
  survivalPanel?.refresh();
  segmentPanel?.refresh();
  preparePanel?.refresh();
  $('#report-button').disabled = files.length === 0 && !restored;
  $('#session-save').disabled = files.length === 0 && !restored;
  const viewer = await viewerReady;
  const background = shownFile();
  const seg = files.find((f) => f.role === 'seg');
  // Over a raw scan, what the Prepare panel has on its grid (the case's labels lie in SRI24 space).
  const onRaw = preparePanel?.overlayFor(background);
  const overlay = onRaw !== undefined ? onRaw : seg ? { image: seg.image, values: seg.labels.map((l) => l.label), scheme: seg.scheme } : null;
  viewer.show(background?.image ?? null, overlay);
  Object.assign($('#viewer').dataset, { background: background?.name ?? '', overlay: overlay ? overlay.scheme : '' });
  const w = viewer.window;
  if (w) {
    $('#window-min').value = Number(w.min.toPrecision(5));
    $('#window-max').value = Number(w.max.toPrecision(5));
  }
  document.body.dataset.ready = 'true';
}

// ---- wiring -------------------------------------------------------------------------------------
const dropZone = $('#drop-zone');
dropZone.addEventListener('click', () => $('#file-input').click());
dropZone.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') $('#file-input').click(); });
$('#file-input').addEventListener('change', (e) => loadFiles(e.target.files));
$('#folder-button').addEventListener('click', () => $('#folder-input').click());
$('#folder-input').addEventListener('change', (e) => loadFiles(chosenFiles(e.target.files)));
for (const type of ['dragenter', 'dragover']) {
  dropZone.addEventListener(type, (e) => { e.preventDefault(); dropZone.classList.add('dragging'); });
}
for (const type of ['dragleave', 'drop']) {
  dropZone.addEventListener(type, () => dropZone.classList.remove('dragging'));
}
dropZone.addEventListener('drop', (e) => { e.preventDefault(); droppedFiles(e.dataTransfer).then(loadFiles); });
// A file dropped beside the zone must not navigate away from the page (and lose the work).
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

$('#demo-button').addEventListener('click', loadDemo);
// A segmentation computed in the Worker joins the list as the case's segmentation, on the grid of `gridOf` (the
// input it lies on); `model` says which model made it and why, `scheme` how its labels read (labels.js).
async function addSegmentation({ name, bytes, id, labels, scheme, model, gridOf }) {
  const entry = { key: nextKey++, name, bytes, role: '', id, header: gridOf?.header, image: null, labels, synthetic: false, predicted: true, model, scheme };
  entry.image = await Viewer.image(name, bytes);
  files.push(entry);
  await assignRole(entry, 'seg');
  await refresh();
  await preparePanel.segmented(entry, gridOf);
  await refresh();
}
// The Prepare panel's sequences in SRI24 space join the case under the four roles; the raw scans they came from
// (raw: {t1, t1c, t2, flair} entries) give them up quietly and stay in the list, viewable as "raw".
async function addPrepared(raw, volumes) {
  const added = [];
  for (const [role, name] of [['t1', 't1'], ['t1c', 't1ce'], ['t2', 't2'], ['flair', 'flair']]) {
    const { id, header, bytes } = volumes[name];
    const entry = { key: nextKey++, name: volumes[name].name, bytes, role: '', id, header, image: null, labels: null, synthetic: false, series: null, prepared: true };
    entry.image = await Viewer.image(entry.name, bytes);
    added.push([role, entry]);
  }
  for (const [role, entry] of Object.entries(raw)) {
    entry.rawRole = role;
    entry.role = '';
  }
  for (const [role, entry] of added) {
    entry.role = role;
    files.push(entry);
  }
  shownRole = 't1c';
  checkGrids();
  await refresh();
  return added.map(([, entry]) => entry);
}
// The FLAIR-only model, on the backend chosen in the segment panel wherever it runs.
const flairModel = new FlairModel(core, { backend: () => $('#segment-backend').value });
const segmentPanel = new SegmentPanel($('#segment'), core, { getFiles: () => files, addSegmentation, message, flairModel });
const preparePanel = new PreparePanel($('#prepare'), core, {
  getFiles: () => files,
  addPrepared,
  showFile: async (entry) => {
    shownRole = entry.role || `raw:${entry.key}`;
    await refresh();
  },
  message,
  backend: () => $('#segment-backend').value,
});
const predictionsPanel = new PredictionsPanel($('#predictions'), core);
const descriptorsPanel = new DescriptorsPanel($('#descriptors'), core, { getFiles: () => files, onChange: (d) => predictionsPanel.setDescriptors(d) });
const growthPanel = new GrowthPanel($('#growth'), core, { getFiles: () => files, flairModel });
const featuresPanel = new FeaturesPanel($('#features'), core, { getFiles: () => files, message });
const survivalPanel = new SurvivalPanel($('#survival'), core, { getFiles: () => files, message });
// A case of the cohort panel opened here: it replaces the case in the page, its files loaded as dropped files are.
async function openCase(caseFiles) {
  for (const f of files.splice(0)) core.release(f.id).catch(() => {});
  await loadFiles(caseFiles);
}
new CohortPanel($('#cohort'), core, { openCase, message });
$('#modality-select').addEventListener('change', async (e) => { shownRole = e.target.value; await refresh(); });
for (const button of document.querySelectorAll('[data-layout]')) {
  button.addEventListener('click', async () => {
    (await viewerReady).setLayout(button.dataset.layout);
    for (const b of document.querySelectorAll('[data-layout]')) b.setAttribute('aria-pressed', String(b === button));
  });
}
const applyWindow = async () => {
  const min = Number($('#window-min').value), max = Number($('#window-max').value);
  if (Number.isFinite(min) && Number.isFinite(max) && max > min) (await viewerReady).setWindow(min, max);
};
$('#window-min').addEventListener('change', applyWindow);
$('#window-max').addEventListener('change', applyWindow);
$('#window-auto').addEventListener('click', async () => { (await viewerReady).resetWindow(); await refresh(); });
$('#overlay-opacity').addEventListener('input', async (e) => (await viewerReady).setOverlayOpacity(Number(e.target.value)));
viewerReady.then((viewer) => viewer.onLocationChange((data) => { $('#location').textContent = data?.string ?? ''; }));
viewerReady.catch((error) => message('error', `viewer: ${error.message} (WebGL2 is required)`));
// ---- report and session -------------------------------------------------------------------------
// What the panels hold about the case, for the report and the session file; a session's own where its images are not
// loaded here.
function caseState() {
  const assigned = files.filter((f) => f.role);
  const seg = files.find((f) => f.role === 'seg');
  const session = files.length ? null : restored?.session;
  const listed = session?.files ?? assigned.map((f) => ({ name: f.name, role: f.role, dims: f.header?.dims }));
  const first = listed.find((f) => f.role === 't1') ?? listed[0];
  return {
    caseName: session?.caseName ?? (first ? first.name.replace(/(_(t1|t1ce|t1c|t2|flair|seg))?\.nii(\.gz)?$/i, '') : 'no case loaded'),
    appVersion: $('#app-version')?.dataset.version ?? 'unknown',
    restoredFrom: session ? restored.name : null,
    synthetic: session?.synthetic ?? files.some((f) => f.synthetic),
    files: listed,
    segmentation: session?.segmentation ?? (seg ? {
      name: seg.name, predicted: Boolean(seg.predicted), model: seg.predicted ? seg.model ?? $('#segment-model').textContent : null, labels: seg.labels,
      scheme: seg.scheme ?? 'brats',
    } : null),
    descriptors: descriptorsPanel.state,
    predictions: predictionsPanel.state,
    features: featuresPanel.state,
    survival: survivalPanel.state,
    growth: growthPanel.state,
  };
}

async function showReport() {
  const seg = files.find((f) => f.role === 'seg');
  // A raw scan a Prepare left is not on the segmentation's grid: the report shows an assigned modality instead.
  const shown = shownFile();
  const background = (shown?.role ? shown : null) ?? files.find((f) => f.role && f.role !== 'seg');
  const images = seg ? { labels: seg.image, labelValues: seg.labels.map((l) => l.label), scheme: seg.scheme, background: background?.image, backgroundName: background?.name } : null;
  try {
    renderReport($('#report'), caseState(), images);
    window.print();
  } catch (error) {
    message('error', `report: ${error.message}`);
  }
}

function saveSession() {
  const state = caseState();
  downloadFile(`${state.caseName}_gliolens_session.json`, sessionJson(state), 'application/json');
}

// Shows a session's results in a page with no case loaded: the panels take the saved numbers, nothing runs.
async function openSession(file) {
  if (!file) return;
  try {
    if (files.length || restored) throw new Error('open a session in a fresh page (reload it first): this page already holds a case');
    const session = readSession(await file.text(), file.name);
    restored = { name: file.name, session };
    if (session.predictions) predictionsPanel.restore(session.predictions);
    if (session.descriptors) descriptorsPanel.restore(session.descriptors);
    if (session.features) featuresPanel.restore(session.features);
    if (session.survival) survivalPanel.restore(session.survival);
    if (session.growth) growthPanel.restore(session.growth);
    const note = $('#session-note');
    note.hidden = false;
    note.textContent = `Session ${file.name} (${session.caseName}, saved ${session.saved?.slice(0, 10) ?? 'undated'}, Gliolens ${session.appVersion}): ` +
      'its results are shown as saved, nothing was recomputed. The images are not in a session: drop them again to view them.';
    await refresh();
  } catch (error) {
    message('error', error.message.startsWith(file.name) ? error.message : `${file.name}: ${error.message}`);
  } finally {
    $('#session-input').value = '';
  }
}

$('#report-button').addEventListener('click', showReport);
$('#session-save').addEventListener('click', saveSession);
$('#session-open').addEventListener('click', () => $('#session-input').click());
$('#session-input').addEventListener('change', (e) => openSession(e.target.files[0]));
// The service worker: offline copy, cross-origin isolation on any static host, the version shown in the header.
startOffline({ isIdle: () => files.length === 0 });
window.addEventListener('unhandledrejection', (e) => message('error', e.reason?.message ?? String(e.reason)));
refresh();
