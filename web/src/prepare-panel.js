// The "Prepare" panel (issue 29, docs/prepare.md): four raw scans (any grid, not registered, not stripped) brought into
// the SRI24 space the tumour model knows, in the Worker (wasm/prepare.mjs, as `gliolens prepare` runs it): brain
// extraction of the T1c with MindGrab on the segment panel's backend, T1/T2/FLAIR rigidly onto the T1c, the T1c
// rigidly onto the SRI24 template as BraTS places its cases (served with the page), all four resampled once and stripped. Progress for each
// step, Cancel between steps (the raw scans stay loaded), the quality numbers and warnings, the brain mask over the raw
// T1c, the check view (the template brain's outline over the prepared sequences, and the Dice of the T1c's brain with
// the template's); the prepared sequences join the case under the four roles and the raw ones stay viewable. A
// segmentation of the prepared sequences is carried back onto the raw T1c's grid too, and everything can be downloaded.
import SRI24 from 'gliolens:sri24-atlas';

import { downloadFile } from './download.js';
import { MIN_TEMPLATE_BRAIN_DICE, STEPS, looksWrong } from '../../wasm/prepare.mjs';
import { backendLine } from './segment-panel.js';
import { Viewer } from './viewer.js';

const BRAIN_MODEL_DIR = 'models/mindgrab/';
// The page's roles (roles.js) and the flow's names for them.
const ROLES = [['t1', 't1'], ['t1c', 't1ce'], ['t2', 't2'], ['flair', 'flair']];
const SETUP = { id: 'setup', label: 'Loading MindGrab and the SRI24 template' };
const PAIR_NAMES = { 't1->t1ce': 'T1 → T1c', 't2->t1ce': 'T2 → T1c', 'flair->t1ce': 'FLAIR → T1c', 't1ce->sri24': 'T1c → SRI24' };

// Whether a header is on BraTS's grid (the SRI24 template's 240 x 240 x 155 voxels of 1 mm): such inputs need no Prepare.
export function onBratsGrid(header) {
  const [x, y, z] = header.dims;
  return x === 240 && y === 240 && z === 155 && (header.spacing ?? [1, 1, 1]).slice(0, 3).every((s) => Math.abs(s - 1) < 1e-3);
}

// "TCGA-FG-6692" from "TCGA-FG-6692_t1.nii.gz", "TCGA-FG-6692_t1c.nii.gz", …: what the four names share, else "case".
export function preparedCaseName(names) {
  const bases = names.map((n) => n.replace(/\.nii(\.gz)?$/i, ''));
  let common = bases[0] ?? '';
  for (const b of bases) while (!b.startsWith(common)) common = common.slice(0, -1);
  common = common.replace(/[^A-Za-z0-9]+$/, '');
  return common.length >= 2 ? common : 'case';
}

export class PreparePanel {
  #root;
  #core;
  #getFiles;
  #addPrepared;
  #showFile;
  #message;
  #backend;
  #running = null;
  // The last preparation: {caseName, raw: {t1, t1c, t2, flair} entries, entries (the prepared ones), result, mask
  // (the brain mask on the T1c's grid as an image), outline (the SRI24 template brain's outline as an image)};
  // labelsOnT1c: {id, name, bytes, image, labels, sri24: {name, bytes}}.
  #prepared = null;
  #labelsOnT1c = null;

  // getFiles(): the page's files; addPrepared(raw, volumes) adds the prepared sequences under the four roles and returns
  // their entries; showFile(entry): shows that file in the viewer; backend(): the backend chosen in the segment panel.
  constructor(root, core, { getFiles, addPrepared, showFile, message, backend }) {
    this.#root = root;
    this.#core = core;
    this.#getFiles = getFiles;
    this.#addPrepared = addPrepared;
    this.#showFile = showFile;
    this.#message = message;
    this.#backend = backend;
    this.#el('#prepare-run').addEventListener('click', () => this.run());
    this.#el('#prepare-cancel').addEventListener('click', () => {
      if (!this.#running) return;
      this.#el('#prepare-status').textContent = 'Cancelling after the current step…';
      this.#running.cancel();
    });
    this.#el('#prepare-show-mask').addEventListener('change', () => {
      if (this.#prepared) this.#showFile(this.#prepared.raw.t1c);
    });
    this.#el('#prepare-show-outline').addEventListener('change', () => {
      if (this.#prepared) this.#showFile(this.#prepared.entries.find((e) => e.role === 't1c') ?? this.#prepared.entries[0]);
    });
    const atlas = this.#el('#prepare-atlas');
    if (SRI24) {
      atlas.replaceChildren('Template: SRI24 atlas, Rohlfing et al. 2010, CC BY-SA 3.0 (',
        Object.assign(document.createElement('a'), { href: SRI24.license, target: '_blank', rel: 'noopener', textContent: 'licence' }),
        '), served with this page.');
    } else {
      atlas.textContent = 'This build has no SRI24 template: Prepare is not available (see docs/prepare.md).';
    }
    this.refresh();
  }

  #el(selector) {
    return this.#root.querySelector(selector);
  }

  // The four sequences as assigned now ({t1, t1c, t2, flair} entries, or null when one is missing) and which are missing.
  #assigned() {
    const files = this.#getFiles();
    const found = Object.fromEntries(ROLES.map(([role]) => [role, files.find((f) => f.role === role) ?? null]));
    const missing = ROLES.filter(([role]) => !found[role]).map(([role]) => (role === 't1c' ? 'T1c' : role.toUpperCase()));
    return { found, missing };
  }

  refresh() {
    const { found, missing } = this.#assigned();
    const run = this.#el('#prepare-run');
    const hint = this.#el('#prepare-hint');
    const all = Object.values(found);
    if (missing.length) {
      run.disabled = true;
      hint.textContent = `For raw scans (any grid, not registered, not skull-stripped): load T1, T1c, T2 and FLAIR; missing: ${missing.join(', ')}.`;
    } else if (this.#prepared && all.every((f) => this.#prepared.entries.includes(f))) {
      run.disabled = true;
      hint.textContent = 'Prepared: the four sequences are now in SRI24 space (the raw scans are in the viewer\'s list as "raw").';
    } else if (all.every((f) => onBratsGrid(f.header))) {
      run.disabled = true;
      hint.textContent = 'The four sequences are already on the BraTS/SRI24 grid (240 × 240 × 155, 1 mm): Prepare is skipped; segment them as they are.';
    } else {
      run.disabled = Boolean(this.#running);
      hint.textContent = 'Not on the BraTS/SRI24 grid: Prepare extracts the T1c\'s brain (MindGrab), registers T1, T2 and FLAIR onto it and '
        + 'the T1c onto the SRI24 template, and resamples all four onto its 1 mm grid, in this tab (minutes on the CPU).'
        + `${SRI24 ? '' : ' This build has no SRI24 template, though.'}`;
    }
  }

  // What to lay over `entry` in the viewer: the brain mask or the labels carried onto the raw T1c's grid over the raw
  // T1c, nothing over another raw scan (the case's labels lie in SRI24 space), the template's outline over a prepared
  // sequence when asked (the check view), undefined (the case's labels) otherwise.
  overlayFor(entry) {
    if (this.#prepared?.entries.includes(entry) && this.#el('#prepare-show-outline').checked) {
      return { image: this.#prepared.outline, values: [1], scheme: 'outline' };
    }
    if (!entry?.rawRole) return undefined;
    if (!this.#prepared || entry !== this.#prepared.raw.t1c) return null;
    if (this.#el('#prepare-show-mask').checked) return { image: this.#prepared.mask, values: [1], scheme: 'brain' };
    if (this.#labelsOnT1c) return { image: this.#labelsOnT1c.image, values: this.#labelsOnT1c.labels.map((l) => l.label), scheme: 'brats' };
    return null;
  }

  async run() {
    if (this.#running) return;
    const status = this.#el('#prepare-status');
    if (!SRI24) {
      const text = 'this build has no SRI24 template (atlas/sri24/sri24_t1_brain.nii.gz). The SRI24 atlas (CC BY-SA 3.0) is not in the '
        + 'repository: put sri24_t1_brain.nii.gz and its LICENSE in $GLIOLENS_SHARED_DATA/atlas/sri24/ (or ../shared/data/atlas/sri24/ '
        + 'beside the repository) and build the page again (npm run build), or prepare the scans with the CLI (gliolens prepare --template FILE).';
      status.textContent = `No SRI24 template in this build.`;
      this.#message('error', `prepare: ${text}`);
      return;
    }
    const { found, missing } = this.#assigned();
    if (missing.length) {
      this.#message('error', `prepare: ${missing.join(', ')} missing: Prepare needs T1, T1c, T2 and FLAIR`);
      return;
    }
    const caseName = preparedCaseName(Object.values(found).map((f) => f.name));
    const steps = [SETUP, ...STEPS];
    const list = this.#el('#prepare-steps');
    list.hidden = false;
    list.replaceChildren(...steps.map(({ id, label }) => {
      const li = Object.assign(document.createElement('li'), { textContent: label });
      Object.assign(li.dataset, { step: id, state: 'pending' });
      return li;
    }));
    const item = (id) => list.querySelector(`li[data-step="${CSS.escape(id)}"]`);
    let current = null;
    const onProgress = ({ step, backend }) => {
      if (current) item(current).dataset.state = 'done';
      current = step;
      item(step).dataset.state = 'running';
      const label = steps.find((s) => s.id === step).label;
      status.textContent = `${label}${step === 'brainExtraction' ? ` (MindGrab, ${backend === 'webgpu' ? 'WebGPU' : 'WASM'})` : ''}…`;
    };
    this.#el('#prepare-cancel').hidden = false;
    this.#el('#prepare-progress').hidden = false;
    status.textContent = 'Starting…';
    const ids = Object.fromEntries(ROLES.map(([role, name]) => [name, found[role].id]));
    const names = Object.fromEntries(ROLES.map(([role, name]) => [name, found[role].name]));
    try {
      this.#running = this.#core.prepare({
        ids,
        names,
        caseName,
        templateUrl: new URL(SRI24.template, location.href).href,
        brainModelUrl: new URL(BRAIN_MODEL_DIR, location.href).href,
        backend: this.#backend(),
      }, onProgress);
      this.refresh();
      const result = await this.#running.promise;
      for (const li of list.children) {
        li.dataset.state = 'done';
        const seconds = result.stepSeconds[li.dataset.step];
        if (seconds !== undefined) {
          li.dataset.seconds = seconds;
          li.append(` — ${seconds.toFixed(1)} s`);
        }
      }
      await this.#finish(caseName, found, result);
      status.textContent = `Done on ${backendLine(result)} in ${result.seconds.toFixed(1)} s. The prepared sequences are assigned; check them, then segment.`
        + `${result.threadsNote ? ` (${result.threadsNote}.)` : ''}`;
      this.#root.dataset.seconds = result.seconds;
      this.#root.dataset.backend = result.backend;
    } catch (error) {
      if (current) item(current).dataset.state = error.name === 'CancelledError' ? 'cancelled' : 'failed';
      if (error.name === 'CancelledError') {
        status.textContent = 'Cancelled: the raw scans are still loaded.';
      } else {
        status.textContent = 'Failed (see the message).';
        this.#message('error', `prepare: ${error.message}`);
      }
    } finally {
      this.#running = null;
      this.#el('#prepare-cancel').hidden = true;
      this.#el('#prepare-progress').hidden = true;
      this.refresh();
    }
  }

  // The quality numbers and warnings, the brain mask, the prepared sequences into the case, the downloads.
  async #finish(caseName, raw, result) {
    this.#releaseMapped();
    const mask = await Viewer.image(result.volumes.brainMask.name, result.volumes.brainMask.bytes);
    const outline = await Viewer.image(result.volumes.templateOutline.name, result.volumes.templateOutline.bytes);
    const entries = await this.#addPrepared(raw, result.volumes);
    this.#prepared = { caseName, raw, entries, result, mask, outline };
    this.#showQuality(result);
    this.#renderDownloads();
    this.#el('#prepare-mask-toggle').hidden = false;
    this.#el('#prepare-outline-toggle').hidden = false;
    this.refresh();
  }

  #showQuality(result) {
    this.#el('#prepare-quality').hidden = false;
    const brain = this.#el('#prepare-brain');
    brain.dataset.ml = result.brain.mL;
    brain.textContent = `Brain (MindGrab, on the T1c): ${result.brain.mL.toFixed(0)} mL`;
    const body = this.#el('#prepare-registrations tbody');
    body.replaceChildren();
    for (const [pair, r] of Object.entries(result.registrations)) {
      const row = document.createElement('tr');
      row.dataset.pair = pair;
      row.dataset.nmi = r.normalizedMutualInformation;
      const wrong = r.warnings.filter(looksWrong);
      if (wrong.length) row.className = 'suspect';
      const cells = [PAIR_NAMES[pair] ?? pair, r.normalizedMutualInformation.toFixed(3), `${(100 * r.overlap).toFixed(0)} %`,
        wrong.length ? 'looks wrong' : r.warnings.length ? 'see warnings' : 'ok'];
      row.append(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text })));
      if (r.templateBrainDice !== undefined) {
        // The check view's number (its warning below MIN_TEMPLATE_BRAIN_DICE is among the registration's warnings).
        row.dataset.templateBrainDice = r.templateBrainDice;
        const dice = Object.assign(document.createElement('span'), {
          className: 'template-dice',
          textContent: ` · brain overlap with the template: Dice ${r.templateBrainDice.toFixed(2)}`,
          title: `the T1c's brain mask carried onto the SRI24 grid against the template's brain: a right registration gives about 0.9 or more, below ${MIN_TEMPLATE_BRAIN_DICE} it is probably wrong`,
        });
        row.cells[3].append(dice);
      }
      body.append(row);
      for (const w of wrong) {
        this.#message('error', `prepare: ${PAIR_NAMES[pair] ?? pair}: ${w}. The registration looks wrong: check the prepared images before segmenting.`);
      }
    }
    for (const w of result.warnings.filter((text) => !looksWrong(text))) this.#message('warning', `prepare: ${w}`);
  }

  #renderDownloads() {
    const box = this.#el('#prepare-downloads');
    box.hidden = false;
    const { result } = this.#prepared;
    const button = (key, label, file) => {
      const b = Object.assign(document.createElement('button'), { type: 'button', textContent: label, title: file.name });
      b.dataset.download = key;
      b.addEventListener('click', () => downloadFile(file.name, file.bytes, 'application/gzip'));
      return b;
    };
    const buttons = [
      ...ROLES.map(([role, name]) => button(name, `${role === 't1c' ? 'T1c' : role.toUpperCase()} (SRI24)`, result.volumes[name])),
      button('brain-mask-sri24', 'Brain mask (SRI24)', result.volumes.brainMaskSri24),
      button('brain-mask-t1c', 'Brain mask (T1c grid)', result.volumes.brainMask),
    ];
    if (this.#labelsOnT1c) {
      buttons.push(button('labels-sri24', 'Labels (SRI24)', this.#labelsOnT1c.sri24),
        button('labels-t1c', 'Labels (T1c grid)', this.#labelsOnT1c));
    }
    box.replaceChildren(Object.assign(document.createElement('span'), { className: 'hint', textContent: 'Download: ' }), ...buttons);
  }

  // A segmentation just made: when it was made on the prepared sequences, its labels carried onto the raw T1c's grid
  // (wasm/prepare.mjs labelsOnT1cGrid), shown over the raw T1c and offered for download beside the SRI24 ones.
  async segmented(seg, gridOf) {
    if (!this.#prepared || !this.#prepared.entries.includes(gridOf)) return;
    const { caseName, raw, result } = this.#prepared;
    const name = `${caseName}_gliolens_seg_t1c_grid.nii.gz`;
    try {
      const mapped = await this.#core.labelsOnT1c({ labelsId: seg.id, t1ceId: raw.t1c.id, templateToT1c: result.matrices.templateToT1c, name });
      this.#releaseMapped();
      this.#labelsOnT1c = { ...mapped, name, image: await Viewer.image(name, mapped.bytes), sri24: { name: seg.name, bytes: seg.bytes } };
      const line = this.#el('#prepare-labels');
      line.hidden = false;
      line.dataset.dims = mapped.header.dims.slice(0, 3).join('x');
      line.textContent = `Labels carried back onto ${raw.t1c.name}'s grid (${mapped.header.dims.slice(0, 3).join(' × ')}): `
        + `${mapped.labels.map((l) => `${l.label}: ${l.mL.toFixed(1)} mL`).join(', ') || 'none'}. Choose "${raw.t1c.name}, raw" in the viewer to see them there.`;
      this.#renderDownloads();
    } catch (error) {
      this.#message('error', `prepare: labels onto ${raw.t1c.name}'s grid: ${error.message}`);
    }
  }

  #releaseMapped() {
    if (this.#labelsOnT1c) this.#core.release(this.#labelsOnT1c.id).catch(() => {});
    this.#labelsOnT1c = null;
    this.#el('#prepare-labels').hidden = true;
  }
}
