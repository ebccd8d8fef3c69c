/**
 * An alert engine on a real SQLite file, a ManualClock and a recording dispatcher, with a small
 * province: parents and children, a commune of 4, a commune of 5, a lone site.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import type { Inventory, Settings } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/logger.js';
import type { SiteCheck } from '../../../src/core/types.js';
import { createAlertEngine, type AlertEngine, type Dispatcher, type EngineOutput } from '../../../src/alerting/engine.js';
import type { Notice } from '../../../src/alerting/notice.js';
import { check, site, T0, type CheckSpec } from '../../../src/alerting/testkit.js';
import { openDatabase, type Db } from '../../../src/store/sqlite.js';

// Lào Cai keeps its former districts as groups (the optional level between province and commune)
const LC = { province: 'Lào Cai' };
const yty = { ...LC, group: 'Bát Xát', commune: 'Y Tý' };
const ams = { ...LC, group: 'Bát Xát', commune: 'A Mú Sung' };
const tt = { ...LC, group: 'Bát Xát', commune: 'Trịnh Tường' };
const sp = { ...LC, group: 'Sa Pa', commune: 'Sa Pả' };

/** Settings of a province that escalates to its groups before the province. */
export const GROUP_ESCALATION = { alerting: { escalation: [{ after: '30m', level: 'group' }, { after: '2h', level: 'province' }] } };

export const inventory: Inventory = {
  sites: [
    // Y Tý: the commune office carries the radio link to the cultural house and the school
    site('yty-hub', { ...yty, name: 'UBND xã Y Tý', kind: 'commune_office', uplink: 'fibre', contacts: [{ name: 'Anh Hùng', phone: '0912345678', role: 'commune IT' }] }),
    site('yty-nvh', { ...yty, name: 'Nhà văn hóa thôn Lao Chải', parent: 'yty-hub', contacts: [{ name: 'Chị Mai', zalo: '0987654321' }] }),
    site('yty-school', { ...yty, name: 'Trường TH Y Tý', kind: 'school', parent: 'yty-hub' }),
    site('yty-far', { ...yty, name: 'Điểm thôn Ngải Thầu', parent: 'yty-nvh' }),
    ...[1, 2, 3, 4].map((i) => site(`ams-${i}`, { ...ams, name: `A Mú Sung ${i}` })),
    ...[1, 2, 3, 4, 5].map((i) => site(`tt-${i}`, { ...tt, name: `Trịnh Tường ${i}` })),
    site('sp-1', { ...sp, name: 'Nhà văn hóa Sa Pả', contacts: [{ name: 'Ông Páo', phone: '0911222333', lang: 'vi' }] }),
  ],
  areas: [
    { level: 'commune', name: 'Y Tý', contacts: [{ name: 'Cán bộ VH xã Y Tý', email: 'vh.yty@example.vn' }] },
    { level: 'commune', name: 'Sa Pả', contacts: [{ name: 'Cán bộ VH Sa Pả', email: 'vh.sapa@example.vn' }] },
    { level: 'group', name: 'Bát Xát', contacts: [{ name: 'Cụm VH Bát Xát', email: 'cum.batxat@example.vn' }] },
    { level: 'group', name: 'Sa Pa', contacts: [{ name: 'Cụm VH Sa Pa', email: 'cum.sapa@example.vn' }] },
    { level: 'province', name: 'Lào Cai', contacts: [{ name: 'Sở VH Lào Cai', email: 'so.vh@example.vn', lang: 'en' }] },
  ],
};

export class RecordingDispatcher implements Dispatcher {
  sent: Notice[] = [];
  /** The next N dispatches throw. */
  failNext = 0;
  async dispatch(notice: Notice): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('channel down: connect ECONNREFUSED 127.0.0.1:9');
    }
    this.sent.push(structuredClone(notice));
  }
  take(): Notice[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }
}

export const PUBLIC_URL = 'https://pointwatch.example.vn/';
/** The server secret the harness's engine signs its notices' links with. */
export const LINK_SECRET = 'harness-server-secret-0123456789abcdef';

export interface Harness {
  dir: string;
  file: string;
  clock: ManualClock;
  db: Db;
  engine: AlertEngine;
  dispatcher: RecordingDispatcher;
  settings: Settings;
  /** One poll cycle 30 s after the last: every site answers unless `specs` says otherwise. Waits for the dispatches. */
  cycle(specs?: Record<string, CheckSpec>): Promise<EngineOutput>;
  /** The fast re-check, 3 s later, of the listed sites only. */
  recheck(specs: Record<string, CheckSpec>): Promise<EngineOutput>;
  /** Checks of a fast re-check at the clock's time (for tests that drive ingest themselves). */
  recheckChecks(specs: Record<string, CheckSpec>): SiteCheck[];
  /** Close the DB and open a new engine on the same file (a restart). */
  restart(): void;
  close(): void;
}

export function makeHarness(settingsOverride: unknown = {}, opts: { dir?: string } = {}): Harness {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pw-alerting-'));
  const file = path.join(dir, 'pointwatch.db');
  const settings = settingsWithDefaults(settingsOverride);
  const clock = new ManualClock(T0);
  const dispatcher = new RecordingDispatcher();
  let cycleNo = 0;
  const open = () => {
    const db = openDatabase(file);
    const engine = createAlertEngine({ settings, inventory, db, clock, logger: silentLogger(), dispatcher, publicUrl: PUBLIC_URL, linkSecret: LINK_SECRET });
    return { db, engine };
  };
  const h: Harness = {
    dir, file, clock, dispatcher, settings, ...open(),
    async cycle(specs = {}) {
      if (cycleNo > 0) clock.advance(30_000);
      cycleNo++;
      const ts = clock.now();
      const checks: SiteCheck[] = inventory.sites.map((s) => check(s.id, { ts, cycle: cycleNo, ...specs[s.id] }));
      const out = await h.engine.ingest(checks);
      await out.delivery;
      return out;
    },
    async recheck(specs) {
      clock.advance(3_000);
      const ts = clock.now();
      const out = await h.engine.ingest(h.recheckChecks(specs));
      await out.delivery;
      return out;
    },
    recheckChecks(specs) {
      return Object.entries(specs).map(([id, s]) => check(id, { ts: clock.now(), cycle: cycleNo, recheck: true, ...s }));
    },
    restart() {
      h.db.close();
      Object.assign(h, open());
    },
    close() {
      h.db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export const down: CheckSpec = { received: 0 };
