/** purl for an npm package; the scope's `@` is always encoded (`pkg:npm/%40scope/name@1.2.3`). */
export function npmPurl(name: string, version: string): string {
  const encoded = name.startsWith('@') ? `%40${name.slice(1)}` : name;
  return `pkg:npm/${encoded}@${encodeURIComponent(version).replace(/%2B/g, '+')}`;
}

/** purl for a PyPI package: lower-cased, `_` → `-`. */
export function pypiPurl(name: string, version: string): string {
  return `pkg:pypi/${name.toLowerCase().replace(/_/g, '-')}@${version}`;
}

/** PEP 503 name folding: runs of `-_.` become `-`, lower-cased. */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function npmScope(name: string): string | undefined {
  return name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
}
