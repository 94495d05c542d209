/**
 * Flows and credentials on disk: `flows.json` (atomic, with Node-RED's backup copy) and
 * `flows.cred` through the credential vault. Two files cannot be replaced in one step, so a
 * failed credentials write puts the flows file back as it was before this save.
 */
import { readFile, unlink } from 'node:fs/promises';
import { RedoubtError } from '../../errors/index.js';
import type { FlowConfigNode } from '../../runtime/types.js';
import type { CredentialVault } from '../../security/credential-vault.js';
import { writeFileAtomic } from '../../storage/atomic-write.js';
import { readFlowsFile, writeFlowsFile } from '../../storage/flows-file.js';
import type { Credentials, FlowsStorage } from './types.js';

export interface FileFlowsStorageOptions {
  flowsPath: string;
  pretty?: boolean;
}

/**
 * @example const storage = createFileFlowsStorage({ flowsPath: join(userDir, 'flows.json') }, { vault });
 */
export function createFileFlowsStorage(options: FileFlowsStorageOptions, deps: { vault: Pick<CredentialVault, 'load' | 'save'> }): FlowsStorage {
  const { flowsPath } = options;
  const readRaw = async (): Promise<string | undefined> => {
    try {
      return await readFile(flowsPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new RedoubtError('read_failed', `could not read ${flowsPath}`, { cause: err });
    }
  };
  return {
    async load() {
      const flows = (await readFlowsFile(flowsPath)) as FlowConfigNode[];
      const credentials = (await deps.vault.load()) as Credentials;
      return { flows, credentials };
    },
    async save(flows, credentials) {
      const previous = await readRaw();
      await writeFlowsFile(flowsPath, flows, { pretty: options.pretty });
      try {
        await deps.vault.save(credentials);
      } catch (err) {
        if (previous === undefined) await unlink(flowsPath);
        else await writeFileAtomic(flowsPath, previous);
        throw err;
      }
    },
  };
}
