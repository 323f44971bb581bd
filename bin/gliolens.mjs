#!/usr/bin/env node
// gliolens: the command line over the same WASM core the browser runs.
import { run } from '../cli/main.mjs';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
