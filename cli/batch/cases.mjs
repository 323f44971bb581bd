// The cases table of gliolens batch: PyRadiomics' batch form (Image,Mask[,Label], one extraction a row)
// or ours (id,t1,t1ce,t2,flair[,seg][,age,...], one patient a row). Paths are relative to the table.
import { dirname, isAbsolute, resolve } from 'node:path';

import { csvTable } from '../csv.mjs';
import { readText } from '../commands/survival-input.mjs';
import { PATH_COLUMNS as OUR_PATHS } from './row.mjs';

const PYRADIOMICS_PATHS = ['Image', 'Mask'];

// {form: 'gliolens' | 'pyradiomics', columns, cases: [{id, cells, paths, extra}]}: `cells` the row as
// written (for the output), `paths` its files resolved, `extra` the other columns (age, ...).
export function readCasesTable(tablePath) {
  const { columns, rows } = csvTable(readText(tablePath, 'cases table'));
  const form = PYRADIOMICS_PATHS.every((c) => columns.includes(c)) ? 'pyradiomics' : columns.includes('id') ? 'gliolens' : null;
  if (!form) throw new Error(`${tablePath}: a cases table needs the columns Image,Mask (PyRadiomics' batch form) or id,t1,t1ce,t2,flair[,seg] (found ${columns.join(',')})`);
  const pathColumns = form === 'pyradiomics' ? PYRADIOMICS_PATHS : OUR_PATHS;
  const base = dirname(resolve(tablePath));
  const seen = new Set();
  const cases = rows.map((cells, k) => {
    const line = k + 2;
    const id = (form === 'pyradiomics' ? cells.ID ?? cells.id ?? String(k + 1) : cells.id) ?? '';
    if (!id || /[\t\r\n]/.test(id)) throw new Error(`${tablePath}: line ${line} has no usable id ("${id}")`);
    if (seen.has(id)) throw new Error(`${tablePath}: line ${line} repeats the id "${id}"`);
    seen.add(id);
    const paths = {};
    const extra = {};
    for (const [column, text] of Object.entries(cells)) {
      if (pathColumns.includes(column)) {
        if (text) paths[column] = isAbsolute(text) ? text : resolve(base, text);
      } else if (!['id', 'ID', 'Label'].includes(column)) extra[column] = text;
    }
    return { id, cells, paths, extra, label: cells.Label || undefined };
  });
  return { form, columns, cases };
}
