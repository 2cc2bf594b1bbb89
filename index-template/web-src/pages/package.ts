// Package page: one bundle or skill, with a version picker, the trust breakdown per control,
// tools, configuration, signature and provenance, artifacts and copyable install lines.
import { CONTROLS, LEVEL_NAMES, STATUS_TEXT, controlInfo } from '../controls.js';
import { externalLink, formatBytes, formatDate, h } from '../dom.js';
import { installLines } from '../install-lines.js';
import { loadDocument, type PackageDocument } from '../load.js';
import { renderMarkdown } from '../markdown.js';
import { controlHref, packageHref, state } from '../state.js';
import { copyBlock, statusBadge, trustBadge } from '../widgets.js';

type VersionEntry = PackageDocument['versions'][number];

const SIGNATURE_TEXT: Record<string, string> = {
  trusted: 'Signed by a certificate that chains to a trust anchor the registry accepts.',
  'self-signed': 'Signed with a self-signed certificate: the bytes are intact, but the signer is not vouched for.',
  untrusted: 'Signed, but the certificate does not chain to a trusted anchor.',
  invalid: 'The signature does not match the bundle: it was changed after signing.',
  malformed: 'The signature block cannot be parsed.',
  unsigned: 'The bundle is not signed.',
};

/** `isCurrent` turns false when the user navigated away while the document was loading. */
export async function renderPackage(main: HTMLElement, name: string, params: URLSearchParams, isCurrent: () => boolean): Promise<void> {
  const index = state.index!;
  const record = index.records.find((r) => r.name === name);
  if (!record) {
    main.append(h('h1', null, 'Package not found'), h('p', null, `This registry has no package named ${name}.`), h('p', null, h('a', { href: '#/' }, 'Back to all packages')));
    return;
  }
  const loading = h('p', { class: 'loading', role: 'status' }, `Loading ${name}…`);
  main.append(loading);
  const doc = await loadDocument(index.snapshot, record.kind, name);
  if (!isCurrent()) return;
  loading.remove();
  if (!doc) {
    main.append(h('h1', null, name), h('p', null, 'The snapshot lists no document for this package.'));
    return;
  }
  const wanted = params.get('version');
  const entry = doc.versions.find((v) => v.version === wanted) ?? doc.versions.find((v) => v.version === doc.latest) ?? doc.versions[0];
  if (!entry) {
    main.append(h('h1', null, name), h('p', null, 'This package has no versions.'));
    return;
  }
  renderDocument(main, doc, entry);
}

function section(id: string, title: string, ...children: Array<Node | null>): HTMLElement {
  return h('section', { 'aria-labelledby': id, class: 'card' }, h('h2', { id }, title), ...children);
}

function renderDocument(main: HTMLElement, doc: PackageDocument, v: VersionEntry): void {
  const m = v.manifest;
  const isLatest = v.version === doc.latest;
  main.append(
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Packages'), ' / ', doc.name),
    h(
      'header',
      { class: 'package-head' },
      h('h1', null, doc.name),
      h(
        'p',
        { class: 'badges' },
        h('span', { class: 'version' }, `v${v.version}`),
        trustBadge(v.scan.level, v.scan.score, v.scan.display, v.scan.degraded),
        h('span', { class: `tag kind-${doc.kind}` }, doc.kind),
        m.serverType ? h('span', { class: 'tag' }, m.serverType) : null,
        v.status !== 'active' ? statusBadge(v.status) : null,
        !isLatest && doc.latest ? h('a', { href: packageHref(doc.name), class: 'tag' }, `latest is ${doc.latest}`) : null,
      ),
      m.displayName && m.displayName !== doc.name ? h('p', { class: 'display-name' }, m.displayName) : null,
    ),
  );
  if (v.status !== 'active') {
    main.append(h('p', { class: `notice status-${v.status}`, role: 'note' }, `This version is ${v.status}.`, v.statusMessage ? ` ${v.statusMessage}` : ''));
  }
  const description = h('div', { class: 'markdown' });
  description.append(renderMarkdown(m.description));
  // The manifest's long_description is untrusted Markdown: the same safe renderer (no raw HTML, safe links only).
  if (m.longDescription) {
    const long = h('div', { class: 'long-description' });
    long.append(renderMarkdown(m.longDescription));
    description.append(long);
  }
  main.append(
    h(
      'div',
      { class: 'package-grid' },
      h(
        'div',
        { class: 'primary' },
        section('about', 'About', description, linksList(v)),
        section('install', 'Install', ...installLines(doc.kind, doc.name, isLatest ? undefined : v.version).map((l) => copyBlock(l.label, l.text))),
        trustSection(v),
        doc.kind === 'bundle' ? toolsSection(v) : null,
        m.userConfig.length ? configSection(v) : null,
      ),
      h(
        'div',
        { class: 'secondary' },
        signatureSection(v),
        artifactsSection(v),
        versionsSection(doc, v),
        doc.claim.maintainers.length ? section('maintainers', 'Maintainers', h('ul', { class: 'plain' }, ...doc.claim.maintainers.map((u) => h('li', null, u)))) : null,
      ),
    ),
  );
  document.title = `${doc.name} – ${state.index?.snapshot.registry.title ?? 'mpak registry'}`;
}

function linksList(v: VersionEntry): HTMLElement {
  const m = v.manifest;
  const rows: Array<[string, Node]> = [];
  if (m.repository) rows.push(['Source', externalLink(m.repository)]);
  if (m.homepage) rows.push(['Homepage', externalLink(m.homepage)]);
  if (m.license) rows.push(['License', document.createTextNode(m.license)]);
  if (m.keywords.length) rows.push(['Keywords', document.createTextNode(m.keywords.join(', '))]);
  rows.push(['Published', document.createTextNode(formatDate(v.publishedAt))]);
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, val]) => [h('dt', null, k), h('dd', null, val)]));
}

function trustSection(v: VersionEntry): HTMLElement {
  const s = v.scan;
  const counts = s.counts;
  const table = h(
    'table',
    { class: 'controls' },
    h('caption', null, `${Object.values(s.controls).filter((x) => x === 'pass' || x === 'skip').length} of ${CONTROLS.length} controls satisfied`),
    h(
      'thead',
      null,
      h('tr', null, h('th', { scope: 'col' }, 'Control'), h('th', { scope: 'col' }, 'Level'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Findings'), h('th', { scope: 'col' }, 'Note')),
    ),
    h(
      'tbody',
      null,
      ...CONTROLS.map((c) => {
        const status = s.controls[c.id] ?? 'missing';
        return h(
          'tr',
          { class: `control-row status-${status}`, 'data-control': c.id },
          h('th', { scope: 'row' }, h('a', { href: controlHref(c.id) }, h('span', { class: 'control-id' }, c.id), ' ', c.name)),
          h('td', null, `L${c.level}`),
          h('td', null, h('span', { class: `status status-${status}`, title: STATUS_TEXT[status] ?? '' }, status)),
          findingsCell(s.details?.[c.id]?.findings),
          h('td', { class: 'control-note' }, s.details?.[c.id]?.reason ?? (status === 'pass' ? '' : (STATUS_TEXT[status] ?? 'Not reported by the scan.'))),
        );
      }),
      // Controls reported by a newer scanner that this page does not know: shown, not hidden.
      ...Object.keys(s.controls)
        .filter((id) => !controlInfo(id))
        .sort()
        .map((id) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, id),
            h('td', null, ''),
            h('td', null, statusBadge(s.controls[id]!)),
            findingsCell(s.details?.[id]?.findings),
            h('td', { class: 'control-note' }, s.details?.[id]?.reason ?? STATUS_TEXT[s.controls[id]!] ?? ''),
          ),
        ),
    ),
  );
  return section(
    'trust',
    'Trust',
    h(
      'p',
      { class: 'trust-summary' },
      trustBadge(s.level, s.score, s.display, s.degraded),
      ` Level ${s.level} (${LEVEL_NAMES[s.level] ?? 'unknown'}), score ${s.score} of 100. `,
      h('a', { href: '#/trust' }, 'How trust levels work'),
    ),
    s.degraded ? h('p', { class: 'notice warn', role: 'note' }, 'This scan is degraded (a check could not run), so its level is not a certification.') : null,
    h(
      'p',
      { class: 'counts', 'aria-label': 'Findings by severity' },
      ...(['critical', 'high', 'medium', 'low', 'info'] as const).map((k) => h('span', { class: `count-chip sev-${k}` }, `${counts[k]} ${k}`)),
    ),
    h('div', { class: 'table-wrap' }, table),
    h('p', { class: 'help' }, `Scanned by mpak ${s.scannerVersion}. Finding counts are totals for this version across all controls.`),
  );
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** One control's findings by severity (`2 high, 1 low`); empty when it raised none or the entry predates per-control detail. */
function findingsCell(findings: Partial<Record<(typeof SEVERITIES)[number], number>> | undefined): HTMLElement {
  const parts = SEVERITIES.filter((k) => (findings?.[k] ?? 0) > 0).map((k) => h('span', { class: `count-chip sev-${k}` }, `${findings![k]} ${k}`));
  return h('td', { class: 'control-findings' }, ...parts);
}

function toolsSection(v: VersionEntry): HTMLElement {
  const m = v.manifest;
  const items = (list: Array<{ name: string; description?: string }>) =>
    h('ul', { class: 'tools' }, ...list.map((t) => h('li', null, h('code', null, t.name), t.description ? h('span', null, ` — ${t.description}`) : null)));
  return section(
    'tools',
    'Tools and prompts',
    h('h3', null, `Tools (${m.tools.length})`),
    m.tools.length ? items(m.tools) : h('p', null, 'No tools declared.'),
    m.prompts.length ? h('h3', null, `Prompts (${m.prompts.length})`) : null,
    m.prompts.length ? items(m.prompts) : null,
  );
}

function configSection(v: VersionEntry): HTMLElement {
  return section(
    'config',
    'Configuration (user_config)',
    h(
      'table',
      null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Required'), h('th', { scope: 'col' }, 'Notes'))),
      h(
        'tbody',
        null,
        ...v.manifest.userConfig.map((c) =>
          h('tr', null, h('th', { scope: 'row' }, h('code', null, c.key)), h('td', null, c.type), h('td', null, c.required ? 'yes' : 'no'), h('td', null, [c.title ?? '', c.sensitive ? ' (sensitive: stored masked)' : ''].join('').trim())),
        ),
      ),
    ),
    h('p', { class: 'help' }, 'Set values with ', h('code', null, 'mpak config set <package> key=value'), '; mpak asks for required values it does not have.'),
  );
}

function signatureSection(v: VersionEntry): HTMLElement {
  const sig = v.signature;
  const p = v.provenance;
  const rows: Array<[string, Node | string]> = [['Signature', statusBadge(sig.status)]];
  if (sig.signer) rows.push(['Signer', sig.signer]);
  if (sig.fingerprint) rows.push(['Certificate', h('code', { class: 'hash' }, sig.fingerprint)]);
  if (p.repository) rows.push(['Built from', externalLink(p.repository)]);
  if (p.commit) rows.push(['Commit', p.repository && /^https:\/\/github\.com\//.test(p.repository) ? externalLink(`${p.repository.replace(/\/$/, '')}/commit/${p.commit}`, p.commit.slice(0, 12)) : h('code', null, p.commit)]);
  if (p.tag) rows.push(['Tag', p.tag]);
  if (p.workflow) rows.push(['Workflow', h('code', null, p.workflow)]);
  if (!p.repository && !p.commit) rows.push(['Provenance', 'not recorded']);
  return section(
    'signature',
    'Signature and provenance',
    h('p', null, SIGNATURE_TEXT[sig.status] ?? ''),
    h('dl', { class: 'facts' }, ...rows.flatMap(([k, val]) => [h('dt', null, k), h('dd', null, val)])),
  );
}

function artifactsSection(v: VersionEntry): HTMLElement {
  return section(
    'artifacts',
    'Files',
    h(
      'ul',
      { class: 'plain artifacts' },
      ...v.artifacts.map((a) =>
        h(
          'li',
          null,
          h('p', null, h('strong', null, a.platform ?? 'all platforms'), ` · ${formatBytes(a.size)}`),
          h('p', { class: 'hash-line' }, 'SHA-256 ', h('code', { class: 'hash' }, a.sha256)),
          /^https?:\/\//.test(a.url) ? h('p', null, externalLink(a.url, 'download')) : h('p', null, h('code', null, a.url)),
        ),
      ),
    ),
  );
}

function versionsSection(doc: PackageDocument, current: VersionEntry): HTMLElement {
  return section(
    'versions',
    'Versions',
    h(
      'table',
      { class: 'versions' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Trust'))),
      h(
        'tbody',
        null,
        ...doc.versions.map((v) =>
          h(
            'tr',
            v.version === current.version ? { 'aria-current': 'true', class: 'current' } : null,
            h('th', { scope: 'row' }, h('a', { href: packageHref(doc.name, v.version) }, v.version)),
            h('td', null, formatDate(v.publishedAt)),
            h('td', null, statusBadge(v.status)),
            h('td', null, trustBadge(v.scan.level, v.scan.score, v.scan.display, v.scan.degraded)),
          ),
        ),
      ),
    ),
  );
}
