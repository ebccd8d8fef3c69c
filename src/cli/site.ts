/**
 * `pointwatch site token SITE_ID`: a new push token for a site (src/push). Printed ONCE on stdout;
 * only its SHA-256 (the signing key) is stored; the site's previous token stops working at once,
 * also in a running `pointwatch run` (it reads the key on every report).
 *
 *   pointwatch site token lc-sapa-tavan-vh > token.txt
 *   pointwatch site token lc-sapa-tavan-vh --revoke      # no token: every report refused
 */
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { databaseFile, openDatabase } from '../store/sqlite.js';
import { PushTokenStore } from '../push/tokens.js';
import { signingKey } from '../push/signature.js';
import { AuthStore } from '../api/auth/store.js';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';

export function register(program: Command): void {
  const site = program.command('site').description('Per-site credentials (push tokens).');
  withConfigOptions(
    site
      .command('token <site>')
      .description('Print a new push token for a push site ONCE (only its hash is stored) and revoke the old one.')
      .option('--revoke', 'revoke the current token without issuing a new one')
      .option('--routeros', 'print the signing key (SHA-256 of the new token) instead: what contrib/routeros/pointwatch-report.rsc takes'),
  ).action(async (id: string, opts: ConfigOptions & { revoke?: boolean; routeros?: boolean }) => {
    const { settings, inventory } = await loadFromCli(opts);
    const s = inventory.sites.find((x) => x.id === id);
    if (!s) throw new InputError(`site token: no site "${id}" in the inventory`);
    if (!s.push) throw new InputError(`site token: site "${id}" has no push: { interval_s } in the inventory (a polled site needs no token)`);
    const db = openDatabase(databaseFile(settings));
    try {
      const tokens = new PushTokenStore(db);
      const audit = new AuthStore(db);
      if (opts.revoke) {
        const had = tokens.revoke(id);
        audit.audit('cli', 'push-token.revoke', `site:${id}`);
        process.stderr.write(had ? `push token of ${id} revoked: its reports are refused until a new one is issued\n` : `${id} had no push token\n`);
        return;
      }
      const token = tokens.issue(id);
      audit.audit('cli', 'push-token.issue', `site:${id}`);
      process.stdout.write(`${opts.routeros ? signingKey(token) : token}\n`);
      process.stderr.write(`push token for ${id}: shown once, put it on the router now (POINTWATCH_TOKEN); the previous one no longer works\n`);
    } finally {
      db.close();
    }
  });
}
