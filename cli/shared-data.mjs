// The shared reference data outside the repository (its README): $GLIOLENS_SHARED_DATA, else ../shared/data beside the
// repository. What it holds under a licence the repository cannot carry (the SRI24 atlas, CC BY-SA) is found here, for
// the CLI and for the page's build (web/vite.config.js copies the atlas into web/dist).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function sharedDataDir() {
  return process.env.GLIOLENS_SHARED_DATA ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
}

// The SRI24 T1 brain template (sri24_t1_brain.nii.gz), or null when the shared data has none.
export function sharedDataTemplate() {
  const path = join(sharedDataDir(), 'atlas', 'sri24', 'sri24_t1_brain.nii.gz');
  return existsSync(path) ? path : null;
}

// The template and its licence ({template, license} paths), or null when either is missing: the page ships both or
// neither.
export function sri24AtlasFiles() {
  const template = sharedDataTemplate();
  const license = join(sharedDataDir(), 'atlas', 'sri24', 'LICENSE');
  return template && existsSync(license) ? { template, license } : null;
}
