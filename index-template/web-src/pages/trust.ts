// The "Trust framework" page: the 25 controls and the levels in plain words. Each control has
// its own anchor (#/trust/AI-01) that the rows of every package page link to.
import { CONTROLS, DOMAINS, LEVEL_NAMES, LEVEL_TEXT, STATUS_TEXT } from '../controls.js';
import { h } from '../dom.js';
import { controlHref } from '../state.js';

export function renderTrust(main: HTMLElement, focusId?: string): void {
  main.append(
    h('h1', null, 'Trust framework'),
    h(
      'p',
      { class: 'lead' },
      'Every package version in this registry is scanned by mpak against the 25 controls of the mpak Trust Framework (MTF). ',
      'The scan runs offline on the published bundle; it reads the code, the manifest and the metadata, and never calls a tool.',
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'levels' },
      h('h2', { id: 'levels' }, 'Levels and score'),
      h(
        'p',
        null,
        'Trust is shown as ',
        h('code', null, 'L3 88'),
        ': the level (0 to 4) and the score (0 to 100). Levels are cumulative: a bundle reaches a level only when every control of that level and all lower levels passes or does not apply. ',
        'The score is 4 points per satisfied control, so 22 satisfied controls give 88 and all 25 give 100. ',
        'A control that needed an input the scan did not have is "unverified" and does not count.',
      ),
      h('dl', { class: 'levels' }, ...[0, 1, 2, 3, 4].flatMap((l) => [h('dt', null, h('span', { class: `trust trust-l${l}` }, `L${l}`), ` ${LEVEL_NAMES[l]}`), h('dd', null, LEVEL_TEXT[l]!)])),
      h('h3', null, 'Control statuses'),
      h('dl', { class: 'facts' }, ...Object.entries(STATUS_TEXT).flatMap(([s, text]) => [h('dt', null, h('span', { class: `status status-${s}` }, s)), h('dd', null, text)])),
      h('p', null, 'A scan in which any check failed to run is marked "degraded"; its level is never presented as a certification.'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'controls-heading' },
      h('h2', { id: 'controls-heading' }, 'The 25 controls'),
      ...Object.entries(DOMAINS).map(([prefix, domain]) =>
        h(
          'section',
          { class: 'card', 'aria-labelledby': `domain-${prefix}` },
          h('h3', { id: `domain-${prefix}` }, domain),
          ...CONTROLS.filter((c) => c.id.startsWith(prefix)).map((c) =>
            h(
              'article',
              { class: 'control', id: c.id, tabindex: '-1', 'aria-labelledby': `${c.id}-title` },
              h('h4', { id: `${c.id}-title` }, h('a', { href: controlHref(c.id), class: 'anchor' }, c.id), ` ${c.name} `, h('span', { class: `trust trust-l${c.level}` }, `L${c.level}`)),
              h('p', null, h('strong', null, 'Checks: '), c.checks),
              h('p', null, h('strong', null, 'Why it matters: '), c.why),
            ),
          ),
        ),
      ),
    ),
  );
  if (focusId) {
    const target = document.getElementById(focusId);
    if (target) {
      target.classList.add('highlight');
      target.scrollIntoView({ block: 'start' });
      target.focus({ preventScroll: true });
    }
  }
}
