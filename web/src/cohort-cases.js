// A dropped or chosen folder as a cohort: its NIfTI files grouped into cases and given roles from their names, and the
// cases table gliolens batch would read for it (our form: id,t1,t1ce,t2,flair,seg, paths relative to the folder).
import { PATH_COLUMNS } from '../../cli/batch/row.mjs';
import { guessRole, isNiftiName } from './roles.js';

// The page's roles as the cases table's columns.
const COLUMN_OF_ROLE = { t1: 't1', t1c: 't1ce', t2: 't2', flair: 'flair', seg: 'seg' };
export const TABLE_COLUMNS = ['id', ...PATH_COLUMNS];
// A BIDS name's subject and session (sub-01_ses-pre_T1w): the case; each session is a scan of its own.
const BIDS_CASE = /^(sub-[A-Za-z0-9]+)(_ses-[A-Za-z0-9]+)?_/;

const byId = new Intl.Collator('en', { numeric: true });

// `entries`: [{path, file}], `path` from the dropped item or the folder chosen ("cohort/case1/case1_t1.nii.gz").
// Returns {folder, ignored: [path] (not NIfTI), cases: [{id, files: {column: {path, file}}, cells, unrecognised: [path],
// duplicates: [{column, paths}], missing: [column]}]} with the cases sorted by id (numbers in ids by value) and each
// path relative to the folder. Files in a subfolder belong to that subfolder's case, or to their BIDS subject and
// session; files directly in the folder form one case named after it.
export function cohortOf(entries) {
  const images = entries.filter((e) => isNiftiName(e.path));
  const ignored = entries.filter((e) => !isNiftiName(e.path)).map((e) => e.path);
  const tops = new Set(images.map((e) => e.path.split('/')[0]));
  // One folder chosen or dropped: its own name is not part of the paths (the cases table would lie in it).
  const folder = tops.size === 1 && images.every((e) => e.path.includes('/')) ? [...tops][0] : '';
  const cases = new Map();
  for (const { path, file } of images) {
    const relative = folder ? path.slice(folder.length + 1) : path;
    const parts = relative.split('/');
    const name = parts.at(-1);
    const bids = BIDS_CASE.exec(name);
    const id = bids ? bids[1] + (bids[2] ?? '') : parts.length > 1 ? parts[0] : folder || 'case';
    if (!cases.has(id)) cases.set(id, { id, found: new Map(), unrecognised: [] });
    const kase = cases.get(id);
    const column = COLUMN_OF_ROLE[guessRole(name)];
    if (!column) kase.unrecognised.push(relative);
    else kase.found.set(column, [...(kase.found.get(column) ?? []), { path: relative, file }]);
  }
  return {
    folder,
    ignored,
    cases: [...cases.values()].sort((a, b) => byId.compare(a.id, b.id)).map(({ id, found, unrecognised }) => {
      const files = {};
      const duplicates = [];
      for (const [column, list] of found) {
        if (list.length > 1) duplicates.push({ column, paths: list.map((f) => f.path) });
        else files[column] = list[0];
      }
      const cells = Object.fromEntries(TABLE_COLUMNS.map((c) => [c, c === 'id' ? id : files[c]?.path ?? '']));
      const missing = PATH_COLUMNS.filter((c) => !found.has(c));
      return { id, files, cells, unrecognised, duplicates, missing };
    }),
  };
}
