import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { collect as collectMessages, helperNodes, nextMessage, nodeToHelper, TAB, type AnyMsg } from '../test-kit.js';

afterEach(() => helper.unload());

const flow = (props: Record<string, unknown>) => nodeToHelper({ id: 'n1', type: 'html', ...props });
const nextMsg = () => nextMessage<AnyMsg>('h1');
const collect = (count: number) => collectMessages<AnyMsg>('h1', count);

const page = '<html><body><h1 class="t" id="x">Title <b>bold</b></h1><ul><li a="1">one</li><li a="2">two<br></li><li></li></ul></body></html>';

describe('html node', () => {
  it('returns the inner HTML of each match in one array', async () => {
    await helper.load([], flow({ tag: 'li' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: page });
    assert.deepEqual((await got).payload, ['one', 'two<br/>', '']);
  });

  it('returns text', async () => {
    await helper.load([], flow({ tag: 'h1', ret: 'text' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: page });
    assert.deepEqual((await got).payload, ['Title bold']);
  });

  // Node-RED 4.1's cheerio (1.0.0-rc.10) leaves script and style out of an element's text.
  it('returns text without the content of script and style elements or comments, as Node-RED does', async () => {
    const doc = '<div>a<script>s()</script>b<style>.x{}</style>c<!-- com -->d<noscript>n</noscript><textarea>t</textarea></div><script>only()</script>';
    await helper.load([], flow({ tag: 'div, script', ret: 'text' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: doc });
    assert.deepEqual((await got).payload, ['abcdnt', '', '']);
  });

  it('writes character references in upper-case hex, as Node-RED does', async () => {
    await helper.load([], flow({ tag: 'span' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: '<span>a&nbsp;b</span><span>caf\u00e9 \u2713 &#169; &lt;t&gt; &amp;#xa0;</span>' });
    assert.deepEqual((await got).payload, ['a&#xA0;b', 'caf&#xE9; &#x2713; &#xA9; &lt;t&gt; &amp;#xa0;']);
  });

  it('returns attributes', async () => {
    await helper.load([], flow({ tag: 'li', ret: 'attr' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: page });
    assert.deepEqual((await got).payload, [{ a: '1' }, { a: '2' }, {}]);
  });

  it('returns attributes and content under the content key', async () => {
    await helper.load([], flow({ tag: 'h1', ret: 'compl', chr: 'content' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: page });
    assert.deepEqual((await got).payload, [{ content: 'Title <b>bold</b>', class: 't', id: 'x' }]);
  });

  it('sends one message per element with parts, skipping empty results', async () => {
    await helper.load([], flow({ tag: 'li', ret: 'text', as: 'multi' }));
    const got = collect(2);
    const msg = { payload: page, _msgid: 'm1' };
    helper.getNode('n1')!.receive(msg);
    const msgs = await got;
    assert.deepEqual(msgs.map((m) => m.payload), ['one', 'two']);
    assert.deepEqual(msgs[1].parts, { id: 'm1', index: 1, count: 3, type: 'string', ch: '' });
  });

  it('uses msg.select when no selector is configured', async () => {
    await helper.load([], flow({ ret: 'text' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: page, select: 'li[a="2"]' });
    assert.deepEqual((await got).payload, ['two']);
  });

  it('prefers the configured selector over msg.select', async () => {
    await helper.load([], flow({ tag: 'h1', ret: 'text' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: page, select: 'li' });
    assert.deepEqual((await got).payload, ['Title bold']);
  });

  it('sends an empty array when nothing matches', async () => {
    await helper.load([], flow({ tag: 'table' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ payload: page });
    assert.deepEqual((await got).payload, []);
  });

  it('reads and writes the configured properties', async () => {
    await helper.load([], flow({ tag: 'li', ret: 'text', property: 'doc', outproperty: 'out.items' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ doc: page, payload: 'kept' });
    const msg = await got;
    assert.deepEqual(msg.out.items, ['one', 'two', '']);
    assert.equal(msg.payload, 'kept');
  });

  it('passes on a message without the property', async () => {
    await helper.load([], flow({ tag: 'li' }));
    const got = nextMsg();
    helper.getNode('n1')!.receive({ topic: 't' });
    assert.equal((await got).topic, 't');
  });

  it('reports a bad selector as an error', async () => {
    await helper.load([], flow({ tag: 'li[' }));
    helper.getNode('n1')!.receive({ payload: page });
    for (let i = 0; i < 200 && !helper.log().args.some(([e]) => e.level === 20); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(helper.log().args.some(([e]) => e.level === 20 && e.id === 'n1'));
  });

  it("gives a catch node the selector error's message, without the error's name, as Node-RED does", async () => {
    await helper.load([], [...flow({ tag: 'li[' }), { id: 'c1', type: 'catch', z: TAB, scope: null, wires: [['h2']] }, ...helperNodes(['h2'])]);
    const caught = nextMessage<AnyMsg>('h2');
    helper.getNode('n1')!.receive({ payload: page });
    const { error } = await caught;
    assert.doesNotMatch(error.message, /^\w*Error: /);
    assert.ok(error.message.length > 0);
  });

  it('refuses an unknown output kind at deploy', async () => {
    await assert.rejects(helper.load([], flow({ ret: 'val' })), /ret/);
  });
});
