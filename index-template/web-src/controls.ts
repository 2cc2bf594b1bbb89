// The 25 controls of the mpak Trust Framework (shared/spec/mtf-controls.md §1) in plain words,
// for the "Trust framework" page and the per-control rows of package pages.

export interface ControlInfo {
  id: string;
  name: string;
  level: 1 | 2 | 3 | 4;
  domain: string;
  checks: string;
  why: string;
}

export const LEVEL_NAMES = ['None', 'Basic', 'Standard', 'Verified', 'Attested'] as const;

export const LEVEL_TEXT: Record<number, string> = {
  0: 'At least one Basic control is not satisfied. The scan still ran every control; look at the table to see what is missing.',
  1: 'The manifest is valid, the bundle has an SBOM, no secrets or malware patterns were found, and every tool is declared.',
  2: 'Adds content hashes, a complete bundle, vulnerability checks, pinned and locked dependencies, static analysis, honest permissions and tool descriptions, a source repository and an author.',
  3: 'Adds a trusted bundle signature, dependencies from approved sources, validated tool inputs, safe execution patterns, scoped credentials, a build attestation and a healthy source repository.',
  4: 'Adds a reproducible build, a sandboxed behavioural run and a source commit that the bundle can be traced back to.',
};

export const DOMAINS: Record<string, string> = {
  AI: 'Artifact integrity',
  SC: 'Supply chain',
  CQ: 'Code quality',
  CD: 'Capability declaration',
  PR: 'Provenance',
};

export const CONTROLS: readonly ControlInfo[] = [
  { id: 'AI-01', name: 'Manifest Validation', level: 1, domain: 'AI',
    checks: 'manifest.json parses (without duplicate keys), follows the MCPB schema, has a SemVer version and an entry point that exists inside the bundle and matches the server type.',
    why: 'Every client reads the manifest to decide what to start. A malformed or ambiguous manifest can make two tools disagree about what the bundle is.' },
  { id: 'AI-02', name: 'Content Hashes', level: 2, domain: 'AI',
    checks: 'The bundle carries a SHA-256 list of its files, and every file in the archive is listed with a matching hash.',
    why: 'A hash list lets anyone detect a file that was added or changed after packing, even offline and without a registry.' },
  { id: 'AI-03', name: 'Bundle Signature', level: 3, domain: 'AI',
    checks: 'The bundle has a valid signature that chains to a key or certificate you trust, made with strong algorithms.',
    why: 'A trusted signature ties the exact bytes to a publisher; any tampering afterwards breaks it.' },
  { id: 'AI-04', name: 'Reproducible Build', level: 4, domain: 'AI',
    checks: 'Repacking the bundle contents (or its source) with the deterministic packer gives exactly the same bytes.',
    why: 'If a build is reproducible, anyone can confirm that the published bundle is what the source says, not something slipped in by the build machine.' },
  { id: 'AI-05', name: 'Bundle Completeness', level: 2, domain: 'AI',
    checks: 'Every file in the bundle is expected: the entry point, what it imports, declared dependencies, icons and documentation. Unexplained scripts, binaries or source files are flagged.',
    why: 'Extra executables or scripts that nothing references are a classic place to hide a payload.' },
  { id: 'SC-01', name: 'SBOM Generation', level: 1, domain: 'SC',
    checks: 'Every bundled dependency is identified (name, version, licence, hash) in a CycloneDX software bill of materials.',
    why: 'You cannot check for known vulnerabilities or licence problems in components you do not know are there.' },
  { id: 'SC-02', name: 'Vulnerability Scanning', level: 2, domain: 'SC',
    checks: 'Every component is matched against OSV advisories (including known malicious packages); serious, exploitable advisories fail the control.',
    why: 'Most real-world compromises go through known holes in dependencies.' },
  { id: 'SC-03', name: 'Dependency Pinning', level: 2, domain: 'SC',
    checks: 'Dependencies are pinned to exact versions or a lockfile, and the launch command does not fetch unpinned code (such as npx package@latest).',
    why: 'An unpinned dependency can change under you: the code you reviewed is not the code that runs.' },
  { id: 'SC-04', name: 'Lockfile Integrity', level: 2, domain: 'SC',
    checks: 'A lockfile exists with integrity hashes for every entry, and the vendored files agree with it.',
    why: 'Integrity hashes make a swapped or modified dependency detectable.' },
  { id: 'SC-05', name: 'Trusted Sources', level: 3, domain: 'SC',
    checks: 'Dependencies come from approved registries over HTTPS, never from local paths, plain HTTP or unpinned git.',
    why: 'Code from unknown hosts bypasses the checks that public registries apply.' },
  { id: 'CQ-01', name: 'Secret Detection', level: 1, domain: 'CQ',
    checks: 'No API keys, tokens, private keys or passwords with credentials are shipped in the bundle. Secrets are never shown in reports.',
    why: 'A leaked secret in a published bundle is available to everyone who downloads it.' },
  { id: 'CQ-02', name: 'Malware Patterns', level: 1, domain: 'CQ',
    checks: 'Code and scripts are parsed and searched for malware behaviour: exfiltration endpoints, environment or credential harvesting, reverse shells, miners, obfuscated execution, persistence and tampering with AI agent configuration.',
    why: 'An MCP server runs with your user account: malicious code in it can read your files and keys.' },
  { id: 'CQ-03', name: 'Static Analysis', level: 2, domain: 'CQ',
    checks: 'Server code is checked for known vulnerability shapes: path-containment mistakes, argument injection, disabled TLS checks, unauthenticated listeners, SSRF and weak comparisons.',
    why: 'These bugs let a prompt-injected model or a web page turn a tool against you.' },
  { id: 'CQ-04', name: 'Input Validation', level: 3, domain: 'CQ',
    checks: 'Every tool handler validates its arguments with a schema (zod, ajv, pydantic and similar) before using them.',
    why: 'Tool arguments come from a model, which can be steered by untrusted content; unvalidated input is the usual first step of an exploit.' },
  { id: 'CQ-05', name: 'Safe Execution Patterns', level: 3, domain: 'CQ',
    checks: 'No shell execution of built strings, eval of non-literals, SQL built by string concatenation, unsafe deserialisation or opening of unchecked URLs.',
    why: 'These patterns turn any injected text into code execution.' },
  { id: 'CQ-06', name: 'Behavioral Analysis', level: 4, domain: 'CQ',
    checks: 'With explicit permission, the server is started in a sandbox with decoy credentials; its tool list is compared with the manifest and its network, file and process activity is recorded. No tool is ever called.',
    why: 'What a server does at start-up can differ from what its code appears to do.' },
  { id: 'CD-01', name: 'Tool Declaration', level: 1, domain: 'CD',
    checks: 'Every tool is declared in the manifest with a valid, unique name and a description, and matches the tools found in source.',
    why: 'You can only judge what a server can do if its tools are listed honestly.' },
  { id: 'CD-02', name: 'Permission Correlation', level: 2, domain: 'CD',
    checks: 'The declared permissions (filesystem, network, environment, subprocess, native code) match what the code actually uses.',
    why: 'A server that starts processes or reads secrets without declaring it is hiding capabilities.' },
  { id: 'CD-03', name: 'Description Safety', level: 2, domain: 'CD',
    checks: 'Tool, prompt and configuration descriptions contain no prompt injection: override instructions, hidden tags, references to secrets, exfiltration addresses, encoded payloads, invisible Unicode or attempts to shadow other tools.',
    why: 'The model reads these descriptions as instructions; a poisoned description can make it leak data without any code running.' },
  { id: 'CD-04', name: 'Credential Scope and Token Lifetime', level: 3, domain: 'CD',
    checks: 'OAuth use is declared with its scopes and a justification; broad scopes are justified and tokens are not stored indefinitely on disk.',
    why: 'Least privilege limits the damage when a token leaks.' },
  { id: 'PR-01', name: 'Source Repository', level: 2, domain: 'PR',
    checks: 'The manifest names a git repository with a valid HTTPS URL and no embedded credentials.',
    why: 'A public source lets anyone review the code behind the bundle.' },
  { id: 'PR-02', name: 'Author Identity', level: 2, domain: 'PR',
    checks: 'The bundle declares an author with a valid e-mail address and a scoped name (@scope/name).',
    why: 'Users need to know who is accountable for the bundle, and scopes prevent name squatting.' },
  { id: 'PR-03', name: 'Build Attestation', level: 3, domain: 'PR',
    checks: 'A signed SLSA provenance attestation from a trusted builder names this bundle\'s digest and its source repository and commit.',
    why: 'An attestation proves the bundle was built by CI from a known commit, not on someone\'s laptop.' },
  { id: 'PR-04', name: 'Commit Linkage', level: 4, domain: 'PR',
    checks: 'The bundle names the full source commit, and (with a checkout) every source file in the bundle matches that commit.',
    why: 'It connects the shipped files to reviewable history, file by file.' },
  { id: 'PR-05', name: 'Repository Health', level: 3, domain: 'PR',
    checks: 'The source repository has safe CI workflows with least-privilege tokens, and scores well on licence, security policy, CI, pinned actions, tags, recent activity, signed commits, dependency updates, tests and README.',
    why: 'A well-maintained repository is less likely to ship accidents or be taken over.' },
];

export const STATUS_TEXT: Record<string, string> = {
  pass: 'Evaluated completely; nothing blocking was found.',
  fail: 'At least one blocking (critical or high) finding.',
  skip: 'Not applicable: the bundle has nothing of this kind.',
  unverified: 'Needs an input the scan did not have, so it is not counted as satisfied.',
  error: 'The check itself failed; the report is degraded and is not a certification.',
};

export function controlInfo(id: string): ControlInfo | undefined {
  return CONTROLS.find((c) => c.id === id);
}

export function trustDisplay(level: number | undefined, score: number | undefined): string {
  if (level === undefined || score === undefined) return 'not scanned';
  return `L${level} ${score}`;
}
