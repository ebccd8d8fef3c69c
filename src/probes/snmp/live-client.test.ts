import { describe, it, expect } from 'vitest';
import { scrub } from './client.js';
import { classifyError } from './live-client.js';
import { compareOids } from './walk.js';

describe('SNMP probe helpers', () => {
  it('compareOids is numeric, not lexical', () => {
    expect(compareOids('1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.2.9')).toBeGreaterThan(0);
    expect(compareOids('1.3.6.1', '1.3.6.1.0')).toBeLessThan(0);
    expect(compareOids('1.3.6', '1.3.6')).toBe(0);
  });
  it('scrub removes secrets and digests', () => {
    expect(scrub('community s3cret rejected; digest 0123456789abcdef0123', ['s3cret'])).toBe('community [redacted] rejected; digest [hex]');
  });
  it('classifyError maps net-snmp errors to status and reason', () => {
    const ctx = { timeout_ms: 100, retries: 1, secrets: ['topsecret'] };
    expect(classifyError({ name: 'RequestTimedOutError', message: 'Request timed out' }, ctx)).toMatchObject({ status: 'timeout' });
    expect(classifyError({ name: 'RequestTimedOutError', message: 'x' }, { ...ctx, processingError: 'Unknown type' })).toMatchObject({ status: 'error', message: 'malformed response from agent: Unknown type' });
    expect(classifyError({ name: 'ResponseInvalidError', code: 5, message: 'Authentication digest abcdef0123456789abcd received in message does not match' }, ctx))
      .toMatchObject({ status: 'error', message: 'SNMPv3 authentication failed: response digest mismatch (wrong auth key?)' });
    expect(classifyError({ name: 'RequestFailedError', message: 'NoSuchName: 1.3.6.1.2.1.1.5.0' }, ctx)).toMatchObject({ status: 'error', message: 'agent returned error: NoSuchName: 1.3.6.1.2.1.1.5.0' });
    expect(classifyError(new Error('bad topsecret here'), ctx).message).toBe('Error: bad [redacted] here');
  });
});
