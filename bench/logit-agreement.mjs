// What the segmentation benchmarks compare: one backend's logits against another's (the largest |difference|, and the
// voxels whose thresholded region, logit > 0 i.e. p > 0.5, differs), and the median of repeated timings.
// No imports: Node (segment_bench.mjs) and the benchmark pages in the browser (bench/gpu, segment_bench's page) load it.

export function logitAgreement(output, reference) {
  let maxDiff = output.length === reference.length ? 0 : Infinity, flips = 0;
  for (let i = 0; i < reference.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(output[i] - reference[i]));
    flips += (output[i] > 0) !== (reference[i] > 0);
  }
  return { maxDiff, flips, voxels: reference.length };
}

// The lower middle value; NaN for none.
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
}
