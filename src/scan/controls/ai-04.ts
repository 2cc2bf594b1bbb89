import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scannerVersion } from '../engine/scan-version.js';
import type { RawFinding } from '../types.js';
import { compareBytes } from './order.js';
import { defineControl, finding, mtfBlock } from './helpers.js';

function contentList(entries: { path: string; sha256: string }[]): string[] {
  return entries.map((e) => `${e.path} ${e.sha256}`).sort(compareBytes);
}

/** AI-04 Reproducible Build: repacking the bundle (or --source) gives the same bytes. */
export const ai04 = defineControl('AI-04', async (ctx) => {
  const { writeDeterministicZip, packBundle, collectBundleFiles } = await import('../../archive/index.js');
  const epoch = ctx.bundle.entryTime ? Math.floor(ctx.bundle.entryTime.getTime() / 1000) : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'mpak-ai04-'));
  const findings: RawFinding[] = [];
  try {
    const out = join(dir, 'rebuilt.mcpb');
    let rebuiltSha: string;
    let rebuiltContent: string[];
    if (ctx.options.source) {
      const hasHashes = Array.isArray(ctx.manifest?._meta?.['dev.mpak']?.files);
      const packed = await packBundle({ dir: ctx.options.source, output: out, cwd: dir, force: true, contentHashes: hasHashes, ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}), allowMissingEntryPoint: true, allowNonExecutableEntryPoint: true });
      rebuiltSha = packed.sha256!;
      const selection = await collectBundleFiles(ctx.options.source);
      rebuiltContent = contentList(await Promise.all(selection.files.map(async (f) => ({ path: f.path, sha256: createHash('sha256').update(await readFile(f.source)).digest('hex') }))));
    } else if (ctx.bundle.isDirectory) {
      // A folder is scanned as its deterministic in-memory pack, so repacking the same entries with
      // the same timestamp is that pack: reuse its digest instead of compressing everything twice.
      rebuiltSha = ctx.bundle.unsigned_sha256;
      rebuiltContent = contentList(ctx.files);
    } else {
      const entries = await Promise.all(ctx.files.map(async (f) => ({ path: f.path, data: await f.bytes(), mode: f.mode })));
      rebuiltSha = (await writeDeterministicZip(entries, out, epoch !== undefined ? { sourceDateEpoch: epoch } : {})).sha256;
      rebuiltContent = contentList(ctx.files);
    }
    const original = contentList(ctx.files);
    const same = rebuiltSha === ctx.bundle.unsigned_sha256;
    const build = mtfBlock(ctx.manifest)?.build;
    const details = {
      original_sha256: ctx.bundle.unsigned_sha256,
      rebuilt_sha256: rebuiltSha,
      difference: same ? 'none' : original.join('\n') === rebuiltContent.join('\n') ? 'container' : 'content',
      ...(same ? {} : { changed: [...new Set([...original.filter((x) => !rebuiltContent.includes(x)), ...rebuiltContent.filter((x) => !original.includes(x))].map((x) => x.split(' ')[0]))].slice(0, 50) }),
      mpak_version: await scannerVersion(),
      compressor: `node:zlib deflate level 6 (zlib ${process.versions.zlib}, node ${process.versions.node.split('.')[0]})`,
      basis: ctx.options.source ? 'source' : 'bundle',
    };
    if (!same) {
      findings.push(finding('AI-04', 'not-reproducible', 'HIGH', 'Bundle does not rebuild byte-for-byte', `Repacking ${ctx.options.source ? 'the --source checkout' : 'the extracted entries'} gives ${rebuiltSha}, the bundle is ${ctx.bundle.unsigned_sha256} (${details.difference} difference).`, details.difference === 'content' ? 'Pack from the tagged source with `mpak bundle pack` in CI.' : 'Pack with `mpak bundle pack` (deterministic order, timestamps and compression).', { details }));
    }
    if (build?.reproducible === false) findings.push(finding('AI-04', 'declared-not-reproducible', 'HIGH', 'Build declared not reproducible', '_meta["org.mpaktrust"].build.reproducible is false.', 'Make the build reproducible and declare it.', { file: 'manifest.json' }));
    if (!build?.instructions) findings.push(finding('AI-04', 'no-build-instructions', 'LOW', 'No build instructions', '_meta["org.mpaktrust"].build.instructions is missing, so others cannot rebuild the bundle.', 'Document the build command in build.instructions.', { file: 'manifest.json' }));
    return { status: 'pass', reason: same ? `rebuilt ${rebuiltSha.slice(0, 12)}… matches (${details.basis})` : 'digests differ', findings, data: details };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
