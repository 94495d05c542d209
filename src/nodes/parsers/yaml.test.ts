import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { helperNodes, nextMessage, nodeToHelper, TAB, waitForLog, type AnyMsg } from '../test-kit.js';

afterEach(() => helper.unload());

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'n1', type: 'yaml', ...props });
const nextMsg = () => nextMessage<AnyMsg>('h1');
const logged = (level: number): Promise<AnyMsg> => waitForLog('n1', level);

describe('yaml node', () => {
  it('parses YAML into an object', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: 'a: 1\nb:\n  - x\n  - true\nc: ~\n' });
    assert.deepEqual((await got).payload, { a: 1, b: ['x', true], c: null });
  });

  it('reads timestamps and merge keys as js-yaml does', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: 'when: 2001-12-14\nbase: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n' });
    const payload = (await got).payload;
    assert.ok(payload.when instanceof Date);
    assert.equal(payload.when.toISOString(), '2001-12-14T00:00:00.000Z');
    assert.deepEqual(payload.c, { x: 1, y: 2 });
  });

  it('turns an object into YAML', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: { a: 1, b: [1, 2], c: { d: 'x' } } });
    assert.equal((await got).payload, 'a: 1\nb:\n  - 1\n  - 2\nc:\n  d: x\n');
  });

  // Node-RED 4.1's text, from its js-yaml 4.3.2: strings YAML 1.1 would read as booleans or
  // numbers quoted (single quotes), tabs escaped, -0 as -0.0. The `yaml` package wrote `s: yes`.
  it("writes the text Node-RED writes: YAML 1.1 booleans and numbers quoted, js-yaml's quoting", async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: { s: 'yes', t: 'on', y: 'n', x: '123', colon: 'a: b', tab: 'a\tb', multi: 'line1\nline2\n', z: -0 } });
    assert.equal((await got).payload, "s: 'yes'\nt: 'on'\n'y': 'n'\nx: '123'\ncolon: 'a: b'\ntab: \"a\\tb\"\nmulti: |\n  line1\n  line2\nz: -0.0\n");
  });

  it('reads !!set and !!omap, and an empty document, into the values Node-RED gives', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: 'a: !!set {x, y}\nb: !!omap [x: 1]\n' });
    assert.deepEqual((await got).payload, { a: { x: null, y: null }, b: [{ x: 1 }] });
    const empty = nextMsg();
    helper.getNode('n1')!.receive({ payload: '', topic: 't' });
    const msg = await empty;
    assert.equal('payload' in msg, false, 'an empty document is undefined, so the property goes');
    assert.equal(msg.topic, 't');
  });

  it('works on another property and passes on a message without it', async () => {
    await helper.load([], flow({ property: 'y.z' }));
    const got1 = nextMsg();
    helper.getNode('n1')!.receive({ y: { z: 'k: v' } });
    assert.deepEqual((await got1).y.z, { k: 'v' });
    await helper.load([], flow({ property: 'y' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: 'k: v' });
    assert.equal((await got).payload, 'k: v');
  });

  it('reports bad YAML as an error', async () => {
    await helper.load([], flow({}));
    helper.getNode('n1')!.receive({ payload: 'a: [1, 2\nb: }' });
    const entry = await logged(20);
    // Logged as text, as Node-RED logs it.
    assert.equal(typeof entry.msg, 'string');
    // js-yaml's message, as Node-RED logs it: what is wrong, where, and the lines around it.
    assert.match(entry.msg, /^missed comma between flow collection entries \(2:1\)\n/);
  });

  it("gives a catch node the parser's message, without the error's name, as Node-RED does", async () => {
    await helper.load([], [...flow({}), { id: 'c1', type: 'catch', z: TAB, scope: null, wires: [['h2']] }, ...helperNodes(['h2'])]);
    const caught = nextMessage<AnyMsg>('h2');
    helper.getNode('n1')!.receive({ payload: 'a: [1, 2\nb: }' });
    const { error } = await caught;
    assert.doesNotMatch(error.message, /^YAMLException/);
    assert.match(error.message, /^missed comma between flow collection entries \(2:1\)/);
  });

  it('warns about a Buffer and about a number', async () => {
    await helper.load([], flow({}));
    helper.getNode('n1')!.receive({ payload: Buffer.from('a: 1') });
    assert.equal((await logged(30)).msg, 'Ignored non-object payload');
    helper.log().resetHistory();
    helper.getNode('n1')!.receive({ payload: 12 });
    assert.equal((await logged(30)).msg, 'Ignored unsupported payload type');
  });
});
