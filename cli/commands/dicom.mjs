// gliolens dicom IN_DIR OUT_DIR: converts the DICOM files under IN_DIR (subfolders too) with dcm2niix, the same
// WebAssembly build the page runs, into one .nii.gz and one JSON sidecar per series, and lists the series with the
// sequence each one's description suggests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import { convertDicomFolder } from '../../wasm/dicom-node.mjs';
import { UsageError } from '../usage-error.mjs';

export const help = `usage: gliolens dicom IN_DIR OUT_DIR
  IN_DIR   a folder of DICOM files (its subfolders are searched too; other files are skipped)
  OUT_DIR  where each series is written as <series number>_<description>.nii.gz with its .json sidecar
           (dcm2niix's BIDS sidecar, anonymised)
  prints the series as JSON: files, description, protocol, modality, dims, voxel size and the role guessed from
  the description (t1, t1c, t2, flair, or "" when it names none: choose it when you use the file)`;
export const options = {};

export async function run({ core, positionals }) {
  if (positionals.length !== 2) throw new UsageError('give the DICOM folder and the output folder');
  const [input, output] = positionals.map((p) => resolve(p));
  const { series, warnings } = await convertDicomFolder(input);
  mkdirSync(output, { recursive: true });
  const written = series.map(({ name, nifti, sidecar, description, role, warnings: seriesWarnings }) => {
    // The core reads each series as the page does: its geometry, and an error here rather than in a later step.
    const header = core.headerOfBytes(name, nifti);
    const stem = name.replace(/\.nii$/, '');
    const niftiFile = join(output, `${stem}.nii.gz`);
    const sidecarFile = join(output, `${stem}.json`);
    writeFileSync(niftiFile, gzipSync(nifti));
    writeFileSync(sidecarFile, `${JSON.stringify(sidecar, null, '\t')}\n`);
    return {
      file: niftiFile,
      sidecar: sidecarFile,
      seriesNumber: sidecar.SeriesNumber ?? null,
      description,
      protocol: sidecar.ProtocolName ?? null,
      modality: sidecar.Modality ?? null,
      dims: header.dims,
      pixdim: header.pixdim,
      orientation: header.orientation,
      role,
      warnings: seriesWarnings,
    };
  });
  return { input, output, series: written, warnings };
}
