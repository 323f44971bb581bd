// The scan date a file's path holds, as YYYY-MM-DD: the file name first, then its folders from the innermost out
// (lgg_flair keeps TCGA_CS_4942_19970222/flair.nii.gz). Each part is read by the page's own rule (web/src/scan-date.js);
// null if none holds a date.
import { sep } from 'node:path';

import { dateInName } from '../web/src/scan-date.js';

export { dateInName };

export function dateInPath(path) {
  for (const part of String(path).split(sep).filter(Boolean).reverse()) {
    const date = dateInName(part);
    if (date) return date;
  }
  return null;
}
