// Geometry of the WASM core's reader against nibabel (Debian's python3-nibabel) on files nibabel
// writes with unusual layouts, and on the shared BraTS data: same affine, same world coordinates
// and values at sample voxels; files we write (round trip, reorientation) read back in nibabel.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { createGliolens } from '../../wasm/node.mjs';
import { PYTHON, nibabelAvailable } from '../support/nibabel.mjs';
import { bratsCase, skipWithoutSharedData } from '../support/paths.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'gliolens-io-nibabel-'));
const noNibabel = nibabelAvailable() ? false : 'python3-nibabel absent: skipped';
const brats = bratsCase();
let core;
before(async () => { core = await createGliolens(); });

function python(script, ...args) {
  return JSON.parse(execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }));
}

// Files with unusual layouts, written by nibabel. Each entry: file name -> what it tests.
const WRITE_LAYOUTS = `
import json, sys, numpy as np, nibabel as nib
out = sys.argv[1]
rng = np.random.default_rng(7)
def rot(axis, deg):
    t = np.deg2rad(deg); c, s = np.cos(t), np.sin(t)
    m = np.eye(4)
    i, j = [(1, 2), (0, 2), (0, 1)][axis]
    m[i, i] = c; m[i, j] = -s; m[j, i] = s; m[j, j] = c
    return m
def ramp(shape, dtype):
    a = np.arange(np.prod(shape)).reshape(shape, order='F') % 200
    return a.astype(dtype)
files = {}
def save(name, img, qcode=None, scode=None, qaff=None, saff=None):
    if qcode is not None: img.set_qform(qaff if qaff is not None else img.affine, code=qcode)
    if scode is not None: img.set_sform(saff if saff is not None else img.affine, code=scode)
    nib.save(img, f"{out}/{name}")
    files[name] = True
lps = np.array([[-1.2, 0, 0, 90], [0, -0.9, 0, 120], [0, 0, 2.5, -60], [0, 0, 0, 1]])
save('lps.nii.gz', nib.Nifti1Image(ramp((7, 6, 5), np.int16), lps), qcode=1, scode=1)
psr = np.array([[0, 0, 1.1, -40], [-0.8, 0, 0, 30], [0, 2.0, 0, -20], [0, 0, 0, 1]])
save('psr.nii', nib.Nifti1Image(ramp((6, 5, 7), np.float32), psr), qcode=2, scode=2)
oblique = rot(0, 17) @ rot(2, -25) @ np.diag([0.9, 1.1, 3.0, 1]); oblique[:3, 3] = [-12, 30, 8]
oblique[0, 1] += 0.05   # a shear: only an sform can hold it
save('oblique_sform.nii.gz', nib.Nifti1Image(ramp((6, 6, 4), np.uint16), oblique), qcode=0, scode=1)
rigid = rot(1, 30) @ np.diag([1.0, 1.5, 2.0, 1]); rigid[:3, 3] = [5, -7, 9]
save('qform_only.nii', nib.Nifti1Image(ramp((5, 6, 4), np.int8), rigid), qcode=1, scode=0)
save('sform_only.nii', nib.Nifti1Image(ramp((5, 6, 4), np.uint8), lps), qcode=0, scode=4)
# Different qform and sform: the sform is in force.
save('both_differ.nii', nib.Nifti1Image(ramp((5, 6, 4), np.int32), lps), qcode=1, scode=2, qaff=rigid, saff=psr)
scaled = nib.Nifti1Image(ramp((6, 5, 4), np.int16) - 50, lps)
scaled.header.set_slope_inter(0.37, -12.5)
save('scaled_int16.nii.gz', scaled, qcode=1, scode=1)
save('nifti2.nii.gz', nib.Nifti2Image(ramp((6, 5, 4), np.float64) * 0.25, psr), qcode=1, scode=1)
be = nib.Nifti1Image(ramp((5, 4, 3), np.dtype('>i2')), lps)
save('big_endian.nii', be, qcode=1, scode=1)
save('pair.hdr', nib.Nifti1Pair(ramp((5, 4, 3), np.uint32), rigid), qcode=1, scode=1)
save('fourd.nii.gz', nib.Nifti1Image(ramp((5, 4, 3, 3), np.float32), lps), qcode=1, scode=1)
print(json.dumps(sorted(files)))
`;

// nibabel's view of a file: affine, shape, and for sample voxels their world position and value.
const DESCRIBE = `
import json, sys, numpy as np, nibabel as nib
img = nib.load(sys.argv[1])
volume = int(sys.argv[2])
data = np.asarray(img.dataobj, dtype=np.float64)  # scl_slope/scl_inter applied by nibabel
data = data[..., volume] if data.ndim == 4 else data
shape = data.shape[:3]
samples = [(0, 0, 0), tuple(s - 1 for s in shape), tuple(s // 2 for s in shape), (shape[0] - 1, 0, shape[2] // 3)]
print(json.dumps({"affine": img.affine.tolist(), "shape": list(img.shape),
  "samples": [{"ijk": list(v), "world": (img.affine @ np.array([*v, 1.0]))[:3].tolist(), "value": float(data[v])} for v in samples],
  "sum": float(data.sum()), "codes": [int(img.header['qform_code']), int(img.header['sform_code'])]}))
`;

function ourView(path, volume = 0) {
  const { grid, data, header, warnings } = core.readVolume(path, { volume });
  const [nx, ny] = grid.dims;
  const world = ([i, j, k]) => [0, 1, 2].map((r) => grid.affine[r][0] * i + grid.affine[r][1] * j + grid.affine[r][2] * k + grid.affine[r][3]);
  const value = ([i, j, k]) => data[i + nx * (j + ny * k)];
  let sum = 0;
  for (const v of data) sum += v;
  return { grid, header, warnings, world, value, sum, data };
}

function assertClose(actual, expected, tolerance, what) {
  const a = actual.flat(), e = expected.flat();
  assert.equal(a.length, e.length, what);
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= tolerance, `${what}[${i}]: ${v} vs ${e[i]}`));
}

function compareWithNibabel(path, volume = 0) {
  const theirs = python(DESCRIBE, path, String(volume));
  const ours = ourView(path, volume);
  assertClose(ours.grid.affine, theirs.affine, 1e-4, `${path} affine`);
  assert.deepEqual(ours.header.dims, theirs.shape);
  for (const { ijk, world, value } of theirs.samples) {
    assertClose(ours.world(ijk), world, 1e-4, `${path} world of ${ijk}`);
    assert.ok(Math.abs(ours.value(ijk) - value) <= 1e-4 * Math.max(1, Math.abs(value)), `${path} value at ${ijk}: ${ours.value(ijk)} vs ${value}`);
  }
  assert.ok(Math.abs(ours.sum - theirs.sum) <= 1e-5 * Math.max(1, Math.abs(theirs.sum)), `${path} sum ${ours.sum} vs ${theirs.sum}`);
  return { ours, theirs };
}

describe('unusual layouts written by nibabel', { skip: noNibabel }, () => {
  let files = [];
  before(() => { files = python(WRITE_LAYOUTS, scratch); });

  test('every layout: same affine, world coordinates and values as nibabel', () => {
    assert.equal(files.length, 11);
    for (const name of files) compareWithNibabel(join(scratch, name));
  });

  test('layout facts: orientation codes, versions, byte order, pairs, scaling', () => {
    const h = (name) => core.header(join(scratch, name));
    assert.equal(h('lps.nii.gz').orientation, 'LPS');
    assert.equal(h('psr.nii').orientation, 'PSR');
    assert.equal(h('nifti2.nii.gz').niftiVersion, 2);
    assert.equal(h('scaled_int16.nii.gz').sclSlope, Number(Math.fround(0.37)));
    assert.deepEqual([h('qform_only.nii').qformCode, h('qform_only.nii').sformCode], [1, 0]);
    assert.deepEqual([h('sform_only.nii').qformCode, h('sform_only.nii').sformCode], [0, 4]);
    assert.equal(core.readVolume(join(scratch, 'pair.img')).header.datatype, 'UINT32');
  });

  test('4-D: the chosen volume, with a warning', () => {
    const path = join(scratch, 'fourd.nii.gz');
    const { ours } = compareWithNibabel(path, 2);
    assert.equal(ours.warnings.length, 1);
    assert.match(ours.warnings[0], /3 volumes; using volume 2/);
  });

  test('reorientation to RAS agrees with nibabel as_closest_canonical, and goes back exactly', () => {
    for (const name of ['lps.nii.gz', 'psr.nii', 'oblique_sform.nii.gz', 'qform_only.nii']) {
      const input = join(scratch, name);
      const ras = join(scratch, `ras_${name.replace(/\.nii(\.gz)?$/, '')}.nii.gz`);
      const back = join(scratch, `back_${name.replace(/\.nii(\.gz)?$/, '')}.nii.gz`);
      const original = core.header(input).orientation;
      const result = core.convert(input, ras, { reorient: 'RAS' });
      assert.equal(result.output.orientation, 'RAS');
      const same = python(`
import json, sys, numpy as np, nibabel as nib
a = nib.as_closest_canonical(nib.load(sys.argv[1])); b = nib.load(sys.argv[2])
print(json.dumps({"affine": bool(np.allclose(a.affine, b.affine, atol=1e-4)), "data": bool(np.allclose(a.get_fdata(), b.get_fdata(), atol=1e-4)),
  "codes": [int(b.header['qform_code']), int(b.header['sform_code'])]}))`, input, ras);
      assert.deepEqual([same.affine, same.data], [true, true], name);
      core.convert(ras, back, { reorient: original });
      const a = ourView(input), b = ourView(back);
      assert.deepEqual(Array.from(b.data), Array.from(a.data), `${name} back`);
      assertClose(b.grid.affine, a.grid.affine, 1e-4, `${name} back affine`);
    }
  });

  test('round trip read, write, read: identical voxels and geometry, also in nibabel', () => {
    for (const name of files.filter((f) => !f.startsWith('fourd'))) {
      const input = join(scratch, name);
      const out = join(scratch, `rt_${name.replace(/\.(nii(\.gz)?|hdr)$/, '')}.nii.gz`);
      const { output } = core.convert(input, out);
      const a = ourView(input), b = ourView(out);
      assert.deepEqual(Array.from(b.data), Array.from(a.data), name);
      assertClose(b.grid.affine, a.grid.affine, 1e-5, `${name} affine`);
      assert.deepEqual([b.header.qformCode, b.header.sformCode].map((c) => c > 0), [a.header.qformCode, a.header.sformCode].map((c) => c > 0).map((x, i) => (i === 0 ? x || !a.header.sformCode : x)));
      const datatype = a.header.datatype;
      // Scaled integers become float32; everything else keeps its datatype.
      assert.equal(output.datatype, name.startsWith('scaled') ? 'FLOAT32' : datatype);
      compareWithNibabel(out);
    }
  });
});

describe('shared BraTS case against nibabel', { skip: noNibabel || skipWithoutSharedData(brats.files.seg) }, () => {
  test('four modalities and the segmentation: same affine, world coordinates, values', () => {
    for (const file of Object.values(brats.files)) compareWithNibabel(file);
  });

  test('round trip of a BraTS image through our writer keeps voxels and both transforms', () => {
    const out = join(scratch, 'brats_t1_rt.nii.gz');
    core.convert(brats.files.t1, out);
    const same = python(`
import json, sys, numpy as np, nibabel as nib
a = nib.load(sys.argv[1]); b = nib.load(sys.argv[2])
print(json.dumps({"data": bool(np.array_equal(a.get_fdata(), b.get_fdata())), "dtype": str(b.get_data_dtype()),
  "q": bool(np.allclose(a.get_qform(), b.get_qform(), atol=1e-5)), "s": bool(np.allclose(a.get_sform(), b.get_sform(), atol=1e-5)),
  "codes": [int(a.header['qform_code']) == int(b.header['qform_code']), int(a.header['sform_code']) == int(b.header['sform_code'])]}))`, brats.files.t1, out);
    assert.deepEqual(same, { data: true, dtype: 'int16', q: true, s: true, codes: [true, true] });
  });
});
