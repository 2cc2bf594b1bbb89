/**
 * CQ-02 install-hook family: npm lifecycle scripts in any package.json (root or vendored),
 * implicit node-gyp builds, lockfile `hasInstallScript`, Python setup.py cmdclass, `.pth`
 * import lines and vendored sitecustomize. A hook is CRITICAL (full) when it fetches, pipes
 * into a shell, runs an encoded `node -e`, writes outside its package, runs a ≥1 MiB minified
 * file, or runs a file that hits another CRITICAL family.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { SourceFile } from '../bundle.js';
import type { Hit } from '../hits.js';
import { DOWNLOAD_EXEC_TEXT } from './malware.js';
import { hasNetworkSink } from './sinks.js';

const HOOKS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;

/** Shipped allowlist: purl + SHA-256 of the script text + SHA-256 of the file it runs. */
export const INSTALL_HOOK_ALLOWLIST: { purl: string; script: string; file?: string; fileSha256?: string }[] = [
  {
    purl: 'pkg:npm/esbuild@0.28.2',
    script: '912d4d8f507b7b392ae422a459f98da94669a742e4cc43cfe061e630ee2846fe',
    file: 'install.js',
    fileSha256: '612294e278914443bdcf81cb17f54afec34dbdd2ebd999a6ee187912320cc315',
  },
];

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function npmPurl(name: string, version: string): string {
  return `pkg:npm/${name.startsWith('@') ? '%40' + name.slice(1) : name}@${version}`;
}

const RUNS_FILE = /\b(?:node|python3?|sh|bash)\s+((?:\.\/)?[\w./-]+\.(?:js|cjs|mjs|py|sh))\b/;
const NETWORK_TEXT = /\b(?:curl|wget|Invoke-WebRequest|iwr|nc|ncat)\b|https?:\/\//i;
const ENCODED_NODE_E = /\bnode\s+(?:-e|--eval|-p)\s+[\s\S]*(?:atob|base64|Buffer\.from|fromCharCode|eval\()/;
const WRITES_OUTSIDE = /(?:>{1,2}|\b(?:cp|mv|tee|ln)\b[^\n&|;]*)\s*["']?(?:~|\$HOME|%USERPROFILE%|%APPDATA%|\/(?!dev\/null)(?:etc|usr|home|Users|root|tmp)\b)/;

export function installHookHits(files: SourceFile[], criticalFiles: Set<string>): { file: SourceFile; hit: Hit }[] {
  const out: { file: SourceFile; hit: Hit }[] = [];
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const file of files) {
    const base = posix.basename(file.path);
    if (base === 'package.json') out.push(...packageJsonHooks(file, byPath, criticalFiles));
    else if (base === 'binding.gyp') {
      const pkg = byPath.get(posix.join(posix.dirname(file.path), 'package.json'));
      const hasInstall = pkg && /"(?:pre|post)?install"\s*:/.test(pkg.text);
      if (!hasInstall) out.push({ file, hit: plain('install-hook', 'An implicit `node-gyp rebuild` runs at install time (binding.gyp without an install script).', 0) });
    } else if (base === 'package-lock.json' || base === 'npm-shrinkwrap.json') {
      for (const m of file.text.matchAll(/"hasInstallScript"\s*:\s*true/g)) {
        const before = file.text.lastIndexOf('"node_modules/', m.index);
        const name = before >= 0 ? (/"node_modules\/([^"]+)"/.exec(file.text.slice(before))?.[1] ?? '?') : '?';
        const allow = INSTALL_HOOK_ALLOWLIST.some((a) => a.purl.startsWith(npmPurl(name.replace(/.*node_modules\//, ''), '').slice(0, -1)));
        out.push({ file, hit: { ...plain('install-hook', `The lockfile marks ${name} as running an install script.`, m.index), severity: allow ? 'INFO' : 'MEDIUM' } });
      }
    } else if (base === 'setup.py' && file.facts) {
      const cmdclass = file.facts.calls.some((c) => /(?:^|\.)setup$/.test(c.callee) && c.kwargs.cmdclass);
      if (cmdclass || hasNetworkSink(file.facts)) {
        const critical = hasNetworkSink(file.facts) || file.facts.calls.some((c) => /^(?:subprocess\.\w+|os\.system|exec|eval)$/.test(c.callee));
        out.push({
          file,
          hit: critical
            ? full('setup.py runs network or process code at install time.', 0)
            : plain('install-hook', 'setup.py overrides install commands (cmdclass).', 0),
        });
      }
    } else if (file.path.endsWith('.pth')) {
      let offset = 0;
      for (const line of file.text.split('\n')) {
        if (/^\s*import\s/.test(line) && !/^\s*import\s+\w+\s*;?\s*(?:sys\.path\.\w+\([^)]*\)\s*;?\s*)?$/.test(line)) {
          const bad = /exec|eval|b64decode|base64|urllib|subprocess|socket|__import__|compile|os\.system|requests/.test(line);
          out.push({ file, hit: bad ? full('A .pth file runs code at every interpreter start.', offset) : plain('install-hook', 'A .pth file imports a module at every interpreter start.', offset) });
        }
        offset += line.length + 1;
      }
    } else if ((base === 'sitecustomize.py' || base === 'usercustomize.py') && file.isDependency) {
      out.push({ file, hit: plain('install-hook', `${base} in a vendored directory runs at every interpreter start.`, 0) });
    }
  }
  return out;
}

function plain(rule: string, description: string, start: number): Hit {
  return {
    rule,
    severity: 'MEDIUM',
    title: 'Install-time hook',
    description,
    remediation: 'Ship prebuilt files instead of install hooks; MCPB bundles are not installed with npm, so hooks should be unnecessary.',
    start,
  };
}

function full(description: string, start: number): Hit {
  return {
    rule: 'install-hook',
    severity: 'CRITICAL',
    title: 'Malicious install hook',
    description,
    remediation: 'Remove the hook and the code it runs; if it is in a dependency, replace that dependency and report it.',
    start,
    dependencyCap: null,
  };
}

function packageJsonHooks(file: SourceFile, byPath: Map<string, SourceFile>, criticalFiles: Set<string>): { file: SourceFile; hit: Hit }[] {
  let pkg: any;
  try {
    pkg = JSON.parse(file.text);
  } catch {
    return [];
  }
  const scripts = pkg && typeof pkg.scripts === 'object' && pkg.scripts ? pkg.scripts : {};
  const dir = posix.dirname(file.path);
  const out: { file: SourceFile; hit: Hit }[] = [];
  for (const hook of HOOKS) {
    const script = scripts[hook];
    if (typeof script !== 'string') continue;
    const start = Math.max(0, file.text.indexOf(`"${hook}"`));
    const reasons: string[] = [];
    if (NETWORK_TEXT.test(script)) reasons.push('fetches from the network');
    if (DOWNLOAD_EXEC_TEXT.some((re) => re.test(script))) reasons.push('pipes a download into an interpreter');
    if (ENCODED_NODE_E.test(script)) reasons.push('runs node -e with an encoded payload');
    if (WRITES_OUTSIDE.test(script)) reasons.push('writes outside its package');
    const run = RUNS_FILE.exec(script);
    let target: SourceFile | undefined;
    if (run) {
      target = byPath.get(posix.normalize(posix.join(dir === '.' ? '' : dir, run[1] as string)));
      if (target) {
        if (criticalFiles.has(target.path)) reasons.push(`runs ${target.path}, which hits a CRITICAL malware family`);
        if (target.facts && hasNetworkSink(target.facts)) reasons.push(`runs ${target.path}, which makes network requests`);
        if (target.minified && target.text.length >= 1 << 20) reasons.push(`runs a ${Math.round(target.text.length / 1024)} KiB minified file`);
      }
    }
    const purl = typeof pkg.name === 'string' && typeof pkg.version === 'string' ? npmPurl(pkg.name, pkg.version) : undefined;
    const allowed = INSTALL_HOOK_ALLOWLIST.some(
      (a) => a.purl === purl && a.script === sha(script) && (!a.file || (target && posix.basename(target.path) === a.file && a.fileSha256 === sha(target.text))),
    );
    if (allowed) {
      out.push({ file, hit: { ...plain('install-hook', `Allowlisted ${hook} script of ${purl}: ${script.slice(0, 80)}`, start), severity: 'INFO' } });
      continue;
    }
    if (reasons.length > 0) {
      out.push({ file, hit: { ...full(`The ${hook} script "${script.slice(0, 100)}" ${reasons.join('; ')}.`, start), details: { hook, script: script.slice(0, 200), reasons } } });
    } else {
      out.push({ file, hit: { ...plain('install-hook', `A ${hook} script runs at install time: ${script.slice(0, 100)}`, start), details: { hook } } });
    }
  }
  return out;
}
