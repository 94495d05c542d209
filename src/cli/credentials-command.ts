/**
 * `redoubt credentials rotate`: re-encrypts flows.cred under a new key. The new key is a fresh
 * random key file by default, or the passphrase in REDOUBT_NEW_CREDENTIAL_KEY with
 * `--to passphrase`. Runs only while Redoubt is stopped: a running runtime holds the old key.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { CREDENTIAL_KEY_ENV, createVault, type CredentialKeySource } from '../security/credential-vault.js';
import { acquireRunLock, readRunLock } from '../storage/run-lock.js';
import { defaultUserDir, type CommandIo } from './command-io.js';
import { parseCommandArgs } from './command-args.js';

export const NEW_CREDENTIAL_KEY_ENV = 'REDOUBT_NEW_CREDENTIAL_KEY';

export const CREDENTIALS_USAGE = `usage: redoubt credentials rotate [options]
  --user-dir <dir>            default ~/.redoubt
  --to key-file|passphrase    default: passphrase when ${NEW_CREDENTIAL_KEY_ENV} is set, else a new key file
  The current key is read from ${CREDENTIAL_KEY_ENV} or <user-dir>/credential.key, whichever opens flows.cred.
`;

export async function runCredentialsCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { 'user-dir': { type: 'string' }, to: { type: 'string' } });
  if (positionals.length !== 1 || positionals[0] !== 'rotate') {
    io.err(positionals[0] === undefined ? CREDENTIALS_USAGE : `redoubt credentials: unknown subcommand '${positionals.join(' ')}'\n${CREDENTIALS_USAGE}`);
    return 2;
  }
  const userDir = resolve(values['user-dir'] ?? defaultUserDir(io.env));
  const newPassphrase = io.env[NEW_CREDENTIAL_KEY_ENV];
  const to = values.to ?? (newPassphrase ? 'passphrase' : 'key-file');
  let source: CredentialKeySource;
  if (to === 'passphrase') {
    if (!newPassphrase) throw new ConfigError(NEW_CREDENTIAL_KEY_ENV, 'must hold the new passphrase when rotating to a passphrase');
    source = { kind: 'passphrase', passphrase: newPassphrase };
  } else if (to === 'key-file') {
    source = { kind: 'key-file' };
  } else {
    throw new ConfigError('--to', "must be 'key-file' or 'passphrase'");
  }
  const running = await readRunLock(userDir);
  if (running) {
    io.err(`redoubt credentials rotate: Redoubt is running on ${userDir} (pid ${running.pid}): stop it first\n`);
    return 1;
  }
  const lock = await acquireRunLock(userDir);
  try {
    const vault = createVault({ userDir, env: io.env });
    await vault.rotate(source);
    io.out(`re-encrypted ${vault.path} under a new ${source.kind === 'passphrase' ? 'passphrase' : `key file (${vault.keyFile})`}\n`);
    if (source.kind === 'passphrase') io.out(`set ${CREDENTIAL_KEY_ENV} to the new passphrase before the next start\n`);
    else if (io.env[CREDENTIAL_KEY_ENV]) io.out(`unset ${CREDENTIAL_KEY_ENV}: the key file is used from now on\n`);
  } finally {
    await lock.release();
  }
  return 0;
}
