// Home: search-as-you-type with filters, sorting and result counts. The search index is built
// once per load; each keystroke runs one search and renders the first page of results.
import { clear, formatDate, h } from '../dom.js';
import type { SummaryRecord } from '../load.js';
import { markdownToPlain } from '../markdown.js';
import { SearchIndex } from '../search.js';
import { packageHref, state } from '../state.js';
import { trustBadge, statusBadge } from '../widgets.js';

const PAGE_SIZE = 30;
/** The URL follows the search box once typing pauses (history updates are not free). */
const URL_DELAY_MS = 250;

type Sort = 'relevance' | 'name' | 'trust' | 'recent';

interface Filters {
  q: string;
  kind: string;
  level: string;
  type: string;
  platform: string;
  sort: Sort | '';
}

export function ensureSearchIndex(records: SummaryRecord[]): SearchIndex {
  if (!state.search) {
    const start = performance.now();
    const search = new SearchIndex(records);
    state.search = search;
    performance.measure('mpak:search-index', { start, end: performance.now() });
    // After the first render, while the user reads: the first keystroke then runs on warm code.
    setTimeout(() => search.warmUp(), 0);
  }
  return state.search;
}

function filtersFrom(params: URLSearchParams): Filters {
  const sort = params.get('sort') ?? '';
  return {
    q: params.get('q') ?? '',
    kind: params.get('kind') ?? '',
    level: params.get('level') ?? '',
    type: params.get('type') ?? '',
    platform: params.get('platform') ?? '',
    sort: (['relevance', 'name', 'trust', 'recent'] as const).find((s) => s === sort) ?? '',
  };
}

function hashFor(f: Filters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `#/?${query}` : '#/';
}

function select(id: string, label: string, value: string, options: Array<[string, string]>, onChange: (v: string) => void): HTMLElement {
  const el = h('select', { id, name: id, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value) });
  for (const [v, text] of options) {
    const opt = h('option', { value: v }, text);
    if (v === value) opt.selected = true;
    el.appendChild(opt);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), el);
}

/** Runs the query and filters; exported for the e2e test's expectations and the benchmark. */
export function runQuery(records: SummaryRecord[], index: SearchIndex, f: Filters): SummaryRecord[] {
  const minLevel = f.level ? Number(f.level) : 0;
  const keep = (r: SummaryRecord) =>
    (!f.kind || r.kind === f.kind) &&
    r.level >= minLevel &&
    (!f.type || r.serverType === f.type) &&
    (!f.platform || r.platforms.length === 0 || r.platforms.includes(f.platform));
  const query = f.q.trim();
  const sort: Sort = f.sort || (query ? 'relevance' : 'name');
  let list: SummaryRecord[];
  if (query) {
    list = [];
    for (const hit of index.search(query)) {
      const r = records[hit.id]!;
      if (keep(r)) list.push(r);
    }
  } else list = records.filter(keep);
  // The builder writes summaries in name order, so an unsearched listing needs no sort.
  if (sort === 'name' && (query || !isSortedByName(records))) list = list.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  else if (sort === 'trust') list = list.slice().sort((a, b) => b.level - a.level || b.score - a.score || (a.name < b.name ? -1 : 1));
  else if (sort === 'recent') list = list.slice().sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0));
  return list;
}

export function renderHome(main: HTMLElement, params: URLSearchParams): void {
  const index = state.index!;
  const records = index.records;
  const search = ensureSearchIndex(records);
  const f = filtersFrom(params);
  const types = [...new Set(records.map((r) => r.serverType).filter((t): t is string => !!t))].sort();
  const platforms = [...new Set(records.flatMap((r) => r.platforms))].sort();

  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite', id: 'result-count' });
  const list = h('ol', { class: 'results', id: 'results', 'aria-labelledby': 'result-count' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'Show more');
  let current: SummaryRecord[] = [];
  let shown = 0;
  let urlTimer: ReturnType<typeof setTimeout> | undefined;

  const showMore = () => {
    const next = current.slice(shown, shown + PAGE_SIZE);
    for (const r of next) list.appendChild(resultItem(r));
    shown += next.length;
    more.hidden = shown >= current.length;
  };
  more.addEventListener('click', () => {
    const first = shown;
    showMore();
    (list.children[first]?.querySelector('a') as HTMLElement | null)?.focus();
  });

  /** `url`: 'now' for filter changes, 'typing' to follow the search box once typing pauses. */
  const update = (url: 'now' | 'typing' | 'none') => {
    const start = performance.now();
    const previous = current;
    current = runQuery(records, search, f);
    performance.measure('mpak:query', { start, end: performance.now() });
    // Typing one more letter often leaves the visible results as they were: keep those nodes.
    if (!samePage(previous, current, shown) || list.querySelector('.empty')) {
      clear(list);
      shown = 0;
      showMore();
    } else more.hidden = shown >= current.length;
    const total = records.length;
    count.textContent =
      current.length === total
        ? `${total.toLocaleString('en')} ${total === 1 ? 'package' : 'packages'}`
        : `${current.length.toLocaleString('en')} of ${total.toLocaleString('en')} packages`;
    if (current.length === 0) list.appendChild(h('li', { class: 'empty' }, 'No package matches. Try fewer words or clear a filter.'));
    performance.measure('mpak:search', { start, end: performance.now() });
    clearTimeout(urlTimer);
    if (url === 'now') history.replaceState(null, '', hashFor(f));
    else if (url === 'typing') {
      urlTimer = setTimeout(() => {
        if (main.isConnected) history.replaceState(null, '', hashFor(f));
      }, URL_DELAY_MS);
    }
  };

  const input = h('input', {
    id: 'q',
    type: 'search',
    name: 'q',
    value: f.q,
    placeholder: 'Search by name, description or keyword',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-controls': 'results',
    'aria-describedby': 'search-help',
  });
  input.addEventListener('input', () => {
    f.q = input.value;
    update('typing');
  });
  input.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || (e.key === 'Enter' && current.length)) {
      const first = list.querySelector('a');
      if (first) {
        e.preventDefault();
        if (e.key === 'Enter') first.click();
        else first.focus();
      }
    }
  });
  const on = (key: keyof Filters) => (v: string) => {
    (f as unknown as Record<string, string>)[key] = v;
    update('now');
  };

  const form = h(
    'form',
    { class: 'search', role: 'search', onsubmit: (e: Event) => e.preventDefault() },
    h('div', { class: 'field grow' }, h('label', { for: 'q' }, 'Search packages'), input),
    h(
      'div',
      { class: 'filters' },
      select('kind', 'Kind', f.kind, [['', 'All kinds'], ['bundle', 'Bundles'], ['skill', 'Skills']], on('kind')),
      select('level', 'Trust level', f.level, [['', 'Any level'], ['1', 'L1 Basic or higher'], ['2', 'L2 Standard or higher'], ['3', 'L3 Verified or higher'], ['4', 'L4 Attested']], on('level')),
      select('type', 'Server type', f.type, [['', 'Any type'], ...types.map((t): [string, string] => [t, t])], on('type')),
      select('platform', 'Platform', f.platform, [['', 'Any platform'], ...platforms.map((p): [string, string] => [p, p])], on('platform')),
      select('sort', 'Sort by', f.sort, [['', 'Best match'], ['name', 'Name'], ['trust', 'Trust'], ['recent', 'Most recent']], on('sort')),
    ),
    h('p', { id: 'search-help', class: 'help' }, 'Results update as you type and tolerate small typos. Press ↓ to move to the results.'),
  );

  main.append(h('h1', { class: 'visually-hidden' }, 'Packages'), form, count, list, more);
  update('none');
  if (!f.q) performance.mark('mpak:home-rendered');
}

const nameOrdered = new WeakMap<SummaryRecord[], boolean>();

function isSortedByName(records: SummaryRecord[]): boolean {
  let sorted = nameOrdered.get(records);
  if (sorted === undefined) {
    sorted = records.every((r, i) => i === 0 || records[i - 1]!.name <= r.name);
    nameOrdered.set(records, sorted);
  }
  return sorted;
}

function samePage(a: SummaryRecord[], b: SummaryRecord[], shown: number): boolean {
  if (shown === 0 || Math.min(a.length, shown) !== Math.min(b.length, shown)) return false;
  for (let i = 0; i < Math.min(b.length, shown); i++) if (a[i] !== b[i]) return false;
  return true;
}

function resultItem(r: SummaryRecord): HTMLElement {
  return h(
    'li',
    { class: 'result' },
    h(
      'div',
      { class: 'result-head' },
      h('a', { href: packageHref(r.name), class: 'name' }, r.name),
      h('span', { class: 'version' }, r.version),
      trustBadge(r.level, r.score, r.display),
      h('span', { class: `tag kind-${r.kind}` }, r.kind),
      r.serverType ? h('span', { class: 'tag' }, r.serverType) : null,
      r.status !== 'active' ? statusBadge(r.status) : null,
    ),
    h('p', { class: 'description' }, markdownToPlain(r.description)),
    h(
      'p',
      { class: 'meta' },
      r.keywords.length ? h('span', { class: 'keywords' }, r.keywords.slice(0, 6).join(' · ')) : null,
      h('span', { class: 'date' }, `updated ${formatDate(r.publishedAt)}`),
    ),
  );
}
