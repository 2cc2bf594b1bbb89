import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { verifyIndex, type VerifyIndexResult } from '../../src/registry/verify.js';

export default class IndexVerify extends MpakCommand {
  static override summary = 'Check every hash, signature, expiry and size of a published index or mirror.';
  static override description =
    'Reads timestamp.json, then the snapshot, then every listed file, and checks hashes, lengths, signatures against the registry keys (registry.json, or --key), expiry and size caps, plus the blobs that package documents reference (missing blobs of a partial mirror are "not mirrored", a wrong blob is "tampered"). Lists every problem; exit 1 on any.';
  static override examples = [
    '<%= config.bin %> index verify ./dist',
    '<%= config.bin %> index verify https://acme.github.io/registry/ --key index.pub --json',
  ];
  static override args = { source: Args.string({ description: 'Published folder, file:// URL or https:// base URL.', required: true }) };
  static override flags = {
    key: Flags.string({ description: 'Trusted index public key: a file (base64 raw or PEM) or the base64 itself; repeatable.', multiple: true }),
    'allow-expired': Flags.boolean({ description: 'Accept expired metadata (air-gapped copies).' }),
    'no-blobs': Flags.boolean({ description: 'Skip checking blobs/sha256/ files.' }),
  };

  async run(): Promise<VerifyIndexResult> {
    const { args, flags } = await this.parse(IndexVerify);
    const keys = flags.key ? await Promise.all(flags.key.map(readKey)) : undefined;
    const source = /^(https?|file):\/\//i.test(args.source) ? args.source : resolve(args.source);
    const result = await verifyIndex({
      source,
      now: new Date(),
      ...(keys ? { keys } : {}),
      allowExpired: flags['allow-expired'],
      checkBlobs: !flags['no-blobs'],
    });
    if (!this.jsonEnabled()) {
      this.out(`${result.ok ? '✓' : '✗'} ${result.source}: version ${result.version ?? '?'}, expires ${result.expires ?? '?'}, ${result.checked.files} files and ${result.checked.blobs} blobs checked`);
      if (result.keysFrom === 'registry.json') this.info('Keys taken from the published registry.json (trust on first use); pin them with --key.');
      if (result.notMirrored.length) this.out(`  ${result.notMirrored.length} blob(s) not mirrored`);
      for (const p of result.problems) this.out(`  ✗ ${p.kind}: ${p.message}`);
    }
    if (!result.ok) this.negative();
    return result;
  }
}

async function readKey(value: string): Promise<string> {
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return value;
  return (await readFile(resolve(value), 'utf8')).trim();
}
