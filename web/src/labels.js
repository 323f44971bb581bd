// BraTS label names and colours, shared by the legend and the viewer's label colour map.

export const LABELS = [
  { value: 1, name: 'Necrotic / non-enhancing core', short: 'NCR', rgb: [220, 50, 47] },
  { value: 2, name: 'Edema', short: 'ED', rgb: [60, 200, 90] },
  { value: 4, name: 'Enhancing tumour', short: 'ET', rgb: [255, 215, 0] },
];

// The FLAIR-only model's one label (models/flair_seg): the FLAIR abnormality, the whole tumour as FLAIR shows it. Its
// value 1 is not BraTS's necrotic core: a segmentation's `scheme` ('flair' for this model's, 'brats' otherwise) says
// how its values read.
export const FLAIR_ABNORMALITY = { value: 1, name: 'FLAIR abnormality', short: 'FLAIR', rgb: [0, 190, 255] };

// A brain mask (the Prepare flow's brain extraction, models/mindgrab): scheme 'brain', its one label 1.
export const BRAIN = { value: 1, name: 'Brain (MindGrab)', short: 'brain', rgb: [200, 80, 255] };

// The SRI24 template brain's outline (the Prepare panel's check view): scheme 'outline', its one label 1.
export const TEMPLATE_OUTLINE = { value: 1, name: 'SRI24 template outline', short: 'template', rgb: [0, 255, 255] };

const FALLBACK_RGB = [[70, 130, 255], [200, 90, 220], [0, 200, 200], [255, 140, 0]];

export function labelInfo(value, scheme = 'brats') {
  if (scheme === 'flair' && value === FLAIR_ABNORMALITY.value) return FLAIR_ABNORMALITY;
  if (scheme === 'brain' && value === BRAIN.value) return BRAIN;
  if (scheme === 'outline' && value === TEMPLATE_OUTLINE.value) return TEMPLATE_OUTLINE;
  return LABELS.find((l) => l.value === value) ?? {
    value,
    name: `Label ${value}`,
    short: `L${value}`,
    rgb: FALLBACK_RGB[value % FALLBACK_RGB.length],
  };
}

// A NiiVue label colour map for the given label values (background transparent).
export function labelColormap(values, scheme = 'brats') {
  const all = [0, ...values.filter((v) => v !== 0)];
  const cmap = { R: [], G: [], B: [], A: [], I: [], labels: [] };
  for (const v of all) {
    const info = v === 0 ? { rgb: [0, 0, 0], short: '' } : labelInfo(v, scheme);
    cmap.R.push(info.rgb[0]);
    cmap.G.push(info.rgb[1]);
    cmap.B.push(info.rgb[2]);
    cmap.A.push(v === 0 ? 0 : 255);
    cmap.I.push(v);
    cmap.labels.push(info.short);
  }
  return cmap;
}
