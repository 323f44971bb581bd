// "What the images predict": the radiogenomic models (models/radiogenomics, fitted by fit_models.mjs) applied to the
// descriptors of the case's segmentation (the numbers the Tumour descriptors section shows) and the age, sex and,
// optionally, IDH status the user enters. Each prediction runs in the Worker (core.predict, as `gliolens predict`)
// and shows its uncertainty, the model's cross-validated AUC or C-index beside age alone's, and its card.
//
// For each outcome the models are tried in order: the app's model (every descriptor, location in SRI24 space
// included) first, then the whole-tumour shape model when a descriptor the first needs has no value (a segmentation
// outside SRI24 space has no location); the page says which model could not run and why.
//
// 1p/19q codeletion is defined among IDH-mutant lower-grade gliomas (the model's cohort), so it is shown when the
// user says IDH-mutant, or when the user gives no IDH status and the images' IDH-mutation probability is above one
// half; with IDH wild-type entered it does not apply.
import MODEL_SHA256 from 'gliolens:model-sha256';

import { descriptorNameOf } from '../../wasm/gliolens.mjs';
import { cardUrl, survivalSvg } from './survival-panel.js';

// Whichever model files exist when the page is built (a fit that keeps no input writes none).
const modelFiles = import.meta.glob(['../../models/radiogenomics/*.json', '!../../models/radiogenomics/cv_results.json'],
  { eager: true, import: 'default' });
const cardFiles = import.meta.glob('../../models/radiogenomics/*.md', { eager: true, query: '?raw', import: 'default' });
const baseName = (path) => path.split('/').pop().replace(/\.(json|md)$/, '');
export const RADIOGENOMIC_MODELS = new Map(Object.entries(modelFiles)
  .filter(([, model]) => model?.format === 'gliolens-model')
  .map(([path, model]) => [baseName(path), {
    id: baseName(path),
    model,
    sha256: MODEL_SHA256[`radiogenomics/${baseName(path)}.json`],
    card: Object.entries(cardFiles).find(([p]) => baseName(p) === baseName(path))?.[1] ?? null,
  }]));

const OUTCOMES = [
  { key: 'idh', title: 'IDH mutation', kind: 'logistic', models: () => ['idh_descriptors_age', 'idh_wt_shape_age'] },
  { key: 'grade', title: 'WHO grade 4 (vs grade 2–3)', kind: 'logistic', models: () => ['grade_descriptors_age', 'grade_wt_shape_age'] },
  {
    key: 'codeletion', title: '1p/19q codeletion', kind: 'logistic', models: () => ['codeletion_descriptors_age'],
    scope: 'Defined among IDH-mutant lower-grade gliomas (WHO grade 2–3), the patients the model was fitted on.',
  },
  { key: 'mgmt', title: 'MGMT promoter methylation', kind: 'logistic', models: () => ['mgmt_descriptors_age'] },
  {
    key: 'os', title: 'Overall survival', kind: 'cox',
    models: ({ idh }) => [...(idh === '' ? [] : ['os_descriptors_age_idh']), 'os_descriptors_age', 'os_wt_shape_age'],
  },
];

// Inputs the user enters, with what the page asks for when one is missing.
const USER_INPUTS = { age: 'age', sex: 'sex', idh_mutant: 'IDH status' };
const YEARS = [1, 2, 5];
const DAYS_PER_YEAR = 365.25;

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const fmt = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : Number(x).toFixed(d));
// A probability as the page shows it: one decimal, and "< 0.1 %" / "> 99.9 %" rather than a 0.0 or 100.0 that reads as
// certainty.
export const percent = (p) => (p < 0.0005 ? '< 0.1 %' : p > 0.9995 ? '> 99.9 %' : `${fmt(100 * p, 1)} %`);
// An interval this wide says the model cannot tell for this patient (few such patients in its cohort).
const UNINFORMATIVE_WIDTH = 0.8;
const RUO = '<span class="ruo-tag">research use only</span>';

// The model's validated discrimination: "cross-validated AUC 0.93 (95 % CI 0.90 to 0.96); age alone 0.85 (...)".
function validation(model) {
  const metric = model.kind === 'cox' ? 'c_index' : 'auc';
  const label = model.kind === 'cox' ? 'C-index' : 'AUC';
  const find = (name) => model.metrics?.find((m) => m.name === name);
  const interval = (m) => (Number.isFinite(m.lower) && Number.isFinite(m.upper) ? ` (95 % CI ${fmt(m.lower)} to ${fmt(m.upper)})` : '');
  const cv = find(`${metric}_cv`);
  const age = find(`${metric}_cv_age_only`);
  if (!cv) return `no cross-validated ${label} in the model file`;
  return `cross-validated ${label} <span class="metric" data-metric="${metric}_cv">${fmt(cv.estimate)}</span>${interval(cv)}` +
    (age ? `; age alone on the same folds <span class="metric" data-metric="${metric}_cv_age_only">${fmt(age.estimate)}</span>${interval(age)}` : '');
}

export class PredictionsPanel {
  #root;
  #core;
  #descriptors = null;
  // Raised on each change, so a slower earlier run never overwrites a later one.
  #generation = 0;
  // The predictions shown ({entered, outcomes}) for the report and the session file, and those of a session opened,
  // shown instead of a run while the entered values are the session's.
  #shown = null;
  #saved = null;

  constructor(root, core) {
    this.#root = root;
    this.#core = core;
    root.innerHTML = `
      <h2>What the images predict <span class="hint">(research use only)</span></h2>
      <p class="hint">Models fitted on TCGA gliomas' expert masks (models/radiogenomics), applied to this segmentation's
        descriptors and the age and sex you enter. Research use only: not a diagnosis, not for clinical decisions;
        a tissue test decides the molecular status. 1p/19q codeletion is defined among IDH-mutant lower-grade gliomas:
        it is shown when you enter IDH-mutant, or with no IDH status entered when the images' IDH-mutation probability
        is above one half.</p>
      <div class="predictions-inputs">
        <label>Age <input id="predictions-age" type="number" min="0" max="120" step="any" placeholder="years" /></label>
        <label>Sex <select id="predictions-sex"><option value="">—</option><option value="1">male</option><option value="0">female</option></select></label>
        <label>IDH status, if known <select id="predictions-idh"><option value="">not known</option><option value="1">mutant</option><option value="0">wild-type</option></select></label>
      </div>
      <p id="predictions-status" role="status" aria-live="polite"></p>
      <div id="predictions-list"></div>`;
    root.hidden = true;
    root.dataset.state = 'none';
    for (const input of root.querySelectorAll('.predictions-inputs input, .predictions-inputs select')) {
      input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', () => this.#run());
    }
  }

  $(selector) {
    return this.#root.querySelector(selector);
  }

  // The descriptors of the case's segmentation ({result, source}, as the descriptors section gives them), or null.
  setDescriptors(descriptors) {
    if (descriptors === null && this.#descriptors === null && this.#root.hidden) return;
    this.#descriptors = descriptors;
    this.#root.hidden = descriptors === null;
    this.#run();
  }

  get state() {
    return this.#shown;
  }

  // Shows a session's predictions as they were: its entered values back in their fields and each outcome's saved
  // result, until a value is changed (then the models run again).
  restore(state) {
    this.$('#predictions-age').value = state.entered.age;
    this.$('#predictions-sex').value = state.entered.sex;
    this.$('#predictions-idh').value = state.entered.idh;
    this.#saved = state;
  }

  #entered() {
    return { age: this.$('#predictions-age').value.trim(), sex: this.$('#predictions-sex').value, idh: this.$('#predictions-idh').value };
  }

  // The model's features from the descriptors and the entered values: {features} or {missing: [{name, reason, user}]}.
  #inputs(model, entered) {
    const byName = new Map(this.#descriptors.result.descriptors.map((d) => [d.name, d]));
    const user = { age: entered.age, sex: entered.sex, idh_mutant: entered.idh };
    const features = {};
    const missing = [];
    for (const { name } of model.features) {
      if (name in USER_INPUTS) {
        const value = Number(user[name]);
        if (user[name] === '' || !Number.isFinite(value)) missing.push({ name, user: true, reason: `enter ${USER_INPUTS[name]}` });
        else features[name] = value;
        continue;
      }
      const descriptor = byName.get(descriptorNameOf(name));
      if (!descriptor) missing.push({ name, reason: 'not a descriptor this page computes' });
      else if (descriptor.value === null) missing.push({ name, reason: descriptor.reason ?? 'no value' });
      else features[name] = descriptor.value;
    }
    return missing.length ? { missing } : { features };
  }

  async #run() {
    const generation = ++this.#generation;
    this.#shown = null;
    if (!this.#descriptors) {
      this.#root.dataset.state = 'none';
      this.$('#predictions-list').replaceChildren();
      return;
    }
    if (RADIOGENOMIC_MODELS.size === 0) {
      this.#root.dataset.state = 'error';
      this.$('#predictions-status').textContent = 'This build ships no radiogenomic model (models/radiogenomics is empty).';
      return;
    }
    const entered = this.#entered();
    if (entered.age === '') {
      this.#root.dataset.state = 'waiting';
      this.$('#predictions-status').textContent = `Enter the patient's age (and sex) to see what the images of ${this.#descriptors.source.name} predict.`;
      this.$('#predictions-list').replaceChildren();
      return;
    }
    this.#root.dataset.state = 'computing';
    this.$('#predictions-status').textContent = 'Predicting…';
    const cards = [];
    const results = {};
    const saved = this.#saved && this.#descriptors.source.restored && ['age', 'sex', 'idh'].every((k) => this.#saved.entered[k] === entered[k]) ? this.#saved : null;
    for (const outcome of OUTCOMES) {
      const card = await this.#outcome(outcome, entered, results, saved);
      if (generation !== this.#generation) return;
      cards.push(card);
    }
    this.$('#predictions-list').replaceChildren(...cards);
    const failed = cards.filter((c) => c.dataset.state === 'error').length;
    this.$('#predictions-status').textContent = `From the descriptors of ${this.#descriptors.source.name}, age ${entered.age}` +
      `${entered.sex === '' ? '' : `, ${entered.sex === '1' ? 'male' : 'female'}`}${entered.idh === '' ? '' : `, IDH ${entered.idh === '1' ? 'mutant' : 'wild-type'} (entered)`}.` +
      (failed ? ` ${failed} prediction${failed > 1 ? 's' : ''} could not run (reasons below).` : '');
    this.#shown = {
      entered,
      outcomes: OUTCOMES.filter((o) => results[o.key]).map((o) => {
        const { model, sha256 } = RADIOGENOMIC_MODELS.get(results[o.key].model);
        return {
          key: o.key, title: o.title, kind: o.kind, model: { id: results[o.key].model, name: model.name, format_version: model.version, sha256 },
          prediction: results[o.key].prediction,
        };
      }),
      // The outcomes without a result, with what their card says instead (a value to enter, does not apply).
      others: cards.filter((c) => c.dataset.state !== 'done').map((c) => ({
        key: c.dataset.outcome, title: c.querySelector('h3').textContent, note: [...c.querySelectorAll('p')].at(-1)?.textContent ?? '',
      })),
    };
    this.#root.dataset.state = 'done';
  }

  // One outcome's card: the first of its models whose inputs are all there, run in the Worker.
  async #outcome(outcome, entered, results, saved) {
    const article = document.createElement('article');
    article.className = 'prediction';
    article.dataset.outcome = outcome.key;
    const heading = `<h3>${esc(outcome.title)}</h3>${outcome.scope ? `<p class="hint">${esc(outcome.scope)}</p>` : ''}`;
    const show = (state, html) => {
      article.dataset.state = state;
      article.innerHTML = heading + html;
      return article;
    };
    if (outcome.key === 'codeletion') {
      if (entered.idh === '0') return show('not-applicable', '<p>Does not apply: IDH wild-type entered.</p>');
      const idh = results.idh?.prediction;
      if (entered.idh === '' && !(idh?.probability > 0.5)) {
        return show('not-applicable', `<p>Not shown: the images' IDH-mutation probability is ${idh ? `${percent(idh.probability)}, not above one half` : 'not available'}; enter IDH-mutant to see it.</p>`);
      }
    }
    const skipped = [];
    for (const id of outcome.models(entered)) {
      const shipped = RADIOGENOMIC_MODELS.get(id);
      if (!shipped) continue;
      const inputs = this.#inputs(shipped.model, entered);
      if (inputs.missing?.some((m) => m.user)) {
        const asks = [...new Set(inputs.missing.filter((m) => m.user).map((m) => USER_INPUTS[m.name]))];
        return show('waiting', `<p>Enter ${asks.join(' and ')} above: the model ${esc(shipped.model.name)} needs ${asks.length > 1 ? 'them' : 'it'}.</p>`);
      }
      if (inputs.missing) {
        const byReason = new Map();
        for (const { name, reason } of inputs.missing) byReason.set(reason, [...(byReason.get(reason) ?? []), name]);
        skipped.push(`The model ${shipped.model.name} cannot run on this segmentation: ${[...byReason].map(([reason, names]) =>
          `${names.join(', ')} ${names.length > 1 ? 'have' : 'has'} no value: ${reason.replace(/\.$/, '')}`).join('; ')}.`);
        continue;
      }
      try {
        const kept = saved?.outcomes.find((o) => o.key === outcome.key && o.model.id === id);
        const p = kept?.prediction ?? await this.#core.survivalPredict(shipped.model, inputs.features, outcome.kind === 'cox' ? { times: YEARS.map((y) => Math.round(y * DAYS_PER_YEAR)) } : {});
        results[outcome.key] = { model: id, prediction: p };
        article.dataset.model = id;
        article.dataset.linearPredictor = String(p.linear_predictor);
        if (p.kind === 'logistic') article.dataset.probability = String(p.probability);
        else article.dataset.median = String(p.median_survival);
        const testedNote = outcome.key === 'idh' && entered.idh !== ''
          ? `<p class="hint">You entered IDH ${entered.idh === '1' ? 'mutant' : 'wild-type'}: a tissue test's result stands; this is what the model suggests from the images and the entered age and sex.</p>`
          : '';
        return show('done', this.#result(p, shipped, outcome, skipped) + testedNote);
      } catch (error) {
        return show('error', `<p class="error">The model ${esc(shipped.model.name)} could not run: ${esc(error?.message ?? String(error))}</p>${this.#notes(skipped)}`);
      }
    }
    if (skipped.length) return show('error', `<p class="error">No model could run for this outcome.</p>${this.#notes(skipped)}`);
    return show('error', '<p class="error">No model for this outcome ships with this build.</p>');
  }

  #result(p, { model, card, id, sha256 }, outcome, skipped) {
    const about = `<p class="hint">Model: ${esc(model.name)}, reading ${model.features.map((f) => `<code>${esc(f.name)}</code>`).join(', ')} · ${validation(model)} ${RUO}` +
      (card ? ` · <a class="model-card" href="${cardUrl(card)}" target="_blank" rel="noopener">model card</a>` : '') +
      ` <code>${esc(id)}.json</code> <span class="model-version" title="SHA-256 of the model file: ${sha256}">sha256 ${sha256.slice(0, 12)}</span></p>`;
    const warnings = p.warnings.length ? `<ul class="warnings">${p.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
    if (p.kind === 'logistic') {
      const hasBand = Number.isFinite(p.probability_lower) && Number.isFinite(p.probability_upper);
      const band = hasBand
        ? ` (95 % CI <span class="probability-lower">${percent(p.probability_lower)}</span> to <span class="probability-upper">${percent(p.probability_upper)}</span>)`
        : ' (no interval: this model file carries no covariance)';
      const vague = hasBand && p.probability_upper - p.probability_lower > UNINFORMATIVE_WIDTH
        ? '<p class="hint uninformative">The interval spans most of 0 to 100 %: the model cannot tell for this patient (too few patients like this one in its cohort).</p>'
        : '';
      return this.#notes(skipped) +
        `<p class="prediction-value">Probability of ${esc(outcome.title.replace(/ \(.*\)$/, ''))}: <strong class="probability">${percent(p.probability)}</strong>${band} ${RUO}</p>` +
        vague + about + warnings;
    }
    const years = (days) => (Number.isFinite(days) ? ` (${fmt(days / DAYS_PER_YEAR, 1)} years)` : '');
    const median = Number.isFinite(p.median_survival)
      ? `<strong class="median">${fmt(p.median_survival, 0)} days</strong>${years(p.median_survival)} (95 % CI ${fmt(p.median_lower, 0)} to ${Number.isFinite(p.median_upper) ? fmt(p.median_upper, 0) : 'not reached'} days)`
      : '<strong class="median">not reached</strong> within the cohort\'s follow-up';
    const rows = p.survival_at.map((s, k) => `<tr><td>${YEARS[k]} year${YEARS[k] > 1 ? 's' : ''}</td><td>${percent(s.survival)}</td><td>${percent(s.lower)} to ${percent(s.upper)}</td><td>${RUO}</td></tr>`).join('');
    return this.#notes(skipped) + `<p class="prediction-value">Predicted median overall survival: ${median} ${RUO}</p>` +
      `<table class="prediction-survival"><thead><tr><th>alive after</th><th>probability</th><th>95 % CI</th><th></th></tr></thead><tbody>${rows}</tbody></table>` +
      survivalSvg([{ ...p.survival, label: 'predicted, with its 95 % band (research use only)' }], { unit: 'days' }) +
      about + warnings;
  }

  #notes(skipped) {
    return skipped.map((s) => `<p class="hint skipped">${esc(s)}</p>`).join('');
  }
}
