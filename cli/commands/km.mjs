// gliolens km: Kaplan-Meier tables (Greenwood, log band) overall or by group, with the log-rank test.
import { UsageError } from '../usage-error.mjs';
import { number, onFile, readText } from './survival-input.mjs';

export const help = `usage: gliolens km --csv F --time COL --event COL [--group COL] [--confidence C]
  Kaplan-Meier estimates with Greenwood standard errors and R's log-transformed band, medians with
  their CIs, and the log-rank test across the groups`;

export const options = {
  csv: { type: 'string' },
  time: { type: 'string' },
  event: { type: 'string' },
  group: { type: 'string' },
  confidence: { type: 'string', default: '0.95' },
};

export function run({ core, values, positionals }) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.csv) throw new UsageError('give the cohort table: --csv FILE');
  if (!values.time) throw new UsageError('give the time column: --time COL');
  if (!values.event) throw new UsageError('give the event column: --event COL');
  const text = readText(values.csv, 'cohort table');
  const options = { time: values.time, event: values.event, group: values.group, confidence: number(values.confidence, '--confidence') };
  return { csv: values.csv, ...onFile(values.csv, () => core.km(text, options, { source: values.csv })) };
}
