/** MQTT-style topic filters as Node-RED's comms uses them: `#` matches the rest, `+` one level. */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === '#' || filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** The permission a comms topic needs; every message checks it against the connection's role. */
export function permissionForTopic(topic: string): string {
  const head = topic.split('/')[0];
  if (head === 'debug') return 'debug.read';
  if (head === 'status') return 'status.read';
  return 'flows.read';
}
