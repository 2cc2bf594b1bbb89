import { Args, Flags } from '@oclif/core';
import { join, relative } from 'node:path';
import { MpakCommand } from '../cli/base.js';
import { mpakPaths } from '../src/config/index.js';
import { mirrorRegistry, type MirrorProgress, type MirrorResult } from '../src/mirror/index.js';

export default class Mirror extends MpakCommand {
  static override summary = 'Copy a registry for air-gapped use, incrementally, verifying everything.';
  static override description =
    'Copies the signed index byte for byte and every referenced bundle into <dest>/blobs/sha256/, checking signatures, hashes and sizes. A re-run with nothing new reads one timestamp and copies nothing. The previous mirror stays usable until the new timestamp is switched in last. The source may be a registry URL, a folder, or a tar written by --archive. Use the result as a registry: mpak registry add local file:///path/to/mirror';
  static override examples = [
    '<%= config.bin %> mirror https://acme.github.io/registry/ ./mirror',
    '<%= config.bin %> mirror https://acme.github.io/registry/ ./mirror --filter @acme --latest-only --archive mirror.tar',
    '<%= config.bin %> mirror ./mirror.tar /srv/mpak-mirror',
  ];
  static override args = {
    source: Args.string({ description: 'Registry URL, folder, file:// URL, or a mirror .tar.', required: true }),
    dest: Args.string({ description: 'The mirror folder (created or updated).', required: true }),
  };
  static override flags = {
    filter: Flags.string({ description: 'Mirror only matching packages: @scope, @scope/name or a glob (repeatable).', multiple: true }),
    'latest-only': Flags.boolean({ description: 'Only the latest version of each package.' }),
    'include-advisories': Flags.boolean({ description: 'Carry the advisory snapshot (MPAK_HOME/advisories) for offline scans.' }),
    archive: Flags.string({ description: 'Also write the finished mirror as one tar file to carry across the air gap.' }),
    key: Flags.string({ description: 'Trusted index public key (base64 or PEM); default: the pinned or the source keys.', multiple: true }),
    'allow-expired': Flags.boolean({ description: 'Accept an expired index (air-gapped sources).' }),
  };

  async run(): Promise<MirrorResult> {
    const { args, flags } = await this.parse(Mirror);
    const paths = mpakPaths(process.env);
    const tty = process.stderr.isTTY && !process.env.CI;
    let last = 0;
    const onProgress = (p: MirrorProgress) => {
      const now = Date.now();
      if (!tty || (now - last < 100 && p.done !== p.total)) return;
      last = now;
      process.stderr.write(`\r${p.phase} ${p.done}/${p.total} ${(p.bytes / 1048576).toFixed(1)} MiB   `);
    };
    const result = await mirrorRegistry({
      source: args.source,
      dest: args.dest,
      now: new Date(),
      ...(flags.filter ? { filter: flags.filter } : {}),
      latestOnly: flags['latest-only'],
      ...(flags['include-advisories'] ? { advisories: join(paths.home, 'advisories') } : {}),
      ...(flags.archive ? { archive: flags.archive } : {}),
      ...(flags.key ? { keys: flags.key } : {}),
      allowExpired: flags['allow-expired'],
      onProgress,
    });
    if (tty) process.stderr.write('\r\x1b[K');
    if (!this.jsonEnabled()) {
      const where = relative(process.cwd(), result.dest) || '.';
      if (result.unchanged) this.info(`${where} is up to date (index version ${result.version}); nothing copied`);
      else {
        this.info(`Mirrored ${result.source} → ${where} (index version ${result.version}, expires ${result.expires})`);
        this.info(`  files: ${result.files.copied} copied, ${result.files.skipped} already present`);
        this.info(`  bundles: ${result.blobs.copied} copied (${(result.blobs.bytes / 1048576).toFixed(1)} MiB), ${result.blobs.skipped} already present`);
        if (result.packages.filteredOut) this.info(`  packages: ${result.packages.mirrored} mirrored, ${result.packages.filteredOut} filtered out (not mirrored)`);
        for (const f of result.blobs.failed) this.info(`  not mirrored: ${f.package}@${f.version}: ${f.message}`);
      }
      if (result.keysFrom === 'source') this.info(`  index keys pinned from the source: ${result.keyids.map((k) => k.slice(0, 16)).join(', ')}`);
      if (result.archive) this.info(`  archive: ${relative(process.cwd(), result.archive.path)} (${result.archive.files} files)`);
      this.info(`Use it with: mpak registry add local file://${result.dest}`);
    }
    return result;
  }
}
