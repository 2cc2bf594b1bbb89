import { createHash } from 'node:crypto';
import type { SbomComponent } from '../types.js';

export interface SbomBundle {
  name: string;
  version: string;
  sha256: string;
}

/** A deterministic `urn:uuid:` (version 5 layout) derived from the bundle digest. */
function serialFrom(sha256: string): string {
  const h = createHash('sha1').update(`mpak-sbom:${sha256}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * Builds the CycloneDX 1.6 JSON document of SC-01 with @cyclonedx/cyclonedx-library (models,
 * licence classification, normalisation and sorting), then adds what the library does not model
 * yet: `evidence.occurrences` per vendored copy and the `mpak:hash-basis` property.
 */
export async function buildCycloneDx(bundle: SbomBundle, components: SbomComponent[], scannerVersion: string, now: Date): Promise<Record<string, any>> {
  const CDX = await import('@cyclonedx/cyclonedx-library');
  const { Models, Enums, SPDX, Spec, Serialize } = CDX;
  const licenseOf = (value: string) => {
    if (SPDX.isSupportedSpdxId(value)) return new Models.SpdxLicense(value);
    if (/\s(?:OR|AND|WITH)\s|[()]/.test(value)) return new Models.LicenseExpression(value);
    return new Models.NamedLicense(value);
  };
  const bom = new Models.Bom({ version: 1, serialNumber: serialFrom(bundle.sha256) });
  bom.metadata.timestamp = now;
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, 'mpak', { version: scannerVersion, group: undefined }));
  const rootRef = `pkg:mcpb/${encodeURIComponent(bundle.name)}@${bundle.version}`;
  const root = new Models.Component(Enums.ComponentType.Application, bundle.name, { version: bundle.version, bomRef: rootRef });
  root.hashes.set(Enums.HashAlgorithm['SHA-256'], bundle.sha256);
  bom.metadata.component = root;
  const byPurl = new Map<string, InstanceType<typeof Models.Component>>();
  for (const c of components) {
    const comp = new Models.Component(Enums.ComponentType.Library, c.ecosystem === 'npm' && c.group ? c.name.slice(c.group.length + 1) : c.name, {
      bomRef: c.purl,
      version: c.version,
      purl: c.purl,
      ...(c.group ? { group: c.group } : {}),
    });
    for (const h of c.hashes) comp.hashes.set(Enums.HashAlgorithm[h.alg], h.content);
    if (c.licenseExpression) comp.licenses.add(new Models.LicenseExpression(c.licenseExpression));
    else for (const l of c.licenses) comp.licenses.add(licenseOf(l));
    bom.components.add(comp);
    byPurl.set(c.purl, comp);
  }
  const topLevel = components.filter((c) => c.locations.some((l) => /^(?:[^/]+\/)?node_modules\/(?:@[^/]+\/)?[^/]+$/.test(l) || l.endsWith('.dist-info')) || c.locations.length === 0);
  for (const c of topLevel) root.dependencies.add(byPurl.get(c.purl)!.bomRef);
  for (const c of components) for (const d of c.dependsOn) if (byPurl.has(d)) byPurl.get(c.purl)!.dependencies.add(byPurl.get(d)!.bomRef);

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  const doc = JSON.parse(serializer.serialize(bom, { sortLists: true })) as Record<string, any>;
  const info = new Map(components.map((c) => [c.purl, c]));
  for (const comp of doc.components ?? []) {
    const c = info.get(comp['bom-ref']);
    if (!c) continue;
    comp.hashes ??= [];
    comp.licenses ??= [];
    if (c.locations.length) comp.evidence = { ...(comp.evidence ?? {}), occurrences: c.locations.map((location) => ({ location })) };
    const props = [...(comp.properties ?? [])];
    if (c.hashBasis === 'files') props.push({ name: 'mpak:hash-basis', value: 'files' });
    if (c.dev) props.push({ name: 'mpak:dev', value: 'true' });
    if (props.length) comp.properties = props;
  }
  doc.components ??= [];
  // Every component appears in dependencies[] (leaves with an empty dependsOn).
  const deps = new Map<string, string[]>((doc.dependencies ?? []).map((d: any) => [d.ref, d.dependsOn ?? []]));
  for (const ref of [rootRef, ...components.map((c) => c.purl)]) if (!deps.has(ref)) deps.set(ref, []);
  doc.dependencies = [...deps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ref, dependsOn]) => ({ ref, dependsOn: [...dependsOn].sort() }));
  return doc;
}
