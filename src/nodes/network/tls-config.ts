/**
 * `tls-config`: certificates and checks for TLS clients (http request, websocket-client) and
 * servers. Material comes from files (`certType: 'files'`, or pasted into the editor and kept
 * as credentials), a PKCS#12 bundle (`pfx`), or environment variables (`env`). Like Node-RED's,
 * the node exposes `addTLSOptions(opts)` on itself, so contrib nodes that call it keep working.
 */
import { readFile } from 'node:fs/promises';
import type { SecureContextOptions } from 'node:tls';
import { boolean, defineNode, select, string, type NodeApi } from '../../runtime/definition/index.js';
import { evaluateNodeProperty } from '../../runtime/properties/index.js';

/** The options `addTLSOptions` fills, in Node's `tls.connect` names. */
export type TlsOptions = SecureContextOptions & { rejectUnauthorized?: boolean; servername?: string; ALPNProtocols?: string[] };

export interface TlsConfigApi {
  readonly valid: boolean;
  readonly verifyservercert: boolean;
  addTLSOptions(opts: TlsOptions): TlsOptions;
}

/** The TLS options of a config node (ours or a contrib one with Node-RED's `addTLSOptions`). */
export function tlsOptionsFrom(node: NodeApi | undefined): TlsOptions | undefined {
  const add = (node as Partial<TlsConfigApi> | undefined)?.addTLSOptions;
  return typeof add === 'function' ? add.call(node, {}) : undefined;
}

export const tlsConfigNode = defineNode({
  type: 'tls-config',
  category: 'config',
  isConfig: true,
  inputs: 0,
  outputs: 0,
  properties: {
    certType: select(['files', 'pfx', 'env'], { default: 'files', lenient: true, label: 'Cert type' }),
    cert: string({ default: '', label: 'Certificate' }),
    key: string({ default: '', label: 'Private key' }),
    p12: string({ default: '', label: 'pfx or p12' }),
    p12name: string({ default: '' }),
    ca: string({ default: '', label: 'CA Certificate' }),
    certname: string({ default: '' }),
    keyname: string({ default: '' }),
    caname: string({ default: '' }),
    servername: string({ default: '', label: 'Server Name' }),
    verifyservercert: boolean({ default: true, label: 'Verify server certificate' }),
    alpnprotocol: string({ default: '', label: 'ALPN Protocol' }),
    certEnv: string({ default: '' }),
    keyEnv: string({ default: '' }),
    caEnv: string({ default: '' }),
  },
  credentials: {
    certdata: { type: 'text' },
    keydata: { type: 'text' },
    cadata: { type: 'text' },
    p12data: { type: 'text' },
    passphrase: { type: 'password' },
  },
  editor: { icon: 'lock.svg' },
  async create(config, node) {
    const creds = node.credentials as Record<string, string | undefined>;
    const material: { cert?: string | Buffer; key?: string | Buffer; ca?: string | Buffer; pfx?: Buffer } = {};
    let valid = true;
    const fail = (message: string) => {
      valid = false;
      node.error(message);
    };
    const certPath = config.cert.trim();
    const keyPath = config.key.trim();
    const caPath = config.ca.trim();
    const p12Path = config.p12.trim();
    try {
      if (config.certType === 'pfx' && p12Path) {
        material.pfx = await readFile(p12Path);
      } else if (config.certType === 'env') {
        const fromEnv = (name: string) => (name ? Buffer.from(String(evaluateNodeProperty(name, 'env', node, undefined) ?? '')) : undefined);
        material.cert = fromEnv(config.certEnv);
        material.key = fromEnv(config.keyEnv);
        material.ca = fromEnv(config.caEnv);
      } else if (certPath || keyPath || caPath) {
        if (Boolean(certPath) !== Boolean(keyPath)) fail('No certificate/key file provided');
        else {
          if (certPath) material.cert = await readFile(certPath);
          if (keyPath) material.key = await readFile(keyPath);
          if (caPath) material.ca = await readFile(caPath);
        }
      } else {
        const certData = creds.certdata ?? '';
        const keyData = creds.keydata ?? '';
        const p12Data = creds.p12data ?? '';
        if (Boolean(certData) !== Boolean(keyData) && !p12Data) fail('No certificate/key file provided');
        else {
          if (certData) material.cert = certData;
          if (keyData) material.key = keyData;
          if (creds.cadata) material.ca = creds.cadata;
          if (p12Data) material.pfx = Buffer.from(p12Data, 'base64');
        }
      }
    } catch (err) {
      fail(String(err));
    }
    const servername = config.servername.trim();
    const alpn = config.alpnprotocol.trim();
    const api: TlsConfigApi = {
      get valid() {
        return valid;
      },
      verifyservercert: config.verifyservercert,
      addTLSOptions(opts) {
        if (valid) {
          // Node-RED only hands out the material of the selected kind.
          if (config.certType === 'pfx') {
            if (material.pfx) opts.pfx = material.pfx;
          } else {
            if (material.key) opts.key = material.key;
            if (material.cert) opts.cert = material.cert;
            if (material.ca) opts.ca = material.ca;
          }
          if (creds.passphrase) opts.passphrase = creds.passphrase;
        }
        if (servername) opts.servername = servername;
        if (alpn) opts.ALPNProtocols = [alpn];
        opts.rejectUnauthorized = config.verifyservercert;
        return opts;
      },
    };
    Object.defineProperties(node, Object.getOwnPropertyDescriptors(api));
  },
});
