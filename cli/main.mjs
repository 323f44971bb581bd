// Dispatches `gliolens VERB ...` to cli/commands/VERB.mjs. Every verb prints JSON on stdout;
// errors print one line naming the file and the problem, and give a non-zero exit status.
import { parseArgs } from 'node:util';

import { createGliolens } from '../wasm/node.mjs';
import { UsageError } from './usage-error.mjs';

const commands = {
  info: () => import('./commands/info.mjs'),
  volumes: () => import('./commands/volumes.mjs'),
  demo: () => import('./commands/demo.mjs'),
  convert: () => import('./commands/convert.mjs'),
  dicom: () => import('./commands/dicom.mjs'),
  features: () => import('./commands/features.mjs'),
  cox: () => import('./commands/cox.mjs'),
  km: () => import('./commands/km.mjs'),
  predict: () => import('./commands/predict.mjs'),
  growth: () => import('./commands/growth.mjs'),
  segment: () => import('./commands/segment.mjs'),
  brain: () => import('./commands/brain.mjs'),
  dice: () => import('./commands/dice.mjs'),
  batch: () => import('./commands/batch.mjs'),
  descriptors: () => import('./commands/descriptors.mjs'),
  register: () => import('./commands/register.mjs'),
  prepare: () => import('./commands/prepare.mjs'),
};

function usage() {
  const lines = ['usage: gliolens <command> [options]', '', 'commands:'];
  for (const name of Object.keys(commands)) lines.push(`  ${name}`);
  lines.push('', 'gliolens <command> --help for its options');
  return lines.join('\n');
}

export async function run(argv, io) {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h') {
    io.stdout.write(usage() + '\n');
    return verb ? 0 : 2;
  }
  const load = commands[verb];
  if (!load) {
    io.stderr.write(`gliolens: unknown command "${verb}"\n${usage()}\n`);
    return 2;
  }
  const command = await load();
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
    if (values.help) {
      io.stdout.write(command.help + '\n');
      return 0;
    }
    const core = await createGliolens();
    const result = await command.run({ core, values, positionals });
    io.stdout.write(typeof result === 'string' ? result : JSON.stringify(result, null, 2) + '\n');
    return 0;
  } catch (error) {
    const usageProblem = error instanceof UsageError || error?.code?.startsWith?.('ERR_PARSE_ARGS');
    io.stderr.write(`gliolens ${verb}: ${error?.message ?? error}\n`);
    if (usageProblem) io.stderr.write(command.help + '\n');
    return usageProblem ? 2 : 1;
  }
}
