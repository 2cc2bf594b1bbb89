// Entry point of the registry web page: builds the shell, loads and verifies the index, then
// renders the page named by the URL hash (so every view is a deep link on any static host).
import './style.css';
import { clear, h } from './dom.js';
import { loadIndex, VerificationError } from './load.js';
import { renderHome } from './pages/home.js';
import { renderInstall } from './pages/install.js';
import { renderPackage } from './pages/package.js';
import { renderTrust } from './pages/trust.js';
import { parseRoute, state } from './state.js';

const banner = h('div', { id: 'banner', class: 'banners' });
const main = h('main', { id: 'main', tabindex: '-1' });
const verification = h('span', { id: 'verification' });

function shell(): void {
  const nav = h(
    'nav',
    { 'aria-label': 'Main' },
    h('a', { href: '#/', 'data-nav': 'home' }, 'Packages'),
    h('a', { href: '#/trust', 'data-nav': 'trust' }, 'Trust framework'),
    h('a', { href: '#/install', 'data-nav': 'install' }, 'How to install'),
  );
  document.body.append(
    h('a', { href: '#main', class: 'skip', onclick: (e: Event) => (e.preventDefault(), main.focus()) }, 'Skip to content'),
    h('header', { class: 'site' }, h('a', { href: '#/', class: 'brand', id: 'brand' }, 'mpak registry'), nav),
    banner,
    main,
    h('footer', { class: 'site' }, h('p', null, verification), h('p', null, 'Served as static files; this page makes no requests beyond this registry.')),
  );
}

function showBanner(kind: 'error' | 'warn' | 'info', title: string, text: string): void {
  banner.append(h('div', { class: `banner banner-${kind}`, role: kind === 'info' ? 'status' : 'alert' }, h('strong', null, title), ' ', text));
}

let renderToken = 0;

async function render(): Promise<void> {
  const token = ++renderToken;
  const route = parseRoute(location.hash);
  clear(main);
  for (const a of document.querySelectorAll('nav a[data-nav]')) {
    if (a.getAttribute('data-nav') === route.page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const registryTitle = state.index?.snapshot.registry.title ?? 'mpak registry';
  document.title = registryTitle;
  if (route.page === 'trust') return renderTrust(main, route.arg);
  if (route.page === 'install') return renderInstall(main);
  if (route.page === 'not-found') {
    main.append(h('h1', null, 'Page not found'), h('p', null, h('a', { href: '#/' }, 'Back to all packages')));
    return;
  }
  if (state.failure) {
    main.append(h('h1', null, 'This index cannot be shown'), h('p', null, state.failure.message));
    return;
  }
  if (!state.index) {
    main.append(h('p', { class: 'loading', role: 'status' }, 'Loading and verifying the index…'));
    return;
  }
  try {
    if (route.page === 'home') renderHome(main, route.params);
    else await renderPackage(main, route.arg!, route.params, () => token === renderToken);
  } catch (error) {
    if (token !== renderToken) return;
    clear(main);
    const tampered = error instanceof VerificationError;
    if (tampered) showBanner('error', 'Verification failed.', `${(error as Error).message}. The file may have been tampered with; it is not shown.`);
    main.append(h('h1', null, 'This page cannot be shown'), h('p', null, (error as Error).message));
  }
}

async function start(): Promise<void> {
  shell();
  window.addEventListener('hashchange', () => {
    void render().then(() => {
      if (!main.contains(document.activeElement)) main.focus({ preventScroll: true });
    });
    window.scrollTo(0, 0);
  });
  void render();
  try {
    state.index = await loadIndex();
    performance.mark('mpak:index-verified');
    const index = state.index;
    document.getElementById('brand')!.textContent = index.snapshot.registry.title;
    for (const w of index.warnings) showBanner('warn', w.title, w.text);
    const sig = index.signature;
    verification.textContent =
      sig.state === 'verified'
        ? `Index version ${index.timestamp.version}: every file verified by SHA-256; signature verified (key ${sig.keyids.map((k) => k.slice(0, 16)).join(', ')}).`
        : sig.state === 'unsupported'
          ? `Index version ${index.timestamp.version}: every file verified by SHA-256; signature not checked by this browser (no Ed25519 in WebCrypto). Use mpak index verify for a full check.`
          : `Index version ${index.timestamp.version}: every file verified by SHA-256; signature not checked: ${sig.reason}.`;
    if (sig.state !== 'verified') showBanner('info', 'Signature not checked.', sig.state === 'unsupported' ? 'This browser cannot verify Ed25519 signatures; file hashes were still checked.' : `${sig.reason}; file hashes were still checked.`);
  } catch (error) {
    const tampered = error instanceof VerificationError;
    state.failure = { tampered, message: (error as Error).message };
    if (tampered) showBanner('error', 'Verification failed: this index may have been tampered with.', `${(error as Error).message}. Nothing from it is shown.`);
    else showBanner('error', 'The index could not be loaded.', (error as Error).message);
    verification.textContent = 'Index not verified.';
  }
  await render();
  performance.mark('mpak:first-useful-render');
}

void start();
