/**
 * A minimal read-only git object store (no git binary, mtf-controls §PR-04): loose objects and
 * packfiles (idx v2, OFS/REF deltas), SHA-1 and SHA-256 repositories, refs and packed-refs.
 * Enough to resolve a commit, walk its tree, read tags and check signatures headers.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface GitObject {
  type: ObjectType;
  data: Buffer;
}

export interface TreeEntry {
  mode: string;
  name: string;
  id: string;
}

interface Pack {
  idx: Buffer;
  pack: Buffer;
  count: number;
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };

function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let p = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = delta[p++]!;
      v |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  varint(); // base size
  const size = varint();
  const out = Buffer.alloc(size);
  let o = 0;
  while (p < delta.length) {
    const op = delta[p++]!;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) off |= delta[p++]! << (8 * i);
      for (let i = 0; i < 3; i++) if (op & (0x10 << i)) len |= delta[p++]! << (8 * i);
      if (len === 0) len = 0x10000;
      base.copy(out, o, off >>> 0, (off >>> 0) + len);
      o += len;
    } else if (op) {
      delta.copy(out, o, p, p + op);
      o += op;
      p += op;
    } else throw new Error('invalid delta opcode 0');
  }
  return out;
}

export class GitRepository {
  private packs: Pack[] | undefined;
  private readonly cache = new Map<string, GitObject>();

  private constructor(
    readonly gitDir: string,
    readonly algorithm: 'sha1' | 'sha256',
  ) {}

  get hashLength(): number {
    return this.algorithm === 'sha1' ? 20 : 32;
  }

  /** Opens the repository of a checkout (`.git` folder or `gitdir:` file) or a bare repository. */
  static async open(checkout: string): Promise<GitRepository> {
    let gitDir = join(checkout, '.git');
    const st = await stat(gitDir).catch(() => undefined);
    if (st?.isFile()) gitDir = join(checkout, (await readFile(gitDir, 'utf8')).replace(/^gitdir:\s*/, '').trim());
    else if (!st) gitDir = checkout;
    const config = await readFile(join(gitDir, 'config'), 'utf8').catch(() => {
      throw new Error(`${checkout} is not a git checkout (no .git/config)`);
    });
    const algo = /objectformat\s*=\s*sha256/i.test(config) ? 'sha256' : 'sha1';
    return new GitRepository(gitDir, algo);
  }

  /** The blob id of some bytes under this repository's algorithm. */
  blobId(content: Buffer): string {
    return createHash(this.algorithm).update(`blob ${content.length}\0`).update(content).digest('hex');
  }

  private async loadPacks(): Promise<Pack[]> {
    if (this.packs) return this.packs;
    const dir = join(this.gitDir, 'objects', 'pack');
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.idx')).sort();
    this.packs = [];
    for (const n of names) {
      const idx = await readFile(join(dir, n));
      if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) continue; // idx v2 only
      const pack = await readFile(join(dir, n.replace(/\.idx$/, '.pack')));
      this.packs.push({ idx, pack, count: idx.readUInt32BE(8 + 255 * 4) });
    }
    return this.packs;
  }

  private findInPack(pack: Pack, id: Buffer): number | undefined {
    const h = this.hashLength;
    const fanout = (i: number) => (i < 0 ? 0 : pack.idx.readUInt32BE(8 + i * 4));
    let lo = fanout(id[0]! - 1);
    let hi = fanout(id[0]!) - 1;
    const names = 8 + 256 * 4;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = pack.idx.compare(id, 0, h, names + mid * h, names + (mid + 1) * h) * -1;
      if (c === 0) {
        const offs = names + pack.count * h + pack.count * 4;
        let off = pack.idx.readUInt32BE(offs + mid * 4);
        if (off & 0x80000000) {
          const large = offs + pack.count * 4 + (off & 0x7fffffff) * 8;
          off = Number(pack.idx.readBigUInt64BE(large));
        }
        return off;
      }
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return undefined;
  }

  private async readPacked(pack: Pack, offset: number): Promise<GitObject> {
    const buf = pack.pack;
    let p = offset;
    let byte = buf[p++]!;
    const typeNum = (byte >> 4) & 7;
    let size = byte & 15;
    let shift = 4;
    while (byte & 0x80) {
      byte = buf[p++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    const inflate = () => inflateSync(buf.subarray(p), { maxOutputLength: Math.max(size, 1) });
    if (typeNum === 6) {
      byte = buf[p++]!;
      let rel = byte & 0x7f;
      while (byte & 0x80) {
        byte = buf[p++]!;
        rel = ((rel + 1) << 7) | (byte & 0x7f);
      }
      const base = await this.readPacked(pack, offset - rel);
      return { type: base.type, data: applyDelta(base.data, inflate()) };
    }
    if (typeNum === 7) {
      const baseId = buf.subarray(p, p + this.hashLength).toString('hex');
      p += this.hashLength;
      const base = await this.read(baseId);
      return { type: base.type, data: applyDelta(base.data, inflate()) };
    }
    const type = TYPES[typeNum];
    if (!type) throw new Error(`unknown pack object type ${typeNum}`);
    return { type, data: inflate() };
  }

  /** Reads an object by full hex id; throws when absent. */
  async read(id: string): Promise<GitObject> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const obj = await this.tryRead(id);
    if (!obj) throw new Error(`object ${id} not found`);
    return obj;
  }

  async tryRead(id: string): Promise<GitObject | undefined> {
    if (!new RegExp(`^[0-9a-f]{${this.hashLength * 2}}$`).test(id)) return undefined;
    const cached = this.cache.get(id);
    if (cached) return cached;
    let obj: GitObject | undefined;
    const loose = await readFile(join(this.gitDir, 'objects', id.slice(0, 2), id.slice(2))).catch(() => undefined);
    if (loose) {
      const raw = inflateSync(loose);
      const nul = raw.indexOf(0);
      const [type] = raw.subarray(0, nul).toString().split(' ');
      obj = { type: type as ObjectType, data: raw.subarray(nul + 1) };
    } else {
      const bin = Buffer.from(id, 'hex');
      for (const pack of await this.loadPacks()) {
        const off = this.findInPack(pack, bin);
        if (off !== undefined) {
          obj = await this.readPacked(pack, off);
          break;
        }
      }
    }
    if (obj) this.cache.set(id, obj);
    return obj;
  }

  /** Resolves HEAD, a branch, a tag name or a full id to a commit id (peeling annotated tags). */
  async resolve(ref: string): Promise<string | undefined> {
    let target = ref;
    for (let i = 0; i < 10; i++) {
      if (new RegExp(`^[0-9a-f]{${this.hashLength * 2}}$`).test(target)) {
        const obj = await this.tryRead(target);
        if (!obj) return undefined;
        if (obj.type === 'tag') {
          target = /^object ([0-9a-f]+)/m.exec(obj.data.toString())?.[1] ?? '';
          continue;
        }
        return obj.type === 'commit' ? target : undefined;
      }
      const direct = await this.readRef(target);
      if (!direct) return undefined;
      target = direct;
    }
    return undefined;
  }

  private async readRef(name: string): Promise<string | undefined> {
    const candidates = name === 'HEAD' ? ['HEAD'] : [name, `refs/${name}`, `refs/tags/${name}`, `refs/heads/${name}`];
    for (const c of candidates) {
      const text = await readFile(join(this.gitDir, c), 'utf8').catch(() => undefined);
      if (text !== undefined) {
        const t = text.trim();
        return t.startsWith('ref: ') ? t.slice(5) : t;
      }
      const packed = (await this.packedRefs()).get(c);
      if (packed) return packed;
    }
    return undefined;
  }

  async packedRefs(): Promise<Map<string, string>> {
    const text = await readFile(join(this.gitDir, 'packed-refs'), 'utf8').catch(() => '');
    const out = new Map<string, string>();
    for (const line of text.split('\n')) {
      const m = /^([0-9a-f]+) (\S+)$/.exec(line.trim());
      if (m) out.set(m[2]!, m[1]!);
    }
    return out;
  }

  /** Every tag name → the id the ref points at (possibly an annotated tag object). */
  async tags(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [k, v] of await this.packedRefs()) if (k.startsWith('refs/tags/')) out.set(k.slice(10), v);
    const walk = async (dir: string, prefix: string) => {
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) await walk(join(dir, e.name), `${prefix}${e.name}/`);
        else out.set(`${prefix}${e.name}`, (await readFile(join(dir, e.name), 'utf8')).trim());
      }
    };
    await walk(join(this.gitDir, 'refs', 'tags'), '');
    return out;
  }

  async commit(id: string): Promise<{ tree: string; parents: string[]; committerTime: number; gpgsig: boolean; headers: string }> {
    const obj = await this.read(id);
    if (obj.type !== 'commit') throw new Error(`${id} is a ${obj.type}, not a commit`);
    const text = obj.data.toString('utf8');
    const headers = text.slice(0, text.indexOf('\n\n'));
    const committer = /^committer .* (\d+) [+-]\d{4}$/m.exec(headers);
    return {
      tree: /^tree ([0-9a-f]+)/m.exec(headers)![1]!,
      parents: [...headers.matchAll(/^parent ([0-9a-f]+)/gm)].map((m) => m[1]!),
      committerTime: committer ? Number(committer[1]) : 0,
      gpgsig: /^gpgsig(?:-sha256)? /m.test(headers),
      headers,
    };
  }

  async tree(id: string): Promise<TreeEntry[]> {
    const obj = await this.read(id);
    if (obj.type !== 'tree') throw new Error(`${id} is not a tree`);
    const out: TreeEntry[] = [];
    const d = obj.data;
    let p = 0;
    while (p < d.length) {
      const sp = d.indexOf(0x20, p);
      const nul = d.indexOf(0, sp);
      out.push({ mode: d.subarray(p, sp).toString(), name: d.subarray(sp + 1, nul).toString('utf8'), id: d.subarray(nul + 1, nul + 1 + this.hashLength).toString('hex') });
      p = nul + 1 + this.hashLength;
    }
    return out;
  }

  /** Every file of a commit's tree: path → blob id. */
  async files(commitId: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const walk = async (treeId: string, prefix: string) => {
      for (const e of await this.tree(treeId)) {
        if (e.mode === '40000') await walk(e.id, `${prefix}${e.name}/`);
        else if (e.mode !== '160000') out.set(`${prefix}${e.name}`, e.id);
      }
    };
    await walk((await this.commit(commitId)).tree, '');
    return out;
  }

  async blobText(id: string): Promise<string> {
    return (await this.read(id)).data.toString('utf8');
  }
}
