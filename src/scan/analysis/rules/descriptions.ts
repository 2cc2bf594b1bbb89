/**
 * CD-03 description-poisoning rules (mtf-controls CD-03, rules 1–11). Each text is checked as
 * written and as a normalised copy (NFKC, zero-width stripped, HTML entities, \x/\u escapes,
 * Unicode Tags and base64 runs decoded). Used for manifest text, code-registered descriptions
 * and CQ-06 runtime descriptions alike.
 */
import type { Severity } from '../../types.js';
import { SEVERITY_ORDER } from '../hits.js';
import { findEndpoints, urlHosts } from './endpoints.js';

export interface DescriptionHit {
  rule: string;
  severity: Severity;
  title: string;
  detail: string;
  /** Offset in the original text, when known. */
  index?: number;
}

export interface DescriptionContext {
  /** Tool names this bundle defines (shadowing is about names it does not define). */
  ownTools: Set<string>;
  /** Name of the tool whose description this is (rules 10 and 11). */
  toolName?: string;
  /** Words naming this bundle (its name), so naming itself is not "another server". */
  selfWords?: string[];
  /** Input property names of the tool (rule 10). */
  inputProperties?: string[];
}

const R1_CRIT = [
  /\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:(?:your|the|these|those)\s+)?(?:previous|prior|above|earlier|original|system|safety|security|other)\s+(?:instructions?|context|rules?|guidelines?|directives?|prompts?|restrictions?|checks?)\b/i,
  /\b(?:override|bypass)\s+(?:all\s+)?(?:security|safety|restrictions?|rules?|checks?|guardrails?)\b/i,
];
const R1_HIGH = [
  /\b(?:you\s+are\s+now|act\s+as|pretend\s+to\s+be)\b|\bnew\s+(?:instructions?|directives?|guidelines?)\s*:|^\s*system\s*:/im,
  /\b(?:you\s+must|always|never)\s+(?:first|before|after)\b|\bbefore\s+using\s+(?:this|any|other|the)\s+tools?\b/i,
  /\b(?:otherwise|or\s+else)\s+(?:the\s+)?(?:tool|application|app|server|system)\s+will\s+(?:not\s+work|crash|fail)\b|\btool\s+will\s+not\s+work\s+unless\b/i,
];
const R2_TELL = /\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|notify|mention|alert)\b(?!\s+(?:to\s+)?use\b)/i;
const R2_HIDDEN =
  /\b(?:secretly|silently|covertly|quietly|invisibly|behind\s+the\s+scenes|without\s+(?:the\s+)?(?:user'?s?\s+)?(?:knowledge|knowing|consent|telling))\W+(?:\w+\W+){0,2}?(?:send|post|upload|transmit|forward|copy|read|collect|include|add|append|change|modify|write|call|execute|run)s?\b/i;
const R2_ADVERB = /\b(?:secretly|silently|covertly|quietly|invisibly|behind\s+the\s+scenes)\b/i;
const R2_ALSO = /\b(?:also|additionally|in\s+addition|at\s+the\s+same\s+time)\s+(?:collect|gather|extract|send|upload|forward|copy|store|log|record|capture)s?\b/i;
const R3_TAG = /<\s*\/?\s*(?:important|system|instructions?|secret|s|critical|urgent|admin|hidden|internal)\s*>/i;
const R3_MARK = /(?:\[\[\[|\|\|\|)\s*(?:SYSTEM|ADMIN|HIDDEN|INTERNAL)[\s_]?(?:OVERRIDE|INSTRUCTION|COMMAND)\s*(?:\]\]\]|\|\|\|)|\[(?:HIDDEN|INTERNAL|SECRET|PRIVATE)\s+(?:INSTRUCTION|DIRECTIVE|COMMAND)\]/i;
const R4_PATH = /(?:~|\$HOME|%USERPROFILE%|\/home\/[\w.-]+|\/Users\/[\w.-]+)?[\\/]\.(?:ssh|aws|gnupg|kube|docker|azure|cursor|claude|config[\\/]gcloud)\b/i;
const R4_FILE =
  /(?:^|[^\w.-])(?:id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?|known_hosts|authorized_keys|credentials\.json|service[_-]?account[\w.-]*\.json|claude_desktop_config\.json|mcp\.json|messages\.db|wallet\.dat|\.netrc|\.npmrc|\.pypirc|\.git-credentials|\.env(?:\.[\w-]+)?|\/etc\/(?:passwd|shadow|sudoers))(?![\w-])/i;
const R4_VERB = /\b(?:read|cat|open|get|fetch|include|pass|send|upload|dump|contents?)\b/i;
const R4_DATA = /\b(?:environment\s+variables|process\.env|os\.environ|conversation\s+history|system\s+prompt|chain\s+of\s+thought|list_chats)\b/i;
const SEND_INCLUDE = /\b(?:send|include|pass|upload|forward|post|append|add|attach|put)\w*\b/i;
const EMAIL = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/;
const PHONE = /(?:^|[^\w+])\+\d{7,15}\b/;
const REDIRECT = /\brecipient\b|\bsend\s+(?:all\s+)?(?:emails?|messages?)\s+to\b|\bforward\b|\bproxy\s+number\b/i;
const B64_RUN = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])/g;
const B64URL_RUN = /(?<![A-Za-z0-9_\-=])[A-Za-z0-9_-]{40,}={0,2}(?![A-Za-z0-9_\-=])/g;
const HEX_RUN = /(?:[0-9a-fA-F]{2}){20,}/g;
const DANGER_DECODED = /exec|eval|import|subprocess|os\.|http|curl|wget|bash|ssh|credential/i;
const INVISIBLE = /\u034F|[\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFEFF\uFFA0]/u;
const TAGS = /[\u{E0000}-\u{E007F}]/u;
const EMOJI_TAG_SEQ = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
const VARIATION = /[\uFE00-\uFE0F]{2,}|[\u{E0100}-\u{E01EF}]/u;
const PRIVATE_USE = /[\uE000-\uF8FF\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}]/u;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const PADDING = [/[ \t\u00A0]{400,}\S/, /(?:\r?\n[ \t]*){20,}\S/];
const SHADOW =
  /\bwhen\s+(?:this|the)\s+[\w-]+\s+tool\s+is\s+(?:available|present)\b|\bside\s+effect\s+on\b|\boverride\s+the\s+behaviou?r\s+of\b|\binstead\s+of\s+using\b|\bmodify\s+the\s+(?:usage|behaviou?r)\s+of\b|\b(?:before|after)\s+using\s+(?:any|other|the)\s+tools?\b|\bwhenever\s+you\s+(?:see|encounter|use)\b|\breplace\s+(?:the|all)\s+(?:function|tool|method)s?\b|\bprioriti[sz]e\s+this\b|\bthis\s+is\s+very\s+(?:very\s+)*important\b/i;
const KNOWN_TOOLS = /\b(?:send_email|send_message|list_chats|read_file|write_file|execute_command|create_pull_request|get_file_contents|mcp_tool_\w+)\b/g;
const OTHER_SERVERS = /\b(?:whatsapp|slack|github|gitlab|gdrive)\b/gi;
const EXFIL_PARAMS = /^(?:note|notes|feedback|details|extra|additional|metadata|debug|sidenote|context|annotation|reasoning|remark)$/i;
const PUT_DATA = /\b(?:put|pass|include|add|insert|place|send|provide|append|copy)\b[^.]{0,80}\b(?:contents?|file|data|key|token|password|secret|credential|history|conversation|message|env)/i;
const MISMATCH_TOKENS = new Set(['weather', 'time', 'date', 'calc', 'calculate', 'calculator', 'add', 'math', 'fact', 'facts', 'joke', 'jokes']);
const MISMATCH_DESC = /\b(?:read|write|open|save|delete|file|directory|path|password|secret|key|token|credential|auth)\b/i;
const READ_NAME = /^(?:get_|list_|read_|search_|show_|display_|render_)/i;
const WRITE_DESC = /\b(?:delete|remove|overwrite|send|post)\b/i;

const max = (a: Severity, b: Severity): Severity => (SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b);

function decodeHtmlEntities(s: string): string {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00A0' };
  return s.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (m, dec, hex, name) => {
    try {
      if (dec) return String.fromCodePoint(Number(dec));
      if (hex) return String.fromCodePoint(parseInt(hex, 16));
    } catch {
      return m;
    }
    return named[String(name).toLowerCase()] ?? m;
  });
}

function decodeEscapes(s: string): string {
  return s
    .replace(/\\x([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\u\{([0-9a-fA-F]{1,6})\}/g, (m, h) => {
      try {
        return String.fromCodePoint(parseInt(h, 16));
      } catch {
        return m;
      }
    })
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

export function decodeTags(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xe0020 && cp <= 0xe007e) out += String.fromCharCode(cp - 0xe0000);
  }
  return out;
}

function printableRatio(s: string): number {
  if (!s) return 0;
  let ok = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) ok++;
  }
  return ok / [...s].length;
}

function b64(s: string, url: boolean): string {
  return Buffer.from(url ? s.replace(/-/g, '+').replace(/_/g, '/') : s, 'base64').toString('utf8');
}

/** The normalised copy: NFKC, zero-width stripped, entities/escapes/tags/base64 decoded. */
export function normaliseDescription(text: string): string {
  let t = text.normalize('NFKC').replace(/\u034F|[\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/g, '');
  t = decodeEscapes(decodeHtmlEntities(t));
  const tags = decodeTags(t);
  t = t.replace(/[\u{E0000}-\u{E007F}]/gu, '');
  if (tags) t += '\n' + tags;
  t = t.replace(B64_RUN, (run) => {
    const d = b64(run, false);
    return printableRatio(d) >= 0.8 ? d : run;
  });
  return t;
}

function push(out: DescriptionHit[], rule: string, severity: Severity, title: string, detail: string, index?: number): void {
  out.push({ rule, severity, title, detail, index });
}

/** Rules 1–5, 8 and 9 on one text (called on the original and on the normalised copy). */
function textRules(text: string, ctx: DescriptionContext, out: DescriptionHit[], depth: number): void {
  for (const re of R1_CRIT) {
    const m = re.exec(text);
    if (m) push(out, 'override-instruction', 'CRITICAL', 'Instruction-override phrase', `"${m[0]}"`, m.index);
  }
  for (const re of R1_HIGH) {
    const m = re.exec(text);
    if (m) push(out, 'role-directive', 'HIGH', 'Role or directive phrase', `"${m[0].trim()}"`, m.index);
  }
  const tell = R2_TELL.exec(text);
  if (tell) {
    const after = text.slice(tell.index, tell.index + tell[0].length + 40);
    push(out, 'concealment', /\buser/i.test(after) ? 'CRITICAL' : 'HIGH', 'Concealment instruction', `"${tell[0]}"`, tell.index);
  }
  const hidden = R2_HIDDEN.exec(text);
  if (hidden) push(out, 'hidden-action', 'CRITICAL', 'Hidden action', `"${hidden[0]}"`, hidden.index);
  else {
    const adv = R2_ADVERB.exec(text);
    if (adv) push(out, 'hidden-action', 'LOW', 'Concealment adverb', `"${adv[0]}"`, adv.index);
  }
  const also = R2_ALSO.exec(text);
  if (also) push(out, 'also-does', 'HIGH', 'Undisclosed additional action', `"${also[0]}"`, also.index);

  // 3. pseudo-tags and markers
  const tag = R3_TAG.exec(text) ?? R3_MARK.exec(text);
  if (tag) {
    const block = text.slice(tag.index, tag.index + 2000);
    const dangerous = R4_PATH.test(block) || R4_FILE.test(block) || R2_TELL.test(block) || R2_HIDDEN.test(block) || EMAIL.test(block) || findEndpoints(block).length > 0 || /https?:\/\//.test(block);
    push(out, 'pseudo-tag', dangerous ? 'CRITICAL' : 'HIGH', 'Pseudo-tag or hidden marker', `"${tag[0]}"${dangerous ? ' around a sensitive reference, concealment or contact point' : ''}`, tag.index);
  }
  for (const m of text.matchAll(/<!--([\s\S]*?)-->/g)) {
    if (depth > 2) break;
    const inner: DescriptionHit[] = [];
    textRules(m[1] as string, ctx, inner, depth + 1);
    if (inner.some((i) => i.severity !== 'LOW' && i.severity !== 'INFO')) push(out, 'pseudo-tag', 'HIGH', 'Instructions hidden in an HTML comment', `<!--${(m[1] as string).slice(0, 60)}-->`, m.index);
  }

  // 4. sensitive references
  for (const re of [R4_PATH, R4_FILE]) {
    const m = re.exec(text);
    if (!m) continue;
    const around = text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40);
    push(out, 'sensitive-reference', R4_VERB.test(around) ? 'CRITICAL' : 'HIGH', 'Sensitive file reference', `"${m[0].trim()}"`, m.index);
  }
  const data = R4_DATA.exec(text);
  if (data && SEND_INCLUDE.test(text.slice(Math.max(0, data.index - 60), data.index + data[0].length + 60))) {
    push(out, 'sensitive-reference', 'HIGH', 'Sensitive data requested', `"${data[0]}" with a send/include verb`, data.index);
  }

  // 5. contact points
  const eps = findEndpoints(text);
  for (const e of eps) {
    const strong = e.kind === 'webhook' || e.kind === 'tunnel' || e.kind === 'paste' || e.kind === 'messenger';
    push(out, 'contact-point', strong ? 'CRITICAL' : 'HIGH', 'Exfiltration endpoint in a description', `${e.kind} ${e.host}`, e.index);
  }
  for (const u of urlHosts(text)) {
    if (eps.some((e) => e.index === u.index)) continue;
    push(out, 'contact-point', 'INFO', 'URL in a description', u.host, u.index);
  }
  for (const re of [EMAIL, PHONE]) {
    const m = re.exec(text);
    if (!m) continue;
    const near = text.slice(Math.max(0, m.index - 80), m.index + m[0].length + 80);
    push(out, 'contact-point', REDIRECT.test(near) ? 'CRITICAL' : 'MEDIUM', re === EMAIL ? 'E-mail address in a description' : 'Phone number in a description', m[0].trim(), m.index);
  }

  // 8. padding
  for (const re of PADDING) {
    const m = re.exec(text);
    if (!m) continue;
    push(out, 'padding', 'HIGH', 'Padding hides text', `${m[0].length - 1} padding characters`, m.index);
    if (depth < 3) textRules(text.slice(m.index + m[0].length - 1), ctx, out, depth + 1);
  }

  // 9. cross-tool shadowing
  const sh = SHADOW.exec(text);
  if (sh) push(out, 'tool-shadowing', 'HIGH', 'Cross-tool shadowing phrase', `"${sh[0]}"`, sh.index);
  for (const m of text.matchAll(KNOWN_TOOLS)) {
    if (!ctx.ownTools.has(m[0])) {
      push(out, 'tool-shadowing', 'HIGH', 'Names a tool this bundle does not define', m[0], m.index);
      break;
    }
  }
  const self = (ctx.selfWords ?? []).map((w) => w.toLowerCase());
  for (const m of text.matchAll(OTHER_SERVERS)) {
    if (self.some((w) => w.includes(m[0].toLowerCase()))) continue;
    push(out, 'other-server-reference', 'MEDIUM', 'Names another popular server', m[0], m.index);
    break;
  }
}

/** All CD-03 rules on one description text; hits are de-duplicated by (rule, severity). */
export function descriptionHits(text: string, ctx: DescriptionContext): DescriptionHit[] {
  const out: DescriptionHit[] = [];
  if (!text) return out;
  textRules(text, ctx, out, 0);
  const normalised = normaliseDescription(text);
  if (normalised !== text) {
    const extra: DescriptionHit[] = [];
    textRules(normalised, ctx, extra, 0);
    for (const e of extra) out.push({ ...e, index: undefined, detail: `${e.detail} (after normalisation)` });
  }

  // 6. encoded payloads
  let encodedRuns = 0;
  for (const re of [B64_RUN, B64URL_RUN, HEX_RUN]) {
    for (const m of text.matchAll(re)) {
      const run = m[0];
      if (re === HEX_RUN && /^[0-9]+$/.test(run)) continue;
      const decoded = re === HEX_RUN ? Buffer.from(run, 'hex').toString('utf8') : b64(run, re === B64URL_RUN);
      if (printableRatio(decoded) >= 0.8) {
        const inner: DescriptionHit[] = [];
        textRules(decoded, ctx, inner, 1);
        const sev = DANGER_DECODED.test(decoded) ? 'CRITICAL' : inner.reduce<Severity>((s, i) => max(s, i.severity), 'MEDIUM');
        push(out, 'encoded-payload', sev, 'Encoded text in a description', `decodes to "${decoded.slice(0, 60)}"`, m.index);
      } else if (run.length >= 50 && re !== HEX_RUN) {
        push(out, 'encoded-payload', 'HIGH', 'Undecodable encoded run', `${run.length} characters`, m.index);
      }
      encodedRuns++;
      if (encodedRuns > 20) break;
    }
  }
  const esc = /(?:\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}){4,}/.exec(text);
  if (esc) push(out, 'encoded-payload', 'HIGH', 'Escape sequences in a description', `${esc[0].slice(0, 40)}`, esc.index);
  const ents = /(?:&(?:#\d+|#x[0-9a-f]+|\w+);){4,}/i.exec(text);
  if (ents) push(out, 'encoded-payload', 'HIGH', 'HTML entities in a description', `${ents[0].slice(0, 40)}`, ents.index);

  // 7. invisible and deceptive Unicode
  const inv = INVISIBLE.exec(text);
  if (inv) push(out, 'invisible-unicode', 'HIGH', 'Invisible or bidi character', `U+${(inv[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`, inv.index);
  const withoutEmojiTags = text.replace(EMOJI_TAG_SEQ, '');
  if (withoutEmojiTags !== text) push(out, 'invisible-unicode', 'INFO', 'Emoji tag sequence', 'flag emoji');
  const tagM = TAGS.exec(withoutEmojiTags);
  if (tagM) {
    const decoded = decodeTags(withoutEmojiTags);
    const inner: DescriptionHit[] = [];
    if (decoded) textRules(decoded, ctx, inner, 1);
    const fired = inner.some((i) => i.severity !== 'INFO' && i.severity !== 'LOW');
    push(out, 'unicode-tags', fired ? 'CRITICAL' : 'HIGH', 'Unicode Tag characters', `hidden text "${decoded.slice(0, 60)}"`, tagM.index);
  }
  const vs = VARIATION.exec(text);
  if (vs) push(out, 'variation-selectors', 'HIGH', 'Variation-selector run', `${[...vs[0]].length} selector(s)`, vs.index);
  const pu = PRIVATE_USE.exec(text);
  if (pu) push(out, 'private-use', 'MEDIUM', 'Private-use character', `U+${(pu[0].codePointAt(0) as number).toString(16).toUpperCase()}`, pu.index);
  const ctl = CONTROL.exec(text);
  if (ctl) push(out, 'control-character', 'HIGH', 'Control character (ANSI escape)', `U+${(ctl[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`, ctl.index);
  for (const m of text.matchAll(/\p{L}+/gu)) {
    const w = m[0];
    if (/\p{Script=Latin}/u.test(w) && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(w)) {
      push(out, 'homoglyph', 'HIGH', 'Mixed-script word (homoglyph)', w, m.index);
      break;
    }
  }

  // 8. length
  if (text.length > 4096) push(out, 'length', 'HIGH', 'Very long description', `${text.length} characters`);
  else if (text.length > 1024) push(out, 'length', 'LOW', 'Long description', `${text.length} characters`);

  // 10. exfiltration parameters
  for (const p of ctx.inputProperties ?? []) {
    if (!EXFIL_PARAMS.test(p)) continue;
    const mentions = new RegExp(`\\b${p}\\b`, 'i').exec(text);
    const tells = mentions && PUT_DATA.test(text.slice(Math.max(0, mentions.index - 120), mentions.index + 120));
    push(out, 'exfiltration-parameter', tells ? 'HIGH' : 'LOW', 'Free-text side-channel parameter', `${p}${tells ? ' (the description asks to put data into it)' : ''}`);
  }
  // 11. name/description mismatch
  if (ctx.toolName) {
    const tokens = ctx.toolName.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().split(/[_\W]+/);
    if (tokens.some((t) => MISMATCH_TOKENS.has(t)) && MISMATCH_DESC.test(text)) push(out, 'name-description-mismatch', 'MEDIUM', 'Tool name and description disagree', `${ctx.toolName} mentions ${MISMATCH_DESC.exec(text)![0]}`);
    else if (READ_NAME.test(ctx.toolName) && WRITE_DESC.test(text)) push(out, 'name-description-mismatch', 'MEDIUM', 'Read-style tool describes a write', `${ctx.toolName} mentions ${WRITE_DESC.exec(text)![0]}`);
  }

  // De-duplicate: keep the highest severity per rule (and the earliest index).
  const best = new Map<string, DescriptionHit>();
  for (const h of out) {
    const cur = best.get(h.rule);
    if (!cur || SEVERITY_ORDER.indexOf(h.severity) > SEVERITY_ORDER.indexOf(cur.severity)) best.set(h.rule, h);
  }
  return [...best.values()];
}
