// Shared by the survival commands: reading a cohort table and turning core errors into one line that
// names the file.
import { readFileSync } from 'node:fs';

import { UsageError } from '../usage-error.mjs';

export function readText(path, what) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the ${what} (${error.code ?? error.message})`);
  }
}

export function list(text) {
  return text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter(Boolean);
}

export function number(text, flag, { integer = false, min = -Infinity } = {}) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} must be ${integer ? 'a whole number' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}, not "${text}"`);
  }
  return value;
}

// Runs a core call on a file's content; its errors name the file.
export function onFile(path, call) {
  try {
    return call();
  } catch (error) {
    if (!String(error.message).startsWith(path)) error.message = `${path}: ${error.message}`;
    throw error;
  }
}
