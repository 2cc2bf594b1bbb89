// Small shared pieces: trust badge, status badge, copyable code block.
import { h } from './dom.js';
import { LEVEL_NAMES } from './controls.js';

export function trustBadge(level: number, score: number, display?: string, degraded = false): HTMLElement {
  const text = display || `L${level} ${score}`;
  const name = LEVEL_NAMES[level] ?? 'Unknown';
  return h(
    'span',
    { class: `trust trust-l${level}${degraded ? ' degraded' : ''}`, title: `Trust level ${level} (${name}), score ${score} of 100${degraded ? ', degraded scan' : ''}` },
    text,
  );
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${status}` }, status);
}

let copyCounter = 0;

/** A labelled, selectable code block with a copy button that reports success to screen readers. */
export function copyBlock(label: string, text: string): HTMLElement {
  const id = `copy-${++copyCounter}`;
  const code = h('code', { id }, text);
  const feedback = h('span', { class: 'copy-feedback', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'copy', 'aria-describedby': id }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      feedback.textContent = 'Copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      feedback.textContent = 'Selected: press Ctrl+C to copy';
    }
    setTimeout(() => (feedback.textContent = ''), 2500);
  });
  return h('div', { class: 'copy-block' }, h('div', { class: 'copy-label' }, h('span', null, label), button, feedback), h('pre', null, code));
}
