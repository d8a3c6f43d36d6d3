/** Fetches TURN credentials from the lab's ICE-config endpoint (KVS GetIceServerConfig style). */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { CommonPeerConfig } from './contract.js';
import { iceConfigRequestUrl, type IceServerConfigResponse } from '../../lab/contract/ice-config.js';

export { iceServersFor, type IceServer } from '../../lab/contract/ice-config.js';

const TIMEOUT_MS = 5000;
/** A refused request is retried soon: the services come up while the peers load (a refusal is a SYN and a RST). */
const RETRY_MS = 20;

/**
 * With node:http, not fetch(): Node loads its fetch (undici) on first use, about 60 ms of CPU and
 * 200 ms of wall time on a busy 2-core machine, on every peer's way to its first offer.
 */
export async function fetchIceConfig(cfg: CommonPeerConfig): Promise<IceServerConfigResponse> {
  const url = iceConfigRequestUrl(cfg.iceConfigUrl, cfg.room, cfg.peerId);
  // Peers start while the lab's services are still coming up, and a signaling other than the lab's
  // (an MQTT broker) can answer first: a refused connection is retried until the peer's deadline.
  const deadline = Date.now() + cfg.timeoutMs;
  for (;;) {
    try {
      return await getIceConfig(url, cfg.token);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() + RETRY_MS > deadline) throw err;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

function getIceConfig(url: string, token: string): Promise<IceServerConfigResponse> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { headers: { authorization: `Bearer ${token}` }, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (!res.statusCode || res.statusCode < 200 || res.statusCode > 299) return reject(new Error(`ICE config ${url}: HTTP ${res.statusCode} ${body}`));
        try {
          resolve(JSON.parse(body) as IceServerConfigResponse);
        } catch (err) {
          reject(new Error(`ICE config ${url}: not JSON: ${(err as Error).message}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`ICE config ${url}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}
