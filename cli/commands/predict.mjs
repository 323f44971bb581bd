// gliolens predict: applies a gliolens-model to one patient's features (or to each row of a CSV).
import { UsageError } from '../usage-error.mjs';
import { csvTable } from '../csv.mjs';
import { list, number, onFile, readText } from './survival-input.mjs';

export const help = `usage: gliolens predict --model M --features F [--times t1,t2] [--curve] [--stratum S] [--confidence C]
                        [--id COLUMN] [--format json|csv]
  --features F   a JSON file {"age": 61, ...}, inline JSON, or a CSV (a header, then one row per patient), e.g.
                 PyRadiomics' batch output with an added age column: columns the model does not use, and cells
                 that are not numbers (Image, Mask, diagnostics_*), are ignored
  --times        survival probabilities (with CIs) at these times
  --curve        include the whole predicted curve S(t) with its band (JSON only)
  --confidence   level of the intervals (default 0.95): survival bands, and a logistic model's probability
                 (probability_lower/upper) when its file holds the full covariance
  --id COLUMN    the CSV column that names each patient; by default the first column called ID, PatientID,
                 Patient, Subject or Case (any case, _ allowed), else PyRadiomics' Image, else the first column
                 holding text; without one, "line N"
  --format F     json (default: one object, or an array for several rows) or csv (one row per patient: id,
                 linear_predictor, then probability with its interval (logistic) or median survival with its
                 interval and S at --times (Cox), risk_group, warnings, error)
A CSV without a column the model needs is refused. A row whose model feature is empty, not a number or not
usable (e.g. a log-transformed feature <= 0) gets an entry {id, line, error} and the other rows are still
predicted; each such row is named on stderr, and the command fails only when no row can be predicted.`;

export const options = {
  model: { type: 'string' },
  features: { type: 'string' },
  times: { type: 'string' },
  curve: { type: 'boolean', default: false },
  stratum: { type: 'string' },
  confidence: { type: 'string', default: '0.95' },
  id: { type: 'string' },
  format: { type: 'string', default: 'json' },
};

const ID_NAMES = new Set(['id', 'patientid', 'patient', 'subject', 'subjectid', 'case', 'caseid']);
const isNumber = (text) => text !== undefined && text.trim() !== '' && Number.isFinite(Number(text));

// The column that names each row: --id, else an ID-like name, else PyRadiomics' Image, else the first text column.
function identityColumn(columns, rows, chosen, source) {
  if (chosen !== undefined) {
    if (!columns.includes(chosen)) throw new UsageError(`--id: ${source} has no column '${chosen}'`);
    return chosen;
  }
  return columns.find((c) => ID_NAMES.has(c.toLowerCase().replace(/[_\s-]/g, '')))
    ?? columns.find((c) => c === 'Image')
    ?? columns.find((c) => c && rows.some((row) => row[c] !== undefined && row[c].trim() !== '' && !isNumber(row[c])));
}

// The patients of a CSV: [{id, line, features: {name: number}, problems: [text]}], a problem for each model
// feature whose cell is empty or not a number.
function csvPatients(text, source, needed, idChoice) {
  const { columns, rows } = csvTable(text);
  if (rows.length === 0) throw new Error(`${source}: a features CSV needs a header and at least one row`);
  for (const name of needed) {
    if (!columns.includes(name)) throw new Error(`${source}: no column '${name}', which the model needs`);
  }
  // csvTable skips blank lines; the file's own line numbers let a user find a row.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).flatMap((line, i) => (line.trim() === '' ? [] : [i + 1])).slice(1);
  const idColumn = identityColumn(columns, rows, idChoice, source);
  return rows.map((cells, k) => {
    const line = lines[k];
    const id = idColumn !== undefined && cells[idColumn] ? cells[idColumn] : `line ${line}`;
    const features = {};
    for (const [name, cell] of Object.entries(cells)) if (isNumber(cell)) features[name] = Number(cell);
    const problems = needed.filter((name) => !(name in features)).map((name) => {
      const cell = cells[name] ?? '';
      return cell.trim() === '' ? `'${name}' is empty` : `'${name}' is "${cell}", not a number`;
    });
    return { id, line, features, problems };
  });
}

// {rows: [{features}] | patients, fromCsv}: JSON input is one patient (or an array), a CSV one per row.
function readFeatures(spec, needed, idChoice) {
  const inline = spec.trim().startsWith('{');
  const text = inline ? spec : readText(spec, 'features');
  const source = inline ? 'inline features' : spec;
  if (inline || /\.json$/i.test(spec) || text.trim().startsWith('{') || text.trim().startsWith('[')) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`${source}: not valid JSON (${error.message})`);
    }
    return { fromCsv: false, patients: (Array.isArray(parsed) ? parsed : [parsed]).map((features) => ({ features })) };
  }
  return { fromCsv: true, source, patients: csvPatients(text, source, needed, idChoice) };
}

// The model's feature names, for checking the CSV before the core sees it (the core reports a malformed model).
function modelFeatureNames(text) {
  try {
    const names = JSON.parse(text)?.features?.map((f) => f?.name);
    return Array.isArray(names) && names.every((n) => typeof n === 'string') ? names : [];
  } catch {
    return [];
  }
}

function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// One row per patient; the columns follow the model's kind.
function predictionsCsv(entries, times) {
  const predicted = entries.find((e) => e.error === undefined);
  const logistic = predicted?.kind === 'logistic';
  const columns = ['id', 'linear_predictor'];
  if (logistic) columns.push('probability', 'probability_lower', 'probability_upper');
  else {
    columns.push('median_survival', 'median_lower', 'median_upper');
    for (const t of times ?? []) columns.push(`survival_${t}`, `survival_${t}_lower`, `survival_${t}_upper`);
  }
  columns.push('risk_group', 'warnings', 'error');
  const rows = entries.map((e) => {
    const at = Object.fromEntries((e.survival_at ?? []).flatMap((s) => [[`survival_${s.time}`, s.survival],
      [`survival_${s.time}_lower`, s.lower], [`survival_${s.time}_upper`, s.upper]]));
    const cells = { ...e, ...at, warnings: e.warnings?.join('; ') };
    return columns.map((c) => csvField(cells[c])).join(',');
  });
  return `${columns.join(',')}\n${rows.map((r) => `${r}\n`).join('')}`;
}

export function run({ core, values, positionals }) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.model) throw new UsageError('give the model: --model FILE');
  if (!values.features) throw new UsageError('give the features: --features FILE (JSON or CSV)');
  const format = values.format ?? 'json';  // callers in-process (gliolens batch's tests) may leave it out
  if (!['json', 'csv'].includes(format)) throw new UsageError(`--format must be json or csv, not "${format}"`);
  const model = readText(values.model, 'model');
  const { fromCsv, source, patients } = readFeatures(values.features, modelFeatureNames(model), values.id);
  const options = {
    times: list(values.times)?.map((t) => number(t, '--times', { min: 0 })),
    stratum: number(values.stratum, '--stratum', { integer: true }),
    confidence: number(values.confidence, '--confidence'),
  };
  const predictOne = ({ features }) => {
    const p = onFile(values.model, () => core.predict(model, features, options));
    if (!values.curve || format === 'csv') delete p.survival;
    return p;
  };
  if (!fromCsv) {
    const predictions = patients.map(predictOne);
    if (format === 'csv') return predictionsCsv(predictions, options.times);
    return predictions.length === 1 ? predictions[0] : predictions;
  }
  // A cohort: a row that cannot be predicted becomes an error entry, so that one bad row does not stop the others.
  const entries = patients.map((patient) => {
    const named = { id: patient.id, line: patient.line };
    if (patient.problems.length) return { ...named, error: patient.problems.join('; ') };
    try {
      return { ...named, ...predictOne(patient) };
    } catch (error) {
      // The model file is the same for every row: its own problems stop the command.
      if (String(error.message).startsWith(`${values.model}: model JSON`)) throw error;
      return { ...named, error: String(error.message).replace(`${values.model}: `, '').replace(/^prediction: /, '') };
    }
  });
  const failed = entries.filter((e) => e.error !== undefined);
  const where = (e) => `${source} line ${e.line} (${e.id === `line ${e.line}` ? 'no id' : `id ${e.id}`})`;
  if (failed.length === entries.length) {
    throw new Error(`${where(failed[0])}: ${failed[0].error}${failed.length > 1 ? ` (and every other row: none predicted)` : ''}`);
  }
  for (const e of failed) process.stderr.write(`gliolens predict: ${where(e)}: not predicted: ${e.error}\n`);
  if (format === 'csv') return predictionsCsv(entries, options.times);
  return entries.length === 1 ? entries[0] : entries;
}
