// DICOM in (wasm/dicom.mjs): the four real GE and Siemens series of dcm_qa_nih, converted by our path (dcm2niix's
// WebAssembly build, as the page and `gliolens dicom` run it), against Debian's native dcm2niix run here on the same
// folders and against the reference conversions that dcm_qa_nih ships (Ref/): the same voxel arrays once the core
// reads both, and the same sform and qform within 1e-4 mm. Then the role guesses, the CLI, and input that is not DICOM.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { DCM2NIIX_ARGUMENTS, convertDicom, guessRoleFromDescription, guessSeriesRole, notBrainMriReason } from '../../wasm/dicom.mjs';
import { convertDicomFolder, createDcm2niix } from '../../wasm/dicom-node.mjs';
import { createGliolens } from '../../wasm/node.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const qa = join(sharedData, 'dicom', 'dcm_qa_nih');
const SERIES = ['20180918GE/mr_0004', '20180918GE/mr_0005', '20180918Si/mr_0003', '20180918Si/mr_0004'];
const DEBIAN_DCM2NIIX = '/usr/bin/dcm2niix';
const noDebian = existsSync(DEBIAN_DCM2NIIX)
  ? false : `Debian's dcm2niix absent (${DEBIAN_DCM2NIIX}; apt-get install dcm2niix, as scripts/setup does): skipped`;
const TOLERANCE_MM = 1e-4;
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-dicom-test-'));

// The NIfTI-1 header's own geometry, read without the core: sform rows and the qform built from its quaternion
// (NIfTI-1 standard, nifti1.h), with their codes.
function niftiGeometry(path) {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(view.getInt32(0, true), 348, `${path}: a little-endian NIfTI-1 file`);
  const f32 = (offset) => view.getFloat32(offset, true);
  const [b, c, d] = [256, 260, 264].map(f32);
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
  const qfac = f32(76) < 0 ? -1 : 1;
  const [dx, dy, dz] = [80, 84, 88].map(f32);
  const rotation = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const offsets = [268, 272, 276].map(f32);
  const qform = rotation.map((row, r) => [row[0] * dx, row[1] * dy, row[2] * dz * qfac, offsets[r]]);
  const sform = [280, 296, 312].map((o) => [0, 1, 2, 3].map((i) => f32(o + 4 * i)));
  return { qformCode: view.getInt16(252, true), sformCode: view.getInt16(254, true), qform, sform };
}

function assertAffinesClose(actual, expected, what) {
  const worst = Math.max(...actual.flatMap((row, r) => row.map((v, c) => Math.abs(v - expected[r][c]))));
  assert.ok(worst <= TOLERANCE_MM, `${what}: largest difference ${worst} mm > ${TOLERANCE_MM} mm`);
}

// Every volume of a (3-D or 4-D) file as the core reads it.
function volumes(core, path) {
  const dims = core.header(path).dims;
  const count = dims.length > 3 ? dims.slice(3).reduce((p, n) => p * n, 1) : 1;
  return Array.from({ length: count }, (_, volume) => core.readVolume(path, { volume }));
}

// Same header geometry and the same voxels, volume by volume, as the core reads them.
function assertSameImage(core, ours, theirs, what) {
  const [a, b] = [core.header(ours), core.header(theirs)];
  assert.deepEqual(a.dims, b.dims, `${what}: dims`);
  assert.equal(a.datatype, b.datatype, `${what}: datatype`);
  assertAffinesClose(a.affine, b.affine, `${what}: the core's affine`);
  const [ga, gb] = [niftiGeometry(ours), niftiGeometry(theirs)];
  assert.equal(ga.sformCode, gb.sformCode, `${what}: sform code`);
  assert.equal(ga.qformCode, gb.qformCode, `${what}: qform code`);
  assertAffinesClose(ga.sform, gb.sform, `${what}: sform`);
  assertAffinesClose(ga.qform, gb.qform, `${what}: qform`);
  const [va, vb] = [volumes(core, ours), volumes(core, theirs)];
  assert.equal(va.length, vb.length, `${what}: volume count`);
  va.forEach((volume, t) => {
    const [x, y] = [volume.data, vb[t].data];
    assert.equal(x.length, y.length);
    let differing = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differing++;
    assert.equal(differing, 0, `${what}: volume ${t}: ${differing} of ${x.length} voxels differ`);
  });
  return { dims: a.dims, volumes: va.length };
}

function sidecarsIn(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.json'))
    .map((f) => ({ json: JSON.parse(readFileSync(join(dir, f), 'utf8')), nifti: join(dir, f.replace(/\.json$/, '.nii')) }));
}

describe('dcm_qa_nih converted by our dcm2niix (WebAssembly)', { skip: skipWithoutSharedData(join(qa, 'In'), join(qa, 'Ref')) }, () => {
  let core;
  // Per series folder: our series, written to scratch/<folder> as the converter gave them.
  const ours = new Map();
  const skippedFiles = new Map();
  before(async () => {
    core = await createGliolens();
    for (const folder of SERIES) {
      const { series, skipped } = await convertDicomFolder(join(qa, 'In', folder));
      skippedFiles.set(folder, skipped);
      const dir = join(scratch, 'ours', folder);
      mkdirSync(dir, { recursive: true });
      ours.set(folder, series.map((s) => {
        const path = join(dir, s.name);
        writeFileSync(path, s.nifti);
        return { ...s, path };
      }));
    }
  });

  test('one series per folder, with its description, role and sidecar (the README files beside them skipped)', () => {
    for (const folder of SERIES) {
      const series = ours.get(folder);
      assert.equal(series.length, 1, `${folder}: ${series.map((s) => s.name).join(', ')}`);
      const [s] = series;
      assert.equal(s.sidecar.Modality, 'MR');
      assert.ok(s.description.length > 0, `${folder}: a description`);
      assert.equal(s.description, s.sidecar.SeriesDescription);
      assert.ok(s.name.startsWith(`${s.sidecar.SeriesNumber}_`), s.name);
      // fMRI and EPI field-map series: no structural sequence, so no role, and a warning saying why.
      assert.equal(s.role, '');
      assert.match(s.warnings.join(' '), /names no sequence the model takes/);
      assert.equal(s.sidecar.PatientName, undefined, 'anonymised sidecar');
      assert.deepEqual(skippedFiles.get(folder), ['README-Series.txt']);
    }
  });

  test("identical to Debian's native dcm2niix on the same folders", { skip: noDebian }, () => {
    for (const folder of SERIES) {
      const dir = join(scratch, 'debian', folder);
      mkdirSync(dir, { recursive: true });
      const run = spawnSync(DEBIAN_DCM2NIIX, [...DCM2NIIX_ARGUMENTS, '-o', dir, join(qa, 'In', folder)], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr || run.stdout);
      const native = sidecarsIn(dir);
      assert.equal(native.length, ours.get(folder).length, `${folder}: series count`);
      for (const s of ours.get(folder)) {
        const twin = native.find((n) => n.json.SeriesNumber === s.sidecar.SeriesNumber);
        assert.ok(twin, `${folder}: Debian's dcm2niix wrote series ${s.sidecar.SeriesNumber}`);
        assert.equal(basename(twin.nifti), s.name, 'same output name');
        for (const field of ['SeriesDescription', 'ProtocolName', 'Modality', 'Manufacturer', 'EchoTime', 'RepetitionTime']) {
          assert.deepEqual(s.sidecar[field], twin.json[field], `${folder}: sidecar ${field}`);
        }
        assertSameImage(core, s.path, twin.nifti, `${folder} against Debian's dcm2niix`);
      }
    }
  });

  test("identical to dcm_qa_nih's reference conversions (Ref/)", () => {
    const reference = sidecarsIn(join(qa, 'Ref'));
    let compared = 0;
    for (const folder of SERIES) {
      for (const s of ours.get(folder)) {
        const twin = reference.find((r) => r.json.SeriesNumber === s.sidecar.SeriesNumber && r.json.Manufacturer === s.sidecar.Manufacturer);
        assert.ok(twin, `${folder}: a reference for series ${s.sidecar.SeriesNumber}`);
        assert.equal(twin.json.SeriesDescription, s.sidecar.SeriesDescription);
        const { dims, volumes: n } = assertSameImage(core, s.path, twin.nifti, `${folder} against ${basename(twin.nifti)}`);
        assert.ok(n > 1 && dims.length === 4, `${folder}: a 4-D series (${dims.join('x')})`);
        compared++;
      }
    }
    assert.equal(compared, reference.length, 'every reference conversion compared');
  });

  test('gliolens dicom writes one .nii.gz and .json per series and lists them', () => {
    const out = join(scratch, 'cli');
    const run = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), 'dicom', join(qa, 'In', '20180918Si'), out], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const listed = JSON.parse(run.stdout);
    assert.deepEqual(listed.series.map((s) => [s.seriesNumber, s.description, s.dims, s.role]),
      [[3, 'EPI PE=AP', [72, 72, 5, 2], ''], [4, 'EPI PE=PA', [72, 72, 5, 2], '']]);
    for (const s of listed.series) {
      assert.deepEqual(JSON.parse(readFileSync(s.sidecar, 'utf8')).SeriesNumber, s.seriesNumber);
      const plain = join(scratch, `${basename(s.file, '.nii.gz')}.nii`);
      writeFileSync(plain, gunzipSync(readFileSync(s.file)));
      const folder = SERIES.find((f) => ours.get(f)[0].sidecar.SeriesNumber === s.seriesNumber && f.startsWith('20180918Si'));
      assertSameImage(core, plain, ours.get(folder)[0].path, `${s.file} against the in-memory conversion`);
    }
  });
});

describe('input that is not DICOM', () => {
  test('a folder of other files: an error naming them, from the converter and from the CLI', async () => {
    const dir = join(scratch, 'not-dicom');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    writeFileSync(join(dir, 'scan.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(300).fill(7)]));
    await assert.rejects(convertDicomFolder(dir), (error) => {
      assert.equal(error.message, `${dir}: notes.txt and scan.png: no DICOM image found (dcm2niix)`);
      return true;
    });
    await assert.rejects(convertDicom(createDcm2niix, [{ name: 'a/notes.txt', bytes: new TextEncoder().encode('hi') }]),
      { name: 'NoDicomError', message: 'a/notes.txt: no DICOM image found (dcm2niix)' });
    const run = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), 'dicom', dir, join(scratch, 'nothing')], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `gliolens dicom: ${dir}: notes.txt and scan.png: no DICOM image found (dcm2niix)\n`);
    assert.equal(existsSync(join(scratch, 'nothing')), false, 'no output folder made for nothing');
  });
});

// A real series with its header changed where it says what it is: the same bytes with Modality (0008,0060) "MR"
// made "CT", or BodyPartExamined (0018,0015) "BRAIN" made "SPINE" (explicit VR little endian, same lengths).
function withElement(bytes, tag, from, to) {
  const [group, element] = tag;
  const pattern = Buffer.from([group & 0xff, group >> 8, element & 0xff, element >> 8]);
  const at = bytes.indexOf(pattern);
  assert.ok(at >= 0 && bytes.toString('latin1', at + 8, at + 8 + from.length) === from, `(${tag}) holds ${from}`);
  const copy = Buffer.from(bytes);
  copy.write(to, at + 8, 'latin1');
  return copy;
}

describe('a series that is not a brain MRI', { skip: skipWithoutSharedData(join(qa, 'In')) }, () => {
  const folder = join(qa, 'In', '20180918Si', 'mr_0003');
  const dicomFiles = () => readdirSync(folder).filter((f) => f.endsWith('.dcm')).map((name) => ({ name, bytes: readFileSync(join(folder, name)) }));
  for (const [what, tag, from, to, reason] of [
    ['a CT series', [0x0008, 0x0060], 'MR', 'CT', 'a CT series, not an MRI'],
    ['a spine MRI', [0x0018, 0x0015], 'BRAIN', 'SPINE', 'body part "SPINE", not the brain'],
  ]) {
    test(`${what}: converted and listed without a role, saying why`, async () => {
      const files = dicomFiles().map(({ name, bytes }) => ({ name, bytes: withElement(bytes, tag, from, to) }));
      const { series } = await convertDicom(createDcm2niix, files);
      assert.equal(series.length, 1);
      assert.equal(series[0].role, '');
      assert.deepEqual(series[0].warnings, [`3_EPI_PE=AP.nii: ${reason}; listed without a role`]);
    });
  }
  test('why a sidecar is not a brain MRI: its modality, its body part, a localizer; nothing when it does not say', () => {
    assert.equal(notBrainMriReason({ Modality: 'CT', SeriesDescription: 'AX T1' }), 'a CT series, not an MRI');
    assert.equal(notBrainMriReason({ Modality: 'MR', BodyPartExamined: 'HEAD' }), '');
    assert.equal(notBrainMriReason({ Modality: 'MR', SeriesDescription: '3-plane localizer' }), 'a localizer (scout) series');
    assert.equal(notBrainMriReason({}), '');
  });
});

describe('the role a series description suggests', () => {
  const cases = {
    t1: ['SAG T1', 't1_mprage_sag_p2_iso', '3D BRAVO', 'T1 SE AX W/O', 'AX T1 PRE GAD', 'T1 pre-contrast', 'AX T1 FLAIR', 'T1W_SE', 't1_fl2d_tra'],
    t1c: ['AX T1 POST GAD', 'AX T1 MPRAGE +C', 'MPRAGE POST', 'Ax T1 C+', 'T1+C', 'ce-t1', 'T1ce', 'T1 W/ CONTRAST',
      'AX T1 FLAIR POST', 't1_vibe_fs_tra_KM', 'AX +C', 'POST GAD 3D', 'T1Gd'],
    t2: ['AX T2 FSE', 't2_tse_tra', 'T2W', 'COR T2'],
    flair: ['AX T2 FLAIR', 'Sag CUBE FLAIR', 't2_tirm_tra_dark-fluid', 'FLAIR_3D'],
    '': ['ep2d_diff_mddw', 'AX DWI', 'SWI', 'AX T2* GRE', 'T2 star', 'Axial EPI-FMRI (Interleaved I to S)', 'EPI PE=AP', 'Localizer', ''],
  };
  for (const [role, descriptions] of Object.entries(cases)) {
    test(`${role || 'none'}: ${descriptions.length} descriptions`, () => {
      for (const d of descriptions) assert.equal(guessRoleFromDescription(d), role, `"${d}"`);
    });
  }

  test('the protocol name when the description says nothing; a contrast agent in the header makes a T1 a T1c', () => {
    assert.equal(guessSeriesRole({ SeriesDescription: 'Series 7', ProtocolName: 'AX T2 FLAIR' }), 'flair');
    assert.equal(guessSeriesRole({ SeriesDescription: 'AX T1 SE', ContrastBolusAgent: 'Gadovist' }), 't1c');
    assert.equal(guessSeriesRole({ SeriesDescription: 'AX T1 SE PRE', ContrastBolusAgent: 'Gadovist' }), 't1');
  });
});
