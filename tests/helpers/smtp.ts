/**
 * A real SMTP server (smtp-server) on 127.0.0.1 for tests that send mail: keeps each message as
 * received (envelope sender and recipients, raw text), with optional authentication and a busy
 * start. No TLS (STARTTLS disabled), no log output.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent: headers and (encoded) body. */
  raw: string;
  at: number;
}

export interface SmtpReceiver {
  port: number;
  /** Every message accepted, in arrival order. */
  mails: ReceivedMail[];
  /** Recipients answered 451 by `refuseFirst`. */
  readonly refused: number;
  close(): Promise<void>;
}

export interface SmtpOptions {
  /** Listen on this port (for a server that starts after the service: down at first); default: one the kernel picks. */
  port?: number;
  /** Require AUTH (PLAIN or LOGIN, without TLS) with this password (and this user, when given); a wrong one is 535. */
  auth?: { user?: string; pass: string };
  /** Answer the first N recipients 451 `mailbox busy, try again later` (a server that refuses at first). */
  refuseFirst?: number;
}

export async function startSmtp(opts: SmtpOptions = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  let refused = 0;
  const auth = opts.auth;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...(auth
      ? {
          allowInsecureAuth: true,
          authMethods: ['PLAIN', 'LOGIN'],
          onAuth(a, _s, cb) {
            if (a.password === auth.pass && (auth.user === undefined || a.username === auth.user)) cb(null, { user: a.username });
            else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
          },
        }
      : { authOptional: true }),
    onRcptTo(_addr, _s, cb) {
      if (refused < (opts.refuseFirst ?? 0)) {
        refused++;
        cb(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        cb(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    port,
    mails,
    get refused() { return refused; },
    close() {
      closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closed;
    },
  };
}
