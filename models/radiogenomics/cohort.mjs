// The radiogenomic cohort: one row per TCGA patient with an expert mask, joining our descriptors of the mask
// (models/radiogenomics/descriptors_table.mjs, i.e. `gliolens descriptors`) with the clinical and molecular tables
// in ../shared/data. Outcomes are 0/1 (or NaN where unknown); descriptors keep their names, and the whole tumour's
// shape features are also given under PyRadiomics' own column names (original_shape_<Feature>), which is how the
// shipped PyRadiomics-compatible models read them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { csvTable } from '../../cli/csv.mjs';
import { descriptorNameOf } from '../../wasm/gliolens.mjs';
import { isMissing as missing, numberOrNaN as num } from '../common/table_values.mjs';

const DAYS_PER_MONTH = 365.25 / 12;  // clinical.csv gives overall survival in months; the models use days

const binary = (text, one, zero) => (text === one ? 1 : text === zero ? 0 : NaN);
const byId = (rows, key) => new Map(rows.map((r) => [r[key], r]));

export function readCsv(path) {
  return csvTable(readFileSync(path, 'utf8')).rows;
}

// descriptors: rows of the descriptors table (ID + descriptor columns as text). data: ../shared/data.
export function radiogenomicCohort(descriptors, data) {
  const clinical = byId(readCsv(join(data, 'radiogenomics', 'tcga', 'clinical.csv')), 'ID');
  const lgg = byId(readCsv(join(data, 'tables', 'tcga_lgg', 'clinical_info.csv')), 'Tumor');
  return descriptors.map((d) => {
    const c = clinical.get(d.ID);
    if (!c) throw new Error(`radiogenomics/tcga/clinical.csv: no row for the mask's patient ${d.ID}`);
    const l = lgg.get(d.ID);
    const row = { ID: d.ID };
    for (const [name, text] of Object.entries(d)) if (name !== 'ID') row[name] = num(text);
    for (const name of Object.keys(row)) {
      const pyradiomics = name.replace(/^WT_/, '');
      if (descriptorNameOf(pyradiomics) === name && pyradiomics !== name) row[pyradiomics] = row[name];
    }
    Object.assign(row, {
      age: num(c.Age_years_at_diagnosis),
      sex: binary(c.Gender, 'male', 'female'),
      idh_mutant: binary(c.IDH_status, 'Mutant', 'WT'),
      grade4: c.Grade === 'G4' ? 1 : /^G[23]$/.test(c.Grade) ? 0 : NaN,
      mgmt_methylated: binary(c.MGMT_promoter_status, 'Methylated', 'Unmethylated'),
      os_days: num(c.Survival_months) * DAYS_PER_MONTH,
      os_event: num(c.Vital_status_1_dead),
      // Only the lower-grade table has 1p/19q and progression; a codeletion is defined among IDH-mutant tumours.
      codeleted: l && num(l.IDH1) === 1 ? num(l['1p_19q_co_del_status']) : NaN,
      pfs_days: l ? num(l.ProgFreeSurvTime_days) : NaN,
      pfs_event: l ? num(l.ProgFreeSurvEvent01) : NaN,
    });
    return row;
  });
}
