import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { helper } from '../../compat/test-helper.js';
import { request, tab } from './http-request-kit.js';
import { makeCertificate, startProxy, startTestServer, startTlsServer, type Certificate } from './test-servers.js';

let server: Awaited<ReturnType<typeof startTestServer>>;

describe('http request over TLS', () => {
  let cert: Certificate;
  let tls: Awaited<ReturnType<typeof startTlsServer>>;
  before(async () => {
    cert = makeCertificate();
    tls = await startTlsServer(cert);
  });
  after(async () => {
    await tls.close();
    cert.remove();
  });
  afterEach(() => helper.unload());

  const tlsNode = (props: Record<string, unknown>) => ({ id: 'tls', type: 'tls-config', ...props });

  it('refuses a self-signed certificate by default', async () => {
    const { caught, out } = await request({ url: `${tls.url}/x` });
    assert.match((await caught).error.message, /self-signed|self signed/);
    assert.match(String((await out).statusCode), /SELF_SIGNED|DEPTH_ZERO/);
  });

  it('trusts the server with the CA file of a tls-config node', async () => {
    const msg = await (await request({ ret: 'obj', url: `${tls.url}/x`, tls: 'tls' }, {}, { extra: [tlsNode({ ca: cert.certPath, verifyservercert: true })] })).out;
    assert.deepEqual(msg.payload, { secure: true, path: '/x' });
  });

  it('trusts the server with CA data pasted into the tls-config credentials', async () => {
    await helper.load([], [
      tab,
      tlsNode({ verifyservercert: true }),
      { id: 'req', type: 'http request', z: 'f', ret: 'obj', url: `${tls.url}/y`, tls: 'tls', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f', wires: [] },
    ], { tls: { cadata: cert.cert } });
    const out = new Promise<any>((resolve) => helper.getNode('out')!.once('input', resolve));
    helper.getNode('req')!.receive({});
    assert.equal((await out).payload.path, '/y');
  });

  it('skips verification when verifyservercert is off, or msg.rejectUnauthorized is false', async () => {
    const off = await (await request({ ret: 'obj', url: `${tls.url}/z`, tls: 'tls' }, {}, { extra: [tlsNode({ verifyservercert: false })] })).out;
    assert.equal(off.payload.secure, true);
    const fromMsg = await (await request({ ret: 'obj', url: `${tls.url}/z` }, { rejectUnauthorized: 'false' })).out;
    assert.equal(fromMsg.payload.secure, true);
  });

  it('adds https:// to a scheme-less url when a tls-config is set', async () => {
    const msg = await (await request({ ret: 'obj', url: `${tls.url.replace('https://', '')}/s`, tls: 'tls' }, {}, { extra: [tlsNode({ ca: cert.certPath })] })).out;
    assert.equal(msg.payload.path, '/s');
  });

  it('reports an unreadable certificate file as a tls-config error', async () => {
    await request({ url: `${tls.url}/x`, tls: 'tls' }, {}, { extra: [tlsNode({ cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' })] });
    assert.ok(helper.log().args.some(([e]) => e.id === 'tls' && e.level === 20 && /ENOENT/.test(String(e.msg))));
  });

  it('reads the CA from an environment variable with certType env', async () => {
    process.env.REDOUBT_TEST_CA = cert.cert;
    try {
      const msg = await (await request({ ret: 'obj', url: `${tls.url}/env`, tls: 'tls' }, {}, { extra: [tlsNode({ certType: 'env', caEnv: 'REDOUBT_TEST_CA', verifyservercert: true })] })).out;
      assert.equal(msg.payload.path, '/env');
    } finally {
      delete process.env.REDOUBT_TEST_CA;
    }
  });

  it('presents a client certificate from a pfx bundle with its passphrase', async () => {
    const https = await import('node:https');
    const mutual = https.createServer({ cert: cert.cert, key: cert.key, ca: cert.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      res.end(String(peer.subject?.CN));
    });
    await new Promise<void>((r) => mutual.listen(0, '127.0.0.1', () => r()));
    const url = `https://127.0.0.1:${(mutual.address() as { port: number }).port}/`;
    try {
      await helper.load([], [
        tab,
        tlsNode({ certType: 'pfx', p12: cert.p12Path, verifyservercert: false }),
        { id: 'req', type: 'http request', z: 'f', url, tls: 'tls', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'f', wires: [] },
      ], { tls: { passphrase: 'p12pass' } });
      const out = new Promise<any>((resolve) => helper.getNode('out')!.once('input', resolve));
      helper.getNode('req')!.receive({});
      assert.equal((await out).payload, 'localhost');
      const refused = await request({ url, tls: 'tls' }, {}, { extra: [tlsNode({ verifyservercert: false })] });
      assert.ok(await refused.caught);
    } finally {
      mutual.closeAllConnections();
      await new Promise((r) => mutual.close(r));
    }
  });

  it('refuses a certificate without its key', async () => {
    await request({ url: `${tls.url}/x`, tls: 'tls' }, {}, { extra: [tlsNode({ cert: cert.certPath })] });
    assert.ok(helper.log().args.some(([e]) => e.id === 'tls' && e.msg === 'No certificate/key file provided'));
  });
});

describe('http request through a proxy', () => {
  afterEach(() => helper.unload());
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('sends http requests through the http proxy node, with its credentials', async () => {
    const proxy = await startProxy('pu:pp');
    try {
      const msg = await (
        await request({ ret: 'obj', url: `${server.url}/echo`, proxy: 'px' }, {}, { extra: [{ id: 'px', type: 'http proxy', url: proxy.url, noproxy: [] }] })
      ).out;
      assert.equal(msg.statusCode, 407);
      await helper.unload();
      await helper.load([], [
        tab,
        { id: 'px', type: 'http proxy', url: proxy.url, noproxy: [] },
        { id: 'req', type: 'http request', z: 'f', ret: 'obj', url: `${server.url}/echo`, proxy: 'px', wires: [['out']] },
        { id: 'out', type: 'helper', z: 'f', wires: [] },
      ], { px: { username: 'pu', password: 'pp' } });
      const out = new Promise<any>((resolve) => helper.getNode('out')!.once('input', resolve));
      helper.getNode('req')!.receive({});
      const ok = await out;
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.headers['x-via-proxy'], 'yes');
      assert.equal(proxy.seen.at(-1)?.target, `${server.url}/echo`);
    } finally {
      await proxy.close();
    }
  });

  it('tunnels https through the proxy with CONNECT', async () => {
    const proxy = await startProxy();
    const cert = makeCertificate();
    const tls = await startTlsServer(cert);
    try {
      const msg = await (
        await request({ ret: 'obj', url: `${tls.url}/t`, proxy: 'px', tls: 'tls' }, {}, {
          extra: [{ id: 'px', type: 'http proxy', url: proxy.url, noproxy: [] }, { id: 'tls', type: 'tls-config', ca: cert.certPath }],
        })
      ).out;
      assert.deepEqual(msg.payload, { secure: true, path: '/t' });
      assert.deepEqual(proxy.seen.map((s) => s.kind), ['connect']);
    } finally {
      await tls.close();
      await proxy.close();
      cert.remove();
    }
  });

  it('bypasses the proxy for hosts in noproxy', async () => {
    const proxy = await startProxy();
    try {
      const msg = await (
        await request({ url: `${server.url}/text`, proxy: 'px' }, {}, { extra: [{ id: 'px', type: 'http proxy', url: proxy.url, noproxy: ['127.0.0.1'] }] })
      ).out;
      assert.equal(msg.payload, 'hello');
      assert.equal(proxy.seen.length, 0);
    } finally {
      await proxy.close();
    }
  });
});
