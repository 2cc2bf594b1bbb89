import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from '../../index-template/web-src/markdown.js';

describe('markdown subset parser', () => {
  it('parses headings, lists, code, quotes and paragraphs', () => {
    const blocks = parseMarkdown('# Title\n\nSome *em* and **strong** text.\n\n- one\n- two\n\n1. first\n2. second\n\n```\n<b>code</b>\n```\n\n> quoted\n\n---');
    expect(blocks.map((b) => b.t)).toEqual(['h', 'p', 'ul', 'ol', 'pre', 'quote', 'hr']);
    expect(blocks[4]).toEqual({ t: 'pre', v: '<b>code</b>' });
    expect(blocks[1]).toEqual({
      t: 'p',
      c: [
        { t: 'text', v: 'Some ' },
        { t: 'em', c: [{ t: 'text', v: 'em' }] },
        { t: 'text', v: ' and ' },
        { t: 'strong', c: [{ t: 'text', v: 'strong' }] },
        { t: 'text', v: ' text.' },
      ],
    });
  });

  it('keeps only absolute http(s) links; other schemes become their label', () => {
    expect(parseInline('[docs](https://docs.example/x)')).toEqual([{ t: 'link', href: 'https://docs.example/x', c: [{ t: 'text', v: 'docs' }] }]);
    expect(parseInline('[x](javascript:alert(1))')).toEqual([{ t: 'text', v: 'x' }, { t: 'text', v: ')' }]);
    expect(parseInline('[x](data:text/html,hi)')).toEqual([{ t: 'text', v: 'x' }]);
    expect(parseInline('[x](/relative)')).toEqual([{ t: 'text', v: 'x' }]);
    expect(parseInline('<https://a.example/>')).toEqual([{ t: 'link', href: 'https://a.example/', c: [{ t: 'text', v: 'https://a.example/' }] }]);
  });

  it('leaves HTML as text and does not treat underscores inside words as emphasis', () => {
    const inline = parseInline('a <script>window.__x = 1</script> b snake_case_name');
    expect(inline).toEqual([{ t: 'text', v: 'a <script>window.__x = 1</script> b snake_case_name' }]);
    expect(parseInline('_real emphasis_')).toEqual([{ t: 'em', c: [{ t: 'text', v: 'real emphasis' }] }]);
  });

  it('handles escapes, unclosed delimiters and long input without blowing up', () => {
    expect(parseInline('\\*not em\\*')).toEqual([{ t: 'text', v: '*not em*' }]);
    expect(parseInline('2 * 3 * 4')).toEqual([{ t: 'text', v: '2 * 3 * 4' }]);
    expect(parseInline('`code` and `unclosed')).toEqual([{ t: 'code', v: 'code' }, { t: 'text', v: ' and `unclosed' }]);
    const long = '*'.repeat(50_000) + 'x';
    expect(parseMarkdown(long).length).toBe(1);
  });
});

describe('markdownToPlain', () => {
  it('drops syntax, keeps text, and removes heading markers folded into one line', async () => {
    const { markdownToPlain } = await import('../../index-template/web-src/markdown.js');
    expect(markdownToPlain('Secure **fs** access. ## Features - Read [docs](https://x.example)')).toBe('Secure fs access. Features - Read docs');
    expect(markdownToPlain('# Title\n\n- a\n- b')).toBe('Title a; b');
    expect(markdownToPlain('<script>x</script> C# is fine')).toBe('<script>x</script> C# is fine');
  });
});
