// A label list as the core takes it, from `--label` text: the parsing shared by `gliolens features`, gliolens batch's
// regions and the page's cohort run (no Node here).
import { UsageError } from './usage-error.mjs';

// {label} or {labels} for the core from "4" or "1,4" (a comma list is the union of its labels).
export function parseLabels(text) {
  if (text === undefined) return {};
  const labels = text.split(',').map((s) => s.trim());
  if (labels.some((s) => !/^-?\d+$/.test(s))) throw new UsageError(`--label must be an integer or a comma list of integers, not "${text}"`);
  return labels.length === 1 ? { label: Number(labels[0]) } : { labels: labels.map(Number) };
}
