#!/usr/bin/env node
// Survival benchmark: Cox (Efron) on rotterdam (2982 rows, 10 covariates) and elastic-net Cox on the
// UPENN-GBM table (T1GD ET CaPTk features, 100+ columns), natively (g++ -O2) and as WASM under Node,
// beside R's coxph in the same run; prints seconds and ratios.
//   node bench/survival_bench.mjs      (GLIOLENS_WASM_DIR: the WASM build; needs g++ and Rscript)
// Native and WASM time the same `gliolens cox` workflow (fit + concordance + risk-group Kaplan-Meier,
// no bootstrap, report serialised to JSON; WASM also parses it in JavaScript); R times coxph + concordance (R has no glmnet here: its ridge() penalised coxph
// stands beside the elastic net).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createGliolens } from '../wasm/node.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tables = resolve(process.env.GLIOLENS_SHARED_DATA ?? join(root, '..', 'shared', 'data'), 'tables');
const work = join(tmpdir(), 'gliolens-survival-bench');
mkdirSync(work, { recursive: true });

// --- the native benchmark binary, rebuilt when a survival source is newer --------------------------
function nativeBinary() {
  const exe = join(work, 'survival_bench');
  // The survival code and what it uses from core/common (JSON, number text).
  const folders = ['survival', 'common'].map((folder) => join(root, 'core', folder));
  const sources = [join(root, 'bench', 'survival_bench.cpp'),
    ...folders.flatMap((dir) => readdir(dir).filter((f) => f.endsWith('.cpp')).map((f) => join(dir, f)))];
  const newest = Math.max(...folders.flatMap((dir) => readdir(dir).map((f) => statSync(join(dir, f)).mtimeMs)), statSync(sources[0]).mtimeMs);
  if (!existsSync(exe) || statSync(exe).mtimeMs < newest) {
    console.log('bench: compiling the native benchmark (g++ -O2)...');
    execFileSync('g++', ['-std=c++20', '-O2', '-DNDEBUG', `-I${root}`, '-isystem', '/usr/include/eigen3', ...sources, '-o', exe], { stdio: 'inherit' });
  }
  return exe;
}
function readdir(dir) {
  return execFileSync('ls', [dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function wasmTime(core, csvText, options, repeats) {
  const seconds = [];
  let c = 0;
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    c = core.fit(csvText, options).concordance.train.estimate;
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds: median(seconds), c_index: c };
}

function nativeTime(exe, csv, options, repeats) {
  return JSON.parse(execFileSync(exe, [csv, JSON.stringify(options), String(repeats)], { encoding: 'utf8' }));
}

function rTime(script, repeats) {
  const program = `suppressPackageStartupMessages(library(survival))\n${script}\n` +
    `t <- replicate(${repeats}, system.time(run())[["elapsed"]])\ncat(sprintf('{"seconds": %.9g, "c_index": %.12g}', median(t), run()))\n`;
  const result = spawnSync('Rscript', ['-e', program], { encoding: 'utf8' });
  if (result.status !== 0) return { error: result.stderr.trim().split('\n').pop() };
  return JSON.parse(result.stdout);
}

function upennCsv() {
  const dir = join(tables, 'upenn_gbm');
  if (!existsSync(dir)) return null;
  const lines = (p) => readFileSync(p, 'utf8').trim().split(/\r?\n/);
  const clinical = lines(join(dir, 'clinical_info_v1.0.csv'));
  const ch = clinical[0].split(',');
  const survival = new Map(clinical.slice(1).map((l) => l.split(',')).filter((c) => Number.isFinite(Number(c[ch.indexOf('Survival_from_surgery_days')])))
    .map((c) => [c[0], [Number(c[ch.indexOf('Survival_from_surgery_days')]), Number(c[ch.indexOf('Age_at_scan_years')])]]));
  const features = lines(join(dir, 'captk_segm_T1GD_ET.csv'));
  const fh = features[0].split(',');
  // Keep the columns that vary and are complete; rows need survival.
  const rows = features.slice(1).map((l) => l.split(',')).filter((c) => survival.has(c[0]));
  const keep = fh.map((_, j) => j).filter((j) => j > 0 && rows.every((c) => Number.isFinite(Number(c[j])) && c[j] !== '') &&
    new Set(rows.map((c) => c[j])).size > 2);
  const names = keep.map((j) => `f${j}`);
  const out = join(work, 'upenn_t1gd_et.csv');
  writeFileSync(out, ['time,event,age,' + names.join(','), ...rows.map((c) => [...survival.get(c[0]), ...keep.map((j) => c[j])].join(',').replace(/^([^,]*),/, '$1,1,'))].join('\n') + '\n');
  return { csv: out, features: names.length + 1, subjects: rows.length };
}

function print(r) {
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : 'n/a');
  console.log(`\n${r.case}`);
  console.log(`  native ${r.native.seconds.toFixed(4)} s   WASM ${r.wasm.seconds.toFixed(4)} s   R ${r.r.seconds?.toFixed(4) ?? r.r.error} s`);
  console.log(`  WASM/native ${ratio(r.wasm.seconds, r.native.seconds)}   native/R ${ratio(r.native.seconds, r.r.seconds)}   WASM/R ${ratio(r.wasm.seconds, r.r.seconds)}`);
  console.log(`  C-index: native ${r.native.c_index.toFixed(6)}  WASM ${r.wasm.c_index.toFixed(6)}  R ${r.r.c_index?.toFixed(6) ?? 'n/a'}`);
  if (r.note) console.log(`  (${r.note})`);
}

const core = await createGliolens();
const exe = nativeBinary();

const rotterdam = join(root, 'tests', 'reference', 'survival', 'data_rotterdam.csv');
const rotterdamCovariates = ['age', 'meno', 'grade', 'nodes', 'log_pgr', 'log_er', 'hormon', 'chemo', 'size_20_50', 'size_over_50'];
{
  const options = { time: 'time', event: 'event', covariates: rotterdamCovariates, ties: 'efron', bootstrap: 0 };
  const repeats = 20;
  print({
    case: 'Cox Efron, rotterdam 2982 x 10',
    native: nativeTime(exe, rotterdam, options, repeats),
    wasm: wasmTime(core, readFileSync(rotterdam, 'utf8'), options, repeats),
    r: rTime(`d <- read.csv("${rotterdam}")\nrun <- function() { f <- coxph(Surv(time, event) ~ ${rotterdamCovariates.join(' + ')}, data = d, ties = "efron"); concordance(f)$concordance }`, repeats),
  });
}
const upenn = upennCsv();
if (!upenn) {
  console.log(`bench: SKIP elastic net on UPENN-GBM: the shared tables are absent (${tables})`);
} else {
  // 100 lambdas down to 0.05 lambda_max: glmnet's default 0.01 (n <= p) drives the proximal-Newton
  // solver into a near-saturated fit where it needs minutes (a known limitation).
  const options = { time: 'time', event: 'event', penalty: 'elasticnet', alpha: 0.5, cv: 5, path_length: 100, lambda_min_ratio: 0.05, ties: 'breslow', bootstrap: 0 };
  const repeats = 3;
  print({
    case: `elastic-net Cox (alpha 0.5, 100-lambda path to 0.05 lambda_max, 5-fold CV), UPENN-GBM ${upenn.subjects} x ${upenn.features}`,
    native: nativeTime(exe, upenn.csv, options, repeats),
    wasm: wasmTime(core, readFileSync(upenn.csv, 'utf8'), options, repeats),
    r: rTime(`d <- read.csv("${upenn.csv}")\nx <- as.matrix(d[, -(1:2)])\nrun <- function() { f <- coxph(Surv(d$time, d$event) ~ ridge(x, theta = 1, scale = TRUE), ties = "breslow"); concordance(f)$concordance }`, repeats),
    note: 'R: coxph with a ridge(theta = 1) penalty on the same columns, one fit (no path, no CV)',
  });
}

