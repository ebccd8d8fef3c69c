/**
 * The public pages' fixture: the EXAMPLE configuration (its real-looking contacts, hosts,
 * communities and notifier secrets), live states with some points down, 30 days of hourly state
 * buckets (Si Ma Cai dropped off, Bản Hồ at risk), and maintenance ahead with private details typed
 * into its reason. Used by the inject tests and the browser test.
 */
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import type { Inventory } from '../../../src/config/schema.js';
import type { LiveState } from '../../../src/api/deps.js';
import { makeFixture, NOW, type Fixture, type FixtureOptions } from '../api/fixtures.js';

export const H = 3_600_000;
export const DAY = 24 * H;

function states(inv: Inventory): Map<string, LiveState> {
  const m = new Map<string, LiveState>();
  inv.sites.forEach((s, i) => m.set(s.id, { state: i % 7 === 0 ? 'DOWN' : i % 11 === 0 ? 'DEGRADED' : 'UP', since: NOW - (i + 1) * 3 * H, detail: `host ${s.host} no reply` }));
  return m;
}

export async function publicFixture(extra: Partial<FixtureOptions> = {}): Promise<{ f: Fixture; inventory: Inventory }> {
  const cfg = await loadConfig({ config: path.resolve('config/pointwatch.example.yaml'), env: {} });
  const inventory = cfg.inventory;
  const { data_dir: _dd, ...base } = cfg.settings;
  const f = await makeFixture({
    fleet: { inventory, states: states(inventory) },
    settings: {
      ...base,
      public: { enabled: true, provinces: ['Lào Cai'], cache_s: 60 },
      api: { ...cfg.settings.api, session_secret: 'session-SECRET-0123456789abcdef' },
    },
    deps: () => ({
      stateBuckets: async (from, to) => {
        const out = [];
        for (const [i, s] of inventory.sites.entries()) {
          for (let t = Math.ceil(from / H) * H; t < to; t += H) {
            const dropped = (i % 5 === 0 || s.commune === 'Si Ma Cai') && t > to - 8 * DAY;
            const lossy = (i % 3 === 0 || s.commune === 'Bản Hồ') && (t / H) % 10 === 0;
            out.push({ site: s.id, ts: t, up: dropped || lossy ? 0 : 120, down: dropped || lossy ? 120 : 0, unreachable: 0, unknown: 0, maintenance: 0 });
          }
        }
        return out;
      },
    }),
    ...extra,
  });
  const taVan = inventory.sites.filter((s) => s.commune === 'Tả Van').map((s) => s.id);
  await f.incidents.createMaintenance({ sites: [], communes: ['Tả Van'], groups: [], start: NOW + 2 * DAY, end: NOW + 2 * DAY + 4 * H, reason: 'Cắt điện lưới theo lịch EVN, hỏi 0912 000 345 hoặc truc.stttt@example.org', created_by: 'admin' } as never, NOW);
  await f.incidents.createMaintenance({ sites: [taVan[0]!], communes: [], groups: [], start: NOW + DAY, end: NOW + DAY + H, reason: 'Thay bộ định tuyến 192.0.2.10', created_by: 'admin' } as never, NOW);
  await f.incidents.createMaintenance({ sites: [taVan[0]!], communes: [], groups: [], start: NOW + 30 * DAY, end: NOW + 31 * DAY, reason: 'far ahead', created_by: 'admin' } as never, NOW);
  return { f, inventory };
}
