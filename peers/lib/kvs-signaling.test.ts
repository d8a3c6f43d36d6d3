import { describe, expect, it } from 'vitest';
import { KVS_SDK, loadKvsSdk } from './kvs-signaling.js';

describe('the KVS SDK, an optional peer dependency', () => {
  it('loads the installed SDK', async () => {
    const sdk = await loadKvsSdk();
    expect(typeof sdk.SignalingClient).toBe('function');
    expect(sdk.Role.MASTER).toBe('MASTER');
  });
  it('a missing SDK is an error that says which package to install', async () => {
    await expect(loadKvsSdk('no-such-kvs-sdk-package')).rejects.toThrow(`signaling: kvs needs the official KVS WebRTC SDK, which is not installed: run \`npm install ${KVS_SDK}@2.9.0\``);
  });
});
