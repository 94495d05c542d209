import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createContextManager } from '../context/index.js';
import type { PropertyHost } from '../types.js';
import { evaluateEnvEntries } from './env-entries.js';

const parentVars: Record<string, unknown> = { SITE: 'plant-1', '$parent.LEVEL': 'outer' };
const lookup = (name: string): unknown => parentVars[name];

function host(): PropertyHost {
  const ctx = createContextManager({ userDir: '/nonexistent' });
  ctx.getFlowContext('f1').set('max', 7);
  const nodeCtx = ctx.getNodeContext('f1', 'f1');
  return { id: 'f1', context: () => nodeCtx, getEnv: lookup };
}

describe('evaluateEnvEntries', () => {
  it('evaluates every type', async () => {
    const env = await evaluateEnvEntries(
      [
        { name: 'S', value: 'text', type: 'str' },
        { name: 'N', value: '12.5', type: 'num' },
        { name: 'B', value: 'true', type: 'bool' },
        { name: 'B2', value: true, type: 'bool' },
        { name: 'J', value: '{"a":1}', type: 'json' },
        { name: 'BIN', value: '[65]', type: 'bin' },
        { name: 'D', value: 'iso', type: 'date' },
        { name: 'X', value: '$flowContext("max") * 2', type: 'jsonata' },
        { name: 'PW', value: '', type: 'cred' },
      ],
      lookup,
      host(),
      { credentials: { PW: 'secret' } },
    );
    assert.equal(env.S, 'text');
    assert.equal(env.N, 12.5);
    assert.equal(env.B, true);
    assert.equal(env.B2, true);
    assert.deepEqual(env.J, { a: 1 });
    assert.deepEqual(env.BIN, Buffer.from('A'));
    assert.match(env.D as string, /^\d{4}-/);
    assert.equal(env.X, 14);
    assert.equal(env.PW, 'secret');
  });

  it('resolves env entries after the others, against siblings first then the parent', async () => {
    const env = await evaluateEnvEntries(
      [
        { name: 'COPY', value: 'BASE', type: 'env' },
        { name: 'URL', value: 'http://${SITE}/${BASE}', type: 'env' },
        { name: 'BASE', value: 'b', type: 'str' },
        { name: 'LEVEL', value: 'LEVEL', type: 'env' },
      ],
      lookup,
      undefined,
    );
    assert.equal(env.COPY, 'b');
    assert.equal(env.URL, 'http://plant-1/b');
    assert.equal(env.LEVEL, 'outer');
  });

  it('reports an entry that fails and leaves it undefined', async () => {
    const errors: string[] = [];
    const env = await evaluateEnvEntries(
      [
        { name: 'BAD', value: '{nope', type: 'json' },
        { name: 'BADX', value: '$error("boom")', type: 'jsonata' },
        { name: 'OK', value: '1', type: 'num' },
      ],
      lookup,
      host(),
      { onError: (name) => errors.push(name) },
    );
    assert.equal(env.BAD, undefined);
    assert.equal(env.BADX, undefined);
    assert.equal(env.OK, 1);
    assert.deepEqual(errors.sort(), ['BAD', 'BADX']);
  });
});
