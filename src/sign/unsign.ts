import { unsignedLayout, writeBundleAtomic } from './sign.js';

/**
 * Removing signatures (mcpb-format.md §6): every trailer goes and comment_length returns to d,
 * giving back the byte-identical unsigned bundle. An unsigned file is left alone.
 */

export interface UnsignOptions {
  file: string;
  /** Where to write; default: replace `file`. */
  output?: string;
}

export interface UnsignResult {
  file: string;
  output: string;
  changed: boolean;
  /** Signature blocks removed (more than one for stacked official re-signs). */
  removed: number;
  message: string;
}

/**
 * Removes every signature block from a bundle (in place, or to `output`) and resets the EOCD
 * comment length to its pre-signing value. Unsigned input is left as it is (`changed: false`).
 */
export async function unsignBundle(options: UnsignOptions): Promise<UnsignResult> {
  const { info, range, d } = await unsignedLayout(options.file);
  const output = options.output ?? options.file;
  if (info.trailers.length === 0) {
    if (output !== options.file) await writeBundleAtomic(options.file, range, d, output);
    return { file: options.file, output, changed: false, removed: 0, message: 'the bundle is not signed; nothing to remove' };
  }
  await writeBundleAtomic(options.file, range, d, output);
  const removed = info.trailers.length;
  return {
    file: options.file,
    output,
    changed: true,
    removed,
    message: `removed ${removed} signature block${removed === 1 ? '' : 's'}`,
  };
}
