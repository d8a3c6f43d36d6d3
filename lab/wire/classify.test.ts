// The classifier on captures recorded from real lab runs (fixtures/, see docs/wire-oracle.md for
// how they are made): each fixture's expected path follows from its scenario, not from a past output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../util/paths.js';
import { classifyWire, type WireContext } from './classify.js';
import { readPcap } from './pcap.js';

const dir = projectPath('lab', 'wire', 'fixtures');

function fixture(name: string) {
  const context: WireContext = JSON.parse(readFileSync(join(dir, `${name}.context.json`), 'utf8'));
  const packets = [...readPcap(readFileSync(join(dir, `${name}.pcap`))), ...readPcap(readFileSync(join(dir, `${name}.lo.pcap`)))];
  const pub = (peer: string) => context.peers.find((p) => p.name === peer)!.publicAddresses[0];
  return { context, packets, pub, run: (ctx = context) => classifyWire(packets, ctx)[0] };
}

const ip = (endpoint: string | null) => endpoint?.replace(/:\d+$/, '');

describe('classifyWire on recorded captures', () => {
  it('port-restricted-cone: direct both ways, between the two NATs public addresses, DTLS before media', () => {
    const { run, pub } = fixture('direct');
    const s = run();
    expect(s.outcome).toBe('direct');
    const [v2c, c2v] = s.directions;
    expect(v2c.path).toMatchObject({ kind: 'direct', relays: [] });
    expect([ip(v2c.path!.from), ip(v2c.path!.to)]).toEqual([pub('viewer'), pub('camera')]);
    expect([ip(c2v.path!.from), ip(c2v.path!.to)]).toEqual([pub('camera'), pub('viewer')]);
    // The two directions use the one pair: same endpoints, swapped.
    expect([c2v.path!.from, c2v.path!.to]).toEqual([v2c.path!.to, v2c.path!.from]);
    for (const d of s.directions) {
      expect(d.dtls.packets).toBeGreaterThan(4);
      expect(d.firstStunCheckMs).toBeGreaterThan(0);
      expect(d.firstDtlsMs!).toBeGreaterThan(d.firstStunCheckMs!);
      expect(d.sctp.packets).toBeGreaterThan(0);
      expect(d.sctp.packets).toBeLessThan(d.dtls.packets);
    }
    // The camera sends video; the viewer only RTCP.
    expect(c2v.rtp.packets).toBeGreaterThan(5);
    expect(c2v.firstMediaMs!).toBeGreaterThan(c2v.firstDtlsMs!);
    expect(c2v.rtp.bytes).toBeGreaterThan(v2c.rtp.bytes);
    // One path all along: one path change, its start (the first DTLS packet).
    for (const d of s.directions) expect(d.pathChanges).toEqual([{ tMs: d.firstDtlsMs, path: d.path }]);
  });

  it('symmetric-nat: relayed through one UDP allocation of the camera, both ways', () => {
    const { run, context, pub } = fixture('udp-relay');
    const s = run();
    expect(s.outcome).toBe('relay');
    for (const d of s.directions) {
      expect(d.path!.kind).toBe('relay');
      expect(d.path!.relays).toHaveLength(1);
      const [r] = d.path!.relays;
      expect(r).toMatchObject({ owner: 'camera', transport: 'udp', server: `${context.turn.addresses[0]}:${context.turn.port}` });
      expect(context.turn.addresses).toContain(ip(r.relayedAddress));
      expect(d.dtls.packets).toBeGreaterThan(4);
    }
    const [v2c, c2v] = s.directions;
    expect(ip(v2c.path!.from)).toBe(pub('viewer'));
    expect(ip(c2v.path!.from)).toBe(pub('camera'));
    expect(c2v.rtp.packets).toBeGreaterThan(5);
  });

  it('relay-forced: each side relays through its own allocation, the sender first', () => {
    const s = fixture('udp-relay-both').run();
    expect(s.outcome).toBe('relay');
    const [v2c, c2v] = s.directions;
    expect(v2c.path!.relays.map((r) => [r.owner, r.transport])).toEqual([['viewer', 'udp'], ['camera', 'udp']]);
    expect(c2v.path!.relays.map((r) => [r.owner, r.transport])).toEqual([['camera', 'udp'], ['viewer', 'udp']]);
    expect(v2c.path!.relays[0].relayedAddress).not.toBe(v2c.path!.relays[1].relayedAddress);
    expect(c2v.rtp.packets).toBeGreaterThan(5);
  });

  it('TURN over TCP: the framed stream is reassembled and its ChannelData unwrapped', () => {
    const s = fixture('tcp-relay').run();
    expect(s.outcome).toBe('relay');
    for (const d of s.directions) expect(d.path!.relays.map((r) => [r.owner, r.transport])).toEqual([['camera', 'tcp']]);
    expect(s.directions[1].rtp.packets).toBeGreaterThan(5);
    expect(s.directions.every((d) => !d.countedPastTls)).toBe(true);
  });

  it('TURN over TLS: the allocations come from coturn log, the packets from the server side in the clear', () => {
    const { run, context } = fixture('tls-relay');
    const s = run();
    expect(s.outcome).toBe('relay');
    const [v2c, c2v] = s.directions;
    expect(v2c.path!.relays.map((r) => [r.owner, r.transport])).toEqual([['viewer', 'tls'], ['camera', 'tls']]);
    expect(c2v.path!.relays.map((r) => [r.owner, r.transport])).toEqual([['camera', 'tls'], ['viewer', 'tls']]);
    expect(context.turn.tls).toContain(v2c.path!.relays[0].server);
    expect(s.directions.every((d) => d.countedPastTls && d.dtls.packets > 4)).toBe(true);
    expect(c2v.rtp.packets).toBeGreaterThan(5);
    expect(s.notes.join(' ')).toMatch(/TLS is opaque/);
    // Without the log, nothing inside TLS can be attributed: the limit docs/wire-oracle.md states.
    expect(run({ ...context, loggedAllocations: [] }).outcome).toBe('failed');
  });

  it('TURN over TLS with the KVS emulator\'s usernames ("<expiry>:<channel>.<client id>", the master is the camera)', () => {
    const { run, context } = fixture('tls-relay');
    const kvsName = (username: string | null) => {
      const id = username!.slice(username!.indexOf(':') + 1);
      return `${username!.slice(0, username!.indexOf(':'))}:lab-camera.${id === 'camera' ? 'MASTER' : id}`;
    };
    const s = run({ ...context, loggedAllocations: context.loggedAllocations.map((a) => ({ ...a, username: kvsName(a.username) })) });
    expect(s.outcome).toBe('relay');
    expect(s.directions[0].path!.relays.map((r) => [r.owner, r.transport])).toEqual([['viewer', 'tls'], ['camera', 'tls']]);
    // A client id that names no peer owns nothing.
    const stranger = run({ ...context, loggedAllocations: context.loggedAllocations.map((a) => ({ ...a, username: '1:lab-camera.someone' })) });
    expect(stranger.outcome).toBe('failed');
  });

  it('a capture without the session (the wrong peers) says failed, not a path', () => {
    const { run, context } = fixture('direct');
    const s = run({ ...context, peers: context.peers.map((p) => ({ ...p, publicAddresses: ['198.51.100.1'] })) });
    expect(s.outcome).toBe(null); // both now share one address: the wire cannot tell them apart
    const apart = run({ ...context, peers: context.peers.map((p, i) => ({ ...p, publicAddresses: [`198.51.100.${i + 1}`] })) });
    expect(apart.outcome).toBe('failed');
    expect(apart.directions.map((d) => d.path)).toEqual([null, null]);
  });
});
