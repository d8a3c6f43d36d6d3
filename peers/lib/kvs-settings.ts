/** The scenario's `kvs:` as the lab's KVS peers get it (LAB_KVS_*), and where the official SDK is. */
import { createRequire } from 'node:module';
import { requireEnv } from './contract.js';

export const KVS_SDK = 'amazon-kinesis-video-streams-webrtc';

export interface KvsSettings {
  region: string;
  channel: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export function kvsSettings(): KvsSettings {
  return { region: requireEnv('LAB_KVS_REGION'), channel: requireEnv('LAB_KVS_CHANNEL'), credentials: { accessKeyId: requireEnv('LAB_KVS_ACCESS_KEY_ID'), secretAccessKey: requireEnv('LAB_KVS_SECRET_ACCESS_KEY') } };
}

/** The SDK is an optional peer dependency of the lab: what to do when it is missing. */
export function missingKvsSdk(): Error {
  return new Error(`signaling: kvs needs the official KVS WebRTC SDK, which is not installed: run \`npm install ${KVS_SDK}@2.9.0\` next to the lab (docs/protocols.md#kinesis-video-streams-emulated says how to keep its optional expo dependencies out)`);
}

/** The SDK's browser build (what the KVS browser samples load with a script tag), for a page. */
export function kvsBrowserBuild(specifier = KVS_SDK): string {
  try {
    return createRequire(import.meta.url).resolve(`${specifier}/dist/kvs-webrtc.min.js`);
  } catch {
    throw missingKvsSdk();
  }
}
