/**
 * The one place that decides whether a URL may carry signed headers without TLS. The WebSocket client
 * (`ws:`) and every REST request (`http:`) ask it, so the two sides can never disagree.
 */

/** True for `localhost`, `127.0.0.0/8` and `::1` (with or without brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * True when `url` may be used: always over TLS (`wss:`/`https:`), in clear text (`ws:`/`http:`) only to a
 * loopback host unless the caller opted in with `allowInsecureTransport`.
 */
export function isTransportAllowed(url: URL, allowInsecureTransport: boolean): boolean {
  if (url.protocol === 'wss:' || url.protocol === 'https:') return true;
  if (url.protocol !== 'ws:' && url.protocol !== 'http:') return false;
  return allowInsecureTransport || isLoopbackHost(url.hostname);
}
