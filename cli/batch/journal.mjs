// The output table of gliolens batch and what makes it resumable. Rows are appended and fsync'd one
// case at a time; then the case's id and the table's size are appended (and fsync'd) to OUT.done. A
// rerun truncates the table to the last size in OUT.done, dropping a case whose row was being written
// when the run died, and skips the ids listed there. Failures go to OUT.errors.csv (id, error),
// rewritten by each run, so a rerun retries them.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';

import { csvFields } from '../csv.mjs';
import { csvLine } from './row.mjs';

function appendSynced(path, text) {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class Journal {
  #out;
  #donePath;
  #errorsPath;
  #header = null;
  done = new Set();

  // `settings`: what the table's values depend on; a rerun with other settings is refused.
  constructor(out, settings) {
    this.#out = out;
    this.#donePath = `${out}.done`;
    this.#errorsPath = `${out}.errors.csv`;
    const stamp = `gliolens-batch ${JSON.stringify(settings)}`;
    let size = 0;
    if (existsSync(this.#donePath)) {
      const [first, ...lines] = readFileSync(this.#donePath, 'utf8').split('\n');
      if (first !== stamp) {
        throw new Error(`${out}: made by a batch with other settings (${first.replace(/^gliolens-batch /, '')}); give another --out, or delete ${out} and ${this.#donePath} to start again`);
      }
      for (const line of lines.slice(0, -1)) {  // the last piece is '' or a line cut short by a crash
        const [id, bytes] = line.split('\t');
        if (id && /^\d+$/.test(bytes ?? '')) { this.done.add(id); size = Number(bytes); }
      }
      if (!readFileSync(this.#donePath, 'utf8').endsWith('\n')) this.#rewriteDone(stamp);
    } else {
      appendSynced(this.#donePath, `${stamp}\n`);
    }
    if (existsSync(out)) {
      if (statSync(out).size < size) throw new Error(`${out}: shorter than ${this.#donePath} records (${size} bytes); delete both to start again`);
      truncateSync(out, size);
    }
    if (size > 0) this.#header = csvFields(readFileSync(out, 'utf8').split('\n', 1)[0]);
    rmSync(this.#errorsPath, { force: true });
  }

  #rewriteDone(stamp) {
    const text = readFileSync(this.#donePath, 'utf8');
    const kept = text.slice(0, text.lastIndexOf('\n') + 1) || `${stamp}\n`;
    const fd = openSync(this.#donePath, 'w');
    try { writeSync(fd, kept); fsyncSync(fd); } finally { closeSync(fd); }
  }

  // `columns`: [[name, value], ...] in the table's order. The first row sets the header; a row with
  // other columns is refused (the case is recorded as failed).
  append(id, columns) {
    const names = columns.map(([name]) => name);
    let text = '';
    if (!this.#header) {
      this.#header = names;
      text += csvLine(names);
    } else if (names.length !== this.#header.length || names.some((n, k) => n !== this.#header[k])) {
      throw new Error(`its columns differ from the table's (${names.length} against ${this.#header.length})`);
    }
    text += csvLine(columns.map(([, value]) => value));
    appendSynced(this.#out, text);
    appendSynced(this.#donePath, `${id}\t${statSync(this.#out).size}\n`);
    this.done.add(id);
  }

  fail(id, message) {
    if (!existsSync(this.#errorsPath)) appendSynced(this.#errorsPath, csvLine(['id', 'error']));
    appendSynced(this.#errorsPath, csvLine([id, message]));
  }

  get errorsPath() { return existsSync(this.#errorsPath) ? this.#errorsPath : null; }

  // The rows in the cases table's order (jobs finish in any order). Same bytes, other order: the size
  // in OUT.done stays right, so a crash during the swap leaves a table that resumes.
  sortRows(idOrder) {
    if (!existsSync(this.#out)) return;
    const [header, ...rows] = readFileSync(this.#out, 'utf8').split('\n').slice(0, -1);
    const rank = new Map(idOrder.map((id, k) => [id, k]));
    const keyed = rows.map((line) => [rank.get(csvFields(line)[0]) ?? Infinity, line]);
    keyed.sort((a, b) => a[0] - b[0]);
    const temporary = `${this.#out}.sorting`;
    const fd = openSync(temporary, 'w');
    try { writeSync(fd, [header, ...keyed.map(([, line]) => line)].join('\n') + '\n'); fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(temporary, this.#out);
  }
}
