// gliolens cox: Cox regression on a cohort CSV (optionally penalised), with hazard ratios, tests,
// C-index on train/test with bootstrap CIs, Kaplan-Meier by risk group, calibration; --out writes
// the gliolens-model JSON that `gliolens predict` and the app apply.
import { writeFileSync } from 'node:fs';

import { UsageError } from '../usage-error.mjs';
import { list, number, onFile, readText } from './survival-input.mjs';

export const help = `usage: gliolens cox --csv F --time COL --event COL [--covariates a,b,c] [--strata COL]
                    [--ties efron|breslow] [--penalty none|l2|elasticnet|lasso --alpha A [--lambda L | --cv K]]
                    [--split COL] [--out model.json] [options]
  --covariates    comma list (default: every other numeric column that varies)
  --strata COL    stratified baseline hazards
  --ties          efron (default) or breslow
  --penalty       none (default), l2 (alpha 0), lasso (alpha 1) or elasticnet (give --alpha)
  --lambda L      one penalty weight; otherwise --cv K folds choose it (default 10, --lambda-rule min|1se)
                  along a path of --path-length (100) lambdas down to --lambda-min-ratio x the largest
  --split COL     train/test (or 0/1) per row: fit on train, report the test C-index too
  --bootstrap N   bootstrap replicates for the C-index CIs (default 200; 0 for none)
  --risk-groups K quantile groups of the training risk score (default 2)
  --calibration-time T  predicted vs Kaplan-Meier observed S(T) by risk quartile
  --auc-times t1,t2     time-dependent AUC at these times
  --seed S, --confidence C, --name NAME, --source TEXT, --time-unit days|months
  --out FILE      write the model (gliolens-model JSON)`;

export const options = {
  csv: { type: 'string' },
  time: { type: 'string' },
  event: { type: 'string' },
  covariates: { type: 'string' },
  strata: { type: 'string' },
  ties: { type: 'string', default: 'efron' },
  penalty: { type: 'string', default: 'none' },
  alpha: { type: 'string' },
  lambda: { type: 'string' },
  cv: { type: 'string' },
  'lambda-rule': { type: 'string', default: 'min' },
  'path-length': { type: 'string' },
  'lambda-min-ratio': { type: 'string' },
  split: { type: 'string' },
  bootstrap: { type: 'string', default: '200' },
  'risk-groups': { type: 'string', default: '2' },
  'calibration-time': { type: 'string' },
  'auc-times': { type: 'string' },
  seed: { type: 'string', default: '1' },
  confidence: { type: 'string', default: '0.95' },
  name: { type: 'string' },
  source: { type: 'string' },
  'time-unit': { type: 'string' },
  out: { type: 'string' },
};

export function coxOptions(values) {
  if (!values.csv) throw new UsageError('give the cohort table: --csv FILE');
  if (!values.time) throw new UsageError('give the time column: --time COL');
  if (!values.event) throw new UsageError('give the event column: --event COL');
  if (!['efron', 'breslow'].includes(values.ties)) throw new UsageError(`--ties must be efron or breslow, not "${values.ties}"`);
  if (!['none', 'l2', 'elasticnet', 'lasso'].includes(values.penalty)) {
    throw new UsageError(`--penalty must be none, l2, elasticnet or lasso, not "${values.penalty}"`);
  }
  if (values.penalty === 'elasticnet' && values.alpha === undefined) throw new UsageError('--penalty elasticnet needs --alpha A (0 ridge .. 1 lasso)');
  if (values.penalty === 'none' && (values.lambda !== undefined || values.cv !== undefined)) {
    throw new UsageError('--lambda and --cv need --penalty l2|elasticnet|lasso');
  }
  if (values.lambda !== undefined && values.cv !== undefined) throw new UsageError('give --lambda or --cv, not both');
  const alpha = number(values.alpha, '--alpha', { min: 0 });
  if (alpha !== undefined && alpha > 1) throw new UsageError(`--alpha must lie in [0, 1], not ${alpha}`);
  return {
    time: values.time,
    event: values.event,
    covariates: list(values.covariates),
    strata: values.strata,
    split: values.split,
    ties: values.ties,
    penalty: values.penalty,
    alpha,
    lambda: number(values.lambda, '--lambda', { min: 0 }),
    cv: number(values.cv, '--cv', { integer: true, min: 2 }),
    lambda_rule: values['lambda-rule'],
    path_length: number(values['path-length'], '--path-length', { integer: true, min: 2 }),
    lambda_min_ratio: number(values['lambda-min-ratio'], '--lambda-min-ratio', { min: 0 }),
    bootstrap: number(values.bootstrap, '--bootstrap', { integer: true, min: 0 }),
    risk_groups: number(values['risk-groups'], '--risk-groups', { integer: true, min: 2 }),
    calibration_time: number(values['calibration-time'], '--calibration-time', { min: 0 }),
    auc_times: list(values['auc-times'])?.map((t) => number(t, '--auc-times', { min: 0 })),
    seed: number(values.seed, '--seed', { integer: true, min: 0 }),
    confidence: number(values.confidence, '--confidence'),
    name: values.name,
    source: values.source ?? values.csv,
    time_unit: values['time-unit'],
  };
}

export function run({ core, values, positionals }) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const options = coxOptions(values);
  const text = readText(values.csv, 'cohort table');
  const report = onFile(values.csv, () => core.fit(text, options, { source: values.csv }));
  const { model, ...rest } = report;
  if (values.out) {
    try {
      writeFileSync(values.out, JSON.stringify(model, null, 2) + '\n');
    } catch (error) {
      throw new Error(`${values.out}: cannot write the model (${error.code ?? error.message})`);
    }
  }
  return { csv: values.csv, ...rest, model_file: values.out ?? null };
}
