// The scan date a file's path holds, as YYYY-MM-DD: the file name first, then its folders from the innermost out
// (lgg_flair keeps TCGA_CS_4942_19970222/flair.nii.gz). In each, the first YYYY-MM-DD or YYYYMMDD, not inside a
// longer number, that is a real date from 1900 to 2099 (the rule the page applies to a file's name); null if none.
import { sep } from 'node:path';

const DATE = /(?<!\d)((?:19|20)\d\d)(-?)(\d\d)\2(\d\d)(?!\d)/g;

export function dateInName(name) {
  for (const [, y, , m, d] of String(name).matchAll(DATE)) {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    if (date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d)) return `${y}-${m}-${d}`;
  }
  return null;
}

export function dateInPath(path) {
  for (const part of String(path).split(sep).filter(Boolean).reverse()) {
    const date = dateInName(part);
    if (date) return date;
  }
  return null;
}
