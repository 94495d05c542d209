import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { EOL } from 'node:os';
import { join } from 'node:path';
import { helper } from '../../compat/test-helper.js';
import { collect as collectMessages, nodeToHelper, recordStatuses, useTempDir, waitForLog, type AnyMsg } from '../test-kit.js';

const tmp = useTempDir('redoubt-file-');
afterEach(async () => {
  await helper.unload();
  helper.settings({ fileWorkingDirectory: undefined });
});

const fresh = (name = 'out.txt') => tmp.fresh(name);

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'n1', type: 'file', appendNewline: true, overwriteFile: 'false', ...props });

const collect = (count: number) => collectMessages<AnyMsg>('h1', count);
const logged = (level: number): Promise<AnyMsg> => waitForLog('n1', level, { tries: 400 });

describe('file node', () => {
  it('appends each payload with a newline and passes the message on', async () => {
    const file = fresh();
    await helper.load([], flow({ filename: file, filenameType: 'str' }));
    const got = collect(2);
    helper.getNode('n1')!.receive({ payload: 'one' });
    helper.getNode('n1')!.receive({ payload: 'two' });
    const msgs = await got;
    assert.equal(msgs[1].filename, file);
    assert.equal(await readFile(file, 'utf8'), `one${EOL}two${EOL}`);
  });

  it('overwrites, without a newline when told not to add one', async () => {
    const file = fresh();
    await writeFile(file, 'old content');
    await helper.load([], flow({ filename: file, overwriteFile: true, appendNewline: false }));
    const got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'new' });
    await got;
    assert.equal(await readFile(file, 'utf8'), 'new');
  });

  it('writes objects as JSON, numbers and booleans as text, Buffers as bytes', async () => {
    const file = fresh();
    await helper.load([], flow({ filename: file }));
    const got = collect(4);
    for (const payload of [{ a: 1 }, 5, true, Buffer.from([0x41, 0x42])]) helper.getNode('n1')!.receive({ payload });
    await got;
    assert.equal(await readFile(file, 'utf8'), `{"a":1}${EOL}5${EOL}true${EOL}AB`);
  });

  it('leaves the newline off the last part of a split string', async () => {
    const file = fresh();
    await helper.load([], flow({ filename: file }));
    const got = collect(2);
    helper.getNode('n1')!.receive({ payload: 'a', parts: { type: 'string', index: 0, count: 2 } });
    helper.getNode('n1')!.receive({ payload: 'b', parts: { type: 'string', index: 1, count: 2 } });
    await got;
    assert.equal(await readFile(file, 'utf8'), `a${EOL}b`);
  });

  it('takes the filename from msg.filename in a legacy node without filenameType', async () => {
    const file = fresh();
    await helper.load([], [
      { id: 'f', type: 'tab' },
      { id: 'n1', type: 'file', z: 'f', filename: '', appendNewline: false, overwriteFile: 'true', wires: [['h1']] },
      { id: 'h1', type: 'helper', z: 'f', wires: [] },
    ]);
    const got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'x', filename: file });
    await got;
    assert.equal(await readFile(file, 'utf8'), 'x');
  });

  it('evaluates msg, env and jsonata filenames', async () => {
    const file = fresh();
    process.env.REDOUBT_FILE_TEST = file;
    await helper.load([], flow({ filename: 'REDOUBT_FILE_TEST', filenameType: 'env', appendNewline: false }));
    let got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'e' });
    await got;
    await helper.load([], flow({ filename: 'target', filenameType: 'msg', appendNewline: false }));
    got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'm', target: file });
    await got;
    await helper.load([], flow({ filename: '$$.dir & "/" & $$.name', filenameType: 'jsonata', appendNewline: false }));
    got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'j', dir: tmp.path, name: file.slice(tmp.path.length + 1) });
    await got;
    assert.equal(await readFile(file, 'utf8'), 'emj');
  });

  it('resolves relative names against fileWorkingDirectory', async () => {
    helper.settings({ fileWorkingDirectory: tmp.path });
    await helper.load([], flow({ filename: 'relative.txt', appendNewline: false, overwriteFile: 'true' }));
    const got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'r' });
    assert.equal((await got)[0].filename, 'relative.txt');
    assert.equal(await readFile(join(tmp.path, 'relative.txt'), 'utf8'), 'r');
  });

  it('creates missing directories when asked', async () => {
    const file = join(fresh('d'), 'sub', 'x.txt');
    await helper.load([], flow({ filename: file, createDir: true, appendNewline: false }));
    const got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'deep' });
    await got;
    assert.equal(await readFile(file, 'utf8'), 'deep');
  });

  it('reports a missing directory without createDir and sends nothing', async () => {
    const file = join(fresh('missing'), 'x.txt');
    await helper.load([], flow({ filename: file }));
    let sent = false;
    helper.getNode('h1')!.on('input', () => (sent = true));
    helper.getNode('n1')!.receive({ payload: 'x' });
    const entry = await logged(20);
    assert.match(String(entry.msg), /^failed to append to file: Error: ENOENT/);
    assert.equal(sent, false);
  });

  it('reports a write it has no permission for', { skip: process.getuid?.() === 0 ? 'root ignores permissions' : false }, async () => {
    const locked = fresh('locked');
    await mkdir(locked);
    await chmod(locked, 0o500);
    await helper.load([], flow({ filename: join(locked, 'x.txt'), overwriteFile: 'true' }));
    helper.getNode('n1')!.receive({ payload: 'x' });
    assert.match(String((await logged(20)).msg), /^failed to write to file: Error: EACCES/);
    await chmod(locked, 0o700);
  });

  it('deletes the file, and reports a file that is not there', async () => {
    const file = fresh();
    await writeFile(file, 'bye');
    await helper.load([], flow({ filename: file, overwriteFile: 'delete' }));
    const got = collect(1);
    helper.getNode('n1')!.receive({ topic: 'no payload needed' });
    await got;
    await assert.rejects(stat(file), /ENOENT/);
    helper.getNode('n1')!.receive({});
    assert.match(String((await logged(20)).msg), /^failed to delete file: Error: ENOENT/);
  });

  it('warns when there is no filename and does nothing without a payload', async () => {
    await helper.load([], flow({ filename: 'nothere', filenameType: 'msg' }));
    helper.getNode('n1')!.receive({ payload: 'x' });
    assert.equal((await logged(30)).msg, 'No filename specified');
    const file = fresh();
    await helper.load([], flow({ filename: file }));
    let sent = false;
    helper.getNode('h1')!.on('input', () => (sent = true));
    helper.getNode('n1')!.receive({ topic: 't' });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(sent, false);
    await assert.rejects(stat(file), /ENOENT/);
  });

  it('encodes with the configured encoding or msg.encoding', async () => {
    const file = fresh();
    await helper.load([], flow({ filename: file, encoding: 'cp1251', appendNewline: false }));
    let got = collect(1);
    helper.getNode('n1')!.receive({ payload: 'Жж' });
    await got;
    assert.deepEqual(await readFile(file), Buffer.from([0xc6, 0xe6]));
    const file2 = fresh();
    await helper.load([], flow({ filename: file2, encoding: 'setbymsg', appendNewline: false }));
    got = collect(2);
    helper.getNode('n1')!.receive({ payload: 'é', encoding: 'utf-16be' });
    helper.getNode('n1')!.receive({ payload: 'é' });
    await got;
    assert.deepEqual(await readFile(file2), Buffer.from([0x00, 0xe9, 0xc3, 0xa9]));
  });

  it('without a filename setting, shows the (empty) filename as its status a third of a second later, once', async () => {
    await helper.load([], flow({ filename: '', filenameType: 'str' }));
    const statuses = recordStatuses('n1');
    helper.getNode('n1')!.receive({ payload: 'x' });
    helper.getNode('n1')!.receive({ payload: 'y' });
    await logged(30);
    assert.deepEqual(statuses, []);
    await new Promise((resolve) => setTimeout(resolve, 450));
    assert.deepEqual(statuses, [{ fill: 'grey', shape: 'dot', text: '' }]);
  });

  it('writes the multi-byte and DOS code pages too', async () => {
    const file = fresh();
    await helper.load([], flow({ filename: file, encoding: 'setbymsg', appendNewline: false }));
    const got = collect(2);
    helper.getNode('n1')!.receive({ payload: '試', encoding: 'Shift_JIS' });
    helper.getNode('n1')!.receive({ payload: 'Ç', encoding: 'cp437' });
    await got;
    assert.deepEqual(await readFile(file), Buffer.from([0x8e, 0x8e, 0x80]));
  });

  it('reports an encoding it does not know, and writes nothing', async () => {
    const file = fresh();
    await helper.load([], flow({ filename: file, encoding: 'klingon' }));
    helper.getNode('n1')!.receive({ payload: 'x' });
    const entry = await logged(20);
    assert.equal((entry.msg as { code?: string }).code, 'unsupported_encoding');
    assert.match(String(entry.msg), /Encoding 'klingon' is not supported/);
    await assert.rejects(readFile(file), { code: 'ENOENT' });
  });

  it('refuses an unknown action at deploy', async () => {
    await assert.rejects(helper.load([], flow({ filename: 'x', overwriteFile: 'truncate' })), /overwriteFile/);
  });
});
