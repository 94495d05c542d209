import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ValidationError } from '../errors/index.js';
import { loadSettingsFile, parseSettings } from './settings-file.js';

describe('redoubt.yaml', () => {
  it('gives safe defaults when empty: exec off, external modules off', () => {
    const s = parseSettings('');
    assert.equal(s.execEnabled, false);
    assert.equal(s.functionExternalModules, false);
    assert.equal(s.flowFile, 'flows.json');
  });

  it('reads declared settings', () => {
    const s = parseSettings('execEnabled: true\nfunctionTimeoutMs: 250\ncontextStorage:\n  file: { module: localfilesystem }\n');
    assert.equal(s.execEnabled, true);
    assert.equal(s.functionTimeoutMs, 250);
    assert.deepEqual(s.contextStorage, { file: { module: 'localfilesystem' } });
  });

  it('names an unknown setting', () => {
    assert.throws(() => parseSettings('execEnabeld: true'), (err: unknown) => err instanceof ValidationError && /unknown setting 'execEnabeld'/.test(err.message));
  });

  it('names a setting of the wrong type and every other problem at once', () => {
    assert.throws(
      () => parseSettings('functionTimeoutMs: fast\ndebugMaxLength: 1\n'),
      (err: unknown) => err instanceof ValidationError && err.issues.length === 2 && err.issues.every((i) => i.property === 'functionTimeoutMs' || i.property === 'debugMaxLength'),
    );
  });

  it('gives the line of a YAML syntax error', () => {
    assert.throws(() => parseSettings('a: [1, 2\nb: 3'), (err: unknown) => err instanceof ConfigError && /line \d+/.test(err.message));
  });

  it('treats a missing file as defaults', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redoubt-settings-'));
    assert.equal((await loadSettingsFile(join(dir, 'redoubt.yaml'))).execEnabled, false);
    await writeFile(join(dir, 'redoubt.yaml'), 'nodeCloseTimeout: 2\n');
    assert.equal((await loadSettingsFile(join(dir, 'redoubt.yaml'))).nodeCloseTimeout, 2);
  });
});
