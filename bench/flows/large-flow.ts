import { change, debug, functionNode, inject, switchNode, tab, type BenchNode } from './nodes.js';

/** Nodes per generated group; a tab holds GROUPS_PER_TAB groups. */
const GROUP_SIZE = 10;
const GROUPS_PER_TAB = 10;

function hexId(n: number): string {
  return `d${n.toString(16).padStart(15, '0')}`;
}

/**
 * A generated application of about `size` nodes (tabs included) in the mix a real installation
 * has: injects that never fire on their own, change, switch, function, inactive debug nodes, and
 * link out/in pairs that cross from each group to the next (and so from tab to tab).
 *
 * Each group: inject -> change -> switch -(>0)-> function -> change -> link out
 *                                         \-(else)-> debug
 *             link in -> change -> debug
 */
export function largeFlow(size: number): BenchNode[] {
  const groups = Math.max(1, Math.round(size / (GROUP_SIZE + 1 / GROUPS_PER_TAB)));
  const nodes: BenchNode[] = [];
  let next = 1;
  const tabs: string[] = [];
  const tabCount = Math.ceil(groups / GROUPS_PER_TAB);
  for (let t = 0; t < tabCount; t++) {
    const id = hexId(next++);
    tabs.push(id);
    nodes.push(tab(id, `Area ${t + 1}`));
  }
  // Ids are fixed up front so each link out can name the link in of the following group.
  const base = next;
  const idOf = (group: number, slot: number): string => hexId(base + ((group % groups) * GROUP_SIZE) + slot);
  for (let g = 0; g < groups; g++) {
    const z = tabs[Math.floor(g / GROUPS_PER_TAB)];
    const id = (slot: number): string => idOf(g, slot);
    const y = (g % GROUPS_PER_TAB) * 80;
    const place = (n: BenchNode, x: number): BenchNode => ({ ...n, x, y });
    nodes.push(place(inject(id(0), z, { payload: '', payloadType: 'date', once: false, token: `g${g}` }, [[id(1)]]), 100));
    nodes.push(place(change(id(1), z, [{ t: 'set', p: 'reading', to: `$random() * ${g + 10}`, tot: 'jsonata' }, { t: 'set', p: 'site', to: `site-${g}`, tot: 'str' }], [[id(2)]]), 250));
    nodes.push(place(switchNode(id(2), z, 'reading', [{ t: 'gt', v: '5', vt: 'num' }, { t: 'else' }], [[id(3)], [id(8)]]), 400));
    nodes.push(place(functionNode(id(3), z, `msg.payload = { site: msg.site, value: msg.reading * ${(g % 7) + 1} };\nreturn msg;`, [[id(4)]]), 550));
    nodes.push(place(change(id(4), z, [{ t: 'change', p: 'site', from: 'site-', fromt: 'str', to: 'plant-', tot: 'str' }, { t: 'delete', p: 'reading' }], [[id(5)]]), 700));
    nodes.push(place({ id: id(5), type: 'link out', z, name: `out ${g}`, mode: 'link', links: [idOf(g + 1, 6)], wires: [] }, 850));
    nodes.push(place({ id: id(6), type: 'link in', z, name: `in ${g}`, links: [idOf(g + groups - 1, 5)], wires: [[id(7)]] }, 100));
    nodes.push(place(change(id(7), z, [{ t: 'set', p: 'topic', to: `area/${g}`, tot: 'str' }], [[id(9)]]), 250));
    nodes.push(place(debug(id(8), z, { active: false, console: false }), 550));
    nodes.push(place(debug(id(9), z, { active: false, console: false }), 400));
  }
  return nodes;
}

/** The same flows with one node's configuration changed, as an edit in the editor would. */
export function withOneNodeModified(flows: BenchNode[], revision: number): BenchNode[] {
  const targetIndex = flows.findIndex((n, i) => n.type === 'change' && i >= flows.length / 2);
  return flows.map((n, i) => (i === targetIndex ? { ...n, name: `edited ${revision}`, rules: [{ t: 'set', p: 'topic', pt: 'msg', to: `edited/${revision}`, tot: 'str' }] } : n));
}
