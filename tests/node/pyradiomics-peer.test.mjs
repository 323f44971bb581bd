// The committed PyRadiomics reference (tests/reference/pyradiomics_brats/pyradiomics_brats.csv, which the C++
// parity test compares our PyRadiomics mode with) is what PyRadiomics itself gives: where the peer is built
// (GLIOLENS_PYRADIOMICS=DIR, the folder `bash ../shared/tools/pyradiomics/build.sh DIR` made), its make_reference.py
// is run again on one case and every value must equal the committed one to 1e-9 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvFields } from '../../cli/csv.mjs';
import { bratsCase, projectRoot } from '../support/paths.mjs';

const peer = process.env.GLIOLENS_PYRADIOMICS;
const reference = join(projectRoot, 'tests', 'reference', 'pyradiomics_brats');
const brats = bratsCase('Brats18_CBICA_ABM_1');

function skipReason() {
  if (!peer) return 'GLIOLENS_PYRADIOMICS is not set (the PyRadiomics peer, ../shared/tools/pyradiomics): skipped';
  if (!existsSync(join(peer, 'radiomics')) || !existsSync(join(peer, 'shim'))) return `no PyRadiomics build in ${peer}: skipped`;
  if (!brats.present) return `shared reference data absent (${brats.dir}): skipped`;
  return false;
}

function rows(file, caseId) {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n').map(csvFields);
  const byKey = new Map();
  for (const f of lines.filter((l) => l[0] === caseId)) byKey.set(f.slice(0, 3).join(' '), f);
  return { header, byKey };
}

test('the committed PyRadiomics reference is what the PyRadiomics peer gives now', { skip: skipReason(), timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gliolens-pyrad-'));
  try {
    const out = join(dir, 'fresh.csv');
    execFileSync('/usr/bin/python3', [join(reference, 'make_reference.py'), '--cases', brats.id, '--out', out,
      '--data', join(brats.dir, '..')], { env: { ...process.env, PYTHONPATH: `${join(peer, 'shim')}:${peer}` }, stdio: 'pipe' });
    const fresh = rows(out, brats.id);
    const committed = rows(join(reference, 'pyradiomics_brats.csv'), brats.id);
    assert.deepEqual(fresh.header, committed.header);
    assert.equal(fresh.byKey.size, 20);
    let compared = 0;
    for (const [key, f] of fresh.byKey) {
      const c = committed.byKey.get(key);
      assert.ok(c, `${key}: not in the committed reference`);
      assert.equal(f[3], c[3], `${key}: status`);
      for (let i = 4; i < f.length; ++i) {
        const a = Number(f[i]), b = Number(c[i]);
        assert.ok(Math.abs(a - b) <= Math.max(1e-9 * Math.abs(b), 1e-15), `${key} ${fresh.header[i]}: peer ${a}, committed ${b}`);
        ++compared;
      }
    }
    assert.equal(compared, 20 * 107);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
