import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, nodeToHelper, useTempDir, type AnyMsg } from '../test-kit.js';

const tmp = useTempDir('redoubt-watch-');
afterEach(() => helper.unload());

async function freshDir(): Promise<string> {
  const d = tmp.fresh('d');
  await mkdir(d);
  return d;
}

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'n1', type: 'watch', ...props });

/** Resolves with the first message matching `test`. */
const next = (test?: (m: AnyMsg) => boolean) => nextMessage<AnyMsg>('h1', test);

describe('watch node', () => {
  it('reports a changed file in a watched directory', async () => {
    const d = await freshDir();
    await helper.load([], flow({ files: d }));
    const got = next((m) => m.file === 'a.txt');
    await writeFile(join(d, 'a.txt'), '12345');
    const msg = await got;
    assert.equal(msg.payload, join(d, 'a.txt'));
    assert.equal(msg.filename, join(d, 'a.txt'));
    assert.equal(msg.topic, d);
    assert.equal(msg.type, 'file');
    assert.equal(msg.size, 5);
    assert.equal(msg.event, 'update');
  });

  it('reports a removed file with type none', async () => {
    const d = await freshDir();
    const file = join(d, 'gone.txt');
    await writeFile(file, 'x');
    await helper.load([], flow({ files: d }));
    const got = next((m) => m.event === 'remove');
    await unlink(file);
    const msg = await got;
    assert.equal(msg.file, 'gone.txt');
    assert.equal(msg.type, 'none');
    assert.equal('size' in msg, false);
  });

  it('watches a list of files, with the list as topic', async () => {
    const d = await freshDir();
    const a = join(d, 'a');
    const b = join(d, 'b');
    await writeFile(a, '');
    await writeFile(b, '');
    await helper.load([], flow({ files: `${a}, ${b}` }));
    const got = next();
    await writeFile(b, 'changed');
    const msg = await got;
    assert.equal(msg.payload, b);
    assert.equal(msg.topic, JSON.stringify([a, b]));
  });

  it('sees changes in sub-directories when recursive', async () => {
    const d = await freshDir();
    await mkdir(join(d, 'sub'));
    await helper.load([], flow({ files: d, recursive: true }));
    const got = next((m) => m.file === 'deep.txt');
    await writeFile(join(d, 'sub', 'deep.txt'), 'x');
    assert.equal((await got).payload, join(d, 'sub', 'deep.txt'));
  });

  it('reports a directory entry as a directory', async () => {
    const d = await freshDir();
    await helper.load([], flow({ files: d }));
    const got = next((m) => m.file === 'newdir');
    await mkdir(join(d, 'newdir'));
    assert.equal((await got).type, 'directory');
  });

  it('reports a path that does not exist', async () => {
    await helper.load([], flow({ files: join(tmp.path, 'missing') }));
    for (let i = 0; i < 200 && !helper.log().args.some(([e]) => e.level === 20); i++) await new Promise((r) => setTimeout(r, 5));
    const entry = helper.log().args.find(([e]) => e.level === 20 && e.id === 'n1');
    assert.match(String(entry?.[0].msg), /missing does not exist/);
  });

  it('closes its watchers when the flow stops', async () => {
    const watchers = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
    const d = await freshDir();
    const before = watchers();
    await helper.load([], flow({ files: d }));
    assert.equal(watchers(), before + 1);
    await helper.runtime()!.setFlows([]);
    // A closed watcher's handle goes away once the loop turns.
    for (let i = 0; i < 100 && watchers() !== before; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(watchers(), before);
  });
});
