// gliolens predict: applies a gliolens-model to one patient's features (or to each row of a CSV).
import { UsageError } from '../usage-error.mjs';
import { csvTable } from '../csv.mjs';
import { list, number, onFile, readText } from './survival-input.mjs';

export const help = `usage: gliolens predict --model M --features F [--times t1,t2] [--curve] [--stratum S]
  --features F   a JSON file {"age": 61, ...}, inline JSON, or a CSV (header + one row per patient)
  --times        survival probabilities (with CIs) at these times
  --curve        include the whole predicted curve S(t) with its band`;

export const options = {
  model: { type: 'string' },
  features: { type: 'string' },
  times: { type: 'string' },
  curve: { type: 'boolean', default: false },
  stratum: { type: 'string' },
  confidence: { type: 'string', default: '0.95' },
};

// One {name: number} per patient; non-numeric cells (ids, labels) are left out.
function featureRows(spec) {
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
    return Array.isArray(parsed) ? parsed : [parsed];
  }
  const { rows } = csvTable(text);
  if (rows.length === 0) throw new Error(`${source}: a features CSV needs a header and at least one row`);
  return rows.map((cells) => {
    const row = {};
    for (const [name, text] of Object.entries(cells)) {
      const value = Number(text);
      if (text !== undefined && text !== '' && Number.isFinite(value)) row[name] = value;
    }
    return row;
  });
}

export function run({ core, values, positionals }) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.model) throw new UsageError('give the model: --model FILE');
  if (!values.features) throw new UsageError('give the features: --features FILE (JSON or CSV)');
  const model = readText(values.model, 'model');
  const rows = featureRows(values.features);
  const options = {
    times: list(values.times)?.map((t) => number(t, '--times', { min: 0 })),
    stratum: number(values.stratum, '--stratum', { integer: true }),
    confidence: number(values.confidence, '--confidence'),
  };
  const predictions = rows.map((features) => {
    const p = onFile(values.model, () => core.predict(model, features, options));
    if (!values.curve) delete p.survival;
    return p;
  });
  return predictions.length === 1 ? predictions[0] : predictions;
}
