/**
 * Flows and credentials on disk: `flows.json` (atomic, with Node-RED's backup copy) and
 * `flows.cred` through the credential vault. Two files cannot be replaced in one step, so a
 * failed credentials write puts the flows file back as it was before this save (from the backup
 * copy the flows write makes).
 */
import { stat } from 'node:fs/promises';
import type { FlowConfigNode } from '../../runtime/types.js';
import type { CredentialVault } from '../../security/credential-vault.js';
import { readFlowsFileText, restoreFlowsFile, serialiseFlows, writeFlowsFile } from '../../storage/flows-file.js';
import type { Credentials, FlowsStorage } from './types.js';

export interface FileFlowsStorageOptions {
  flowsPath: string;
  pretty?: boolean;
}

/** The credentials file as this process last read or wrote it: its content and its identity on disk. */
interface KnownCredentials {
  json: string;
  file: string | undefined;
}

/** Which file is at `path` (inode, size, change time), or undefined when there is none. */
async function fileIdentity(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.ctimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * @example const storage = createFileFlowsStorage({ flowsPath: join(userDir, 'flows.json') }, { vault });
 */
export function createFileFlowsStorage(
  options: FileFlowsStorageOptions,
  deps: { vault: Pick<CredentialVault, 'load' | 'save'> & Partial<Pick<CredentialVault, 'path'>> },
): FlowsStorage {
  const { flowsPath } = options;
  const { vault } = deps;
  let known: KnownCredentials | undefined;

  /**
   * Whether the credentials file already holds `json`: what this process last read or wrote, and
   * the same file is still there. Most deploys change no credential, and re-encrypting them is an
   * atomic write with two fsyncs (Node-RED, too, writes its credentials only when they changed). A
   * file replaced or removed behind the runtime's back (a restore, a rotation from the command
   * line) has another identity, so the credentials are written through the vault, which checks it.
   */
  const unchanged = async (json: string): Promise<boolean> =>
    known !== undefined && vault.path !== undefined && known.json === json && known.file === (await fileIdentity(vault.path));

  const remember = async (json: string): Promise<void> => {
    known = vault.path === undefined ? undefined : { json, file: await fileIdentity(vault.path) };
  };

  const saveCredentials = async (credentials: Credentials): Promise<void> => {
    const json = JSON.stringify(credentials);
    if (await unchanged(json)) return;
    known = undefined;
    await vault.save(credentials);
    await remember(json);
  };

  return {
    async load() {
      const { flows, text } = await readFlowsFileText(flowsPath);
      const credentials = (await vault.load()) as Credentials;
      // An empty set with no file is not remembered: the first save creates the file (and its key).
      const file = vault.path === undefined ? undefined : await fileIdentity(vault.path);
      if (file !== undefined) known = { json: JSON.stringify(credentials), file };
      return { flows: flows as FlowConfigNode[], credentials, text };
    },
    serialise: (flows) => serialiseFlows(flows, { pretty: options.pretty }),
    saveCredentials,
    async save(flows, credentials, json) {
      const written = await writeFlowsFile(flowsPath, flows, { pretty: options.pretty, json });
      try {
        await saveCredentials(credentials);
      } catch (err) {
        // The backup the write just made is the previous file: reading it back only on this
        // rare path spares every deploy a read of the whole file.
        await restoreFlowsFile(flowsPath, written);
        throw err;
      }
    },
  };
}
