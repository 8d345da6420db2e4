import { lookup, LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import pLimit from 'p-limit';

/**
 * Where a channel may point. Receivers on loopback and private networks are allowed (self-hosted
 * receivers usually are); link-local addresses and the cloud metadata services are not: a
 * webhook URL an admin can set must not become a way to read instance credentials from inside
 * the API's network.
 */
const FORBIDDEN = new BlockList();
// IPv4 link-local, which holds 169.254.169.254 (AWS, GCP, Azure, OpenStack, Oracle metadata) and
// 169.254.170.2 (ECS task credentials). BlockList also matches IPv4-mapped IPv6 (::ffff:a9fe:a9fe).
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
// IPv6 link-local.
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
// AWS metadata over IPv6 (Nitro instances).
FORBIDDEN.addAddress('fd00:ec2::254', 'ipv6');
// Alibaba Cloud metadata.
FORBIDDEN.addAddress('100.100.100.200', 'ipv4');

/** Names of metadata services that resolve to a permitted-looking address on some clouds. */
const FORBIDDEN_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data']);

const MAX_URL_LENGTH = 2048;

/** True when the address (v4 or v6) is link-local or a cloud metadata address. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return FORBIDDEN.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The URL's host without IPv6 brackets or a trailing dot, lower-cased. */
function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/**
 * Why a channel URL is refused, by its text alone (scheme, metadata names, link-local literals),
 * or null when it may be used. Names are resolved separately, at creation and at every delivery.
 */
export function urlProblem(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH) return `url must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'url must use http or https';
  const host = hostOf(url);
  if (!host) return 'url must name a host';
  if (FORBIDDEN_HOSTS.has(host)) return `url must not point at a cloud metadata service (${host})`;
  if (isForbiddenAddress(host)) return `url must not point at a link-local or cloud metadata address (${host})`;
  return null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * `dns.lookup` asks the system resolver on libuv's thread pool (4 threads by default), which
 * password hashing and file reads share. A receiver whose name servers do not answer holds a
 * thread until the resolver gives up, seconds later, and a batch of deliveries to it would hold
 * them all: logins would wait behind them. Receivers' names are looked up one at a time, and a
 * lookup that waited longer than a delivery may take is not asked any more.
 */
const oneLookupAtATime = pLimit(1);
export const LOOKUP_WAIT_MS = 5_000;

function gatedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  const queued = Date.now();
  void oneLookupAtATime(
    () =>
      new Promise<void>((done) => {
        if (Date.now() - queued > LOOKUP_WAIT_MS) {
          const late: NodeJS.ErrnoException = new Error(
            `${hostname}: not looked up within ${LOOKUP_WAIT_MS / 1000} s (the resolver is slow to answer)`,
          );
          late.code = 'ETIMEOUT';
          done();
          return callback(late, options.all ? [] : '', 0);
        }
        lookup(hostname, options, (error, address, family) => {
          done();
          callback(error, address, family);
        });
      }),
  );
}

/** The addresses a host name resolves to, as the system resolver answers (empty when it cannot in time). */
function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([]), LOOKUP_WAIT_MS);
    gatedLookup(host, { all: true }, (error, addresses) => {
      clearTimeout(timer);
      resolve(error ? [] : (addresses as LookupAddress[]).map((a) => a.address));
    });
  });
}

/** Why the URL's host resolves somewhere refused, or null (names that do not resolve pass). */
export async function resolvedProblem(raw: string): Promise<string | null> {
  const host = hostOf(new URL(raw));
  if (isIP(host)) return null;
  const bad = (await resolveAll(host)).find(isForbiddenAddress);
  return bad ? `url's host ${host} resolves to ${bad}, a link-local or cloud metadata address` : null;
}

/**
 * A `lookup` for http.request that refuses forbidden addresses. The connection uses exactly the
 * address checked here, so a name that resolved to a public address when the channel was made
 * and to 169.254.169.254 now (DNS rebinding) is refused at the moment it would be used.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  gatedLookup(hostname, options, (error, address, family) => {
    if (error) return callback(error, address, family);
    const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
    const bad = addresses.find(isForbiddenAddress);
    if (bad) {
      const refused: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to ${bad}, a link-local or cloud metadata address; not sent`,
      );
      refused.code = 'EFORBIDDENADDRESS';
      return callback(refused, address, family);
    }
    callback(null, address, family);
  });
}
