// The C++ core compiled to WebAssembly, exercised under Node.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, describe, test } from 'node:test';

import { createGliolens } from '../../wasm/node.mjs';
import { countLabels, readNifti1 } from '../support/nifti.mjs';
import { bratsCase, skipWithoutSharedData } from '../support/paths.mjs';

const brats = bratsCase();
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-wasm-test-'));
let core;
before(async () => { core = await createGliolens(); });

describe('WASM core on a real BraTS case', { skip: skipWithoutSharedData(brats.files.seg) }, () => {
  test('header: dims, voxel size, datatype, orientation', () => {
    const h = core.header(brats.files.t1);
    assert.deepEqual(h.dims, [240, 240, 155]);
    assert.deepEqual(h.pixdim, [1, 1, 1]);
    assert.equal(h.datatype, 'INT16');
    assert.equal(h.orientation, 'LPS');
    assert.deepEqual(h.affine[1], [0, -1, 0, 239]);
  });

  test('label volumes equal an independent count of the expert mask', () => {
    const { id } = core.load(brats.files.seg);
    const expected = countLabels(readNifti1(brats.files.seg));
    assert.deepEqual(core.labelVolumes(id).map(({ label, voxels, mL }) => ({ label, voxels, mL: Number(mL.toFixed(9)) })),
      expected.map(({ label, voxels, mL }) => ({ label, voxels, mL: Number(mL.toFixed(9)) })));
    core.release(id);
  });

  test('four modalities load and release without leaving volumes behind', () => {
    const ids = ['t1', 't1ce', 't2', 'flair'].map((s) => core.load(brats.files[s]).id);
    assert.equal(core.loadedCount, 4);
    ids.forEach((id) => core.release(id));
    assert.equal(core.loadedCount, 0);
  });
});

describe('bad files give an Error naming the file, and the core keeps working', () => {
  const cases = {
    'missing.nii.gz': null,
    'empty.nii': Buffer.alloc(0),
    'text.nii': Buffer.from('this is not an image\n'.repeat(30)),
    'corrupt.nii.gz': Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0]), Buffer.from('garbage'.repeat(80))]),
    'truncated.nii.gz': null,
  };
  for (const [name, bytes] of Object.entries(cases)) {
    test(name, () => {
      const path = join(scratch, name);
      if (bytes) writeFileSync(path, bytes);
      if (name === 'truncated.nii.gz') {
        // A valid header with half its voxel data.
        const demo = core.writeDemoCase(scratch, { compressed: false }).find((f) => f.role === 'seg');
        const whole = readFileSync(demo.path);
        writeFileSync(path, gzipSync(whole.subarray(0, whole.length / 2)));
      }
      assert.throws(() => core.load(path, name), (error) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, new RegExp(name.replace('.', '\\.')));
        assert.match(error.name, /Error$/);
        return true;
      });
    });
  }
  test('the core still loads a good file after the failures', () => {
    const demo = core.writeDemoCase(scratch).find((f) => f.role === 't1');
    const { id, header } = core.load(demo.path);
    assert.deepEqual(header.dims, [160, 192, 144]);
    core.release(id);
  });
});

test('the demo case is written as NIfTI that an independent reader opens, with its three labels', () => {
  const files = core.writeDemoCase(scratch);
  assert.deepEqual(files.map((f) => f.role), ['t1', 't1c', 't2', 'flair', 'seg']);
  const seg = readNifti1(files.find((f) => f.role === 'seg').path);
  assert.deepEqual(seg.dims, [160, 192, 144]);
  assert.deepEqual(countLabels(seg).map((l) => l.label), [1, 2, 4]);
  const t1c = readNifti1(files.find((f) => f.role === 't1c').path);
  let enhancing = 0, edema = 0, ne = 0, ed = 0;
  for (let i = 0; i < seg.data.length; i++) {
    if (seg.data[i] === 4) { enhancing += t1c.data[i]; ne++; }
    if (seg.data[i] === 2) { edema += t1c.data[i]; ed++; }
  }
  assert.ok(enhancing / ne > 1.4 * (edema / ed), 'enhancing tumour is bright on T1c');
});

test('two Gliolens objects over one module keep their own volumes', async () => {
  const { loadCoreModule } = await import('../../wasm/node.mjs');
  const { Gliolens } = await import('../../wasm/gliolens.mjs');
  const module = await loadCoreModule();
  const first = new Gliolens(module);
  const second = new Gliolens(module);
  const dir = mkdtempSync(join(tmpdir(), 'gliolens-two-sessions-'));
  const seg = first.writeDemoCase(dir).find(({ role }) => role === 'seg').path;
  const { id } = first.load(seg);
  assert.equal(first.loadedCount, 1);
  assert.equal(second.loadedCount, 0);
  assert.throws(() => second.labelVolumes(id), /no loaded volume with id/);
  assert.throws(() => second.features(id, id, { label: 1 }), /no loaded volume with id/);
  assert.equal(first.labelVolumes(id).length, 3);
  second.release(id);
  assert.equal(first.loadedCount, 1);
  first.release(id);
  assert.equal(first.loadedCount, 0);
});
