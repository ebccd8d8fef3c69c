/** `pointwatch notify test`, in-process, against a local webhook receiver and Telegram API. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../../src/cli/notify.js';
import { InputError } from '../../../src/core/errors.js';
import { verifySignature } from '../../../src/alerting/notifiers/webhook.js';
import { startRecorder, type Recorder } from './http-recorder.js';

const HOOK_SECRET = 'cli-hook-secret-1234';
const BOT = '42:cli-bot-token-5678';

describe('pointwatch notify test', () => {
  let hook: Recorder;
  let tg: Recorder;
  let dir: string;
  let cfg: string;
  beforeAll(async () => {
    [hook, tg] = await Promise.all([startRecorder([{ status: 204 }]), startRecorder([{ status: 400, json: { ok: false, description: 'Bad Request: chat not found' } }])]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pwnotify-'));
    cfg = path.join(dir, 'pointwatch.yaml');
    fs.writeFileSync(cfg, [
      `inventory: ${path.resolve('config/sites.example.yaml')}`,
      'notifiers:',
      '  - type: webhook',
      '    name: hook',
      `    url: ${hook.url}/in`,
      `    secret: ${HOOK_SECRET}`,
      '  - type: telegram',
      '    name: tg',
      `    api_base: ${tg.url}`,
      `    bot_token: '${BOT}'`,
      "    chat_ids: ['-100']",
      '',
    ].join('\n'));
  });
  afterAll(async () => {
    await Promise.all([hook.close(), tg.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[]): Promise<{ out: string; code: number | undefined }> {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { chunks.push(String(c)); return true; });
    const before = process.exitCode;
    process.exitCode = undefined;
    try {
      const p = new Command().exitOverride();
      register(p);
      await p.parseAsync(['node', 'pointwatch', 'notify', 'test', '--config', cfg, ...args]);
      return { out: chunks.join(''), code: process.exitCode };
    } finally {
      spy.mockRestore();
      process.exitCode = before;
    }
  }

  it('--dry-run prints each channel\'s message and sends nothing', async () => {
    const { out, code } = await run(['--dry-run', '--lang', 'en']);
    expect(code).toBeUndefined();
    expect(out).toContain('=== hook (webhook) ===');
    expect(out).toContain('"version": 1');
    expect(out).toContain('=== tg (telegram) ===');
    expect(out).toContain('TEST message from pointwatch, not a real outage');
    expect(out).not.toContain(HOOK_SECRET);
    expect(out).not.toContain(BOT);
    expect(hook.requests).toHaveLength(0);
    expect(tg.requests).toHaveLength(0);
  });

  it('sends, prints one line per delivery, exit 1 when one failed, no secrets', async () => {
    const { out, code } = await run([]);
    expect(code).toBe(1);
    expect(out).toMatch(/^hook\s+webhook\s+hook\s+ok$/m);
    expect(out).toMatch(/^tg\s+telegram\s+-100\s+FAILED \(400\): Telegram: Bad Request: chat not found$/m);
    expect(hook.requests).toHaveLength(1);
    expect(verifySignature(hook.requests[0]!.raw, HOOK_SECRET, hook.requests[0]!.headers['x-pointwatch-signature'] as string)).toBe(true);
    expect(out).not.toContain(BOT);
  });

  it('--notifier picks channels; an unknown one is bad input', async () => {
    hook.requests.length = 0;
    const { code } = await run(['--notifier', 'hook']);
    expect(code).toBeUndefined();
    expect(hook.requests).toHaveLength(1);
    await expect(run(['--notifier', 'nope'])).rejects.toThrow(InputError);
    await expect(run(['--lang', 'fr'])).rejects.toThrow(/--lang: must be one of vi, en/);
  });
});
