import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from './test-helper.js';

/** A contrib node that, like an OAuth node after its callback, keeps a token with RED.nodes.addCredentials. */
function tokenKeeper(RED: any) {
  function TokenKeeper(this: any, config: any) {
    RED.nodes.createNode(this, config);
    this.on('input', async (msg: any, send: any, done: any) => {
      try {
        if (msg.topic === 'forget') RED.nodes.deleteCredentials(this.id);
        else await RED.nodes.addCredentials(this.id, { accessToken: msg.payload });
        send({ payload: RED.nodes.getCredentials(this.id) ?? null });
        done();
      } catch (err) {
        done(err);
      }
    });
  }
  RED.nodes.registerType('token-keeper', TokenKeeper, { credentials: { accessToken: { type: 'password' } } });
}

describe('RED.nodes.addCredentials and deleteCredentials', () => {
  after(() => helper.unload());

  it('keep credentials a node obtains at run time, read back by RED.nodes.getCredentials, and delete them', async () => {
    await helper.load(tokenKeeper, [
      { id: 'k1', type: 'token-keeper', wires: [['h1']] },
      { id: 'h1', type: 'helper', wires: [] },
    ], { k1: { accessToken: 'from-the-editor' } });
    const next = () => new Promise<any>((resolve) => helper.getNode('h1')!.once('input', resolve));
    let got = next();
    helper.getNode('k1')!.receive({ payload: 'fresh-token' } as any);
    assert.deepEqual((await got).payload, { accessToken: 'fresh-token' });
    got = next();
    helper.getNode('k1')!.receive({ topic: 'forget' } as any);
    // As Node-RED: gone from the credentials, though the live node keeps what it was created with.
    assert.equal((await got).payload, null);
    assert.deepEqual(helper.getNode('k1')!.credentials, { accessToken: 'from-the-editor' });
  });

  it('refuses credentials that are not an object, naming the node, and keeps those it had', async () => {
    const badKeeper = (RED: any) => {
      RED.nodes.registerType('bad-keeper', function (this: any, config: any) {
        RED.nodes.createNode(this, config);
        this.on('input', async (_msg: any, send: any, done: any) => {
          try {
            await RED.nodes.addCredentials(this.id, 'not-an-object');
            done();
          } catch (err) {
            send({ payload: (err as Error).message, code: (err as { code?: string }).code, kept: RED.nodes.getCredentials(this.id) });
            done();
          }
        });
      });
    };
    await helper.load(badKeeper, [
      { id: 'b1', type: 'bad-keeper', wires: [['h1']] },
      { id: 'h1', type: 'helper', wires: [] },
    ], { b1: { user: 'alice' } });
    const got = new Promise<any>((resolve) => helper.getNode('h1')!.once('input', resolve));
    helper.getNode('b1')!.receive({ payload: 1 } as any);
    const msg = await got;
    assert.equal(msg.code, 'invalid_credentials');
    assert.match(msg.payload, /node b1 must be an object/);
    assert.deepEqual(msg.kept, { user: 'alice' });
  });
});
