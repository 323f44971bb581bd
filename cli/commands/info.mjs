// gliolens info FILE...: the NIfTI header as JSON (dims, voxel size, datatype, affine, orientation).
import { UsageError } from '../usage-error.mjs';

export const help = 'usage: gliolens info FILE [FILE...]\n  prints each NIfTI header as JSON';
export const options = {};

export function run({ core, positionals }) {
  if (positionals.length === 0) throw new UsageError('no file given');
  const headers = positionals.map((file) => ({ file, ...core.header(file) }));
  return headers.length === 1 ? headers[0] : headers;
}
