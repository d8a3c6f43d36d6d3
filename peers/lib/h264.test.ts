import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameAssembler, NAL, accessUnits, nalType, packetize, profileLevelId, splitAnnexB, type ReassembledFrame } from './h264.js';

const clip = (name: string) => readFileSync(new URL(`../media/${name}`, import.meta.url));

describe('shipped clips', () => {
  it('kvs: 50 pictures of 1280x720@25 for 2 s, an IDR with SPS/PPS every 25 frames, constrained baseline level 3.1', () => {
    const nals = splitAnnexB(clip('kvs-720p25.h264'));
    const units = accessUnits(nals);
    expect(units).toHaveLength(50);
    expect(units.map((u, i) => (u.keyframe ? i : -1)).filter((i) => i >= 0)).toEqual([0, 25]);
    for (const u of units.filter((x) => x.keyframe)) expect(u.nals.slice(0, 2).map(nalType)).toEqual([NAL.sps, NAL.pps]);
    expect(profileLevelId(nals)).toBe('42c01f');
  });

  it('pi: 60 pictures of 640x480@30, one IDR per loop, level 4.0', () => {
    const nals = splitAnnexB(clip('pi-480p30.h264'));
    expect(accessUnits(nals)).toHaveLength(60);
    expect(profileLevelId(nals)).toBe('42c028');
  });
});

describe('RTP packetization round trip', () => {
  const units = accessUnits(splitAnnexB(clip('kvs-720p25.h264')));

  function send(unit: (typeof units)[number], seq0: number, drop?: number) {
    const assembler = new FrameAssembler();
    const payloads = packetize(unit, 1200);
    const frames: ReassembledFrame[] = [];
    payloads.forEach((payload, i) => {
      if (i === drop) return;
      const f = assembler.push({ sequenceNumber: (seq0 + i) & 0xffff, timestamp: 9000, marker: i === payloads.length - 1, payload });
      if (f) frames.push(f);
    });
    return { frame: frames[0] ?? null, payloads };
  }

  it('keeps every payload within the MTU budget and rebuilds the exact NAL units', () => {
    const { frame, payloads } = send(units[0], 65530); // wraps the sequence number
    expect(Math.max(...payloads.map((p) => p.length))).toBeLessThanOrEqual(1200);
    expect(nalType(payloads[0])).toBe(NAL.stapA);
    expect(payloads.some((p) => nalType(p) === NAL.fuA)).toBe(true);
    expect(frame).not.toBeNull();
    expect(frame!.decodableKeyframe).toBe(true);
    expect(Buffer.concat(frame!.nals)).toEqual(Buffer.concat(units[0].nals));
  });

  it('a lost fragment keeps the frame incomplete', () => {
    expect(send(units[0], 1, 3).frame).toBeNull();
  });

  it('a retransmitted packet that arrives late completes the frame', () => {
    const payloads = packetize(units[0], 1200);
    const assembler = new FrameAssembler();
    const order = payloads.map((_, i) => i).filter((i) => i !== 2).concat(2); // packet 2 comes last
    const frames = order.map((i) => assembler.push({ sequenceNumber: 100 + i, timestamp: 3000, marker: i === payloads.length - 1, payload: payloads[i] })).filter(Boolean);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.decodableKeyframe).toBe(true);
    expect(Buffer.concat(frames[0]!.nals)).toEqual(Buffer.concat(units[0].nals));
  });

  it('a keyframe whose first packet (the parameter sets) is missing is not decodable', () => {
    const payloads = packetize(units[0], 1200);
    const assembler = new FrameAssembler();
    const frames = payloads.slice(1).map((payload, i) => assembler.push({ sequenceNumber: 201 + i, timestamp: 1, marker: i === payloads.length - 2, payload }));
    expect(frames.filter((f) => f?.decodableKeyframe)).toEqual([]);
  });

  it('a delta frame is complete but not a decodable keyframe', () => {
    const { frame } = send(units[1], 100);
    expect(frame!.decodableKeyframe).toBe(false);
  });
});
