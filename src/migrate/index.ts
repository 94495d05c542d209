/** Migration into Redoubt: reading a Node-RED user dir and importing it. */
export { importNodeRed, IMPORT_REPORT_FILE, type ImportNodeRedOptions } from './import-node-red.js';
export { formatImportReport, formatImportSummary, type ImportItem, type ImportItemKind, type ImportReport } from './import-report.js';
export { readNodeRedDir, type NodeRedDir, type ReadNodeRedDirOptions } from './node-red-dir.js';
export { loadNodeRedSettings, UncarriableValue, type NodeRedSettings, type SettingsValue } from './node-red-settings.js';
export { decryptWithSecret, isEncryptedCredentials, openNodeRedCredentials, type NodeRedCredentials } from './node-red-credentials.js';
export { mapNodeRedSettings, type ImportedUser, type MappedSettings } from './map-settings.js';
