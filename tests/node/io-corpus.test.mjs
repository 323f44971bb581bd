// The malformed-file corpus (tests/fuzz/corpus.mjs) through the WASM core: each file gives its
// expected typed error, naming the file, and the same instance then still reads a good file.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';

import { createGliolens } from '../../wasm/node.mjs';
import { corpusCases, writeCorpus } from '../fuzz/corpus.mjs';

const dir = mkdtempSync(join(tmpdir(), 'gliolens-corpus-'));
const cases = writeCorpus(dir);
let core;
before(async () => { core = await createGliolens(); });

test('the corpus has at least 30 malformed files', () => {
  assert.ok(corpusCases().length >= 30, `${corpusCases().length} cases`);
});

for (const c of cases) {
  test(`${c.name}: ${c.error} /${c.message}/`, () => {
    for (const read of [() => core.readVolume(c.path, { name: c.name }), () => core.load(c.path, c.name)]) {
      assert.throws(read, (error) => {
        assert.equal(error.name, c.error, error.message);
        assert.ok(error.message.startsWith(`${c.name}: `), error.message);
        assert.match(error.message, new RegExp(c.message));
        return true;
      });
    }
  });
}

test('after every failure the instance still reads a good file', () => {
  const good = join(dir, 'good');
  const [file] = core.writeDemoCase(dir, { compressed: true }).filter((f) => f.role === 'seg');
  const { grid } = core.readVolume(file.path);
  assert.deepEqual(grid.dims, [160, 192, 144]);
  assert.ok(good);
});
