import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';

afterEach(() => helper.unload());

async function runRules(rules: unknown[], msg: Record<string, unknown>): Promise<any> {
  await helper.load([], [
    { id: 'f', type: 'tab' },
    { id: 'c1', type: 'change', z: 'f', rules, wires: [['h1']] },
    { id: 'h1', type: 'helper', z: 'f', wires: [] },
  ]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('nothing reached h1')), 1000);
    helper.getNode('h1')!.on('input', (m: unknown) => {
      clearTimeout(timer);
      resolve(m);
    });
    helper.getNode('c1')!.receive(msg);
  });
}

describe('change: $moment and date formats', () => {
  it('sets properties from $moment in a JSONata rule', async () => {
    const m = await runRules(
      [
        { t: 'set', p: 'local', pt: 'msg', to: '$moment(payload).tz("Europe/Paris").format("YYYY-MM-DD HH:mm z")', tot: 'jsonata' },
        { t: 'set', p: 'due', pt: 'msg', to: '$moment(payload).add(1, "week").tz("UTC").format()', tot: 'jsonata' },
      ],
      { payload: '2024-07-01T22:30:00Z' },
    );
    assert.equal(m.local, '2024-07-02 00:30 CEST');
    assert.equal(m.due, '2024-07-08T22:30:00Z');
  });

  it('reads back a moment that an earlier rule stored in the message', async () => {
    const m = await runRules(
      [
        { t: 'set', p: 'start', pt: 'msg', to: '$moment(payload, "DD.MM.YYYY HH:mm ZZ")', tot: 'jsonata' },
        { t: 'set', p: 'payload', pt: 'msg', to: '$moment(start).tz("Asia/Kolkata").format("D MMM HH:mm")', tot: 'jsonata' },
      ],
      { payload: '05.01.2024 14:03 +0000' },
    );
    assert.equal(m.payload, '5 Jan 19:33');
    assert.equal(m.start.toISOString(), '2024-01-05T14:03:00.000Z');
  });

  it('formats a date typed input with moment tokens', async () => {
    const m = await runRules([{ t: 'set', p: 'payload', pt: 'msg', to: 'YYYY [week] W', tot: 'date' }], {});
    assert.match(m.payload, /^\d{4} week \d{1,2}$/);
    assert.equal(m.payload.slice(0, 4), String(new Date().getFullYear()));
  });
});
