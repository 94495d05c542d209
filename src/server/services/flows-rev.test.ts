import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedoubt } from '../../index.js';
import type { AuditLog } from '../../security/types.js';
import { createFileFlowsStorage } from './file-flows-storage.js';
import { createFlowsService } from './flows-service.js';
import type { Caller } from './types.js';

const caller: Caller = { username: 'ada', role: 'admin' };
const audit = { record: () => undefined } as unknown as AuditLog;
const flows = [
  { id: 't1', type: 'tab', label: 'Flow 1' },
  { id: 'c1', type: 'comment', z: 't1', name: 'note', info: '', wires: [] },
];

/** A runtime and flows service on the flows file in `dir`, as the server composes them. */
async function open(dir: string, pretty: boolean) {
  const runtime = await createRedoubt({ userDir: dir, log: () => undefined });
  const storage = createFileFlowsStorage({ flowsPath: join(dir, 'flows.json'), pretty }, { vault: { load: async () => ({}), save: async () => undefined } });
  return { runtime, service: createFlowsService({ engine: runtime.engine, storage, audit, can: () => true }) };
}

describe('the rev of saved flows', () => {
  for (const pretty of [true, false]) {
    it(`is the same after a reload and after a restart (${pretty ? 'indented' : 'compact'} flows file)`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'redoubt-rev-'));
      try {
        const first = await open(dir, pretty);
        await first.service.start();
        const { rev } = await first.service.setFlows(caller, { flows, deploymentType: 'full' });
        const text = await readFile(join(dir, 'flows.json'), 'utf8');
        assert.equal(text, pretty ? JSON.stringify(flows, null, 4) : JSON.stringify(flows));
        assert.equal((await first.service.setFlows(caller, { flows: undefined, deploymentType: 'reload' })).rev, rev);
        await first.runtime.stop();
        const second = await open(dir, pretty);
        assert.equal((await second.service.start()).rev, rev);
        assert.equal(second.service.getFlows(caller).rev, rev);
        await second.runtime.stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
