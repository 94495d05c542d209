import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

describe('node-red-node-test-helper compatibility', () => {
  it('runs an unmodified mocha spec of a contrib node, with only the require line changed', () => {
    const mocha = require.resolve('mocha/bin/mocha.js');
    const spec = new URL('./fixtures/lower-case_spec.cjs', import.meta.url).pathname;
    const result = spawnSync(process.execPath, ['--import', 'tsx', mocha, '--reporter', 'dot', '--timeout', '10000', spec], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /6 passing/);
  });
});
