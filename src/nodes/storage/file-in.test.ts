import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { helper } from '../../compat/test-helper.js';
import { collect as collectMessages, nodeToHelper, useTempDir, waitForLog, type AnyMsg } from '../test-kit.js';

const tmp = useTempDir('redoubt-file-in-');
afterEach(async () => {
  await helper.unload();
  helper.settings({ fileWorkingDirectory: undefined });
});

async function fixture(content: string | Buffer): Promise<string> {
  const file = tmp.fresh('in.txt');
  await writeFile(file, content);
  return file;
}

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'n1', type: 'file in', ...props });

const collect = (count: number) => collectMessages<AnyMsg>('h1', count);
const logged = (level: number): Promise<AnyMsg> => waitForLog('n1', level, { tries: 400 });

describe('file in node', () => {
  it('reads the whole file as a UTF-8 string, keeping the message', async () => {
    const file = await fixture('héllo\nworld');
    await helper.load([], flow({ filename: file, filenameType: 'str', format: 'utf8' }));
    const got = collect(1);
    helper.getNode('n1')!.receive({ topic: 't', other: 1 });
    const [msg] = await got;
    assert.equal(msg.payload, 'héllo\nworld');
    assert.equal(msg.filename, file);
    assert.equal(msg.other, 1);
  });

  it("reads a Buffer with format ''", async () => {
    const file = await fixture(Buffer.from([0, 1, 2, 255]));
    await helper.load([], flow({ filename: file, format: '' }));
    const got = collect(1);
    helper.getNode('n1')!.receive({});
    assert.deepEqual((await got)[0].payload, Buffer.from([0, 1, 2, 255]));
  });

  it('decodes the configured encoding', async () => {
    const file = await fixture(Buffer.from([0xc6, 0xe6, 0x0a, 0x41]));
    await helper.load([], flow({ filename: file, format: 'utf8', encoding: 'cp1251' }));
    const got = collect(1);
    helper.getNode('n1')!.receive({});
    assert.equal((await got)[0].payload, 'Жж\nA');
  });

  it('sends one message per line with parts, only topic and filename by default', async () => {
    const file = await fixture('a\nb\nc');
    await helper.load([], flow({ filename: file, format: 'lines' }));
    const got = collect(3);
    helper.getNode('n1')!.receive({ topic: 't', other: 1, _msgid: 'id1' });
    const msgs = await got;
    assert.deepEqual(msgs.map((m) => m.payload), ['a', 'b', 'c']);
    assert.deepEqual(msgs[2].parts, { index: 2, count: 3, ch: '\n', type: 'string', id: 'id1' });
    assert.deepEqual(msgs[0].parts, { index: 0, ch: '\n', type: 'string', id: 'id1' });
    assert.equal(msgs[0].topic, 't');
    assert.equal(msgs[0].filename, file);
    assert.equal(msgs[0].other, undefined);
  });

  it('keeps all properties in each line with allProps, and sends an empty last line after a final newline', async () => {
    const file = await fixture('x\n');
    await helper.load([], flow({ filename: file, format: 'lines', allProps: true }));
    const got = collect(2);
    helper.getNode('n1')!.receive({ other: 1 });
    const msgs = await got;
    assert.deepEqual(msgs.map((m) => m.payload), ['x', '']);
    assert.equal(msgs[1].other, 1);
  });

  it('keeps multi-byte characters whole across read blocks', async () => {
    const line = 'é'.repeat(40000);
    const file = await fixture(`${line}\n${line}`);
    await helper.load([], flow({ filename: file, format: 'lines' }));
    const got = collect(2);
    helper.getNode('n1')!.receive({});
    assert.deepEqual((await got).map((m) => m.payload), [line, line]);
  });

  it('streams Buffer chunks with parts, counting on the last one', async () => {
    const file = await fixture(Buffer.alloc(64 * 1024 + 10, 1));
    await helper.load([], flow({ filename: file, format: 'stream' }));
    const got = collect(2);
    helper.getNode('n1')!.receive({ _msgid: 's' });
    const msgs = await got;
    assert.equal(msgs[0].payload.length, 64 * 1024);
    assert.deepEqual(msgs[0].parts, { index: 0, ch: '', type: 'buffer', id: 's' });
    assert.deepEqual(msgs[1].parts, { index: 1, count: 2, ch: '', type: 'buffer', id: 's' });
  });

  it('ends a stream of full blocks with an empty closing part', async () => {
    const file = await fixture(Buffer.alloc(64 * 1024, 2));
    await helper.load([], flow({ filename: file, format: 'stream' }));
    const got = collect(2);
    helper.getNode('n1')!.receive({ _msgid: 's' });
    const msgs = await got;
    assert.deepEqual(msgs[1].parts, { index: 1, count: 1, ch: '', type: 'buffer', id: 's' });
    assert.equal('payload' in msgs[1], false);
  });

  it('reads the filename from msg, stripping tabs and newlines, relative to fileWorkingDirectory', async () => {
    await writeFile(join(tmp.path, 'rel.txt'), 'rel');
    helper.settings({ fileWorkingDirectory: tmp.path });
    await helper.load([], flow({ filename: 'name', filenameType: 'msg', format: 'utf8' }));
    const got = collect(1);
    helper.getNode('n1')!.receive({ name: 'rel.txt\n' });
    const [msg] = await got;
    assert.equal(msg.payload, 'rel');
    assert.equal(msg.filename, 'rel.txt');
  });

  it('reports a missing file and sends an error message when sendError is set', async () => {
    await helper.load([], flow({ filename: join(tmp.path, 'nope'), sendError: true }));
    const got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'gone', topic: 't' });
    const [msg] = await got;
    assert.equal('payload' in msg, false);
    assert.equal(msg.error.code, 'ENOENT');
    assert.equal(msg.topic, 't');
    assert.equal((await logged(20)).msg.code, 'ENOENT');
  });

  it('sends an error message by default for nodes saved before sendError existed, not when false', async () => {
    await helper.load([], flow({ filename: join(tmp.path, 'nope') }));
    let got = collect(1);
    helper.getNode('n1')!.receive({});
    assert.equal((await got)[0].error.code, 'ENOENT');
    await helper.load([], flow({ filename: join(tmp.path, 'nope'), sendError: false }));
    let sent = false;
    helper.getNode('h1')!.on('input', () => (sent = true));
    helper.getNode('n1')!.receive({});
    await logged(20);
    assert.equal(sent, false);
  });

  it('warns without a filename', async () => {
    await helper.load([], flow({ filename: 'x', filenameType: 'msg' }));
    helper.getNode('n1')!.receive({});
    assert.equal((await logged(30)).msg, 'No filename specified');
  });

  it('decodes the DOS code pages too', async () => {
    const file = await fixture(Buffer.from([0x80, 0xe2]));
    await helper.load([], flow({ filename: file, format: 'utf8', encoding: 'cp437' }));
    const got = collect(1);
    helper.getNode('n1')!.receive({});
    assert.equal((await got)[0].payload, 'ÇΓ');
  });

  it('reports an encoding it does not know', async () => {
    const file = await fixture('x');
    await helper.load([], flow({ filename: file, format: 'utf8', encoding: 'klingon' }));
    helper.getNode('n1')!.receive({});
    assert.match((await logged(20)).msg.message, /Encoding 'klingon' is not supported/);
  });

  it('reads a Buffer for a missing or unknown format, as Node-RED does', async () => {
    const file = await fixture('abc');
    for (const format of [{ format: 'csv' }, {}]) {
      await helper.load([], flow({ filename: file, ...format }));
      const got = collect(1);
      helper.getNode('n1')!.receive({});
      assert.deepEqual((await got)[0].payload, Buffer.from('abc'));
    }
  });
});
