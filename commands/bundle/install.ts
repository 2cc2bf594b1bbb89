import { Args, Flags } from '@oclif/core';
import { homedir } from 'node:os';
import { MpakCommand } from '../../cli/base.js';
import { CLIENTS, clientConfigPath, installToClient, type ClientName, type InstallResult } from '../../src/client/install.js';

export default class BundleInstall extends MpakCommand {
  static override summary = 'Register `mpak bundle run <ref>` as an MCP server in an AI client’s config.';
  static override description =
    'Writes {command: "mpak", args: ["bundle","run",ref]} into the client’s MCP config (Claude Desktop, Claude Code, Cursor, VS Code), keeping every other setting. Idempotent; the previous file is kept as <file>.mpak-backup and the change is shown as a diff on stderr.';
  static override examples = [
    '<%= config.bin %> bundle install @acme/weather --client claude-desktop',
    '<%= config.bin %> bundle install @acme/weather --client vscode --print',
  ];
  static override args = { ref: Args.string({ description: 'Package reference to run (@scope/name[@range]).', required: true }) };
  static override flags = {
    client: Flags.string({ description: 'The AI client to configure.', options: [...CLIENTS], required: true }),
    print: Flags.boolean({ description: 'Show the change without writing it.' }),
    'config-path': Flags.string({ description: 'Use this config file instead of the client’s default location.' }),
  };

  async run(): Promise<InstallResult> {
    const { args, flags } = await this.parse(BundleInstall);
    const client = flags.client as ClientName;
    const configPath = flags['config-path'] ?? clientConfigPath(client, { platform: process.platform, home: homedir(), env: process.env });
    const result = await installToClient({ client, ref: args.ref, configPath, print: flags.print });
    if (!this.jsonEnabled()) {
      for (const line of result.diff) this.info(line);
      if (!result.changed) this.info(`${result.configPath}: ${result.key} already installed; nothing changed`);
      else if (flags.print) this.info(`(not written: --print) ${result.configPath}`);
      else this.info(`Updated ${result.configPath}${result.backup ? ` (backup: ${result.backup})` : ''}`);
    }
    return result;
  }
}
