import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { nextMessage, nodeToHelper, waitForLog, type AnyMsg } from '../test-kit.js';

afterEach(() => helper.unload());

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'n1', type: 'xml', ...props });
const nextMsg = () => nextMessage<AnyMsg>('h1');
const logged = (level: number): Promise<AnyMsg> => waitForLog('n1', level);

const doc = '<employees><firstName attr="x">John</firstName><lastName>Smith</lastName></employees>';

describe('xml node', () => {
  it('parses XML into an object with $ and _ keys', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: doc });
    assert.deepEqual((await got).payload, {
      employees: { firstName: [{ _: 'John', $: { attr: 'x' } }], lastName: ['Smith'] },
    });
  });

  it('uses the configured attribute and character keys', async () => {
    await helper.load([], flow({ attr: '@', chr: '#' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: doc });
    assert.deepEqual((await got).payload.employees.firstName[0], { '#': 'John', '@': { attr: 'x' } });
  });

  it('passes msg.options to the parser', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: doc, options: { explicitArray: false, attrkey: 'A' } });
    assert.deepEqual((await got).payload.employees, { firstName: { _: 'John', A: { attr: 'x' } }, lastName: 'Smith' });
  });

  it('builds compact XML from an object', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: { root: { a: ['1', '2'], $: { id: 'r' } } } });
    assert.equal((await got).payload, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><root id="r"><a>1</a><a>2</a></root>');
  });

  it('passes msg.options to the builder', async () => {
    await helper.load([], flow({}));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: { root: { a: '1' } }, options: { headless: true, renderOpts: { pretty: true, indent: ' ', newline: '\n' } } });
    assert.equal((await got).payload, '<root>\n <a>1</a>\n</root>');
  });

  it('works on another property and passes on a message without it', async () => {
    await helper.load([], flow({ property: 'body' }));
    let got = nextMsg();
    helper.getNode('n1')!.receive({ body: '<a>1</a>' });
    assert.deepEqual((await got).body, { a: '1' });
    got = nextMsg();
    helper.getNode('n1')!.receive({ payload: 1 });
    assert.equal((await got).payload, 1);
  });

  it('reports malformed XML as an error', async () => {
    await helper.load([], flow({}));
    helper.getNode('n1')!.receive({ payload: '<a><b></a>' });
    const entry = await logged(20);
    assert.match(String(entry.msg.message), /Unexpected close tag/);
  });

  it('warns about a payload that is neither a string nor an object', async () => {
    await helper.load([], flow({}));
    helper.getNode('n1')!.receive({ payload: 7 });
    assert.equal((await logged(30)).msg, 'This node only handles xml strings or js objects.');
  });
});
