/**
 * What link nodes need to find each other across tabs: live `link in` nodes with the links they
 * declare (a link in may name its link outs, as the editor saves both ends), and the return
 * handlers of `link call` nodes. One registry per runtime, held as a runtime facility, so two
 * runtimes in one process never see each other's links.
 */
import { json, type NodeApi, type RuntimeServices } from '../../runtime/definition/index.js';
import type { Msg } from '../../runtime/types.js';

export interface LinkInEntry {
  readonly node: NodeApi;
  /** Ids of the link out nodes this link in lists in its own `links`. */
  readonly links: readonly string[];
}

/** Hands a message coming back through a `link out` in return mode to its `link call`. */
export type ReturnHandler = (eventId: string, msg: Msg) => void;

export interface LinkRegistry {
  addLinkIn(entry: LinkInEntry): void;
  removeLinkIn(node: NodeApi): void;
  linkIn(id: string): LinkInEntry | undefined;
  /** Link ins that list `linkOutId` in their own `links`. */
  linkInsNaming(linkOutId: string): LinkInEntry[];
  /** Link ins whose name (or id, when unnamed) is `name`. */
  linkInsNamed(name: string): LinkInEntry[];
  addCaller(id: string, handler: ReturnHandler): void;
  removeCaller(id: string, handler: ReturnHandler): void;
  caller(id: string): ReturnHandler | undefined;
}

function createLinkRegistry(): LinkRegistry {
  const linkIns = new Map<string, LinkInEntry>();
  const callers = new Map<string, ReturnHandler>();
  return {
    addLinkIn: (entry) => void linkIns.set(entry.node.id, entry),
    removeLinkIn(node) {
      // A redeploy may have registered the replacement already; only remove this node's entry.
      if (linkIns.get(node.id)?.node === node) linkIns.delete(node.id);
    },
    linkIn: (id) => linkIns.get(id),
    linkInsNaming: (linkOutId) => [...linkIns.values()].filter((e) => e.links.includes(linkOutId)),
    linkInsNamed: (name) => [...linkIns.values()].filter((e) => (e.node.name || e.node.id) === name),
    addCaller: (id, handler) => void callers.set(id, handler),
    removeCaller(id, handler) {
      if (callers.get(id) === handler) callers.delete(id);
    },
    caller: (id) => callers.get(id),
  };
}

/** The registry of the runtime `runtime`, created on first use. */
export function linkRegistry(runtime: RuntimeServices): LinkRegistry {
  return runtime.facility('core:link-registry', createLinkRegistry);
}

/** Reads a saved `links` property: an array of ids, or (in old flows) a single id. */
export function readLinks(raw: unknown): string[] {
  if (typeof raw === 'string') return raw === '' ? [] : [raw];
  return Array.isArray(raw) ? raw.filter((id): id is string => typeof id === 'string' && id !== '') : [];
}

/** The `links` property shared by the three link node types. */
export function linksProperty() {
  return json<string[]>({
    default: [],
    check: (v) => (Array.isArray(v) || typeof v === 'string' ? undefined : 'must be a list of link node ids'),
  });
}
