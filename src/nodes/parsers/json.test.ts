import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { assertNothingSent, helperNodes, nextMessage, nodeToHelper, TAB, waitForLog, type AnyMsg } from '../test-kit.js';

afterEach(() => helper.unload());

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'n1', type: 'json', ...props });
const nextMsg = () => nextMessage<AnyMsg>('h1');
const logged = (level: number): Promise<AnyMsg> => waitForLog('n1', level);
const nothingSent = () => assertNothingSent('h1');

describe('json node', () => {
  it('parses a JSON string into an object', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: '{"a":1,"b":[true,null]}' });
    assert.deepEqual((await got).payload, { a: 1, b: [true, null] });
  });

  it('parses a Buffer of JSON', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: Buffer.from('[1,2]') });
    assert.deepEqual((await got).payload, [1, 2]);
  });

  it('turns an object, number or boolean into a compact string', async () => {
    await helper.load([], flow({}));
    for (const [input, out] of [[{ a: 1 }, '{"a":1}'], [5, '5'], [false, 'false']] as const) {
      const got = nextMsg();
      helper.getNode('n1')!.receive({ payload: input });
      assert.equal((await got).payload, out);
    }
  });

  it('indents by four spaces when pretty is set', async () => {
    await helper.load([], flow({ pretty: true }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: { a: 1 } });
    assert.equal((await got).payload, '{\n    "a": 1\n}');
  });

  it('works on another property', async () => {
    await helper.load([], flow({ property: 'data.inner' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: 'keep', data: { inner: '{"x":2}' } });
    const msg = await got;
    assert.deepEqual(msg.data.inner, { x: 2 });
    assert.equal(msg.payload, 'keep');
  });

  it('passes the message on when the property is missing', async () => {
    await helper.load([], flow({ property: 'nope' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: 'x' });
    assert.equal((await got).payload, 'x');
  });

  it("leaves an object alone with action 'obj' and a string alone with action 'str'", async () => {
    await helper.load([], flow({ action: 'obj' }));
    let got = nextMsg();
    helper.getNode('n1')!.receive({ payload: { a: 1 } });
    assert.deepEqual((await got).payload, { a: 1 });
    await helper.load([], flow({ action: 'str' }));
    got = nextMsg();
    helper.getNode('n1')!.receive({ payload: 'not json' });
    assert.equal((await got).payload, 'not json');
  });

  it("still stringifies with action 'str' and parses with action 'obj'", async () => {
    await helper.load([], flow({ action: 'str' }));
    let got = nextMsg();
    helper.getNode('n1')!.receive({ payload: [1] });
    assert.equal((await got).payload, '[1]');
    await helper.load([], flow({ action: 'obj' }));
    got = nextMsg();
    helper.getNode('n1')!.receive({ payload: '[1]' });
    assert.deepEqual((await got).payload, [1]);
  });

  it('reports invalid JSON as an error and sends nothing', async () => {
    await helper.load([], flow({}));
    const none = nothingSent();
    helper.getNode('n1')!.receive({ payload: '{bad' });
    const entry = await logged(20);
    // Logged as text, as Node-RED logs it.
    assert.equal(typeof entry.msg, 'string');
    assert.match(entry.msg, /JSON/);
    await none;
  });

  it("gives a catch node the parser's message, without the error's name, as Node-RED does", async () => {
    await helper.load([], [...flow({}), { id: 'c1', type: 'catch', z: TAB, scope: null, wires: [['h2']] }, ...helperNodes(['h2'])]);
    const caught = nextMessage<AnyMsg>('h2');
    helper.getNode('n1')!.receive({ payload: '{bad' });
    let expected = '';
    try {
      JSON.parse('{bad');
    } catch (err) {
      expected = (err as Error).message;
    }
    const { error } = await caught;
    assert.equal(error.message, expected);
  });

  it('warns about an unsupported type', async () => {
    await helper.load([], flow({}));
    helper.getNode('n1')!.receive({ payload: () => 1 });
    const entry = await logged(30);
    assert.equal(entry.msg, 'Ignored unsupported payload type');
  });

  it('refuses an unknown action at deploy', async () => {
    await assert.rejects(helper.load([], flow({ action: 'xml' })), /action/);
  });

  describe('schema validation', () => {
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };

    it('passes a valid object on and removes msg.schema', async () => {
      await helper.load([], flow({}));
      const got = nextMsg();
      helper.getNode('n1')!.receive({ payload: '{"n":3}', schema });
      const msg = await got;
      assert.deepEqual(msg.payload, { n: 3 });
      assert.equal('schema' in msg, false);
    });

    it('validates before stringifying an object', async () => {
      await helper.load([], flow({}));
      const got = nextMsg();
      helper.getNode('n1')!.receive({ payload: { n: 1 }, schema });
      assert.equal((await got).payload, '{"n":1}');
    });

    it('validates a string kept as a string and an object kept as an object', async () => {
      await helper.load([], flow({ action: 'str' }));
      let got = nextMsg();
      helper.getNode('n1')!.receive({ payload: '{"n":1}', schema });
      assert.equal((await got).payload, '{"n":1}');
      await helper.load([], flow({ action: 'obj' }));
      const none = nothingSent();
      helper.getNode('n1')!.receive({ payload: { n: 'x' }, schema });
      const entry = await logged(20);
      assert.match(String(entry.msg.message), /^JSON Schema error: data\/n must be number/);
      await none;
    });

    it('fails an invalid message with every error in msg.schemaError', async () => {
      await helper.load([], flow({}));
      const node = helper.getNode('n1')!;
      const msg: any = { payload: '{"n":"x","m":1}', schema: { ...schema, properties: { n: { type: 'number' }, m: { type: 'string' } } } };
      const none = nothingSent();
      node.receive(msg);
      const entry = await logged(20);
      assert.match(entry.msg.message, /JSON Schema error: .*data\/n must be number, data\/m must be string/);
      assert.equal(msg.schemaError.length, 2);
      assert.equal(msg.schemaError[0].instancePath, '/n');
      await none;
    });

    it('reports a schema that does not compile', async () => {
      await helper.load([], flow({}));
      helper.getNode('n1')!.receive({ payload: '{}', schema: { type: 'nonsense' } });
      const entry = await logged(20);
      assert.equal(entry.msg.message, 'JSON Schema error: failed to compile schema');
    });

    it('accepts draft-06 schemas', async () => {
      await helper.load([], flow({}));
      const got = nextMsg();
      helper.getNode('n1')!.receive({ payload: '{"n":1}', schema: { $schema: 'http://json-schema.org/draft-06/schema#', ...schema } });
      assert.deepEqual((await got).payload, { n: 1 });
    });
  });
});
