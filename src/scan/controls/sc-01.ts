import { posix } from 'node:path';
import { INVENTORY_KEY } from '../engine/scan-keys.js';
import type { Inventory } from '../sbom/inventory.js';
import { pep503 } from '../sbom/purl.js';
import type { RawFinding } from '../types.js';
import { decided, defineControl, finding } from './helpers.js';

const SHIPPED_SBOM = new Set(['sbom.json', 'sbom.cdx.json', 'sbom.spdx.json', 'bom.json']);

/** Names and versions listed by a shipped SBOM, or why it is invalid. */
function readShipped(text: string): { entries: { name: string; version: string }[]; error?: string } {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { entries: [], error: `does not parse: ${(err as Error).message}` };
  }
  if (doc?.bomFormat === 'CycloneDX') {
    if (typeof doc.specVersion !== 'string' || !/^1\.[2-7]$/.test(doc.specVersion)) return { entries: [], error: 'specVersion is missing or unsupported' };
    if (doc.components !== undefined && !Array.isArray(doc.components)) return { entries: [], error: 'components is not an array' };
    const entries: { name: string; version: string }[] = [];
    for (const [i, c] of (doc.components ?? []).entries()) {
      if (typeof c?.name !== 'string' || typeof c?.type !== 'string') return { entries, error: `components[${i}] lacks name or type` };
      entries.push({ name: c.group ? `${c.group}/${c.name}` : c.name, version: String(c.version ?? '') });
    }
    return { entries };
  }
  if (typeof doc?.spdxVersion === 'string') {
    if (!Array.isArray(doc.packages) || typeof doc.SPDXID !== 'string') return { entries: [], error: 'an SPDX document needs SPDXID and packages[]' };
    return { entries: doc.packages.filter((p: any) => typeof p?.name === 'string').map((p: any) => ({ name: p.name, version: String(p.versionInfo ?? '') })) };
  }
  return { entries: [], error: 'neither CycloneDX (bomFormat) nor SPDX (spdxVersion)' };
}

/** SC-01 SBOM Generation: the component inventory is complete and consistent. */
export const sc01 = defineControl('SC-01', async (ctx) => {
  const inventory = await ctx.shared<Inventory>(INVENTORY_KEY, () => {
    throw new Error('inventory missing');
  });
  const findings: RawFinding[] = [];
  for (const b of inventory.broken) {
    if (b.problem === 'no package.json') continue; // a phantom folder: AI-05's finding
    findings.push(finding('SC-01', 'unreadable-metadata', 'HIGH', 'Vendored package metadata unreadable', `${b.location}: ${b.problem}.`, 'Reinstall the dependency so its metadata is complete.', { file: b.file, dependencyCap: null }));
  }
  const vendored = inventory.components.filter((c) => c.locations.length > 0);
  for (const c of inventory.components) {
    const file = c.locations.length ? (c.ecosystem === 'npm' ? `${c.locations[0]}/package.json` : `${c.locations[0]}/METADATA`) : c.source;
    if (!c.licenses.length && !c.licenseExpression) findings.push(finding('SC-01', 'no-license', 'LOW', `No licence for ${c.name}@${c.version}`, `${c.purl} declares no licence.`, 'Check the package licence before redistributing it.', { file }));
    if (!c.hashes.length) findings.push(finding('SC-01', 'no-hash', 'LOW', `No hash for ${c.name}@${c.version}`, `${c.purl} has no lockfile integrity and no vendored files to hash.`, 'Commit a lockfile with integrity hashes.', { file }));
    if (c.dev && c.locations.length) findings.push(finding('SC-01', 'dev-dependency-vendored', 'LOW', `Dev dependency vendored: ${c.name}`, `${c.purl} is marked dev:true but ships in the bundle.`, 'Install with --omit=dev before packing.', { file }));
  }
  for (const f of ctx.files) {
    if (!SHIPPED_SBOM.has(posix.basename(f.path)) || f.inDependencyDir) continue;
    const shipped = readShipped(await f.text());
    if (shipped.error) {
      findings.push(finding('SC-01', 'shipped-sbom-invalid', 'HIGH', 'Shipped SBOM is invalid', `${f.path} ${shipped.error}.`, 'Regenerate it with `mpak bundle scan --sbom sbom.cdx.json`.', { file: f.path }));
      continue;
    }
    const key = (n: string) => pep503(n);
    const listed = new Map<string, Set<string>>();
    for (const e of shipped.entries) (listed.get(key(e.name)) ?? listed.set(key(e.name), new Set()).get(key(e.name))!).add(e.version);
    const vendoredVersions = new Map<string, Set<string>>();
    for (const c of vendored) (vendoredVersions.get(key(c.name)) ?? vendoredVersions.set(key(c.name), new Set()).get(key(c.name))!).add(c.version);
    for (const [name, versions] of listed) {
      const have = vendoredVersions.get(name);
      if (have && ![...versions].some((v) => have.has(v))) {
        findings.push(finding('SC-01', 'shipped-sbom-contradiction', 'HIGH', 'Shipped SBOM contradicts the vendored tree', `${f.path} lists ${name} ${[...versions].join(', ')}, the bundle vendors ${[...have].join(', ')}.`, 'Regenerate the SBOM from the packed bundle.', { file: f.path }));
      }
    }
    for (const c of vendored) {
      if (!listed.get(key(c.name))?.has(c.version)) {
        findings.push(finding('SC-01', 'missing-from-shipped-sbom', 'MEDIUM', `${c.name}@${c.version} missing from the shipped SBOM`, `${f.path} does not list ${c.purl}.`, 'Regenerate the SBOM from the packed bundle.', { file: f.path }));
      }
    }
  }
  const byEco = inventory.components.reduce<Record<string, number>>((a, c) => ((a[c.ecosystem] = (a[c.ecosystem] ?? 0) + 1), a), {});
  const summary = inventory.components.length
    ? `${inventory.components.length} components (${Object.entries(byEco).map(([k, v]) => `${k} ${v}`).join(', ')})`
    : 'no dependencies: the SBOM holds only the bundle';
  return decided(findings, summary);
});
