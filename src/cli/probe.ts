/**
 * `pointwatch probe SITE_ID [--debug]`: check one site now and show the work: the computed
 * fields (ping summary, SNMP system and interfaces, rates over a short second sample), and with
 * --debug the raw fping line, the raw SNMP varbinds (system, ifTable, ifXTable) and the
 * effective settings. Secrets (communities, v3 keys, passwords, tokens) are redacted.
 */
import { isIPv6 } from 'node:net';
import snmp from 'net-snmp';
import type { Command } from 'commander';
import { InputError, errorMessage } from '../core/errors.js';
import { SECRET_KEYS, createLogger } from '../core/logger.js';
import { systemClock } from '../core/clock.js';
import { isPolled, type PolledSite, type SnmpAccess } from '../core/types.js';
import { createPingProbe } from '../probes/ping/index.js';
import { createSnmpProbe } from '../probes/snmp/index.js';
import { IF_TABLE, IF_X_TABLE, SYSTEM } from '../probes/snmp/oids.js';
import { CounterTracker, pickWanInterface } from '../metrics/counters.js';
import { withConfigOptions, loadFromCli, intOption, type ConfigOptions } from './options.js';

interface ProbeOptions extends ConfigOptions {
  debug?: boolean;
  gap: number;
}

/** A deep copy with every secret-named key's value replaced. */
export function redact<T>(value: T): T {
  const secret = new Set(SECRET_KEYS);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, secret.has(k) && x !== undefined ? '[redacted]' : walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x), 2);

function formatVarbind(vb: { oid: string; type: number; value: unknown }): string {
  const typeName = (snmp.ObjectType as unknown as Record<number, string>)[vb.type] ?? `type ${vb.type}`;
  let v: string;
  if (Buffer.isBuffer(vb.value)) {
    v = vb.type === snmp.ObjectType.Counter64
      ? (vb.value.length ? BigInt(`0x${vb.value.toString('hex')}`).toString() : '0')
      : /^[\x20-\x7e]*$/.test(vb.value.toString('latin1')) ? JSON.stringify(vb.value.toString('latin1')) : `0x${vb.value.toString('hex')}`;
  } else v = String(vb.value);
  return `${vb.oid} = ${typeName}: ${v}`;
}

function rawSession(site: PolledSite, access: SnmpAccess, timeout: number, retries: number) {
  const common = { port: access.port ?? 161, timeout, retries, transport: isIPv6(site.host) ? 'udp6' : 'udp4' };
  if (access.version === '3') {
    const user: Record<string, unknown> = {
      name: access.user,
      level: access.priv ? snmp.SecurityLevel.authPriv : access.auth ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv,
    };
    if (access.auth) Object.assign(user, { authProtocol: snmp.AuthProtocols[access.auth.protocol as keyof typeof snmp.AuthProtocols], authKey: access.auth.key });
    if (access.priv) Object.assign(user, { privProtocol: snmp.PrivProtocols[access.priv.protocol as keyof typeof snmp.PrivProtocols], privKey: access.priv.key });
    return snmp.createV3Session(site.host, user as unknown as snmp.User, { ...common, version: snmp.Version3 } as unknown as snmp.SessionOptionsV3);
  }
  return snmp.createSession(site.host, access.community, {
    ...common, version: access.version === '1' ? snmp.Version1 : snmp.Version2c,
  } as snmp.SessionOptions);
}

/** The raw varbinds of system + ifTable + ifXTable, as the agent sent them. Never throws. */
async function rawVarbinds(site: PolledSite, access: SnmpAccess, timeout: number, retries: number): Promise<string[]> {
  const lines: string[] = [];
  const session = rawSession(site, access, timeout, retries);
  const secrets = [access.version === '3' ? [access.auth?.key, access.priv?.key] : [access.community]].flat().filter(Boolean) as string[];
  const scrub = (m: string) => secrets.reduce((s, x) => s.split(x).join('[redacted]'), m);
  session.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => {
      session.get(Object.values(SYSTEM), (err, vbs) => {
        if (err) lines.push(`# system GET failed: ${scrub(errorMessage(err))}`);
        else for (const vb of vbs ?? []) lines.push(formatVarbind(vb as never));
        resolve();
      });
    });
    for (const [label, base] of [['ifTable', '1.3.6.1.2.1.2.2'], ['ifXTable', '1.3.6.1.2.1.31.1.1']] as const) {
      lines.push(`# ${label} (${base})`);
      await new Promise<void>((resolve) => {
        const feed = (vbs: Array<{ oid: string; type: number; value: unknown }>) => { for (const vb of vbs) lines.push(formatVarbind(vb)); };
        const done = (err?: Error) => {
          if (err) lines.push(`# walk of ${label} failed: ${scrub(errorMessage(err))}`);
          resolve();
        };
        if (access.version === '1') session.walk(base, feed as never, done as never);
        else session.subtree(base, 20, feed as never, done as never);
      });
    }
  } finally {
    session.close();
  }
  void IF_TABLE; void IF_X_TABLE;
  return lines;
}

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('probe')
      .argument('<site>', 'site id from the inventory')
      .description('Check one site now and show the computed fields; --debug adds raw fping line, raw varbinds and effective settings.')
      .option('--debug', 'raw fping line, raw SNMP varbinds, effective settings (secrets redacted)')
      .option('--gap <s>', 'seconds between the two SNMP samples used for rates (0 = one sample)', intOption('--gap'), 2),
  ).action(async (siteId: string, opts: ProbeOptions) => {
    const cfg = await loadFromCli(opts);
    const site = cfg.inventory.sites.find((s) => s.id === siteId);
    if (!site) throw new InputError(`probe: no site "${siteId}" in ${cfg.inventoryPath}`);
    if (!isPolled(site)) throw new InputError(`probe: site "${siteId}" has no host: its router reports in (push), it is never polled`);
    const { settings } = cfg;
    const logger = createLogger({ level: process.env.POINTWATCH_LOG_LEVEL ?? 'warn' });
    const out = (s: string) => process.stdout.write(`${s}\n`);

    if (opts.debug) {
      out('## effective settings (poller)');
      out(json(redact(settings.poller)));
      out('## site');
      out(json(redact(site)));
    }

    const ping = createPingProbe(settings.poller.ping, { logger });
    const [pr] = await ping.ping([{ site: site.id, host: site.host }]);
    if (opts.debug) {
      out('## raw fping line');
      out(pr?.raw ?? '(none)');
    }
    out('## ping');
    const { raw: _raw, ...pingShown } = pr ?? ({} as never);
    out(json(pingShown));

    if (site.snmp === false) {
      out('## snmp: none (ping-only site)');
      return;
    }
    if (opts.debug) {
      out('## raw varbinds');
      for (const l of await rawVarbinds(site, site.snmp, settings.poller.snmp.timeout_ms, settings.poller.snmp.retries)) out(l);
    }
    const probe = createSnmpProbe(settings.poller.snmp, { logger, clock: systemClock });
    const tracker = new CounterTracker();
    try {
      const a = await probe.poll(site, { system: true, interfaces: true });
      let upd = tracker.update(site.id, a, opts.gap);
      let last = a;
      if (opts.gap > 0 && a.status === 'ok') {
        await new Promise((r) => setTimeout(r, opts.gap * 1000));
        last = await probe.poll(site, { system: true, interfaces: true });
        upd = tracker.update(site.id, last, opts.gap);
      }
      out('## snmp (computed)');
      out(json({
        status: last.status,
        reason: last.reason ?? null,
        duration_ms: last.duration_ms,
        system: last.system ?? null,
        uptime_s: upd.uptime_s,
        rebooted: upd.rebooted,
        wan: last.interfaces ? pickWanInterface(last.interfaces, site.wan_interface) : null,
        interfaces: last.interfaces ?? [],
        rates: upd.rates,
      }));
    } finally {
      probe.close();
    }
  });
}
