// The text form of a registration's transform (gliolens register --out-transform): comment lines saying what it maps,
// then the 4x4 matrix, one row a line, that sends fixed-image world points (RAS+ mm, as NIfTI) to moving-image world
// points. Node-free, so that the page can write and read the same files.
export function transformText(matrix, { kind, fixed, moving }) {
  const lines = [
    `# gliolens registration transform (${kind}): fixed world (RAS+ mm) -> moving world (RAS+ mm)`,
    `# fixed: ${fixed}`,
    `# moving: ${moving}`,
    ...matrix.map((row) => row.map((v) => v.toPrecision(17)).join(' ')),
  ];
  return lines.join('\n') + '\n';
}

export function parseTransformText(text, source = 'transform') {
  const rows = String(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/).map(Number));
  if (rows.length !== 4 || rows.some((r) => r.length !== 4 || r.some((v) => !Number.isFinite(v)))) {
    throw new Error(`${source}: not a gliolens transform (four rows of four numbers expected)`);
  }
  return rows;
}
