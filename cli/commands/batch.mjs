// gliolens batch: a cohort in one run. A cases table in, one output table out (one row per case), the
// single-case verbs' code for each step, cases spread over worker threads, resumable (cli/batch/journal.mjs).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

import { readCasesTable } from '../batch/cases.mjs';
import { Journal } from '../batch/journal.mjs';
import { Progress } from '../batch/progress.mjs';
import { MODALITIES, REGIONS, STEPS, leadingColumns } from '../batch/row.mjs';
import { UsageError } from '../usage-error.mjs';
import { readText } from './survival-input.mjs';

export const help = `usage: gliolens batch --cases TABLE.csv --out OUT.csv [--steps segment,features,descriptors,predict] [--jobs N]
       [--params FILE] [--mode pyradiomics|ibsi] [--regions ET,TC,WT] [--modalities t1,t1ce,t2,flair] [--label N]
       [--model MODEL.json] [--times t1,t2] [--seg-model DIR] [--only ID ...] [--seg-dir DIR]
       gliolens batch --cases TABLE.csv --list
  TABLE: PyRadiomics' batch form (Image,Mask[,Label][,ID], one extraction a row) or ours
         (id,t1,t1ce,t2,flair[,seg][,age,...], one patient a row); paths relative to the table
  OUT: one row per case (features as REGION_modality_name columns; PyRadiomics' names in its form),
       with the tool version, parameter-file sha256 and model versions; see docs/batch.md
  --steps       default: segment,features (+predict with --model), features in PyRadiomics' form; segment only where a row has no seg,
                writing OUT's folder/OUT_seg/ID_seg.nii.gz; descriptors: gliolens descriptors of the seg (also given to predict)
  --jobs N      cases at a time, each in a worker thread with its own WASM core (default: the cores, fewer if
                the free memory cannot hold that many jobs at their peak: 256 MiB each, 1 GiB when segmenting)
  --regions     of BraTS labels: ET (4), TC (1,4), WT (1,2,4), NCR (1), ED (2); default ET,TC,WT
  --label N     PyRadiomics form: the label where the row has no Label (default 1, or the parameter file's)
  --model FILE  a gliolens-model for predict: the row's numeric columns, the seg's volumes (et_ml, ...), the descriptors
  --only ID     run only this case of TABLE (repeatable); paths stay relative to TABLE (workflow/Snakefile runs one case a job)
  --seg-dir DIR where the segment step writes ID_seg.nii.gz (default: OUT's folder/OUT_seg)
  --list        print the table's form, the tool version and each case's id, files and cells as JSON, and run nothing
  a rerun with the same OUT skips the cases already done (OUT.done); failures go to OUT.errors.csv and are retried`;

export const options = {
  cases: { type: 'string' },
  out: { type: 'string' },
  steps: { type: 'string' },
  jobs: { type: 'string' },
  params: { type: 'string' },
  mode: { type: 'string', default: 'pyradiomics' },
  regions: { type: 'string', default: 'ET,TC,WT' },
  modalities: { type: 'string', default: MODALITIES.join(',') },
  label: { type: 'string' },
  model: { type: 'string' },
  times: { type: 'string' },
  'seg-model': { type: 'string' },
  'seg-dir': { type: 'string' },
  only: { type: 'string', multiple: true },
  list: { type: 'boolean' },
};

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const listOf = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const toolVersion = () => JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

function planOf(values, form, out) {
  if (!['ibsi', 'pyradiomics'].includes(values.mode)) throw new UsageError(`--mode must be ibsi or pyradiomics, not "${values.mode}"`);
  const defaultSteps = form === 'pyradiomics' ? ['features'] : ['segment', 'features', ...(values.model ? ['predict'] : [])];
  const steps = values.steps ? listOf(values.steps) : defaultSteps;
  const unknown = steps.find((s) => !STEPS.includes(s));
  if (unknown) throw new UsageError(`--steps: unknown step "${unknown}" (${STEPS.join(', ')})`);
  if (steps.includes('predict') && !values.model) throw new UsageError('the predict step needs --model FILE');
  if (form === 'pyradiomics' && steps.some((s) => s !== 'features')) throw new UsageError('a PyRadiomics-form table (Image,Mask) runs the features step only');
  const regions = listOf(values.regions).map((id) => {
    if (!REGIONS[id]) throw new UsageError(`--regions: unknown region "${id}" (${Object.keys(REGIONS).join(', ')})`);
    return { id, labels: REGIONS[id] };
  });
  const modalities = listOf(values.modalities);
  const badModality = modalities.find((m) => !MODALITIES.includes(m));
  if (badModality) throw new UsageError(`--modalities: unknown modality "${badModality}" (${MODALITIES.join(', ')})`);
  const params = values.params ? readText(values.params, 'parameter file') : undefined;
  const model = values.model ? readText(values.model, 'model') : undefined;
  let modelName = '';
  let modelInputs = [];
  if (model) {
    try {
      const parsed = JSON.parse(model);
      modelName = parsed.name ?? '';
      modelInputs = (parsed.features ?? []).map((f) => f.name);
    } catch { /* the predict step names the problem */ }
  }
  return {
    form, steps, regions, modalities, mode: values.mode, label: values.label,
    params, paramsPath: values.params, paramsSha256: params === undefined ? '' : sha256(params),
    modelPath: values.model ? resolve(values.model) : undefined, modelName, modelInputs, modelSha256: model === undefined ? '' : sha256(model),
    times: values.times, segModel: values['seg-model'] ? resolve(values['seg-model']) : undefined,
    segDir: values['seg-dir'] ? resolve(values['seg-dir']) : `${out.replace(/\.csv$/i, '')}_seg`,
  };
}

// A job's peak memory, measured on the BraTS cases (docs/batch.md): the features of a case peak at ~135 MiB
// of WASM heap (~110 MiB more of process memory each), a segmentation at ~290 MiB of heap and ~875 MiB in all.
const JOB_PEAK_BYTES = { features: 256 * 2 ** 20, segment: 1024 * 2 ** 20 };

// The cores, or fewer where the free memory would not hold that many jobs at their peak.
function defaultJobs(plan, cases) {
  const segmenting = plan.form === 'gliolens' && plan.steps.includes('segment') && cases.some((c) => !c.paths.seg);
  const perJob = segmenting ? JOB_PEAK_BYTES.segment : JOB_PEAK_BYTES.features;
  return Math.max(1, Math.min(availableParallelism(), Math.floor(freemem() / perJob)));
}

// The biggest tumours first (their mask files, compressed, are the largest), so that the last case
// to finish is a short one and no job idles long at the end; the table is sorted back at the end.
function largestFirst(cases) {
  const size = (path) => { try { return statSync(path).size; } catch { return 0; } };
  const weight = new Map(cases.map((c) => [c, size(c.paths.seg ?? c.paths.Mask ?? '')]));
  return [...cases].sort((a, b) => weight.get(b) - weight.get(a));
}

// Runs `pending` over `jobs` worker threads; `onResult(kase, {result} | {error}, seconds)` for each.
// Resolves to true when all ran, false when interrupted (Ctrl-C: the cases in flight are dropped).
function runPool(pending, jobs, plan, onResult) {
  return new Promise((done) => {
    let next = 0;
    let stopped = false;
    const workers = new Set();
    const interrupt = () => {
      stopped = true;
      for (const w of workers) w.terminate();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const finish = () => {
      process.removeListener('SIGINT', interrupt);
      process.removeListener('SIGTERM', interrupt);
      done(!stopped);
    };
    const start = () => {
      const worker = new Worker(new URL('../batch/worker.mjs', import.meta.url), { workerData: plan });
      workers.add(worker);
      let current = null;
      let started = 0;
      const give = () => {
        if (stopped || next >= pending.length) return worker.terminate();
        current = pending[next++];
        started = performance.now();
        worker.postMessage(current);
      };
      const settle = (outcome) => {
        const kase = current;
        current = null;
        if (kase && !stopped) onResult(kase, outcome, (performance.now() - started) / 1000);
      };
      worker.on('message', (message) => {
        if (!message.ready) settle(message);
        give();
      });
      worker.on('error', (error) => settle({ error: `its job died (${error?.message ?? error})` }));
      worker.on('exit', (code) => {
        settle({ error: `its job exited (status ${code})` });
        workers.delete(worker);
        if (!stopped && next < pending.length) start();
        else if (workers.size === 0) finish();
      });
    };
    const count = Math.min(jobs, pending.length);
    for (let k = 0; k < count; k++) start();
    if (count === 0) finish();
  });
}

// What a workflow engine needs to plan one job per case (workflow/Snakefile): the ids, each case's input
// files (resolved as the batch resolves them) and its cells, and the version that stamps the rows.
function listing({ form, cases }) {
  return {
    form,
    gliolens_version: toolVersion(),
    cases: cases.map((c) => ({ id: c.id, files: Object.values(c.paths), cells: c.cells, segment: form === 'gliolens' && !c.paths.seg })),
  };
}

// The cases named by --only, in the table's order; an id not in the table is an error naming it.
function only(cases, ids, table) {
  const known = new Set(cases.map((c) => c.id));
  const unknown = ids.find((id) => !known.has(id));
  if (unknown !== undefined) throw new UsageError(`--only: ${table} has no case "${unknown}"`);
  const wanted = new Set(ids);
  return cases.filter((c) => wanted.has(c.id));
}

export async function run({ values, positionals }) {
  const table = values.cases ?? positionals[0];
  if (positionals.length > (values.cases ? 0 : 1)) throw new UsageError(`unexpected argument "${positionals.at(-1)}"`);
  if (!table) throw new UsageError('give the cases table: --cases TABLE.csv');
  if (values.list) return listing(readCasesTable(table));
  if (!values.out) throw new UsageError('give the output table: --out OUT.csv');
  const out = resolve(values.out);
  const { form, columns: tableColumns, cases: allCases } = readCasesTable(table);
  const cases = values.only ? only(allCases, values.only, table) : allCases;
  const plan = planOf(values, form, out);
  const jobs = values.jobs === undefined ? defaultJobs(plan, cases) : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a whole number >= 1, not "${values.jobs}"`);
  const version = toolVersion();
  const { params, ...settings } = plan;
  mkdirSync(dirname(out), { recursive: true });
  const journal = new Journal(out, { version, ...settings, paramsPath: undefined, modelPath: undefined, segDir: undefined });
  const pending = largestFirst(cases.filter((c) => !journal.done.has(c.id)));
  const skipped = cases.length - pending.length;
  const started = performance.now();
  const progress = new Progress(process.stderr, pending.length, skipped);
  const failures = [];
  let done = 0;
  let heapPeak = 0;
  const fail = (id, message) => {
    failures.push({ id, error: message });
    journal.fail(id, message);
    progress.caseFailed(id, message);
  };
  const complete = await runPool(pending, jobs, plan, (kase, outcome, seconds) => {
    if (outcome.error !== undefined) return fail(kase.id, outcome.error);
    heapPeak = Math.max(heapPeak, outcome.result.heapBytes);
    try {
      journal.append(kase.id, [...leadingColumns(kase, tableColumns, plan, version, outcome.result), ...outcome.result.columns]);
    } catch (error) {
      return fail(kase.id, error.message);
    }
    done++;
    progress.caseDone(kase.id, seconds);
  });
  progress.end();
  if (!complete) throw new Error(`interrupted: ${done} case${done === 1 ? '' : 's'} done in this run, the cases in flight dropped; rerun the same command to go on`);
  journal.sortRows(cases.map((c) => c.id));
  return {
    output: out,
    errors: journal.errorsPath,
    cases: cases.length,
    done,
    skipped,
    failed: failures.length,
    failures,
    jobs: Math.min(jobs, Math.max(pending.length, 1)),
    seconds: (performance.now() - started) / 1000,
    memory: { wasm_heap_peak_mib_per_job: heapPeak / 2 ** 20, process_max_rss_mib: process.resourceUsage().maxRSS / 1024 },
  };
}
