import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeBundle } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let env: Record<string, string>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('mpak-sign-e2e-'));
  env = { MPAK_HOME: join(dir, 'home') };
});
afterAll(() => cleanup());

describe('mpak key generate / bundle sign / verify / unsign / attest', () => {
  it('runs the whole signing workflow with the documented exit codes', async () => {
    const gen = await runCli(['key', 'generate', '--algorithm', 'ecdsa-p256', '--subject', 'CN=E2E Publisher', '--json'], { env, cwd: dir });
    expect(gen.code, gen.stderr).toBe(0);
    const keys = JSON.parse(gen.stdout);
    expect(keys.files[0].path).toBe(join(dir, 'home', 'keys', 'bundle-signing.key.pem'));
    const again = await runCli(['key', 'generate'], { env, cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists[\s\S]*--force/);

    const { path, bytes } = await writeBundle(dir, 'e2e.mcpb');
    const [key, cert] = [keys.files[0].path, keys.files[1].path];
    const sign = await runCli(['bundle', 'sign', 'e2e.mcpb', '--key', key, '--cert', cert, '--json'], { env, cwd: dir });
    expect(sign.code, sign.stderr).toBe(0);
    expect(JSON.parse(sign.stdout)).toMatchObject({ variant: 'B', signer: { subject: 'CN=E2E Publisher', fingerprintSha256: keys.fingerprint } });

    const untrusted = await runCli(['bundle', 'verify', 'e2e.mcpb', '--json'], { env, cwd: dir });
    expect(untrusted.code).toBe(1);
    expect(JSON.parse(untrusted.stdout).state).toBe('self-signed');
    expect((await runCli(['bundle', 'verify', 'e2e.mcpb', '--allow-untrusted'], { env, cwd: dir })).code).toBe(0);
    const trusted = await runCli(['bundle', 'verify', 'e2e.mcpb', '--trust', cert], { env, cwd: dir });
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toMatch(/trusted/);

    // The trust store under MPAK_HOME/trust counts as an anchor too.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'home', 'trust'), { recursive: true });
    await copyFile(cert, join(dir, 'home', 'trust', 'e2e.pem'));
    expect((await runCli(['bundle', 'verify', 'e2e.mcpb'], { env, cwd: dir })).code).toBe(0);

    const idx = await runCli(['key', 'generate', '--kind', 'index', '--json'], { env, cwd: dir });
    const indexKeys = JSON.parse(idx.stdout);
    const attest = await runCli(['bundle', 'attest', 'e2e.mcpb', '--key', indexKeys.files[0].path, '--source-repo', 'https://git.example/e2e', '--json'], { env, cwd: dir });
    expect(attest.code, attest.stderr).toBe(0);
    const withAtt = await runCli(['bundle', 'verify', 'e2e.mcpb', '--trust', indexKeys.files[1].path, '--attestation', '--json'], { env, cwd: dir });
    const result = JSON.parse(withAtt.stdout);
    expect(result.attestation).toMatchObject({ state: 'verified', source: { repository: 'https://git.example/e2e' } });
    expect(withAtt.code).toBe(0);

    const corrupt = Buffer.from(await readFile(path));
    corrupt[40]! ^= 0xff;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'corrupt.mcpb'), corrupt);
    const invalid = await runCli(['bundle', 'verify', 'corrupt.mcpb', '--allow-untrusted', '--json'], { env, cwd: dir });
    expect(invalid.code).toBe(1);
    expect(JSON.parse(invalid.stdout).state).toBe('invalid');

    const unsign = await runCli(['bundle', 'unsign', 'e2e.mcpb'], { env, cwd: dir });
    expect(unsign.code).toBe(0);
    expect(await readFile(path)).toEqual(bytes);
    const noop = await runCli(['bundle', 'unsign', 'e2e.mcpb'], { env, cwd: dir });
    expect(noop.code).toBe(0);
    expect(noop.stdout).toMatch(/not signed/);
    const unsigned = await runCli(['bundle', 'verify', 'e2e.mcpb', '--allow-untrusted', '--json'], { env, cwd: dir });
    expect(unsigned.code).toBe(1);
    expect(JSON.parse(unsigned.stdout).state).toBe('unsigned');
  }, 300_000); // about fifteen CLI spawns; slow on a loaded 2-core runner

  it('reports a missing bundle as a usage error with exit 2', async () => {
    const r = await runCli(['bundle', 'verify', 'missing.mcpb', '--json'], { env, cwd: dir });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('NOT_FOUND');
  });
});
