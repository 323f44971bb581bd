// A gliolens batch row without Node: its region and modality names, the order of its columns, how each value
// becomes CSV text. Shared by the CLI's batch (cli/commands/batch.mjs, case-steps.mjs, journal.mjs) and the page's
// cohort run (web/src/cohort-panel.js, web/src/worker.js), so that a row made in the browser has the CLI's columns
// in the CLI's order with the CLI's number text.

export const MODALITIES = ['t1', 't1ce', 't2', 'flair'];
// The BraTS sub-regions as the page's features panel names them, as `--label` lists.
export const REGIONS = { ET: '4', TC: '1,4', WT: '1,2,4', NCR: '1', ED: '2' };
export const STEPS = ['segment', 'features', 'descriptors', 'predict'];
// The cases table's columns of our form that name files.
export const PATH_COLUMNS = [...MODALITIES, 'seg'];

export function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (fields) => fields.map(csvField).join(',') + '\n';

// The provenance and input columns before a case's values. `kase`: {id, cells}; `result`: {segmentation, notes}.
export function leadingColumns(kase, tableColumns, plan, version, result) {
  const columns = [['id', kase.id]];
  for (const c of tableColumns) if (c !== 'id' && c !== 'ID') columns.push([c, kase.cells[c]]);
  columns.push(['gliolens_version', version]);
  if (plan.steps.includes('features')) columns.push(['mode', plan.mode], ['params_sha256', plan.paramsSha256]);
  if (plan.form === 'gliolens') columns.push(['segmentation_model', result.segmentation]);
  if (plan.steps.includes('predict')) columns.push(['prediction_model', plan.modelName], ['prediction_model_sha256', plan.modelSha256]);
  columns.push(['notes', result.notes]);
  return columns;
}

// Distinct reasons for missing values and the core's warnings, for the row's notes column.
function notesOf(prefix, result) {
  const reasons = new Set(result.features.filter((f) => f.reason).map((f) => f.reason));
  return [...reasons, ...(result.warnings ?? [])].map((text) => `${prefix}${String(text).replace(/\s+/g, ' ')}`);
}

// One extraction's values as columns named `prefix` + the feature's name, its reasons and warnings as notes.
export function featureColumns(result, prefix, columns, notes) {
  for (const f of result.features) columns.push([`${prefix}${f.name}`, f.value]);
  notes.push(...notesOf(prefix ? `${prefix.slice(0, -1)}: ` : '', result));
}

// The values of one patient of our form whose segmentation is loaded, in the row's order: for each modality its image
// opened, every region extracted, the image released; then the descriptors. The caller does the work:
// `openImage(modality)` gives a loaded volume's id (throws when the case has none), `release(id)`,
// `extract(imageId, modality, region)` the core's features, `descriptors()` the segmentation's descriptors. Returns the
// descriptors (for predict).
export async function gliolensValues(plan, { openImage, release, extract, descriptors }, columns, notes) {
  if (plan.steps.includes('features')) {
    for (const modality of plan.modalities) {
      const imageId = await openImage(modality);
      try {
        for (const region of plan.regions) {
          featureColumns(await extract(imageId, modality, region), `${region.id}_${modality}_`, columns, notes);
        }
      } finally {
        await release(imageId);
      }
    }
  }
  if (!plan.steps.includes('descriptors')) return [];
  const list = await descriptors();
  for (const d of list) columns.push([d.name, d.value]);
  notes.push(...[...new Set(list.filter((d) => d.reason).map((d) => d.reason))].map((r) => `descriptors: ${String(r).replace(/\s+/g, ' ')}`));
  return list;
}
