import { loadAdvisories, packageKey, type OsvRecord } from '../advisories/database.js';
import { comparatorFor, inRange, type Ecosystem } from '../advisories/ranges.js';
import { advisoryScore, readEpss, readKev, readVex, type VexStatement } from '../advisories/severity.js';
import { pep503, npmPurl } from '../sbom/purl.js';
import type { RawFinding, SbomComponent, Severity } from '../types.js';
import { defineControl, finding } from './helpers.js';

interface Match {
  rec: OsvRecord;
  affectedIndex: number;
  ranges: unknown[];
  fixed: string[];
}

function isMalicious(rec: OsvRecord): boolean {
  return rec.id.startsWith('MAL-') || !!rec.database_specific?.['malicious-packages-origins'] || /^malicious (code|package)/i.test(rec.summary ?? '');
}

function cves(rec: OsvRecord): string[] {
  return [rec.id, ...(rec.aliases ?? [])].filter((a) => a.startsWith('CVE-')).map((a) => a.toUpperCase());
}

async function matchComponent(c: { ecosystem: Ecosystem; name: string; version: string }, records: OsvRecord[]): Promise<{ matches: Match[]; gitOnly: OsvRecord[] }> {
  const cmp = await comparatorFor(c.ecosystem);
  const matches: Match[] = [];
  const gitOnly: OsvRecord[] = [];
  if (!cmp.valid(c.version)) return { matches, gitOnly };
  for (const rec of records) {
    (rec.affected ?? []).forEach((a, i) => {
      const eco = a.package?.ecosystem;
      const name = a.package?.name ?? '';
      if (eco !== c.ecosystem || (c.ecosystem === 'PyPI' ? pep503(name) !== pep503(c.name) : name !== c.name)) return;
      const ranges = a.ranges ?? [];
      const evaluable = ranges.filter((r) => r.type === 'SEMVER' || r.type === 'ECOSYSTEM');
      const hit =
        (a.versions ?? []).some((v) => v === c.version || (cmp.valid(v) && cmp.compare(v, c.version) === 0)) ||
        evaluable.some((r) => inRange({ type: r.type, events: r.events ?? [] }, c.version, cmp));
      if (hit) {
        const fixed = evaluable.flatMap((r) => (r.events ?? []).map((e) => e.fixed).filter((x): x is string => typeof x === 'string'));
        if (!matches.some((m) => m.rec === rec)) matches.push({ rec, affectedIndex: i, ranges: evaluable, fixed });
      } else if (!evaluable.length && !(a.versions ?? []).length && ranges.some((r) => r.type === 'GIT')) {
        gitOnly.push(rec);
      }
    });
  }
  return { matches, gitOnly };
}

/** Groups matches whose ids/aliases overlap (GHSA + CVE + PYSEC describe one problem once). */
function dedupe(matches: Match[]): Match[][] {
  const groups: { ids: Set<string>; items: Match[] }[] = [];
  for (const m of matches) {
    const ids = new Set([m.rec.id, ...(m.rec.aliases ?? [])]);
    const overlapping = groups.filter((g) => [...ids].some((id) => g.ids.has(id)));
    const merged = { ids, items: [m] };
    for (const g of overlapping) {
      g.ids.forEach((id) => merged.ids.add(id));
      merged.items.push(...g.items);
      groups.splice(groups.indexOf(g), 1);
    }
    groups.push(merged);
  }
  return groups.map((g) => g.items.sort((a, b) => (a.rec.id < b.rec.id ? -1 : 1)));
}

function severityFor(score: number, malicious: boolean, kev: boolean, epss: number | undefined, epssSupplied: boolean): Severity {
  if (malicious || kev || score >= 9.0) return 'CRITICAL';
  if (score >= 7.0) return epssSupplied && epss !== undefined && epss <= 0.1 ? 'MEDIUM' : 'HIGH';
  if (score >= 4.0) return 'MEDIUM';
  return 'LOW';
}

function vexFor(statements: VexStatement[], ids: string[], purl: string): VexStatement | undefined {
  const bare = purl.replace(/@[^@/]*$/, '');
  return statements.find((s) => s.ids.some((i) => ids.includes(i)) && (!s.products.length || s.products.some((p) => p === purl || p === bare || purl.startsWith(`${p}@`))));
}

/** SC-02 Vulnerability Scanning: every component (and the bundle itself) against OSV advisories. */
export const sc02 = defineControl('SC-02', async (ctx) => {
  const components: (Pick<SbomComponent, 'ecosystem' | 'name' | 'version' | 'purl' | 'locations' | 'source'>)[] = [...ctx.sbom];
  if (typeof ctx.manifest?.name === 'string' && typeof ctx.manifest?.version === 'string') {
    components.push({ ecosystem: 'npm', name: ctx.manifest.name, version: ctx.manifest.version, purl: npmPurl(ctx.manifest.name, ctx.manifest.version), locations: [], source: 'manifest.json' });
  }
  if (!ctx.sbom.length) {
    return { status: 'skip', reason: 'no dependency components to check', findings: [] };
  }
  if (!ctx.options.advisories.length) {
    return { status: 'unverified', reason: `${ctx.sbom.length} components, no advisory database`, requires: ['--advisories'], findings: [] };
  }
  const wanted = new Set(components.flatMap((c) => [c.name, pep503(c.name)]));
  let db;
  try {
    db = await loadAdvisories(ctx.options.advisories, wanted);
  } catch (err) {
    return { status: 'error', reason: `advisory database unreadable: ${(err as Error).message}`, findings: [], errors: [`SC-02: ${(err as Error).message}`] };
  }
  if (db.entries === 0) {
    return { status: 'error', reason: `advisory database holds no readable OSV record (${db.malformed} malformed)`, findings: [], errors: ['SC-02: empty advisory database'] };
  }
  const notes: string[] = [];
  const errors: string[] = [];
  let kev: Set<string> | undefined;
  let epss: Map<string, number> | undefined;
  let vex: VexStatement[] | undefined;
  try {
    if (ctx.options.kev) kev = await readKev(ctx.options.kev);
  } catch (err) {
    errors.push(`SC-02: --kev ${(err as Error).message}`);
  }
  try {
    if (ctx.options.epss) epss = await readEpss(ctx.options.epss);
  } catch (err) {
    errors.push(`SC-02: --epss ${(err as Error).message}`);
  }
  try {
    if (ctx.options.vex) vex = await readVex(ctx.options.vex);
  } catch (err) {
    errors.push(`SC-02: --vex ${(err as Error).message}`);
  }
  if (!ctx.options.kev) notes.push('KEV not applied');
  if (!ctx.options.epss) notes.push('EPSS not applied');
  const findings: RawFinding[] = [];
  for (const c of components) {
    const records = db.byPackage.get(packageKey(c.ecosystem, c.name)) ?? [];
    if (!records.length) continue;
    const { matches, gitOnly } = await matchComponent(c, records);
    const file = c.locations.length ? (c.ecosystem === 'npm' ? `${c.locations[0]}/package.json` : `${c.locations[0]}/METADATA`) : c.source;
    for (const group of dedupe(matches)) {
      const scored = await Promise.all(group.map(async (m) => ({ m, s: await advisoryScore(m.rec, m.affectedIndex) })));
      scored.sort((a, b) => b.s.score - a.s.score);
      const lead = scored.find((x) => /^(GHSA|MAL)-/.test(x.m.rec.id)) ?? scored[0]!;
      const ids = [...new Set(group.flatMap((m) => [m.rec.id, ...(m.rec.aliases ?? [])]))].sort();
      const malicious = group.some((m) => isMalicious(m.rec));
      const cveIds = [...new Set(group.flatMap((m) => cves(m.rec)))];
      const inKev = !!kev && cveIds.some((id) => kev!.has(id));
      const epssScore = epss ? Math.max(...cveIds.map((id) => epss!.get(id) ?? -1)) : undefined;
      const epssValue = epssScore !== undefined && epssScore >= 0 ? epssScore : undefined;
      const score = scored[0]!.s.score;
      let severity = severityFor(score, malicious, inKev, epssValue, !!epss);
      const statement = vex ? vexFor(vex, ids, c.purl) : undefined;
      let vexNote = '';
      if (statement) {
        if ((statement.status === 'not_affected' && statement.justification) || statement.status === 'fixed') {
          severity = 'INFO';
          vexNote = ` VEX: ${statement.status}.`;
        }
        else if (statement.status === 'not_affected' || statement.status === 'under_investigation') {
          severity = 'MEDIUM';
          vexNote = ` VEX: ${statement.status}${statement.justification ? '' : ' without justification'}.`;
        }
      }
      const rec = lead.m.rec;
      const fixed = [...new Set(group.flatMap((m) => m.fixed))];
      findings.push(
        finding('SC-02', malicious ? 'malicious-package' : 'known-vulnerability', severity, `${rec.id}: ${c.name}@${c.version}${rec.summary ? ` — ${rec.summary.slice(0, 120)}` : ''}`,
          `${c.purl} is affected by ${ids.join(', ')} (score ${score.toFixed(1)}${inKev ? ', KEV-listed' : ''}${epssValue !== undefined ? `, EPSS ${epssValue}` : ''}).${vexNote}`,
          malicious ? `Remove ${c.name} immediately and rotate any credential the server could reach.` : fixed.length ? `Upgrade ${c.name} to ${fixed.join(' or ')} or later and repack.` : `No fixed version is known: replace ${c.name} or document why it is not exploitable (--vex).`,
          {
            file,
            dependencyCap: null,
            details: {
              advisory_id: rec.id,
              aliases: ids.filter((i) => i !== rec.id),
              ecosystem: c.ecosystem,
              package: c.name,
              version: c.version,
              ranges: lead.m.ranges,
              fixed_versions: fixed,
              cvss_vector: lead.s.vector,
              score,
              epss: epssValue ?? null,
              kev: inKev,
              source: lead.s.basis,
            },
          }),
      );
    }
    for (const rec of gitOnly) {
      findings.push(finding('SC-02', 'git-range', 'INFO', `${rec.id} has only GIT ranges for ${c.name}`, `${rec.id} names ${c.name} with commit ranges, which cannot be evaluated against a version.`, 'Check the advisory by hand.', { file, dependencyCap: null, details: { advisory_id: rec.id } }));
    }
  }
  const now = ctx.options.now.getTime();
  if (db.newestModified && now - Date.parse(db.newestModified) > 30 * 86_400_000) {
    findings.push(finding('SC-02', 'stale-advisories', 'MEDIUM', 'Advisory data is stale', `The newest advisory was modified ${db.newestModified}, more than 30 days before ${ctx.options.now.toISOString()}.`, 'Refresh it: mpak advisories sync.', { dependencyCap: null }));
  }
  const summary = `${components.length} components checked against ${db.entries} advisories${db.withdrawn ? ` (${db.withdrawn} withdrawn)` : ''}${db.malformed ? `, ${db.malformed} malformed entries skipped` : ''}${notes.length ? `; ${notes.join(', ')}` : ''}`;
  return {
    status: errors.length ? 'error' : 'pass',
    reason: summary,
    findings,
    ...(errors.length ? { errors } : {}),
    data: { advisories: { entries: db.entries, newest_modified: db.newestModified }, kev: !!kev, epss: !!epss, vex: !!vex },
  };
});
