// DICOM in for Node (the CLI and the tests): the same dcm2niix WebAssembly build the page runs (wasm/dicom.mjs),
// loaded from the installed @niivue/dcm2niix package, over the files of a folder.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import { convertDicom } from './dicom.mjs';

// The package exports only its browser wrapper (which starts a Worker); the Emscripten module beside it runs in Node
// as it is. Its build with the JPEG-LS and JPEG 2000 decoders, as the page uses.
const factoryUrl = new URL('./dcm2niix.jpeg.js', import.meta.resolve('@niivue/dcm2niix'));
let factory = null;

export async function createDcm2niix({ print, printErr }) {
  factory ??= (await import(factoryUrl.href)).default;
  const converter = await factory({ print, printErr });
  // Emscripten's exit() under Node sets process.exitCode to main's status (2 when no DICOM was found): the status
  // is the caller's to read, not this process's to exit with.
  const callMain = converter.callMain;
  converter.callMain = (args) => {
    const exitCode = process.exitCode;
    try {
      return callMain(args);
    } finally {
      process.exitCode = exitCode;
    }
  };
  return converter;
}

// Every file under `dir` (subfolders too) as {name: its path relative to dir, read()}: read when converted.
export function readFolder(dir) {
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    throw new Error(`${dir}: ${error.code === 'ENOENT' ? 'no such folder' : error.message}`);
  }
  if (!stat.isDirectory()) throw new Error(`${dir}: not a folder (give the folder that holds the DICOM files)`);
  const files = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push({ name: relative(dir, path), read: async () => readFileSync(path) });
    }
  };
  walk(dir);
  if (files.length === 0) throw new Error(`${dir}: the folder holds no file`);
  return files;
}

// Converts the DICOM files under `dir`: see convertDicom.
export async function convertDicomFolder(dir) {
  const files = readFolder(dir);
  try {
    return await convertDicom(createDcm2niix, files);
  } catch (error) {
    // "a, b and 3 more files: no DICOM image found" names the folder, where the user looks.
    error.message = `${dir}: ${error.message}`;
    throw error;
  }
}
