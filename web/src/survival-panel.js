// The survival panel. "Patient": the shipped models (models/survival) applied to the loaded case, with
// age (and molecular status) entered by the user and the sub-region volumes of the loaded
// segmentation; shows the risk score and group, S(t) with its 95 % band, the median and the model
// card. "Cohort": a CSV in, Cox fit in the Worker, hazard ratios, C-index, Kaplan-Meier by risk group,
// model JSON out. Every number comes from the WASM core (core/survival/workflow.cpp).
import gbmOs from '../../models/survival/gbm_os.json';
import gbmOsCard from '../../models/survival/gbm_os.md?raw';
import lggOs from '../../models/survival/lgg_os.json';
import lggOsCard from '../../models/survival/lgg_os.md?raw';
import lggPfs from '../../models/survival/lgg_pfs.json';
import lggPfsCard from '../../models/survival/lgg_pfs.md?raw';
import lggIdh from '../../models/survival/lgg_idh_age.json';
import lggIdhCard from '../../models/survival/lgg_idh_age.md?raw';
import lggCodel from '../../models/survival/lgg_codeletion_age.json';
import lggCodelCard from '../../models/survival/lgg_codeletion_age.md?raw';
import MODEL_SHA256 from 'gliolens:model-sha256';

import { VOLUME_INPUTS, volumeInputs } from '../../wasm/gliolens.mjs';
import { downloadFile } from './download.js';

export const MODELS = [
  { id: 'gbm_os', model: gbmOs, card: gbmOsCard },
  { id: 'lgg_os', model: lggOs, card: lggOsCard },
  { id: 'lgg_pfs', model: lggPfs, card: lggPfsCard },
  { id: 'lgg_idh_age', model: lggIdh, card: lggIdhCard },
  { id: 'lgg_codeletion_age', model: lggCodel, card: lggCodelCard },
].map((m) => ({ ...m, sha256: MODEL_SHA256[`survival/${m.id}.json`] }));


// A model card (shipped as text) as a Blob URL: a link opens it in a tab without a network request. One URL per
// card for the page's life.
const cardUrls = new Map();
export function cardUrl(card) {
  if (!cardUrls.has(card)) cardUrls.set(card, URL.createObjectURL(new Blob([card], { type: 'text/plain;charset=utf-8' })));
  return cardUrls.get(card);
}

const fmt = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : Number(x).toFixed(d));
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// Step curves (with an optional band) as inline SVG: x time, y survival 0..1.
export function survivalSvg(curves, { width = 420, height = 220, unit = 'days' } = {}) {
  const pad = { left: 36, right: 8, top: 8, bottom: 28 };
  const tMax = Math.max(1, ...curves.flatMap((c) => c.time));
  const x = (t) => pad.left + (t / tMax) * (width - pad.left - pad.right);
  const y = (s) => pad.top + (1 - s) * (height - pad.top - pad.bottom);
  const step = (time, values) => {
    let d = `M${x(0)},${y(1)}`;
    let last = 1;
    time.forEach((t, k) => { d += ` H${x(t)} V${y(values[k])}`; last = values[k]; });
    return `${d} H${x(tMax)} V${y(last)}`;
  };
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const parts = curves.map((c, i) => {
    const colour = colours[i % colours.length];
    const band = c.lower && c.upper
      ? `<path d="${step(c.time, c.upper)}" stroke="${colour}" stroke-dasharray="3 3" fill="none" opacity="0.6"/><path d="${step(c.time, c.lower)}" stroke="${colour}" stroke-dasharray="3 3" fill="none" opacity="0.6"/>`
      : '';
    return `${band}<path d="${step(c.time, c.survival)}" stroke="${colour}" stroke-width="2" fill="none"><title>${esc(c.label ?? '')}</title></path>` +
      (c.label ? `<text x="${width - pad.right - 4}" y="${pad.top + 14 + 14 * i}" text-anchor="end" fill="${colour}" font-size="11">${esc(c.label)}</text>` : '');
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((s) => `<text x="${pad.left - 4}" y="${y(s) + 4}" text-anchor="end" font-size="10">${s}</text><line x1="${pad.left}" x2="${width - pad.right}" y1="${y(s)}" y2="${y(s)}" stroke="#ddd"/>`);
  return `<svg class="survival-plot" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="survival curve">` +
    `${ticks.join('')}<text x="${(width + pad.left) / 2}" y="${height - 6}" text-anchor="middle" font-size="11">time (${esc(unit)}), 0 to ${fmt(tMax, 0)}</text>${parts.join('')}</svg>`;
}

export class SurvivalPanel {
  #root;
  #core;
  #getFiles;
  #message;
  #cohortCsv = null;
  #cohortName = '';
  #fittedModel = null;
  // The patient prediction shown ({model: {id, name, sha256}, inputs, unit, prediction}), for the report and the
  // session file; null until Predict, and again when the model or the segmentation changes.
  #shown = null;
  #volumesShown = '';

  constructor(root, core, { getFiles, message }) {
    this.#root = root;
    this.#core = core;
    this.#getFiles = getFiles;
    this.#message = message;
    root.innerHTML = `
      <h2>Survival and molecular models <span class="hint">(research use only)</span></h2>
      <div class="survival-tabs"><button type="button" data-tab="patient" aria-pressed="true">Patient</button><button type="button" data-tab="cohort" aria-pressed="false">Cohort</button></div>
      <div id="survival-patient">
        <label>Model <select id="survival-model">${MODELS.map((m) => `<option value="${m.id}">${esc(m.model.name)}</option>`).join('')}</select></label>
        <a id="survival-card" target="_blank" rel="noopener">model card</a>
        <div id="survival-inputs"></div>
        <button type="button" id="survival-predict">Predict</button>
        <div id="survival-result" role="status" aria-live="polite"></div>
      </div>
      <div id="survival-cohort" hidden>
        <label>Cohort table (CSV) <input id="survival-csv" type="file" accept=".csv,text/csv" /></label>
        <div id="survival-columns"></div>
        <button type="button" id="survival-fit" disabled>Fit Cox model</button>
        <button type="button" id="survival-export" disabled>Export model JSON</button>
        <div id="survival-fit-result" role="status" aria-live="polite"></div>
      </div>`;
    root.querySelectorAll('.survival-tabs button').forEach((b) => b.addEventListener('click', () => this.#showTab(b.dataset.tab)));
    this.$('#survival-model').addEventListener('change', () => { this.#clear(); this.refresh(); });
    this.$('#survival-predict').addEventListener('click', () => this.#predict());
    this.$('#survival-csv').addEventListener('change', (e) => this.#loadCohort(e.target.files[0]));
    this.$('#survival-fit').addEventListener('click', () => this.#fit());
    this.$('#survival-export').addEventListener('click', () => this.#export());
    this.refresh();
  }

  $(selector) {
    return this.#root.querySelector(selector);
  }

  #showTab(tab) {
    this.#root.querySelectorAll('.survival-tabs button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.tab === tab)));
    this.$('#survival-patient').hidden = tab !== 'patient';
    this.$('#survival-cohort').hidden = tab !== 'cohort';
  }

  #selected() {
    return MODELS.find((m) => m.id === this.$('#survival-model').value);
  }

  // Volumes (mL) of the loaded segmentation's labels, by model input name; {} without one. The FLAIR-only model's one
  // label is the whole tumour alone: its sub-region volumes are not known.
  #volumes() {
    const seg = this.#getFiles().find((f) => f.role === 'seg' && f.labels);
    if (!seg) return {};
    if (seg.scheme === 'flair') return { wt_ml: seg.labels.reduce((sum, l) => sum + l.mL, 0) };
    return volumeInputs(seg.labels);
  }

  #flairOnly() {
    return this.#getFiles().find((f) => f.role === 'seg' && f.labels)?.scheme === 'flair';
  }

  // Inputs of the chosen model: volumes filled from the segmentation (read-only), the rest typed in.
  refresh() {
    const selected = this.#selected();
    const { model } = selected;
    this.$('#survival-card').href = cardUrl(selected.card);
    const volumes = this.#volumes();
    if (JSON.stringify(volumes) !== this.#volumesShown) {
      this.#volumesShown = JSON.stringify(volumes);
      if (this.#shown && !this.#shown.restored) this.#clear();
    }
    const previous = Object.fromEntries([...this.#root.querySelectorAll('#survival-inputs input, #survival-inputs select')].map((e) => [e.name, e.value]));
    const unknownVolume = this.#flairOnly() ? 'needs the sub-region model' : 'load a segmentation';
    this.$('#survival-inputs').innerHTML = model.features.map((f) => {
      if (f.name in VOLUME_INPUTS) {
        const v = volumes[f.name];
        return `<label>${esc(f.name)} <input name="${f.name}" type="number" step="any" value="${v === undefined ? '' : v.toFixed(3)}" ${v === undefined ? `placeholder="${unknownVolume}"` : 'readonly'} /> mL</label>`;
      }
      if (f.name === 'idh_mutant' || f.name === 'codeleted') {
        const [yes, no] = f.name === 'idh_mutant' ? ['mutant', 'wildtype'] : ['codeleted', 'intact'];
        return `<label>${esc(f.name)} <select name="${f.name}"><option value="">—</option><option value="1">${yes}</option><option value="0">${no}</option></select></label>`;
      }
      return `<label>${esc(f.name)} <input name="${f.name}" type="number" step="any" value="${esc(previous[f.name] ?? '')}" placeholder="${f.name === 'age' ? 'years' : ''}" /></label>`;
    }).join(' ');
    for (const [name, value] of Object.entries(previous)) {
      const select = this.$(`#survival-inputs select[name="${name}"]`);
      if (select) select.value = value;
    }
  }

  get state() {
    if (!this.#shown) return null;
    const { restored, ...state } = this.#shown;
    return state;
  }

  // Shows a session's patient prediction as it was saved: its model chosen, its inputs in their fields.
  restore(state) {
    if (!MODELS.some((m) => m.id === state.model.id)) return;
    this.$('#survival-model').value = state.model.id;
    this.refresh();
    for (const [name, value] of Object.entries(state.inputs)) {
      const input = this.$(`#survival-inputs [name="${name}"]`);
      if (input) input.value = String(value);
    }
    this.#show({ ...state, restored: true });
  }

  #clear() {
    this.#shown = null;
    this.$('#survival-result').replaceChildren();
    delete this.#root.dataset.state;
  }

  async #predict() {
    const { id, model, sha256 } = this.#selected();
    const features = {};
    for (const input of this.#root.querySelectorAll('#survival-inputs input, #survival-inputs select')) {
      if (input.value === '') {
        this.#shown = null;
        this.$('#survival-result').textContent = `Enter ${input.name} first.`;
        this.#root.dataset.state = 'error';
        return;
      }
      features[input.name] = Number(input.value);
    }
    try {
      const unit = model.cohort.time_unit || 'days';
      const times = unit === 'days' ? [365, 730, 1825] : [];
      const prediction = await this.#core.survivalPredict(model, features, { times });
      this.#show({ model: { id, name: model.name, sha256 }, inputs: features, unit, prediction });
    } catch (error) {
      this.#shown = null;
      this.#root.dataset.state = 'error';
      this.$('#survival-result').textContent = `${error.name}: ${error.message}`;
    }
  }

  #show(shown) {
    const { prediction: p, unit } = shown;
    this.#shown = shown;
    this.#root.dataset.state = 'done';
    this.#root.dataset.linearPredictor = String(p.linear_predictor);
    const version = `<p class="hint">Model ${esc(shown.model.name)}, <code>${esc(shown.model.id)}.json</code> <span class="model-version">sha256 ${esc(shown.model.sha256?.slice(0, 12) ?? 'not recorded')}</span>${shown.restored ? '; from the session file, not recomputed' : ''}</p>`;
    if (p.kind === 'logistic') {
      this.$('#survival-result').innerHTML = `<p>Probability of ${esc(p.outcome)}: <strong id="survival-probability">${fmt(100 * p.probability, 1)} %</strong></p>` + version + this.#warnings(p);
      return;
    }
    const rows = p.survival_at.map((s) => `<tr><td>${s.time} ${esc(unit)}</td><td>${fmt(s.survival, 3)}</td><td>${fmt(s.lower, 3)} to ${fmt(s.upper, 3)}</td></tr>`).join('');
    this.$('#survival-result').innerHTML =
      `<p>Risk score (linear predictor) <strong id="survival-lp">${fmt(p.linear_predictor, 3)}</strong>, risk group <strong id="survival-group">${esc(p.risk_group ?? '—')}</strong>; ` +
      `median ${esc(p.outcome)} <strong id="survival-median">${fmt(p.median_survival, 0)}</strong> ${esc(unit)} (95 % CI ${fmt(p.median_lower, 0)} to ${fmt(p.median_upper, 0)})</p>` +
      `<table class="survival-at"><thead><tr><th>time</th><th>S(t)</th><th>95 % CI</th></tr></thead><tbody>${rows}</tbody></table>` +
      survivalSvg([{ ...p.survival, label: 'this patient' }], { unit }) + version + this.#warnings(p);
  }

  #warnings(p) {
    return p.warnings.length ? `<ul class="warnings">${p.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  }

  async #loadCohort(file) {
    if (!file) return;
    try {
      this.#cohortCsv = await file.text();
      this.#cohortName = file.name;
      const summary = await this.#core.survivalTableSummary(this.#cohortCsv, file.name);
      const numeric = summary.columns.filter((c) => c.numeric).map((c) => c.name);
      const options = (preferred) => numeric.map((n) => `<option ${preferred.test(n) ? 'selected' : ''}>${esc(n)}</option>`).join('');
      this.$('#survival-columns').innerHTML =
        `<p>${summary.rows} rows, ${summary.columns.length} columns.</p>` +
        `<label>Time <select id="survival-time">${options(/time|days|survival/i)}</select></label> ` +
        `<label>Event <select id="survival-event">${options(/event|status|death/i)}</select></label> ` +
        `<label>Penalty <select id="survival-penalty"><option value="none">none</option><option value="l2">L2 (10-fold CV)</option><option value="lasso">lasso (10-fold CV)</option></select></label>` +
        `<fieldset><legend>Covariates</legend>${numeric.map((n) => `<label><input type="checkbox" name="covariate" value="${esc(n)}" /> ${esc(n)}</label>`).join(' ')}</fieldset>`;
      this.$('#survival-fit').disabled = false;
    } catch (error) {
      this.$('#survival-fit-result').textContent = `${file.name}: ${error.message}`;
    }
  }

  async #fit() {
    const covariates = [...this.#root.querySelectorAll('input[name="covariate"]:checked')].map((c) => c.value);
    const penalty = this.$('#survival-penalty').value;
    const options = { time: this.$('#survival-time').value, event: this.$('#survival-event').value, covariates, penalty, bootstrap: 200, name: `Cox model from ${this.#cohortName}`, source: this.#cohortName };
    if (penalty !== 'none') options.cv = 10;
    try {
      const r = await this.#core.survivalFit(this.#cohortCsv, options, this.#cohortName);
      this.#fittedModel = r.model;
      this.#root.dataset.state = 'fitted';
      const hr = r.coefficients.map((c) => `<tr data-name="${esc(c.name)}"><td>${esc(c.name)}</td><td>${fmt(c.hr, 3)}</td><td>${c.hr_lower === null ? '—' : `${fmt(c.hr_lower, 3)} to ${fmt(c.hr_upper, 3)}`}</td><td>${c.p === null ? '—' : fmt(c.p, 4)}</td></tr>`).join('');
      const c = r.concordance.train;
      const lr = r.risk_groups.log_rank;
      this.$('#survival-fit-result').innerHTML =
        `<p>${r.data.train.subjects} subjects, ${r.data.train.events} events. C-index <strong id="survival-cindex">${fmt(c.estimate, 3)}</strong> (95 % CI ${fmt(c.lower, 3)} to ${fmt(c.upper, 3)}, training data)` +
        `${lr ? `; log-rank between risk groups p = ${lr.p.toExponential(2)}` : ''}</p>` +
        `<table class="survival-hr"><thead><tr><th>covariate</th><th>HR</th><th>95 % CI</th><th>p</th></tr></thead><tbody>${hr}</tbody></table>` +
        survivalSvg(r.risk_groups.curves.map((k) => ({ time: k.time, survival: k.survival, label: `${k.group} risk (n ${k.subjects})` }))) +
        (r.warnings.length ? `<ul class="warnings">${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '');
      this.$('#survival-export').disabled = false;
    } catch (error) {
      this.#root.dataset.state = 'error';
      this.$('#survival-fit-result').textContent = `${error.name}: ${error.message}`;
    }
  }

  #export() {
    if (!this.#fittedModel) return;
    downloadFile('gliolens-model.json', JSON.stringify(this.#fittedModel, null, 2) + '\n', 'application/json');
  }
}
