import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MpakCommand } from '../../cli/base.js';
import { startStaticServer } from '../../src/registry/serve.js';

export default class IndexServe extends MpakCommand {
  static override summary = 'Serve a published index and its web page on localhost for preview.';
  static override description =
    'A static server on 127.0.0.1 with ETags and the /v0.1 content types. Prints the URL to stderr and runs until interrupted (Ctrl-C).';
  static override examples = ['<%= config.bin %> index serve ./dist --port 8080'];
  static override args = { dist: Args.string({ description: 'The published folder.', default: './dist' }) };
  static override flags = { port: Flags.integer({ description: 'Port on 127.0.0.1 (0 picks a free one).', default: 8080, min: 0, max: 65535 }) };

  async run(): Promise<{ url: string; root: string }> {
    const { args, flags } = await this.parse(IndexServe);
    const root = resolve(args.dist);
    const server = await startStaticServer({ root, port: flags.port });
    this.info(`Serving ${root} at ${server.url} (Ctrl-C to stop)`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return { url: server.url, root };
  }
}
