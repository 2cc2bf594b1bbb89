/**
 * Interoperability with the official CLI (@anthropic-ai/mcpb 2.1.2): bundles it packs must open,
 * validate and unpack with mpak; bundles mpak packs must pass `mcpb validate`, `mcpb info` and
 * `mcpb unpack` with identical content. One manifest of each version 0.1–0.4.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleInfo, packBundle, readBundle, unpackArchive } from '../../src/archive/index.js';
import { repoRoot, tempDir } from '../helpers/cli.js';
import { minimalManifest, writeBundleFolder } from './helpers/fixtures.js';

const run = promisify(execFile);
const mcpb = join(repoRoot, 'node_modules', '.bin', 'mcpb');

async function official(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(mcpb, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

function listTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(root, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

const manifestFor = (version: string) =>
  minimalManifest(version, {
    tools: [{ name: 'forecast', description: 'Get the forecast' }],
    ...(version >= '0.2' ? { privacy_policies: ['https://attacker.example/privacy'] } : {}),
    ...(version >= '0.3' ? { _meta: { 'com.example': { note: 'kept' } } } : {}),
  });

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('mpak-interop-')));
afterAll(async () => cleanup());

describe.each(['0.1', '0.2', '0.3', '0.4'])('manifest_version %s', (version) => {
  it('mcpb pack → mpak info / readBundle / unpack', async () => {
    const src = join(dir, `off-src-${version}`);
    writeBundleFolder(src, manifestFor(version));
    const packed = join(dir, `official-${version}.mcpb`);
    const r = await official(['pack', src, packed], dir);
    expect(r.code, r.out).toBe(0);

    const bundle = await readBundle(packed);
    expect(bundle.manifestCheck.valid).toBe(true);
    expect(bundle.manifestCheck.version).toBe(version);
    await bundle.archive.close();
    const info = await bundleInfo(packed);
    expect(info).toMatchObject({ name: '@acme/weather', version: '1.2.0', files: 4, tools: [{ name: 'forecast' }] });

    const out = join(dir, `off-out-${version}`);
    await unpackArchive(packed, out);
    expect(listTree(out)).toEqual(listTree(src));
    expect(statSync(join(out, 'server/run.sh')).mode & 0o777).toBe(0o755);
  });

  it('mpak pack → mcpb validate / info / unpack', async () => {
    const src = join(dir, `mpak-src-${version}`);
    writeBundleFolder(src, manifestFor(version));
    const result = await packBundle({ dir: src, cwd: dir, output: `mpak-${version}.mcpb`, contentHashes: version >= '0.3' });

    // The packed manifest (with _meta["dev.mpak"].files for ≥ 0.3) must pass the official validator.
    const out = join(dir, `mpak-out-${version}`);
    const unpacked = await official(['unpack', result.output, out], dir);
    expect(unpacked.code, unpacked.out).toBe(0);
    const validated = await official(['validate', join(out, 'manifest.json')], dir);
    expect(validated.code, validated.out).toBe(0);
    expect(validated.out).toMatch(/validation passes/);
    const info = await official(['info', result.output], dir);
    expect(info.code, info.out).toBe(0);
    expect(info.out).toMatch(/Not signed/);

    const tree = listTree(out);
    const srcTree = listTree(src);
    if (version >= '0.3') {
      const packedManifest = JSON.parse(tree['manifest.json']!);
      expect(packedManifest._meta['dev.mpak'].files).toHaveLength(3);
      delete tree['manifest.json'];
      delete srcTree['manifest.json'];
    }
    expect(tree).toEqual(srcTree);
  });
});
