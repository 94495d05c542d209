import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { collect, loadFlow, loadSender, record, wait, watchDone } from '../test-kit.js';

afterEach(() => helper.unload());

async function splitWith(config: Record<string, unknown>, inputs: Array<Record<string, unknown>>, expected: number) {
  const send = await loadSender({ id: 's', type: 'split', ...config });
  const got = collect('h', expected);
  for (const msg of inputs) send(msg);
  return got;
}

describe('split node', () => {
  describe('arrays', () => {
    it('sends one message per element with array parts', async () => {
      const out = await splitWith({}, [{ payload: [1, 2, 3, 4], topic: 't' }], 4);
      assert.deepEqual(out.map((m) => m.payload), [1, 2, 3, 4]);
      const ids = new Set(out.map((m) => (m.parts as any).id));
      assert.equal(ids.size, 1);
      out.forEach((m, i) => {
        assert.deepEqual(m.parts, { id: (m.parts as any).id, type: 'array', count: 4, len: 1, index: i });
        assert.equal(m.topic, 't');
      });
      assert.equal(new Set(out.map((m) => m._msgid)).size, 4, 'each part is a message of its own');
    });

    it('splits arrays into chunks of arraySplt elements', async () => {
      const out = await splitWith({ arraySplt: 3, arraySpltType: 'len' }, [{ payload: [1, 2, 3, 4] }], 2);
      assert.deepEqual(out.map((m) => m.payload), [[1, 2, 3], [4]]);
      assert.deepEqual(out.map((m) => (m.parts as any).count), [2, 2]);
      assert.deepEqual(out.map((m) => (m.parts as any).len), [3, 3]);
    });

    it('splits another message property and records it in parts.property', async () => {
      const out = await splitWith({ property: 'foo' }, [{ foo: [1, 2], payload: 'keep' }], 2);
      assert.deepEqual(out.map((m) => m.foo), [1, 2]);
      assert.equal(out[0]!.payload, 'keep');
      assert.equal((out[0]!.parts as any).property, 'foo');
    });

    it('completes the message it was given with its array, as Node-RED cuts the pieces from a copy', async () => {
      await loadFlow([{ id: 's', type: 'split', wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = collect('h', 3);
      const dones = watchDone('s');
      helper.getNode('s')!.receive({ payload: [1, 2, 3], topic: 't' });
      const out = await got;
      assert.equal(dones.length, 1);
      const completed = dones[0]!.msg;
      assert.deepEqual(completed.payload, [1, 2, 3]);
      assert.deepEqual(completed.parts, { id: (out[0]!.parts as any).id, type: 'array', count: 3, len: 1 });
      assert.deepEqual(out.map((m) => (m.parts as any).index), [0, 1, 2]);
    });

    it('sends nothing for an empty array', async () => {
      await loadFlow([{ id: 's', type: 'split', wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = record('h');
      const dones = watchDone('s');
      helper.getNode('s')!.receive({ payload: [] });
      await wait(20);
      assert.equal(got.length, 0);
      assert.equal(dones.length, 1);
    });
  });

  describe('objects', () => {
    it('sends one message per key with the key in parts', async () => {
      const out = await splitWith({}, [{ topic: 'foo', payload: { a: 1, b: '2', c: true } }], 3);
      assert.deepEqual(out.map((m) => m.payload), [1, '2', true]);
      assert.deepEqual(out.map((m) => (m.parts as any).key), ['a', 'b', 'c']);
      assert.deepEqual(out.map((m) => m.topic), ['foo', 'foo', 'foo']);
      assert.deepEqual(out[1]!.parts, { id: (out[1]!.parts as any).id, type: 'object', key: 'b', index: 1, count: 3 });
    });

    it('splits a nested property', async () => {
      const out = await splitWith({ property: 'foo.bar' }, [{ foo: { bar: { a: 1, b: 2 } } }], 2);
      assert.deepEqual(out.map((m) => (m.foo as any).bar), [1, 2]);
      assert.equal((out[0]!.parts as any).property, 'foo.bar');
    });

    it('copies each key to the addname property', async () => {
      const out = await splitWith({ addname: 'topic' }, [{ topic: 'old', payload: { a: 1, b: 2 } }], 2);
      assert.deepEqual(out.map((m) => m.topic), ['a', 'b']);
    });

    it('accepts addname with a msg. prefix and a deep path', async () => {
      const out = await splitWith({ addname: 'msg.meta.key' }, [{ payload: { x: 1 } }], 1);
      assert.deepEqual(out[0]!.meta, { key: 'x' });
    });
  });

  describe('strings', () => {
    it('splits on newlines by default', async () => {
      const out = await splitWith({ splt: '\\n' }, [{ payload: '1\n2\n3' }], 3);
      assert.deepEqual(out.map((m) => m.payload), ['1', '2', '3']);
      assert.deepEqual(out[2]!.parts, { id: (out[2]!.parts as any).id, type: 'string', ch: '\n', index: 2, count: 3 });
    });

    it('splits on a specified string', async () => {
      const out = await splitWith({ splt: '--', spltType: 'str' }, [{ payload: 'a--b--c' }], 3);
      assert.deepEqual(out.map((m) => m.payload), ['a', 'b', 'c']);
      assert.equal((out[0]!.parts as any).ch, '--');
    });

    it('turns escapes in the separator into characters', async () => {
      const out = await splitWith({ splt: '\\t' }, [{ payload: 'a\tb' }], 2);
      assert.deepEqual(out.map((m) => m.payload), ['a', 'b']);
    });

    it('splits a string on bytes given as bin and records them as ch', async () => {
      const out = await splitWith({ splt: '[44]', spltType: 'bin' }, [{ payload: 'a,b' }], 2);
      assert.deepEqual(out.map((m) => m.payload), ['a', 'b']);
      assert.deepEqual((out[0]!.parts as any).ch, [44]);
    });

    it('splits into fixed lengths, rounding the count up', async () => {
      const out = await splitWith({ splt: '2', spltType: 'len' }, [{ payload: '12345' }], 3);
      assert.deepEqual(out.map((m) => m.payload), ['12', '34', '5']);
      assert.deepEqual(out[0]!.parts, { id: (out[0]!.parts as any).id, type: 'string', ch: '', len: 2, count: 3, index: 0 });
    });

    it('carries the remainder to the next message in stream mode, without a count', async () => {
      await loadFlow([{ id: 's', type: 'split', splt: '\\n', stream: true, wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = record('h');
      helper.getNode('s')!.receive({ payload: '1\n2\n3' });
      helper.getNode('s')!.receive({ payload: '4\n5\n' });
      await wait(20);
      // The empty piece after the last newline is held for the next message, not sent.
      assert.deepEqual(got.map((m) => m.payload), ['1', '2', '34', '5']);
      assert.ok(got.every((m) => !('count' in (m.parts as object))));
      assert.deepEqual(got.map((m) => (m.parts as any).index), [0, 1, 2, 3]);
      helper.getNode('s')!.receive({ payload: '6\n' });
      await wait(20);
      assert.deepEqual(got.map((m) => m.payload), ['1', '2', '34', '5', '6']);
    });

    it('holds a partial fixed-length chunk in stream mode until it is complete', async () => {
      await loadFlow([{ id: 's', type: 'split', splt: '3', spltType: 'len', stream: true, wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = record('h');
      const dones = watchDone('s');
      helper.getNode('s')!.receive({ payload: 'abcd' });
      await wait(20);
      assert.deepEqual(got.map((m) => m.payload), ['abc']);
      assert.equal(dones.length, 0, 'the message whose tail is held is not done yet');
      helper.getNode('s')!.receive({ payload: 'ef' });
      await wait(20);
      assert.deepEqual(got.map((m) => m.payload), ['abc', 'def']);
      assert.deepEqual(got.map((m) => (m.parts as any).index), [0, 1]);
      assert.equal(dones.length, 2);
    });
  });

  describe('buffers', () => {
    it('splits into fixed lengths', async () => {
      const out = await splitWith({ splt: '2', spltType: 'len' }, [{ payload: Buffer.from('12345') }], 3);
      assert.deepEqual(out.map((m) => (m.payload as Buffer).toString()), ['12', '34', '5']);
      assert.ok(Buffer.isBuffer(out[0]!.payload));
      assert.deepEqual(out[0]!.parts, { id: (out[0]!.parts as any).id, type: 'buffer', count: 3, len: 2, index: 0 });
    });

    it('splits on a byte sequence', async () => {
      const out = await splitWith({ splt: '[13,10]', spltType: 'bin' }, [{ payload: Buffer.from('a\r\nb\r\nc') }], 3);
      assert.deepEqual(out.map((m) => (m.payload as Buffer).toString()), ['a', 'b', 'c']);
      assert.deepEqual((out[2]!.parts as any).ch, [13, 10]);
      assert.deepEqual(out.map((m) => (m.parts as any).count), [3, 3, 3]);
    });

    it('splits on a string separator', async () => {
      const out = await splitWith({ splt: ',' }, [{ payload: Buffer.from('x,y') }], 2);
      assert.deepEqual(out.map((m) => (m.payload as Buffer).toString()), ['x', 'y']);
      assert.equal((out[0]!.parts as any).ch, ',');
    });

    it('carries the remainder across messages in stream mode', async () => {
      const out = await splitWith(
        { splt: '[52]', spltType: 'bin', stream: true },
        [{ payload: Buffer.from('123412') }, { payload: Buffer.from('341234') }],
        3,
      );
      assert.deepEqual(out.map((m) => (m.payload as Buffer).toString()), ['123', '123', '123']);
      assert.deepEqual(out.map((m) => (m.parts as any).index), [0, 1, 2]);
    });

    it('completes a message whose tail is held once a later message sends that tail', async () => {
      await loadFlow([{ id: 's', type: 'split', splt: '[10]', spltType: 'bin', stream: true, wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = record('h');
      const dones = watchDone('s');
      helper.getNode('s')!.receive({ payload: Buffer.from('a\nb') });
      await wait(20);
      assert.deepEqual(got.map((m) => (m.payload as Buffer).toString()), ['a']);
      assert.equal(dones.length, 0);
      helper.getNode('s')!.receive({ payload: Buffer.from('c\n') });
      await wait(20);
      assert.deepEqual(got.map((m) => (m.payload as Buffer).toString()), ['a', 'bc']);
      assert.equal(dones.length, 2);
    });

    it('carries fixed-length remainders in stream mode', async () => {
      const out = await splitWith(
        { splt: '4', spltType: 'len', stream: true },
        [{ payload: Buffer.from('abcdef') }, { payload: Buffer.from('gh') }],
        2,
      );
      assert.deepEqual(out.map((m) => (m.payload as Buffer).toString()), ['abcd', 'efgh']);
    });

    it('does not send an empty trailing segment, as Node-RED', async () => {
      await loadFlow([{ id: 's', type: 'split', splt: ',', wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = record('h');
      helper.getNode('s')!.receive({ payload: Buffer.from('a,b,') });
      await wait(20);
      assert.deepEqual(got.map((m) => (m.payload as Buffer).toString()), ['a', 'b']);
    });
  });

  describe('parts', () => {
    it('nests existing parts inside the new ones', async () => {
      const outer = { id: 'outer', index: 1, count: 2, type: 'array' };
      const out = await splitWith({}, [{ payload: [1, 2], parts: outer }], 2);
      assert.deepEqual((out[0]!.parts as any).parts, outer);
      assert.notEqual((out[0]!.parts as any).id, 'outer');
    });

    it('completes and drops numbers and booleans', async () => {
      await loadFlow([{ id: 's', type: 'split', wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = record('h');
      const dones = watchDone('s');
      helper.getNode('s')!.receive({ payload: 42 });
      helper.getNode('s')!.receive({ payload: true });
      await wait(20);
      assert.equal(got.length, 0);
      assert.equal(dones.length, 2);
    });

    it('reports a null payload as its error to catch nodes and does not complete it, as Node-RED 4 does', async () => {
      await loadFlow([
        { id: 's', type: 'split', wires: [['h']] },
        { id: 'h', type: 'helper' },
        { id: 'c', type: 'catch', scope: ['s'], wires: [['hc']] },
        { id: 'hc', type: 'helper' },
      ]);
      const got = record('h');
      const dones = watchDone('s');
      const caught = collect('hc', 1);
      helper.getNode('s')!.receive({ payload: null, topic: 't' });
      const [msg] = await caught;
      assert.match(String((msg!.error as { message: unknown }).message), /Cannot convert undefined or null to object/);
      assert.equal(msg!.topic, 't');
      assert.equal(got.length, 0);
      assert.equal(dones.filter((e) => e.err === undefined).length, 0, 'not completed');
      assert.equal(dones.filter((e) => e.err !== undefined).length, 1, 'one error');
    });

    it('drops a message without the property and does not complete it, as Node-RED does', async () => {
      await loadFlow([{ id: 's', type: 'split', wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = record('h');
      const dones = watchDone('s');
      helper.getNode('s')!.receive({ topic: 'no payload' });
      await wait(20);
      assert.equal(got.length, 0);
      assert.equal(dones.length, 0);
    });
  });

  describe('configuration', () => {
    const refuse = (config: Record<string, unknown>, pattern: RegExp) =>
      assert.rejects(loadFlow([{ id: 's', type: 'split', ...config }]), pattern);

    it('refuses a bin separator that is not a JSON array', () => refuse({ splt: '1', spltType: 'bin' }, /node s, property 'splt'/));
    it('refuses a bin separator that is not JSON', () => refuse({ splt: '[1,', spltType: 'bin' }, /property 'splt'.*JSON/));
    it('refuses an empty bin separator', () => refuse({ splt: '[]', spltType: 'bin' }, /property 'splt'/));
    it('refuses a fixed length below 1', () => refuse({ splt: 0, spltType: 'len' }, /property 'splt'/));
    it('refuses a fixed length that is not a number', () => refuse({ splt: 'x', spltType: 'len' }, /property 'splt'/));
    it('refuses an array chunk length below 1', () => refuse({ arraySplt: 0 }, /property 'arraySplt'/));
    it('refuses an unknown split type', () => refuse({ spltType: 'regex' }, /property 'spltType'/));
    it('refuses a malformed property path', () => refuse({ property: 'a[' }, /property 'property'/));

    it('loads a flow saved without the newer properties', async () => {
      await loadFlow([{ id: 's', type: 'split', splt: '', wires: [['h']] }, { id: 'h', type: 'helper' }]);
      const got = collect('h', 2);
      helper.getNode('s')!.receive({ payload: 'a\nb' });
      assert.deepEqual((await got).map((m) => m.payload), ['a', 'b']);
    });
  });
});
