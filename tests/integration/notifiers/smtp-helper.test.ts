/** tests/helpers/smtp: the SMTP server the service and report tests send to, fed by the real email notifier. */
import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { createEmail, type EmailConfig } from '../../../src/alerting/notifiers/email.js';
import { firingDown } from '../../../src/alerting/notifiers/testdata/notices.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { startSmtp } from '../../helpers/smtp.js';

const mailer = (port: number, extra: Record<string, unknown> = {}) =>
  createEmail(settingsWithDefaults({ notifiers: [{
    type: 'email', name: 'mail', host: '127.0.0.1', port, from: 'pointwatch <alerts@pw.example.org>', to: ['noc@pw.example.org'], timeout_ms: 3000, ...extra,
  }] }).notifiers[0] as EmailConfig, {});

describe('tests/helpers/smtp', () => {
  it('without auth: keeps each message with its envelope and raw text; closes', async () => {
    const smtp = await startSmtp();
    try {
      const n = mailer(smtp.port);
      const [r] = await n.send(firingDown, []);
      await n.close?.();
      expect(r).toMatchObject({ ok: true, recipient: 'noc@pw.example.org' });
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]).toMatchObject({ from: 'alerts@pw.example.org', to: ['noc@pw.example.org'] });
      expect(smtp.mails[0]!.raw).toMatch(/^X-Pointwatch-Delivery: inc-17-firing-commune\r?$/m);
    } finally {
      await smtp.close();
      await smtp.close();
    }
  });

  it('with auth, down at first on a port known in advance, then busy: a wrong password is refused (535), a 451, then delivered once', async () => {
    const port = await freeTcpPort();
    const n = mailer(port, { user: 'pw', password: 'smtp-helper-pass' });
    expect((await n.send(firingDown, []))[0]).toMatchObject({ ok: false }); // nothing listens yet
    const smtp = await startSmtp({ port, auth: { user: 'pw', pass: 'smtp-helper-pass' }, refuseFirst: 1 });
    try {
      expect(smtp.port).toBe(port);
      const wrong = mailer(port, { user: 'pw', password: 'wrong' });
      const [bad] = await wrong.send(firingDown, []);
      await wrong.close?.();
      expect(bad).toMatchObject({ ok: false });
      expect(bad!.error).toMatch(/535/);
      const [ok] = await n.send(firingDown, []); // 451 first: the notifier tries again
      expect(ok).toMatchObject({ ok: true });
      expect(smtp.refused).toBe(1);
      expect(smtp.mails.map((m) => m.to)).toEqual([['noc@pw.example.org']]);
    } finally {
      await n.close?.();
      await smtp.close();
    }
  });
});
