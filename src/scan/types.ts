/**
 * The contract between the scan engine and the controls (mtf-controls.md).
 *
 * How a control is added
 * ----------------------
 * 1. Write `src/scan/controls/<id>.ts` exporting a `Control` (e.g. `export const cq01: Control = {...}`).
 *    `id`, `name`, `level` and `domain` must equal the row of `CATALOGUE` in `./catalogue.ts`.
 * 2. Register it in `src/scan/controls/index.ts`: one import line plus one entry in `implemented`
 *    (the D2 slots are marked there). A catalogue entry without an implementation is evaluated
 *    as `error` "detector not implemented": fail closed, never `pass`.
 * 3. `evaluate(ctx)` emits RAW findings (`RawFinding`). The engine, not the control, assigns `id`,
 *    `fingerprint`, `blocking`, `component`/`in_dependency`, applies the dependency caps (§4.2;
 *    a control opts out per finding with `dependencyCap`) and the suppressions (§4.3).
 * 4. Status: return `pass`, `skip`, `unverified` (with `requires`) or `error` for the part that
 *    findings do not decide. The engine makes the control `fail` iff an unsuppressed blocking
 *    (CRITICAL/HIGH after caps) finding remains; a returned `fail` without one becomes `pass`.
 *    `skip` needs positive proof there is nothing to check. Throwing is caught and becomes `error`.
 * 5. Expensive per-file work that several controls need (ASTs, token streams) goes through
 *    `ctx.shared(key, compute)` so it runs once per scan.
 * 6. Never read the clock or the network: use `ctx.options.now`; never print.
 */

export const CONTROL_IDS = [
  'AI-01', 'AI-02', 'AI-03', 'AI-04', 'AI-05',
  'SC-01', 'SC-02', 'SC-03', 'SC-04', 'SC-05',
  'CQ-01', 'CQ-02', 'CQ-03', 'CQ-04', 'CQ-05', 'CQ-06',
  'CD-01', 'CD-02', 'CD-03', 'CD-04',
  'PR-01', 'PR-02', 'PR-03', 'PR-04', 'PR-05',
] as const;

export type ControlId = (typeof CONTROL_IDS)[number];

export type ControlStatus = 'pass' | 'fail' | 'skip' | 'unverified' | 'error';

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Domain = 'artifact_integrity' | 'supply_chain' | 'code_quality' | 'capability_declaration' | 'provenance';

export type ControlLevel = 1 | 2 | 3 | 4;

/** What a control emits. The engine turns it into a `Finding`. */
export interface RawFinding {
  control: ControlId;
  /** kebab-case detector id, e.g. `aws-access-token`, `install-hook`. */
  rule: string;
  /** Severity before the dependency caps of §4.2. */
  severity: Severity;
  title: string;
  description: string;
  /** A concrete next step. */
  remediation: string;
  /** Bundle-relative POSIX path; absent for bundle-level findings. */
  file?: string;
  /** 1-based positions when known. */
  line?: number;
  column?: number;
  end_line?: number;
  /** ≤ 200 characters of the matched line. Secrets MUST already be redacted by the control. */
  excerpt?: string;
  details?: Record<string, unknown>;
  /**
   * The highest severity this finding may keep inside dependency code. Default `MEDIUM` (§4.2).
   * `null` = no cap (CQ-02 "full" families, SC-02, SC-04 hash mismatches); `HIGH` for CQ-01 private keys.
   */
  dependencyCap?: Severity | null;
}

export interface SuppressionInfo {
  source: 'inline' | 'bundle-policy' | 'operator-policy';
  reason: string;
}

/** A finding as it appears in the report (§4.1), keys in report order. */
export interface Finding {
  id: string;
  control: ControlId;
  rule: string;
  severity: Severity;
  blocking: boolean;
  title: string;
  description: string;
  file?: string;
  line?: number;
  column?: number;
  end_line?: number;
  excerpt?: string;
  remediation: string;
  component?: string;
  in_dependency: boolean;
  details: Record<string, unknown>;
  suppressed: SuppressionInfo | null;
  fingerprint: string;
}

/** One file of the bundle, built once per scan. */
export interface ScanFile {
  /** Bundle-relative POSIX path. */
  path: string;
  /** Lower-case extension including the dot (`.js`), or '' when there is none. */
  ext: string;
  size: number;
  /** Unix mode bits (0o644 / 0o755). */
  mode: number;
  /** A NUL byte in the first 8 KiB: hashed and inventoried, never scanned as text. */
  isBinary: boolean;
  /** Under a dependency directory AND owned by an identified component (§4.2). */
  isDependency: boolean;
  /** Under a dependency directory (whether or not a component owns it). */
  inDependencyDir: boolean;
  /** purl of the owning SBOM component, when `isDependency`. */
  component?: string;
  /** Test file per §4.2 (excluded from CQ-03, CQ-04, CQ-05 only). */
  isTest: boolean;
  /** `*.min.js` or mean line length > 500. Minified and large dependency files get text rules only. */
  isMinified: boolean;
  /** True when only text rules apply (minified, or a dependency file over 5 MiB). */
  textRulesOnly: boolean;
  /** SHA-256 hex of the contents. */
  sha256: string;
  /** UTF-8 decoded contents (cached). */
  text(): Promise<string>;
  bytes(): Promise<Buffer>;
}

/** A dependency component discovered by SC-01's inventory (vendored or declared in a lockfile). */
export interface SbomComponent {
  ecosystem: 'npm' | 'PyPI';
  name: string;
  version: string;
  /** `pkg:npm/%40scope/name@1.2.3`, `pkg:pypi/name@1.2.3`. */
  purl: string;
  group?: string;
  licenses: string[];
  /** Licence expression when the metadata holds one. */
  licenseExpression?: string;
  hashes: { alg: 'SHA-512' | 'SHA-256' | 'SHA-1'; content: string }[];
  hashBasis?: 'lockfile' | 'files';
  /** Folder(s) of vendored copies, bundle-relative; empty when only declared in a lockfile. */
  locations: string[];
  /** The metadata file that declared it (package.json, METADATA, package-lock.json...). */
  source: string;
  repository?: string;
  dev?: boolean;
  optional?: boolean;
  /** purls of direct dependencies (for the CycloneDX dependency graph). */
  dependsOn: string[];
  /** Metadata problems found while reading it (unparseable, missing name/version). */
  problems: string[];
}

/** The result of reading and validating manifest.json before any control runs. */
export interface ManifestCheck {
  /** Raw text was found at the root. */
  present: boolean;
  /** JSON parsed. */
  parsed: boolean;
  parseError?: string;
  /** JSON paths of duplicated keys (a parser-differential risk). */
  duplicateKeys: string[];
  bom: boolean;
  /** Compatibility validator result (mcpb-format.md §1). */
  valid: boolean;
  version?: string;
  errors: ManifestProblem[];
  warnings: ManifestProblem[];
  /** Set when the validator itself could not run (AI-01 is then `error`). */
  validatorError?: string;
}

export interface ManifestProblem {
  severity?: string;
  pathText: string;
  message: string;
}

/** Every input of mtf-controls.md §2, resolved by the engine before the controls run. */
export interface ScanInputs {
  /** Paths given with --advisories, plus the synced snapshot when none was given. */
  advisories: string[];
  kev?: string;
  epss?: string;
  vex?: string;
  /** --trust files plus MPAK_HOME/trust entries. */
  trust: string[];
  attestation?: string;
  trustedBuilders: string[];
  source?: string;
  allowSources: string[];
  run: boolean;
  /** Fixed clock (from --now, or the wall clock read once by the engine). */
  now: Date;
  mpakHome?: string;
}

export interface BundleInfo {
  /** The path as given (a .mcpb file or a folder). */
  path: string;
  isDirectory: boolean;
  sha256: string;
  unsigned_sha256: string;
  size: number;
  /** The unsigned archive bytes (for directories: the in-memory pack). */
  archive: () => Promise<Buffer>;
  /** The single entry timestamp found in the archive, when there is one. */
  entryTime?: Date;
}

export interface ScanContext {
  /** Parsed manifest.json, or undefined when it does not parse. */
  manifest: Record<string, any> | undefined;
  manifestText: string | undefined;
  manifestCheck: ManifestCheck;
  files: ScanFile[];
  file(path: string): ScanFile | undefined;
  options: ScanInputs;
  /** SC-01's component inventory (computed once by the engine before controls run). */
  sbom: SbomComponent[];
  bundle: BundleInfo;
  /** Memoised per-scan computation shared between controls (ASTs, token streams, tool maps). */
  shared<T>(key: string, compute: () => Promise<T> | T): Promise<T>;
  /** Status of another control, once it has finished (for cross-control checks like PR-02/AI-03). */
  resultOf(id: ControlId): Promise<ControlResult | undefined>;
}

export interface ControlResult {
  status: ControlStatus;
  reason: string;
  /** Flags that would supply the missing input (`unverified`). */
  requires?: string[];
  findings: RawFinding[];
  /** Internal errors (the report becomes degraded). */
  errors?: string[];
  /** Filled by the engine. */
  durationMs?: number;
  /** Extra data the engine may surface (e.g. the trust anchors used, advisory counts). */
  data?: Record<string, unknown>;
}

export interface Control {
  id: ControlId;
  name: string;
  level: ControlLevel;
  domain: Domain;
  evaluate(ctx: ScanContext): Promise<ControlResult>;
}
