/**
 * Exfiltration endpoints shared by CQ-02 (exfil-endpoint) and CD-03 (contact points): webhook
 * and OAST collectors, tunnels, paste sites, messenger bot APIs, suspicious TLDs, public IPs.
 */

export type EndpointKind = 'webhook' | 'tunnel' | 'paste' | 'messenger' | 'tld' | 'public-ip';

const HOSTS: [RegExp, EndpointKind][] = [
  [/(?:^|\.)(?:webhook\.site|webhook\.cool|pipedream\.net|beeceptor\.com|oastify\.com|burpcollaborator\.net|oast\.(?:pro|live|site|online|fun|me)|dnslog\.cn)$/i, 'webhook'],
  [/requestbin/i, 'webhook'],
  [/(?:^|\.)(?:ngrok\.io|ngrok-free\.app|ngrok-free\.dev|trycloudflare\.com|localhost\.run)$/i, 'tunnel'],
  [/(?:^|\.)(?:pastebin\.com|hastebin\.com|paste\.ee|rentry\.co|termbin\.com|transfer\.sh|files\.catbox\.moe)$/i, 'paste'],
];

const MESSENGER = [/api\.telegram\.org\/bot\d+:/i, /discord(?:app)?\.com\/api\/webhooks\/\d+\//i];
const TLD = /https?:\/\/[^\s/"'\x60]+\.(?:xyz|tk|ml|ga|cf|gq|pw|top|club|bid|icu|zip|stream|link|quest)(?=[/:?#"'\x60\s)]|$)/i;
const URL_RE = /\b(?:https?|wss?|ftp):\/\/[^\s"'\x60<>)\]}]+/gi;
const HOST_TOKEN = /(?<![\w.-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w-])/gi;

export interface EndpointMatch {
  kind: EndpointKind;
  host: string;
  /** Offset of the match within the searched text. */
  index: number;
  text: string;
}

function isPublicIp(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if ([m[1], m[2], m[3], m[4]].some((x) => Number(x) > 255)) return false;
  if (a === 10 || a === 127 || a === 0 || a >= 224) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  // Documentation ranges (TEST-NET) are inert by definition.
  if ((a === 192 && b === 0) || (a === 198 && (b === 51 || b === 18 || b === 19)) || (a === 203 && b === 0)) return false;
  return true;
}

export function classifyHost(host: string): EndpointKind | undefined {
  for (const [re, kind] of HOSTS) if (re.test(host)) return kind;
  if (isPublicIp(host)) return 'public-ip';
  return undefined;
}

/** Every endpoint signal in a text (URLs, bare hosts, messenger API paths). */
export function findEndpoints(text: string): EndpointMatch[] {
  const out: EndpointMatch[] = [];
  const seen = new Set<number>();
  URL_RE.lastIndex = 0;
  for (let m = URL_RE.exec(text); m; m = URL_RE.exec(text)) {
    const url = m[0];
    const host = (/^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^/:?#]+)/i.exec(url)?.[1] ?? '').toLowerCase();
    let kind = classifyHost(host);
    if (!kind && MESSENGER.some((re) => re.test(url))) kind = 'messenger';
    if (!kind && TLD.test(url)) kind = 'tld';
    if (kind) {
      out.push({ kind, host, index: m.index, text: url });
      seen.add(m.index);
    }
  }
  for (const re of MESSENGER) {
    const g = new RegExp(re.source, 'gi');
    for (let m = g.exec(text); m; m = g.exec(text)) {
      if (out.some((o) => m!.index >= o.index && m!.index < o.index + o.text.length)) continue;
      out.push({ kind: 'messenger', host: m[0].split('/')[0] as string, index: m.index, text: m[0] });
    }
  }
  HOST_TOKEN.lastIndex = 0;
  for (let m = HOST_TOKEN.exec(text); m; m = HOST_TOKEN.exec(text)) {
    const host = (m[1] as string).toLowerCase();
    const kind = classifyHost(host);
    if (!kind || kind === 'public-ip') continue;
    if (out.some((o) => m!.index >= o.index && m!.index < o.index + o.text.length)) continue;
    out.push({ kind, host, index: m.index, text: m[0] });
  }
  return out;
}

/** Any http(s) URL host, for CD-03's INFO inventory. */
export function urlHosts(text: string): { host: string; index: number; url: string }[] {
  const out: { host: string; index: number; url: string }[] = [];
  URL_RE.lastIndex = 0;
  for (let m = URL_RE.exec(text); m; m = URL_RE.exec(text)) {
    const host = (/^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^/:?#]+)/i.exec(m[0])?.[1] ?? '').toLowerCase();
    out.push({ host, index: m.index, url: m[0] });
  }
  return out;
}
