// UDP hole punching between two hosts behind two routers works or fails as RFC 4787 predicts.
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../lab/model/topology-file.js';
import { holePunch, twoSites, withLabAndStun } from './helpers.js';

describe.concurrent('hole punching follows RFC 4787', () => {
  it('port-restricted x port-restricted connects', async () => {
    const outcome = await withLabAndStun(loadTopology('port-restricted-cone'), (lab) => holePunch(lab));
    expect(outcome).toEqual({ a: true, b: true });
  });

  it('port-restricted x port-restricted connects when one side starts a second late', async () => {
    const outcome = await withLabAndStun(loadTopology('port-restricted-cone'), (lab) => holePunch(lab, { lateMs: { b: 1000 } }));
    expect(outcome).toEqual({ a: true, b: true });
  });

  it('without the router rule that drops unsolicited traffic, the late start fails (the pitfall the rule prevents)', async () => {
    const outcome = await withLabAndStun(loadTopology('port-restricted-cone'), async (lab) => {
      await lab.exec('natb', ['nft', 'flush', 'chain', 'ip', 'lab', 'input']);
      return holePunch(lab, { lateMs: { b: 1000 } });
    });
    expect(outcome).not.toEqual({ a: true, b: true });
  });

  it('port-restricted x symmetric fails', async () => {
    const outcome = await withLabAndStun(twoSites('port-restricted-cone', 'symmetric'), (lab) => holePunch(lab));
    expect(outcome).toEqual({ a: false, b: false });
  });

  it('full-cone x symmetric connects', async () => {
    const outcome = await withLabAndStun(loadTopology('symmetric-vs-full-cone'), (lab) => holePunch(lab));
    expect(outcome).toEqual({ a: true, b: true });
  });

  it('symmetric x symmetric fails', async () => {
    const outcome = await withLabAndStun(loadTopology('symmetric'), (lab) => holePunch(lab));
    expect(outcome).toEqual({ a: false, b: false });
  });
});
