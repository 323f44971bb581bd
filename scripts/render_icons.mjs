// Renders the app's PNG icons (web/public/icons/icon-<size>.png) from icon.svg with headless Chromium; run it again
// after changing the SVG. The PNGs are committed: the build does not need a browser.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { launchBrowser } from '../tests/e2e/browser.mjs';

const icons = fileURLToPath(new URL('../web/public/icons/', import.meta.url));
const svg = readFileSync(`${icons}icon.svg`, 'utf8');
const { context, close } = await launchBrowser();
try {
  const page = await context.newPage();
  for (const size of [192, 512]) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
    await page.screenshot({ path: `${icons}icon-${size}.png`, omitBackground: true });
  }
} finally {
  await close();
}
