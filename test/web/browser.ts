// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, and the registry's
// static server on 127.0.0.1 for the published index. The browser is started with networking
// features that call home switched off; every page request goes to 127.0.0.1 only.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.MPAK_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** Serves a published index with the registry's own static server (`mpak index serve`). */
export async function serveFolder(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { startStaticServer } = await import('../../src/registry/serve.js');
  const server = await startStaticServer({ root });
  return { url: server.url, close: () => server.close() };
}
