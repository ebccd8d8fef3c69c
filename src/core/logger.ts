import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Every key that can hold a secret, at any depth we log. pino's redaction replaces the value
 * with [redacted]; tests grep captured logs for the secret values themselves.
 */
export const SECRET_KEYS = [
  'community', 'password', 'passwd', 'secret', 'token', 'access_token', 'refresh_token',
  'auth_key', 'priv_key', 'key', 'authorization', 'cookie', 'api_key', 'session_secret',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const k of SECRET_KEYS) {
    paths.push(k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`);
  }
  return paths;
}

/** The one root logger. Components take `logger.child({ component })`. */
export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.POINTWATCH_LOG_LEVEL ?? 'info',
    base: { app: 'pointwatch' },
    redact: { paths: redactPaths(), censor: '[redacted]' },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options, pino.destination(2));
}

/** A logger that writes nowhere (unit tests of code that logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
