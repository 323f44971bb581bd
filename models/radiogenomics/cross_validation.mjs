// Repeated, stratified k-fold cross-validation of a whole fitting procedure with the WASM core's own fits
// (`gliolens cox` / logistic): every choice the procedure makes (which inputs the elastic net keeps, its lambda by
// an inner cross-validation, the refit) is made again inside each training part, so the held-out folds judge the
// procedure as it would be used on new patients. Each fold's AUC or Harrell's C comes from the core; so do the
// pooled out-of-fold AUC (DeLong CI) and C (bootstrap CI) and the calibration slopes.
import { seededRandom } from '../common/seeded_random.mjs';

// One held-out fold index per row, 0..k-1, with each stratum (class, or event indicator) spread evenly and the
// folds' sizes within one of each other: the deal continues from one stratum to the next, so the strata's
// remainders fall on different folds.
export function stratifiedFolds(strata, k, random) {
  const fold = new Array(strata.length);
  let next = Math.floor(random() * k);
  for (const value of [...new Set(strata)].sort()) {
    const members = strata.map((s, i) => [s, i]).filter(([s]) => s === value).map(([, i]) => [random(), i]);
    members.sort((a, b) => a[0] - b[0]);
    for (const [, i] of members) {
      fold[i] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

// --- Student's t, for the corrected resampled t interval (Nadeau & Bengio 2003) ---------------------------
function logGamma(x) {  // Lanczos, g = 7
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaContinuedFraction(a, b, x) {  // Lentz's method
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const numerator of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

function regularizedBeta(a, b, x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

export function studentTCdf(t, df) {
  const tail = 0.5 * regularizedBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

export function studentTQuantile(p, df) {
  let low = -1e3;
  let high = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (studentTCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

// Mean of per-fold values with the corrected resampled t interval: the folds' training parts overlap, so their
// variance understates the estimate's; Nadeau & Bengio's correction adds n_test / n_train to 1 / J.
export function correctedResampledT(values, testShare, confidence = 0.95) {
  const J = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / J;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (J - 1);
  const se = Math.sqrt((1 / J + testShare / (1 - testShare)) * variance);
  const t = studentTQuantile(0.5 + confidence / 2, J - 1);
  const statistic = se > 0 ? mean / se : mean === 0 ? 0 : Infinity * Math.sign(mean);
  return { mean, lower: mean - t * se, upper: mean + t * se, se, t: statistic, p: 2 * (1 - studentTCdf(Math.abs(statistic), J - 1)) };
}

// --- the procedure on one training part ------------------------------------------------------------------
const csvOf = (rows, columns) => [columns.join(','), ...rows.map((r) => columns.map((c) => r[c]).join(','))].join('\n') + '\n';

// The value the fit sees: the logarithm where the model declares a log transform (the model file then takes the
// logarithm itself, so the shipped model reads the raw column).
const fitValue = (row, feature) => (feature.log ? Math.log(row[feature.name]) : row[feature.name]);

function withTransforms(model, features) {
  const log = new Set(features.filter((f) => f.log).map((f) => f.name));
  for (const f of model.features) if (log.has(f.name)) f.transform = 'log';
  return model;
}

// spec: {kind: 'logistic' | 'cox', outcome | time + event, features: [{name, log}], penalty: {penalty, alpha,
// lambda_rule, cv} | undefined (plain maximum likelihood)}. Returns {model (gliolens-model object) | null, selected,
// note} fitted on `train`. Penalised procedures are an elastic net whose lambda an inner cross-validation chooses,
// then a maximum-likelihood refit of the inputs it kept (the logistic workflow refits with a tiny L2 penalty itself).
export function fitProcedure(core, spec, train, seed) {
  const names = spec.features.map((f) => f.name);
  const rows = train.map((r) => {
    const out = spec.kind === 'cox' ? { time: r[spec.time], event: r[spec.event] } : { y: r[spec.outcome] };
    for (const f of spec.features) out[f.name] = fitValue(r, f);
    return out;
  });
  const outcomeColumns = spec.kind === 'cox' ? ['time', 'event'] : ['y'];
  const csv = csvOf(rows, [...outcomeColumns, ...names]);
  const common = { covariates: names, seed, ...(spec.penalty ?? {}) };
  // The elastic net may keep nothing (the null model: every patient alike); the core says so by an error.
  const nothingKept = (fit) => {
    try {
      return fit();
    } catch (error) {
      if (/removed every covariate/.test(error.message)) return null;
      throw error;
    }
  };
  const none = { model: null, selected: [], note: 'no input kept' };
  if (spec.kind === 'logistic') {
    const report = nothingKept(() => core.fitLogistic(csv, { outcome: 'y', ...common }));
    return report ? { model: withTransforms(report.model, spec.features), selected: report.model.features.map((f) => f.name) } : none;
  }
  const cox = { time: 'time', event: 'event', bootstrap: 0 };
  let report = nothingKept(() => core.fit(csv, { ...cox, ...common }));
  if (report === null) return none;
  if (spec.penalty) {
    const kept = report.coefficients.filter((c) => c.coef !== 0).map((c) => c.name);
    if (kept.length === 0) return none;
    try {
      report = core.fit(csv, { ...cox, covariates: kept, seed });
    } catch (error) {  // a collinear or separated refit: keep the penalised coefficients
      return { model: withTransforms(report.model, spec.features), selected: kept, note: `refit failed (${error.message}); penalised coefficients kept` };
    }
  }
  return { model: withTransforms(report.model, spec.features), selected: report.model.features.map((f) => f.name) };
}

// The model's linear predictor for each patient (0 for the null model: every patient alike). The model's text is
// written once for all of them.
export function linearPredictors(core, model, rows) {
  if (model === null) return rows.map(() => 0);
  const text = JSON.stringify(model);
  return rows.map((row) => core.predict(text, Object.fromEntries(model.features.map((f) => [f.name, row[f.name]]))).linear_predictor);
}

// Discrimination (and calibration slope) of scores against the outcome, by the core: a one-input fit of the outcome
// on the score gives the score's AUC (DeLong) or C (bootstrap) and, the score being a linear predictor, the
// calibration slope (1 is ideal; below 1, predictions too extreme). The fit orients its prediction by the sign of
// the slope; a score that ranks backwards must count as such (AUC and C of -score are 1 minus those of score).
export function discrimination(core, spec, rows, scores, { bootstrap = 0, seed = 1 } = {}) {
  if (new Set(scores).size < 2) return { estimate: 0.5, lower: null, upper: null, slope: null };
  const oriented = (metric, slope, extra = {}) => (slope >= 0
    ? { estimate: metric.estimate, lower: metric.lower ?? null, upper: metric.upper ?? null, slope, ...extra }
    : { estimate: 1 - metric.estimate, lower: metric.upper == null ? null : 1 - metric.upper, upper: metric.lower == null ? null : 1 - metric.lower, slope, ...extra });
  if (spec.kind === 'logistic') {
    const csv = csvOf(rows.map((r, i) => ({ y: r[spec.outcome], score: scores[i] })), ['y', 'score']);
    const report = core.fitLogistic(csv, { outcome: 'y', covariates: ['score'] });
    return oriented(report.model.metrics.find((m) => m.name === 'auc_train'), report.coefficients[0].coef, { intercept: report.intercept });
  }
  const csv = csvOf(rows.map((r, i) => ({ time: r[spec.time], event: r[spec.event], score: scores[i] })), ['time', 'event', 'score']);
  const report = core.fit(csv, { time: 'time', event: 'event', covariates: ['score'], bootstrap, seed });
  const c = report.model.metrics.find((m) => m.name === 'c_index_train') ?? report.concordance.train;
  return oriented(c, report.coefficients[0].coef);
}

// Repeated stratified k-fold CV of several procedures on the same folds. Returns, per procedure, each fold's metric,
// the out-of-fold linear predictors of each repeat, and how often each input was kept.
export function crossValidate(core, specs, rows, { repeats = 5, folds = 5, seed = 20261207 } = {}) {
  const random = seededRandom(seed);
  const strata = rows.map((r) => r[specs[0].kind === 'cox' ? specs[0].event : specs[0].outcome]);
  const results = specs.map((spec) => ({ spec, foldMetrics: [], outOfFold: [], kept: new Map(), notes: [] }));
  for (let repeat = 0; repeat < repeats; repeat++) {
    const fold = stratifiedFolds(strata, folds, random);
    for (const result of results) result.outOfFold.push(new Array(rows.length).fill(NaN));
    for (let k = 0; k < folds; k++) {
      const train = rows.filter((_, i) => fold[i] !== k);
      const testIndex = rows.map((_, i) => i).filter((i) => fold[i] === k);
      const test = testIndex.map((i) => rows[i]);
      for (const result of results) {
        const { model, selected, note } = fitProcedure(core, result.spec, train, 1000 * repeat + k + 1);
        if (note) result.notes.push(`repeat ${repeat + 1} fold ${k + 1}: ${note}`);
        for (const name of selected) result.kept.set(name, (result.kept.get(name) ?? 0) + 1);
        const scores = linearPredictors(core, model, test);
        testIndex.forEach((i, n) => { result.outOfFold[repeat][i] = scores[n]; });
        result.foldMetrics.push(discrimination(core, result.spec, test, scores).estimate);
      }
    }
  }
  return results;
}
