/**
 * The rules an entry name must meet before anything is written for it (mcpb-format §5). The
 * reader applies them to hostile archives; the writer applies them to its own input so that mpak
 * never produces an archive its own reader would refuse.
 */

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * Why `name` is not a safe entry name, or undefined when it is. `name` is the decoded name; a
 * directory entry's single trailing `/` is allowed.
 */
export function unsafeNameReason(name: string, options: { windows?: boolean } = {}): string | undefined {
  if (name.length === 0) return 'empty name';
  if (name.includes('\\')) return 'backslash in name';
   
  if (/[\u0000-\u001f]/.test(name)) return 'NUL or control character in name';
  if (name.startsWith('/')) return name.startsWith('//') ? 'UNC path' : 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive-letter path';
  const body = name.endsWith('/') ? name.slice(0, -1) : name;
  for (const segment of body.split('/')) {
    if (segment === '') return 'empty path segment';
    if (segment === '.') return '"." path segment';
    if (segment === '..') return '".." path segment (zip-slip)';
    if (options.windows) {
      if (segment.includes(':')) return 'colon in name (Windows)';
      if (/[. ]$/.test(segment)) return 'trailing dot or space (Windows)';
      if (WINDOWS_RESERVED.test(segment)) return `reserved device name "${segment}" (Windows)`;
      if (/[<>"|?*]/.test(segment)) return 'character not allowed on Windows';
    }
  }
  return undefined;
}

/** The key two names collide under on case-insensitive, normalising filesystems (macOS, Windows). */
export function foldKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/** `a/b/c` → [`a`, `a/b`]. */
export function parentDirectories(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** Byte-wise order of the UTF-8 encodings: the one order that is the same on every machine. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
