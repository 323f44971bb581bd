// Which MRI sequence a file holds, guessed from its name (BraTS and BIDS conventions).

export const ROLES = [
  { id: 't1', label: 'T1' },
  { id: 't1c', label: 'T1c (contrast)' },
  { id: 't2', label: 'T2' },
  { id: 'flair', label: 'FLAIR' },
  { id: 'seg', label: 'Segmentation' },
];

const NIFTI_EXTENSION = /\.(nii(\.gz)?|hdr(\.gz)?|img(\.gz)?)$/i;

export function stripExtension(fileName) {
  return fileName.replace(NIFTI_EXTENSION, '');
}

export function isNiftiName(fileName) {
  return NIFTI_EXTENSION.test(fileName);
}

// Returns a role id, or '' when the name says nothing we recognise.
export function guessRole(fileName) {
  const base = stripExtension(fileName.split(/[\\/]/).pop() ?? '');
  const lower = base.toLowerCase();
  // BIDS: entities separated by '_', the suffix last; contrast agent in a `ce-` entity.
  const bids = lower.split('_');
  const suffix = bids[bids.length - 1];
  const hasContrast = bids.some((part) => /^ce-(gadolinium|gd|gad|contrast)/.test(part));
  if (suffix === 'dseg' || suffix === 'mask' || suffix === 'seg' || suffix === 'label' || suffix === 'labels') return 'seg';
  if (suffix === 't1w') return hasContrast ? 't1c' : 't1';
  if (suffix === 't2w') return 't2';
  if (suffix === 'flair') return 'flair';
  // BraTS and common variants: the sequence is the last token.
  if (/(^|[_\-.])(t1ce|t1c|t1gd|t1-?gd|t1post|t1_post|ce-?t1)$/.test(lower)) return 't1c';
  if (/(^|[_\-.])t1$/.test(lower)) return 't1';
  if (/(^|[_\-.])t2$/.test(lower)) return 't2';
  if (/(^|[_\-.])(flair|t2flair|t2-flair)$/.test(lower)) return 'flair';
  if (/(^|[_\-.])(seg|segmentation|labels?|mask|gt)$/.test(lower)) return 'seg';
  return '';
}
