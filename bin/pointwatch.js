#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=32 --single-threaded-gc --heap-growing-percent=100 --no-memory-reducer --expose-gc
// Entry for `npx pointwatch`: runs the compiled CLI (`npm run build` writes dist/; the set-up does it).
// Development and tests run the sources instead: `npm run dev -- ARGS` (tsx).
//
// V8 flags (measured by `npm run bench`, which runs with the same ones; 5,000 sites, 2 cores):
// --max-semi-space-size=32: a poll cycle's garbage (SNMP decoding, points) dies young instead of
//   being promoted: about -15 % CPU and -30 MB RSS.
// --single-threaded-gc: on a small machine shared with fping and influxd, parallel GC threads
//   cost more CPU than they save: about -10 % CPU, shorter cycles.
// --heap-growing-percent=100: the old generation may grow to twice what is live before the next full
//   collection. Left to itself, V8 sizes that from the allocation rate, and at the production
//   schedule (polls spread over the minute, the process mostly idle) it chose ~1.1x: four or five
//   full collections of the whole heap a minute. 5,000 sites spread over 30 s: -25 % CPU.
// --no-memory-reducer: V8 otherwise runs memory-reducing full collections when the process idles
//   between cycles; like a forced one (src/core/memory.ts) each frees the hidden classes of the
//   poll path and throws away its optimized code, compiled again next cycle. 5,000 sites at the
//   production schedule: 0.29 -> 0.25 CPU-s per 1,000 site-polls, RSS 237 -> 276 MB.
// --expose-gc: the collector the scheduler runs after a cycle over poller.rss_budget_mb (src/core/memory.ts).
// MALLOC_ARENA_MAX=2: glibc otherwise gives each thread (V8, libuv, SQLite) its own malloc arenas,
//   and the UDP datagrams and buffers freed across them stay in RSS: about -60 MB RSS, -15 % CPU.
import fs from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  process.stderr.write('pointwatch: not built yet (no dist/): run `npm run build` (or `npm run setup`)\n');
  process.exit(1);
}
await import(main.href);
