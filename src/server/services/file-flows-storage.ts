/**
 * Flows and credentials on disk: `flows.json` (atomic, with Node-RED's backup copy) and
 * `flows.cred` through the credential vault. Two files cannot be replaced in one step, so a
 * failed credentials write puts the flows file back as it was before this save (from the backup
 * copy the flows write makes).
 */
import type { FlowConfigNode } from '../../runtime/types.js';
import type { CredentialVault } from '../../security/credential-vault.js';
import { readFlowsFileText, restoreFlowsFile, serialiseFlows, writeFlowsFile } from '../../storage/flows-file.js';
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
  return {
    async load() {
      const { flows, text } = await readFlowsFileText(flowsPath);
      const credentials = (await deps.vault.load()) as Credentials;
      return { flows: flows as FlowConfigNode[], credentials, text };
    },
    serialise: (flows) => serialiseFlows(flows, { pretty: options.pretty }),
    async save(flows, credentials, json) {
      const written = await writeFlowsFile(flowsPath, flows, { pretty: options.pretty, json });
      try {
        await deps.vault.save(credentials);
      } catch (err) {
        // The backup the write just made is the previous file: reading it back only on this
        // rare path spares every deploy a read of the whole file.
        await restoreFlowsFile(flowsPath, written);
        throw err;
      }
    },
  };
}
