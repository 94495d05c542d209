import type { NodeDefinition } from '../../runtime/definition/index.js';
import { csvNode } from './csv.js';
import { htmlNode } from './html.js';
import { jsonNode } from './json.js';
import { xmlNode } from './xml.js';
import { yamlNode } from './yaml.js';

/** The parsers node types, in palette order. */
export const parsersNodes: NodeDefinition<any>[] = [csvNode, htmlNode, jsonNode, xmlNode, yamlNode];
