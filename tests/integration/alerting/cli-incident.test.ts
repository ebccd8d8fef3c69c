/**
 * `pointwatch incident delete` through the real CLI entry, on the example config with the database
 * in a temp data_dir: the incident and its records are gone, the deletion is audited, and a signed
 * link made for it no longer verifies (revoked).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentRepository } from '../../../src/alerting/incidents.js';
import { linkKey, signIncidentLink, verifyIncidentLink } from '../../../src/alerting/links.js';
import { AuthStore } from '../../../src/api/auth/store.js';
import { systemClock } from '../../../src/core/clock.js';
import { databaseFile, openDatabase } from '../../../src/store/sqlite.js';
import { runCli } from '../../helpers/cli.js';

describe('pointwatch incident delete', () => {
  let dir: string;
  const env = () => ({ POINTWATCH_DATA_DIR: dir });
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-incident-cli-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('deletes the incident and its records, audits it, and revokes its links', () => {
    const file = databaseFile({ data_dir: dir });
    let db = openDatabase(file);
    const repo = new IncidentRepository(db, systemClock, 'Asia/Ho_Chi_Minh');
    const inc = repo.openIncident({ kind: 'site-down', site_id: 'yty-nvh', commune: 'Y Tý', province: 'Lào Cai', state: 'DOWN', detail: 'x', opened_at: Date.now() - 60_000 });
    repo.recordStep(inc.id, { step: 1, done: true, by: 'Minh (signed link)', at: Date.now(), note: null });
    repo.recordOutcome(inc.id, { cause_found: 'Mất điện', actions: 'Bật aptomat', parts: null, by: 'Minh (signed link)', via: 'link', at: Date.now() });
    const key = linkKey('cli-test-secret-0123456789abcdef0123456789');
    const token = signIncidentLink(key, inc, Date.now() + 86_400_000);
    expect(verifyIncidentLink(key, token, Date.now(), (id) => repo.getIncident(id))).toMatchObject({ ok: true });
    db.close();

    const r = runCli(['incident', 'delete', String(inc.id), '--by', 'lan'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`deleted incident ${inc.id} (site-down yty-nvh); its links no longer open\n`);

    db = openDatabase(file);
    const after = new IncidentRepository(db, systemClock, 'Asia/Ho_Chi_Minh');
    expect(after.getIncident(inc.id)).toBeNull();
    expect(after.steps(inc.id)).toEqual([]);
    expect(after.outcome(inc.id)).toBeNull();
    expect(verifyIncidentLink(key, token, Date.now(), (id) => after.getIncident(id))).toMatchObject({ ok: false, reason: 'revoked' });
    expect(new AuthStore(db).auditLog(1).items[0]).toMatchObject({ user: 'lan', action: 'incident.delete', target: `incident:${inc.id}` });
    db.close();

    const again = runCli(['incident', 'delete', String(inc.id), '--by', 'lan'], { env: env() });
    expect([again.code, again.stderr]).toEqual([2, `incident delete: no incident ${inc.id}\n`]);
    const noBy = runCli(['incident', 'delete', '1'], { env: env() });
    expect(noBy.code).toBe(2);
    expect(noBy.stderr).toContain('--by');
  });
});
