/**
 * Debian's chromium for the browser tests (and the screenshot script): headless, in a fresh
 * profile under the temp dir, with the flags every test used (no sandbox: root in CI; no GPU; no
 * QUIC; no first-run, sync, component or background requests, so a test that counts the
 * requests a page makes sees only the page's). `close()` closes it and removes the profile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** What a test chooses: JavaScript on or off, locale, viewport, scale… (the binary, headless and flags are fixed here). */
export type ChromiumOptions = Omit<NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>, 'executablePath' | 'headless' | 'args'>;

export interface Chromium {
  ctx: BrowserContext;
  /** The profile directory (removed by `close()`). */
  profile: string;
  close(): Promise<void>;
}

/** `prefix`: the profile directory's name in the temp dir starts with it (which test left it, if one is killed). */
export async function launchChromium(prefix: string, options: ChromiumOptions = {}): Promise<Chromium> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let ctx: BrowserContext;
  try {
    ctx = await chromium.launchPersistentContext(profile, { ...options, executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (err) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  let closed: Promise<void> | null = null;
  return {
    ctx,
    profile,
    close() {
      closed ??= ctx.close().finally(() => fs.rmSync(profile, { recursive: true, force: true }));
      return closed;
    },
  };
}
