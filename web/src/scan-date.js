// The scan date a file name holds, as YYYY-MM-DD (TCGA_CS_4942_19970222_flair.nii.gz, sub-01_ses-2019-03-01_FLAIR.nii):
// the first YYYY-MM-DD or YYYYMMDD, not inside a longer number, that is a real date from 1900 to 2099; null if none.
const DATE = /(?<!\d)((?:19|20)\d\d)(-?)(\d\d)\2(\d\d)(?!\d)/g;

export function dateInName(name) {
  for (const [, y, , m, d] of String(name).matchAll(DATE)) {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    if (date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)) return `${y}-${m}-${d}`;
  }
  return null;
}
