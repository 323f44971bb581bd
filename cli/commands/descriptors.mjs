// gliolens descriptors --seg SEG [--format json|csv]: the tumour's descriptors from a BraTS-labelled segmentation
// (each region's PyRadiomics shape features, compartment proportions, multifocality, location in SRI24 space).
import { basename } from 'node:path';

import { descriptorsCsv } from '../../wasm/gliolens.mjs';
import { UsageError } from '../usage-error.mjs';

export const help = `usage: gliolens descriptors --seg SEG [--format json|csv]
  descriptors of the tumour in SEG (BraTS labels: 1 necrosis/non-enhancing core, 2 oedema, 4 enhancing tumour):
  - <R>_original_shape_<Feature> for R in WT (1+2+4), TC (1+4), ET (4), NCR (1), ED (2): PyRadiomics' shape features
  - ET_over_TC, NCR_over_TC, ED_over_WT, TC_over_WT: proportions by volume
  - WT_components_min_1mL (26-connected), WT_multifocal (two or more), WT_largest_component_share
  - WT_centroid_{x,y,z}_mm (RAS), WT_hemisphere_left (1 left, 0 right), WT_crosses_midline (beyond 2 mm),
    WT_contralateral_extent_mm (how far WT reaches past the midline away from its centroid), WT_centroid_midline_distance_mm,
    WT_centroid_ventricles_distance_mm: in SRI24 space as BraTS has it
    (no value for a segmentation in another space); no lobe (no atlas of lobes with a suitable licence)
  --format F   json (default: every descriptor with its value, or null and the reason) or csv (a header and one
               row: ID, the file name without .nii/.nii.gz, then each descriptor; empty where it has no value)`;

export const options = {
  seg: { type: 'string' },
  format: { type: 'string', default: 'json' },
};

// The patient's ID as the cohort's file names give it: TCGA-02-0006.nii.gz -> TCGA-02-0006.
export function idOf(path) {
  return basename(path).replace(/\.nii(\.gz)?$/i, '');
}

// The descriptors of the segmentation at `path` ({descriptors: [{name, value, reason}], settings}); an error names
// the file.
export function descriptorsOf(core, path) {
  const { id } = core.load(path);
  try {
    return core.descriptors(id);
  } catch (error) {
    error.message = `${path}: ${error.message.startsWith(`${path}: `) ? error.message.slice(path.length + 2) : error.message}`;
    throw error;
  } finally {
    core.release(id);
  }
}

export function run({ core, values, positionals }) {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.seg) throw new UsageError('give the segmentation: --seg SEG');
  if (!['csv', 'json'].includes(values.format)) throw new UsageError(`--format must be json or csv, not "${values.format}"`);
  const { descriptors, settings } = descriptorsOf(core, values.seg);
  if (values.format === 'csv') return descriptorsCsv(idOf(values.seg), descriptors);
  return {
    seg: values.seg,
    id: idOf(values.seg),
    space: 'SRI24 as BraTS distributes it (RAS mm; midline x = -119 mm)',
    settings: {
      component_min_ml: settings.componentMinMl,
      midline_margin_mm: settings.midlineMarginMm,
      midline_x_mm: settings.midlineXMm,
      ventricles_centre_mm: [...settings.ventriclesCentreMm],
    },
    descriptors: descriptors.map((d) => ({ name: d.name, value: d.value, reason: d.reason })),
  };
}
