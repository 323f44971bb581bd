// DICOM in: Chris Rorden's dcm2niix (BSD-2), compiled to WebAssembly by NiiVue (@niivue/dcm2niix), turns a set of
// DICOM files into one NIfTI file and one JSON sidecar per series. The page's Worker and the CLI run the same
// converter through this module; the NIfTI it writes is then read by the core like any other, so a series' geometry
// is the core's. Where the converter module comes from differs (a Vite asset in the browser, the package's file in
// Node), so the caller hands over a function that starts a fresh one: dcm2niix keeps state between runs, and a
// fresh instance costs milliseconds.

// dcm2niix's exit statuses (console/nii_dicom_batch.h) that still leave series to use.
const EXIT_OK = 0;
const EXIT_NO_VALID_FILES = 2;
const EXIT_SOME_OK_SOME_BAD = 8;
const EXIT_INCOMPLETE_VOLUMES = 10;

// Output names `<series number>_<series description>` (dcm2niix adds suffixes such as _e2 or _ph where one series
// gives several volumes); uncompressed (the core reads .nii without a gunzip); sidecar on, anonymised (no patient
// name, birth date or other identifier enters it).
export const DCM2NIIX_ARGUMENTS = ['-f', '%s_%d', '-z', 'n', '-b', 'y', '-ba', 'y'];

// A series shown as "3_EPI PE=AP.nii"; its sidecar's fields, its guessed role (or '' with the reason in `warnings`).
// files: [{name, bytes: Uint8Array}] or [{name, read: () => Promise of Uint8Array}] (read one at a time, straight into
// the converter's file system, so a large study is not held twice); name may hold a relative path.
// createConverter: () => Promise of a fresh dcm2niix Emscripten module ({FS, callMain}), with `print` and `printErr`
// wired to the callbacks it is given.
// Returns {series: [{name, nifti, sidecar, description, role, warnings}], warnings, skipped: names of the files that
// are not DICOM, log}; throws a NoDicomError when no file is a DICOM image, naming the files.
export async function convertDicom(createConverter, files) {
  if (files.length === 0) throw new Error('no file given to convert from DICOM');
  const log = [];
  const converter = await createConverter({ print: (line) => log.push(line), printErr: (line) => log.push(line) });
  const { FS } = converter;
  FS.mkdir('/dicom');
  FS.mkdir('/nifti');
  // The files that are not DICOM, which dcm2niix passes over (a README beside the images).
  const skipped = [];
  for (const [i, { name, bytes, read }] of files.entries()) {
    const content = bytes ?? await read();
    if (!looksLikeDicom(content)) skipped.push(name);
    // Files from different folders may share a name (IM0001 in every series folder).
    FS.writeFile(`/dicom/${String(i).padStart(6, '0')}_${baseName(name).replace(/[^\w.-]/g, '_')}`, content);
  }
  let status;
  try {
    status = converter.callMain([...DCM2NIIX_ARGUMENTS, '-o', '/nifti', '/dicom']);
  } catch (error) {
    throw new Error(`dcm2niix failed on ${describeFiles(files)}: ${error?.message ?? error}${logTail(log)}`);
  }
  const written = FS.readdir('/nifti').filter((f) => !f.startsWith('.'));
  const series = written.filter((f) => f.endsWith('.nii')).sort(byLeadingNumber).map((file) => {
    const stem = file.slice(0, -'.nii'.length);
    const sidecarFile = `${stem}.json`;
    const sidecar = written.includes(sidecarFile) ? JSON.parse(new TextDecoder().decode(FS.readFile(`/nifti/${sidecarFile}`))) : {};
    return seriesOf(file, FS.readFile(`/nifti/${file}`), sidecar);
  });
  if (series.length === 0) {
    if (status === EXIT_OK || status === EXIT_NO_VALID_FILES) throw new NoDicomError(`${describeFiles(files)}: no DICOM image found (dcm2niix)`);
    throw new Error(`dcm2niix could not convert ${describeFiles(files)} (exit status ${status})${logTail(log)}`);
  }
  const warnings = [];
  if (status === EXIT_SOME_OK_SOME_BAD) warnings.push(`dcm2niix converted ${series.length} series but failed on others${logTail(log)}`);
  if (status === EXIT_INCOMPLETE_VOLUMES) warnings.push(`dcm2niix found incomplete volumes (missing slices?)${logTail(log)}`);
  return { series, warnings, skipped, log };
}

// No file of the set was a DICOM image: the caller may say the files are neither DICOM nor whatever else it reads.
export class NoDicomError extends Error {
  name = 'NoDicomError';
}

// DICOM's own signature (Part 10: "DICM" after a 128-byte preamble), or the older headerless form dcm2niix reads too
// (a file starting with a group 0x0008 element, little-endian).
export function looksLikeDicom(bytes) {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) return true;
  return bytes.length >= 4 && bytes[0] === 0x08 && bytes[1] === 0x00 && bytes[3] === 0x00;
}

function seriesOf(file, nifti, sidecar) {
  const description = sidecar.SeriesDescription ?? sidecar.ProtocolName ?? '';
  const warnings = [];
  let role = guessSeriesRole(sidecar);
  const notBrainMri = notBrainMriReason(sidecar);
  if (notBrainMri) {
    role = '';
    warnings.push(`${file}: ${notBrainMri}; listed without a role`);
  } else if (!role) {
    warnings.push(`${file}: the series description "${description}" names no sequence the model takes (T1, T1c, T2, FLAIR): role unassigned`);
  }
  return { name: file, nifti, sidecar, description, role, warnings };
}

// Why a series is not a brain MRI, from its sidecar, or '' when nothing says so (a missing field says nothing).
export function notBrainMriReason(sidecar) {
  if (sidecar.Modality && sidecar.Modality !== 'MR') return `a ${sidecar.Modality} series, not an MRI`;
  const part = sidecar.BodyPartExamined ?? sidecar.BodyPart;
  if (part && !/brain|head|skull|neuro|cerebr|cran/i.test(part)) return `body part "${part}", not the brain`;
  const type = (sidecar.ImageType ?? []).join(' ');
  if (/\b(LOCALIZER|SCOUT)\b/i.test(type) || /\b(localizer|localiser|scout|survey|3-?plane)\b/i.test(sidecar.SeriesDescription ?? '')) {
    return 'a localizer (scout) series';
  }
  return '';
}

// The sequence a series holds, guessed from its description (then its protocol name): 't1', 't1c' (T1 after
// contrast), 't2', 'flair', or '' when the text names none of them or names a sequence the model does not take
// (diffusion, perfusion, susceptibility, functional).
export function guessSeriesRole(sidecar) {
  for (const text of [sidecar.SeriesDescription, sidecar.ProtocolName]) {
    const role = guessRoleFromDescription(text ?? '', { contrastAgent: Boolean(sidecar.ContrastBolusAgent) });
    if (role) return role;
  }
  return '';
}

const OTHER_SEQUENCE = /\b(dwi|dti|diff\w*|adc|trace|swi|swan|t2 ?star|hemo|perf\w*|dsc|dce|asl|pcasl|bold|fmri|rest|resting|mra|tof|angio|spectro\w*|svs|csi|field ?map|fieldmap)\b|t2 ?\*/;
const FLAIR = /flair|\b(tirm|dark ?fluid)\b/;
const T1 = /\bt1|\b(mprage|mp ?rage|mp2rage|spgr|fspgr|bravo|tfl3d|tfe|vibe|fl3d)\b/;
const T2 = /\bt2(?! ?\*|star)|\bhaste\b/;
const CONTRAST = /\b(post|postcontrast|gad\w*|gd|gado\w*|ce|contrast|t1 ?ce|t1 ?c|t1 ?gd|t1 ?post|mdc|km|enhanced)\b|\+ ?c\b|\bc ?\+/;
const NO_CONTRAST = /\b(pre|precontrast|pre ?gad|without|wo|non ?contrast|noncontrast|native|nativ)\b/;

export function guessRoleFromDescription(description, { contrastAgent = false } = {}) {
  // "AX_T1-POST+C" -> "ax t1 post +c"; "w/o" -> "wo" before slashes become spaces.
  const text = ` ${description.toLowerCase().replace(/w\/o\b/g, 'wo').replace(/[_\-./\\()[\],:;=]+/g, ' ').replace(/\s+/g, ' ').trim()} `;
  if (text.trim() === '') return '';
  if (OTHER_SEQUENCE.test(text)) return '';
  const t1 = T1.test(text);
  const contrast = (CONTRAST.test(text) || contrastAgent) && !NO_CONTRAST.test(text);
  // "T1 FLAIR" (GE's T1-weighted inversion recovery) is a T1; "T2 FLAIR" and plain "FLAIR" are FLAIR.
  if (FLAIR.test(text) && !t1) return 'flair';
  if (t1) return contrast ? 't1c' : 't1';
  if (T2.test(text)) return 't2';
  // Post-contrast volumetric series often name only the sequence (MPRAGE, BRAVO, SPGR), caught above; a series that
  // says only "+C" or "post" is a T1 after contrast in practice.
  if (contrast && /\b(post|gad\w*|gd)\b|\+ ?c\b|\bc ?\+/.test(text)) return 't1c';
  return '';
}

function baseName(name) {
  return name.split(/[\\/]/).pop() || 'file';
}

function byLeadingNumber(a, b) {
  const number = (s) => Number(/^(\d+)_/.exec(s)?.[1] ?? Infinity);
  return number(a) - number(b) || a.localeCompare(b);
}

// "a.dcm", "a.dcm and b.dcm", "a.dcm, b.dcm, c.dcm and 7 more files".
export function describeFiles(files) {
  const names = files.map((f) => f.name);
  if (names.length === 1) return names[0];
  const shown = names.slice(0, 3);
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more file${rest === 1 ? '' : 's'}` : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

function logTail(log) {
  const lines = log.filter((line) => /error|warning|unable|fail|corrupt|not supported|unsupported/i.test(line)).slice(-3);
  return lines.length ? ` (${lines.join('; ')})` : '';
}
