import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../model/topology-file.js';
import { planNetns } from './plan.js';
import { bringUpScript, describeFailure } from './script.js';

describe('bring-up script', () => {
  const plan = planNetns(loadTopology('port-restricted-cone'), 'abc123');
  const { script, jobs } = bringUpScript(plan);

  it('creates first, then configures every namespace and router in parallel, then waits', () => {
    const create = script.indexOf('ip -batch - 2>create.err');
    expect(create).toBeGreaterThan(0);
    for (const c of plan.configure) expect(script.indexOf(`run configure-${c.ns} ip -n ${c.ns} -batch -`)).toBeGreaterThan(create);
    expect(script).toContain("run router-nata nsenter --net=/run/netns/wrl-abc123-nata -- sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && exec nft -f -'");
    expect(script.trimEnd().endsWith('wait\ntest ! -e failed')).toBe(true);
    expect(jobs.map((j) => j.name)).toContain('router-natb');
  });

  it('points at the failing batch line', () => {
    const job = jobs.find((j) => j.name === 'configure-wrl-abc123-a')!;
    const msg = describeFailure(job, 'RTNETLINK answers: File exists\nCommand failed -:3\n');
    expect(msg).toBe(`failed to configure wrl-abc123-a at "${job.lines[2]}": RTNETLINK answers: File exists`);
  });
});

describe('bring-up script syntax', () => {
  it('every here-document ends on a line of its own, so no job swallows the next', () => {
    const { script } = bringUpScript(planNetns(loadTopology('cgnat'), 'abc123'));
    const opened = (script.match(/<<'LAB_EOF'/g) ?? []).length;
    const closed = script.split('\n').filter((l) => l === 'LAB_EOF').length;
    expect(opened).toBe(closed);
    expect(script).not.toMatch(/^LAB_EOF ./m);
  });
});
