/**
 * Turns an example file into what both runtimes deploy, the way the editor's import does it:
 * nodes whose tab is not in the file get one (the editor puts them on the current tab), and the
 * examples' `/tmp` paths move into a fresh directory per run so that two runtimes playing the
 * same file example at once do not share files.
 */

export interface PreparedExample {
  flows: Record<string, unknown>[];
  /** Inject nodes in reading order: top to bottom, then left to right, tab by tab. */
  injects: string[];
}

type FlowNode = Record<string, unknown> & { id: string; type: string };

export function prepareExample(raw: unknown, sandboxDir: string): PreparedExample {
  if (!Array.isArray(raw)) throw new TypeError('an example flow file holds a JSON array of nodes');
  // Every "/tmp" that is a whole path segment in the file, in any property.
  const moved = JSON.stringify(raw).replace(/(?<=")\/tmp(?=[/"])/g, sandboxDir);
  const nodes = JSON.parse(moved) as FlowNode[];
  const containers = new Set(nodes.filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => n.id));
  const tabs: FlowNode[] = [];
  for (const node of nodes) {
    const z = node.z;
    if (typeof z === 'string' && z !== '' && !containers.has(z)) {
      containers.add(z);
      tabs.push({ id: z, type: 'tab', label: `example ${tabs.length + 1}`, disabled: false, info: '' });
    }
  }
  const flows = [...tabs, ...nodes];
  const tabOrder = flows.filter((n) => n.type === 'tab').map((n) => n.id);
  const at = (n: FlowNode, key: 'x' | 'y'): number => (typeof n[key] === 'number' ? (n[key] as number) : 0);
  const injects = nodes
    .filter((n) => n.type === 'inject' && n.d !== true)
    .sort((a, b) => tabOrder.indexOf(String(a.z)) - tabOrder.indexOf(String(b.z)) || at(a, 'y') - at(b, 'y') || at(a, 'x') - at(b, 'x'))
    .map((n) => n.id);
  return { flows, injects };
}
