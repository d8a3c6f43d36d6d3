import { describe, expect, it } from 'vitest';
import { formatChecks, kvsSdkCheck, netnsCanRun, nodeCheck, toolChecks } from './checks.js';

describe('doctor checks', () => {
  it('a missing tool names the Debian package that provides it; only required ones stop the netns backend', () => {
    const checks = toolChecks((p) => (p === 'tcpdump' || p === 'nft' ? null : `/usr/bin/${p}`));
    expect(checks.find((c) => c.name === 'nft')).toMatchObject({ ok: false, required: true, detail: 'not found: apt-get install nftables (the NAT rulesets)' });
    expect(checks.find((c) => c.name === 'tcpdump')).toMatchObject({ ok: false, required: false });
    expect(netnsCanRun(checks)).toBe(false);
    expect(netnsCanRun(checks.filter((c) => c.name !== 'nft'))).toBe(true);
    expect(formatChecks(checks).split('\n').find((l) => l.includes('nft'))).toMatch(/^MISSING  nft +not found: apt-get install nftables/);
    expect(formatChecks(checks).split('\n').find((l) => l.includes('tcpdump'))).toMatch(/^missing  tcpdump/);
  });

  it('node 20 or newer', () => {
    expect(nodeCheck('18.19.0')).toMatchObject({ ok: false, required: true });
    expect(nodeCheck('20.20.2').ok).toBe(true);
    expect(nodeCheck('22.1.0').ok).toBe(true);
  });

  it('the KVS SDK: found where Node resolves it, or optional and missing with the npm command', () => {
    expect(kvsSdkCheck()).toMatchObject({ ok: true, required: false, detail: expect.stringMatching(/amazon-kinesis-video-streams-webrtc.*\(signaling: kvs\)$/) });
    const missing = kvsSdkCheck(() => {
      throw new Error('Cannot find module');
    });
    expect(missing).toMatchObject({ ok: false, required: false, detail: 'not installed: npm install amazon-kinesis-video-streams-webrtc@2.9.0 next to the lab (only for signaling: kvs)' });
  });
});
