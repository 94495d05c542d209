'use strict';
// Preloaded (node --expose-gc --require) into both benchmark servers, Node-RED and Redoubt alike.
// It does nothing until the harness asks, over the IPC channel, for memory after two forced GCs:
// without it RSS would be read at whatever point the collector happened to be.
const fs = require('node:fs');

if (typeof process.send === 'function' && typeof global.gc === 'function') {
  process.on('message', (m) => {
    if (!m || m.bench !== 'mem') return;
    global.gc();
    global.gc();
    const u = process.memoryUsage();
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    const anon = /RssAnon:\s+(\d+) kB/.exec(status);
    process.send({
      bench: 'mem',
      id: m.id,
      rss: u.rss,
      heapUsed: u.heapUsed,
      heapTotal: u.heapTotal,
      external: u.external,
      arrayBuffers: u.arrayBuffers,
      peakRss: hwm ? Number(hwm[1]) * 1024 : null,
      anonRss: anon ? Number(anon[1]) * 1024 : null,
    });
  });
  // The channel must not keep a server alive that is asked to stop (Redoubt exits by draining).
  if (process.channel && typeof process.channel.unref === 'function') process.channel.unref();
}
