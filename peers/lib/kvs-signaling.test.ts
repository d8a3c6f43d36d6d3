import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { KVS_SDK, loadKvsSdk } from './kvs-signaling.js';
import { kvsBrowserBuild } from './kvs-settings.js';

describe('the KVS SDK, an optional peer dependency', () => {
  it('loads the installed SDK', async () => {
    const sdk = await loadKvsSdk();
    expect(typeof sdk.SignalingClient).toBe('function');
    expect(sdk.Role.MASTER).toBe('MASTER');
  });
  it('a missing SDK is an error that says which package to install', async () => {
    await expect(loadKvsSdk('no-such-kvs-sdk-package')).rejects.toThrow(`signaling: kvs needs the official KVS WebRTC SDK, which is not installed: run \`npm install ${KVS_SDK}@2.9.0\``);
    expect(() => kvsBrowserBuild('no-such-kvs-sdk-package')).toThrow(`npm install ${KVS_SDK}@2.9.0`);
  });
  it('finds the browser build the Chromium viewer\'s page loads: the 2.9.0 bundle that sets window.KVSWebRTC', () => {
    const text = readFileSync(kvsBrowserBuild(), 'utf8');
    expect(text).toMatch(/^\/\* Amazon Kinesis Video Streams WebRTC SDK for JavaScript v2\.9\.0/);
    expect(text).toContain('window.KVSWebRTC');
  });
});
