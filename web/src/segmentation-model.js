// Which segmentation model a case calls for, from the sequences loaded: the segment panel runs that model, and a
// segmentation file loaded with the case is read the way that model writes its labels (labels.js).
export const MODALITY_ROLES = ['t1', 't1c', 't2', 'flair'];

// The sub-region model with all four sequences ({model: 'subregions', modalities: the files in MODALITY_ROLES order,
// missing: []}), the FLAIR-only model with FLAIR but not all four ({model: 'flair', flair, missing}), none without
// FLAIR ({model: null, missing}). files: the page's loaded files, each with its role.
export function segmentationModelFor(files) {
  const modalities = MODALITY_ROLES.map((role) => files.find((f) => f.role === role));
  const missing = MODALITY_ROLES.filter((role, i) => !modalities[i]);
  if (!missing.length) return { model: 'subregions', modalities, missing };
  const flair = modalities[MODALITY_ROLES.indexOf('flair')];
  return flair ? { model: 'flair', flair, missing } : { model: null, missing };
}

// How the labels of a segmentation file loaded with `files` read ('flair' or 'brats', see labels.js). A file holds no
// word of which model wrote it: one whose only label is 1 where the sub-region model does not fit the case (not all
// four sequences) is most likely the FLAIR-only model's mask (gliolens segment --flair), and BraTS's label 1 alone,
// necrosis without oedema, would be a rare segmentation. Every other file reads as BraTS labels. labels: the file's
// [{label, …}] (non-zero labels).
export function loadedSegmentationScheme(labels, files) {
  const binary = labels.length === 1 && labels[0].label === 1;
  return binary && segmentationModelFor(files).model !== 'subregions' ? 'flair' : 'brats';
}
