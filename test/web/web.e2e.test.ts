// The registry web page in headless Chromium against an index built by the real builder and
// served on 127.0.0.1: search, filters, package page, trust framework, tamper and expiry banners,
// and hostile descriptions rendered as inert text.
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/client/install.js';
import { repoRoot, tempDir } from '../helpers/cli.js';
import { chromiumAvailable, CHROMIUM, launchChromium, serveFolder } from './browser.js';
import { buildFixtureRegistry, samplePackages } from './fixture.js';

// The machine is shared: give the page time, but fail with a clear message when it never renders.
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000, interval: 50 });

const artifacts = join(repoRoot, 'test', 'artifacts');
const templateDir = join(repoRoot, 'index-template');

describe('registry web page (Chromium)', () => {
  let browser: Browser;
  let cleanup: () => Promise<void>;
  let dist: string;
  let root: string;
  const servers: Array<() => Promise<void>> = [];
  let url: string;

  async function serve(dir: string): Promise<string> {
    const s = await serveFolder(dir);
    servers.push(s.close);
    return s.url;
  }

  /** Opens a page and collects uncaught errors, so a test can assert the page threw nothing. */
  async function open(href: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(href);
    return { page, errors };
  }

  beforeAll(async () => {
    if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set MPAK_CHROMIUM)`);
    const tmp = await tempDir('mpak-web-');
    cleanup = tmp.cleanup;
    root = tmp.dir;
    ({ dist } = await buildFixtureRegistry(join(root, 'ok'), templateDir, samplePackages()));
    url = await serve(dist);
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    for (const close of servers) await close();
    await cleanup?.();
  });

  it('lists every package, verifies the signature, and finds a package despite a typo', async () => {
    const { page, errors } = await open(url);
    await poll(() => page.locator('#result-count').textContent()).toBe('5 packages');
    expect(await page.locator('#verification').textContent()).toContain('signature verified');
    expect(await page.locator('.banner').count()).toBe(0);
    await page.locator('#q').fill('filesytem');
    await poll(() => page.locator('#results .name').allTextContents()).toEqual(['@acme/filesystem']);
    expect(await page.locator('#result-count').textContent()).toBe('1 of 5 packages');
    // The query is in the URL, so the view is a deep link.
    await poll(() => page.url()).toContain('q=filesytem');
    await page.locator('#q').fill('');
    await page.screenshot({ path: join(artifacts, 'web-home.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters by kind, trust level, server type and platform, and sorts', async () => {
    const { page } = await open(url);
    const names = () => page.locator('#results .name').allTextContents();
    await poll(names).toHaveLength(5);
    await page.selectOption('#kind', 'skill');
    await poll(names).toEqual(['@acme/code-review']);
    await page.selectOption('#kind', '');
    await page.selectOption('#level', '3');
    await poll(names).toEqual(['@acme/filesystem']);
    await page.selectOption('#level', '');
    await page.selectOption('#type', 'python');
    await poll(names).toEqual(['@acme/postgres-query']);
    await page.selectOption('#type', '');
    await page.selectOption('#platform', 'win32-x64');
    const onWindows = await names();
    expect(onWindows).toContain('@weather/forecast');
    expect(onWindows).not.toContain('@acme/filesystem');
    await page.selectOption('#platform', '');
    await page.selectOption('#sort', 'trust');
    await poll(async () => (await names())[0]).toBe('@acme/filesystem');
    await page.selectOption('#sort', 'recent');
    await poll(async () => (await names())[0]).toBe('@weather/forecast');
    // Filters are deep-linkable: reloading the URL restores them.
    await page.selectOption('#kind', 'skill');
    await page.reload();
    await poll(names).toEqual(['@acme/code-review']);
    expect(await page.locator('#kind').inputValue()).toBe('skill');
    await page.close();
  });

  it('shows a package page with the trust table, install lines and version history', async () => {
    const { page, errors } = await open(`${url}#/package/@acme/filesystem`);
    const rows = page.locator('table.controls tbody tr');
    await poll(() => rows.count()).toBe(25);
    expect(await page.locator('h1').textContent()).toBe('@acme/filesystem');
    expect(await page.locator('.package-head .trust').textContent()).toBe('L3 88');
    expect(await page.locator('tr[data-control="AI-03"] .status').textContent()).toBe('pass');
    expect(await page.locator('tr[data-control="AI-04"] .status').textContent()).toBe('fail');
    // Per-control detail (format 2): the scanner's reason as text, and the control's findings by severity.
    expect(await page.locator('tr[data-control="AI-04"] .control-findings').textContent()).toBe('2 high1 low');
    expect(await page.locator('tr[data-control="AI-04"] .control-note').textContent()).toBe('Tool descriptions ask the model to <b>ignore</b> earlier instructions.');
    expect(await page.locator('tr[data-control="AI-03"] .control-note').textContent()).toBe('All 2 tool descriptions checked.');
    expect(await page.locator('table.controls b').count()).toBe(0);
    const install = await page.locator('#install ~ .copy-block code').allTextContents();
    expect(install[0]).toBe('mpak bundle run @acme/filesystem');
    expect(JSON.parse(install[1]!)).toEqual({ mcpServers: { filesystem: { command: 'mpak', args: ['bundle', 'run', '@acme/filesystem'] } } });
    expect(install[2]).toBe('claude mcp add filesystem -- mpak bundle run @acme/filesystem');
    // Markdown: heading, list, emphasis and an http(s) link become elements, built from text.
    expect(await page.locator('.markdown strong').first().textContent()).toBe('filesystem');
    expect(await page.locator('.markdown li').count()).toBe(2);
    expect(await page.locator('.markdown a').getAttribute('href')).toBe('https://docs.example/fs');
    expect(await page.locator('#tools ~ ul.tools code').allTextContents()).toEqual(['read_file', 'list_directory']);
    expect(await page.locator('table.versions tbody tr').count()).toBe(2);
    expect(await page.locator('.hash').first().textContent()).toMatch(/^[a-f0-9]{64}$|^sha256:/);
    await page.screenshot({ path: join(artifacts, 'web-package.png'), fullPage: true });
    // An older version is deep-linkable and says it is deprecated.
    await page.locator('table.versions a', { hasText: '1.1.0' }).click();
    await poll(() => page.locator('.notice').first().textContent()).toContain('deprecated');
    expect(await page.locator('#install ~ .copy-block code').first().textContent()).toBe('mpak bundle run @acme/filesystem@1.1.0');
    // Control rows link to their explanation on the trust framework page.
    await page.goBack();
    await page.locator('tr[data-control="CQ-02"] a').click();
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('CQ-02');
    expect(await page.locator('#CQ-02').textContent()).toContain('Malware Patterns');
    expect(await page.locator('article.control').count()).toBe(25);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('follows the dark colour scheme and fits a phone screen without sideways scrolling', async () => {
    const page = await browser.newPage({ colorScheme: 'dark', viewport: { width: 375, height: 800 } });
    await page.goto(`${url}#/package/@acme/filesystem`);
    await poll(() => page.locator('table.controls tbody tr').count()).toBe(25);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(13, 17, 23)');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(artifacts, 'web-package-dark-phone.png'), fullPage: false });
    await page.goto(`${url}#/`);
    await poll(() => page.locator('#result-count').textContent()).toBe('5 packages');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(artifacts, 'web-home-dark-phone.png'), fullPage: false });
    await page.close();
  });

  it('shows skill install lines on a skill page', async () => {
    const { page } = await open(`${url}#/package/@acme/code-review`);
    await poll(() => page.locator('#install ~ .copy-block code').allTextContents()).toEqual(['mpak skill install @acme/code-review']);
    await page.close();
  });

  it('renders the long description as safe Markdown below the description', async () => {
    const { page, errors } = await open(`${url}#/package/@acme/postgres-query`);
    const long = page.locator('.long-description');
    await poll(() => long.locator('h4').textContent()).toBe('Setup');
    expect(await long.textContent()).toContain('<script>window.__mpakXss = 4</script>');
    expect(await long.locator('code').textContent()).toBe('DATABASE_URL');
    expect(await long.locator('a').count()).toBe(1);
    expect(await long.locator('a').getAttribute('href')).toBe('https://pg.example/');
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __mpakXss?: number }).__mpakXss)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders a hostile description as text and never runs it', async () => {
    const { page, errors } = await open(`${url}#/package/@evil/xss-probe`);
    const markdown = page.locator('.markdown');
    await poll(() => markdown.textContent()).toContain('<script>window.__mpakXss = 1</script>');
    expect(await markdown.textContent()).toContain('<img src=x onerror="window.__mpakXss = 2">');
    expect(await page.locator('main script, main img, main b').count()).toBe(0);
    // The javascript: link keeps its label as text and is not a link.
    expect(await markdown.locator('a').count()).toBe(0);
    expect(await markdown.textContent()).toContain('a link');
    // The summary line on the home page is text as well.
    await page.goto(`${url}#/?q=harmless`);
    await poll(() => page.locator('#results .description').first().textContent()).toContain('<script>');
    expect(await page.evaluate(() => (window as unknown as { __mpakXss?: number }).__mpakXss)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a tamper warning and no packages when the summary does not match the snapshot', async () => {
    const tampered = join(root, 'tampered');
    await cp(dist, tampered, { recursive: true });
    const timestamp = JSON.parse(await readFile(join(tampered, 'timestamp.json'), 'utf8'));
    const snapshot = JSON.parse(await readFile(join(tampered, timestamp.signed.snapshot.path), 'utf8'));
    const summaryFile = join(tampered, snapshot.signed.summary[0].path);
    const text = await readFile(summaryFile, 'utf8');
    await writeFile(summaryFile, text.replace('Weather forecasts', 'Weather forecasTs'));
    const { page } = await open(await serve(tampered));
    const banner = page.locator('.banner-error');
    await poll(() => banner.textContent()).toContain('tampered');
    expect(await banner.textContent()).toContain(snapshot.signed.summary[0].path);
    expect(await page.locator('#results').count()).toBe(0);
    expect(await page.locator('#verification').textContent()).toBe('Index not verified.');
    await page.close();
  });

  it('refuses a package page when the document index does not match the snapshot, and still lists packages', async () => {
    const tampered = join(root, 'tampered-documents');
    await cp(dist, tampered, { recursive: true });
    const timestamp = JSON.parse(await readFile(join(tampered, 'timestamp.json'), 'utf8'));
    const snapshot = JSON.parse(await readFile(join(tampered, timestamp.signed.snapshot.path), 'utf8'));
    const indexFile = join(tampered, snapshot.signed.documents.path);
    const text = await readFile(indexFile, 'utf8');
    const at = text.indexOf('"sha256":"') + 10;
    await writeFile(indexFile, text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1));
    const base = await serve(tampered);
    const { page } = await open(`${base}#/`);
    await poll(() => page.locator('#result-count').textContent()).toBe('5 packages');
    await page.goto(`${base}#/package/@acme/filesystem`);
    const banner = page.locator('.banner-error');
    await poll(() => banner.textContent()).toContain('tampered');
    expect(await banner.textContent()).toContain(snapshot.signed.documents.path);
    expect(await page.locator('table.controls').count()).toBe(0);
    await page.close();
  });

  it('rejects a timestamp whose signature does not verify', async () => {
    const forged = join(root, 'forged');
    await cp(dist, forged, { recursive: true });
    const timestamp = JSON.parse(await readFile(join(forged, 'timestamp.json'), 'utf8'));
    timestamp.signed.version += 1000; // a replayed or forged version number
    await writeFile(join(forged, 'timestamp.json'), JSON.stringify(timestamp));
    const { page } = await open(await serve(forged));
    await poll(() => page.locator('.banner-error').textContent()).toContain('signature of timestamp.json does not verify');
    await page.close();
  });

  it('warns when the index has expired, and when a later index is signed by a key this browser did not pin', async () => {
    const { dist: old } = await buildFixtureRegistry(join(root, 'old'), templateDir, samplePackages().slice(0, 2), {
      committedAt: '2024-01-01T00:00:00Z',
      expiresDays: 1,
    });
    // One origin that first serves the current index, then the expired one signed by another key.
    const swap = join(root, 'swap');
    await cp(dist, swap, { recursive: true });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(await serve(swap));
    await poll(() => page.locator('#result-count').textContent()).toBe('5 packages');
    expect(await page.locator('.banner').count()).toBe(0);
    await rm(swap, { recursive: true });
    await cp(old, swap, { recursive: true });
    await page.reload();
    await poll(() => page.locator('#result-count').textContent()).toBe('2 packages');
    const warnings = await page.locator('.banner-warn').allTextContents();
    expect(warnings.some((w) => w.includes('expired on 2024-01-02'))).toBe(true);
    expect(warnings.some((w) => w.includes('not by the key this browser saw first'))).toBe(true);
    await context.close();
  });

  it('says so when the browser cannot check Ed25519 signatures, and still checks hashes', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const importKey = crypto.subtle.importKey.bind(crypto.subtle);
      crypto.subtle.importKey = ((...args: Parameters<SubtleCrypto['importKey']>) => {
        const algorithm = args[2] as { name?: string } | string;
        if ((typeof algorithm === 'string' ? algorithm : algorithm.name) === 'Ed25519') return Promise.reject(new DOMException('unsupported', 'NotSupportedError'));
        return importKey(...args);
      }) as SubtleCrypto['importKey'];
    });
    const page = await context.newPage();
    await page.goto(url);
    await poll(() => page.locator('#result-count').textContent()).toBe('5 packages');
    expect(await page.locator('#verification').textContent()).toContain('signature not checked by this browser');
    expect(await page.locator('.banner-info').textContent()).toContain('cannot verify Ed25519');
    await context.close();
  });

  it('has the trust framework and install pages, reachable by keyboard', async () => {
    const { page } = await open(`${url}#/install`);
    await poll(() => page.locator('h1').textContent()).toBe('How to install');
    await page.screenshot({ path: join(artifacts, 'web-install.png'), fullPage: true });
    const lines = await page.locator('.copy-block code').allTextContents();
    for (const line of lines.filter((l) => l.startsWith('mpak '))) {
      expect(line).toMatch(/^mpak (registry add|bundle run|bundle install|skill install) /);
    }
    // Every --client the page offers is one that `mpak bundle install` accepts.
    const clients = lines.flatMap((l) => [...l.matchAll(/--client (\S+)/g)].map((m) => m[1]));
    expect(new Set(clients)).toEqual(new Set(CLIENTS));
    // Tab order starts at the skip link, then the navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Trust framework');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('h1').textContent()).toBe('Trust framework');
    await page.screenshot({ path: join(artifacts, 'web-trust.png'), fullPage: false });
    await page.close();
  });
});
