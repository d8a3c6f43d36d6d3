import { describe, expect, it } from 'vitest';
import { impairmentSchema } from '../../model/impairment.js';
import { loadTopology } from '../../model/topology-file.js';
import { duplicateRuleset, helperArgs, legs, netemArgs, planImpairments, queueRules } from './plan.js';

const t = loadTopology('port-restricted-cone');
const imp = (fields: object) => impairmentSchema.parse({ node: 'nata', iface: 'wan0', ...fields });

describe('impairment plans', () => {
  it('one leg per direction; "both" is out and in', () => {
    expect(legs([imp({ delayMs: 10 }), imp({ node: 'a', iface: 'eth0', loss: 0.1, direction: 'in' })], 'nfqueue').map((l) => `${l.node}.${l.iface}.${l.direction}`)).toEqual(['nata.wan0.out', 'nata.wan0.in', 'a.eth0.in']);
  });

  it('netem: delay, jitter, the loss model, duplication, reordering and rate as tc spells them', () => {
    expect(netemArgs(imp({ delayMs: 100, jitterMs: 10, loss: 0.05, duplicate: 0.01, reorder: 0.2, rateKbps: 2000, queue: 50 }))).toEqual(
      ['delay', '100ms', '10ms', 'loss', 'random', '5%', 'duplicate', '1%', 'reorder', '20%', 'rate', '2000kbit', 'limit', String(50 + Math.ceil(((2_000_000 / 8 / 1500) * 110) / 1000))],
    );
    expect(netemArgs(imp({ burstLoss: { p: 0.01, r: 0.3 } }))).toEqual(['loss', 'gemodel', '1%', '30%', '100%', '0%', 'limit', '100']);
  });

  it('netem: out is a root qdisc on the interface, in goes through an ifb device', () => {
    const [plan] = planImpairments([imp({ delayMs: 30 })], t, 'netem');
    expect(plan.commands.map((c) => c.join(' '))).toEqual([
      'tc qdisc replace dev wan0 root netem delay 30ms limit 400',
      'ip link add ifb-wan0 type ifb',
      'ip link set ifb-wan0 up',
      'tc qdisc replace dev wan0 handle ffff: ingress',
      'tc filter add dev wan0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev ifb-wan0',
      'tc qdisc replace dev ifb-wan0 root netem delay 30ms limit 400',
    ]);
    expect(plan.helpers).toEqual([]);
  });

  it('nfqueue: the helper gets only what is asked, the rate with its queue', () => {
    expect(helperArgs(imp({ delayMs: 100, jitterMs: 5, loss: 0.05 }), 3)).toEqual(['--queue', '3', '--delay', '100', '--jitter', '5', '--loss', '0.05']);
    expect(helperArgs(imp({ burstLoss: { p: 0.02, r: 0.25, lossInBad: 0.9 }, rateKbps: 500, queue: 20, duplicate: 0.1 }), 0)).toEqual(['--queue', '0', '--ge', '0.02,0.25,0.9,0', '--dup', '0.1', '--rate', '500', '--limit', '20']);
  });

  it('nfqueue: packets are queued before conntrack (raw) wherever the direction is known there', () => {
    const [router] = planImpairments([imp({ delayMs: 10 })], t, 'nfqueue');
    const lines = router.commands.map((c) => c.join(' '));
    const nata = t.routers.find((r) => r.name === 'nata')!;
    expect(lines).toEqual([
      'iptables -t raw -N IMPAIR0',
      'iptables -t raw -A IMPAIR0 -d 192.168.1.0/24 -j RETURN',
      'iptables -t raw -A IMPAIR0 -d 192.168.1.1/32 -j RETURN',
      `iptables -t raw -A IMPAIR0 -d ${nata.outside.addresses[0]}/32 -j RETURN`,
      'iptables -t raw -A IMPAIR0 -j NFQUEUE --queue-num 0',
      'iptables -t raw -A PREROUTING ! -i wan0 -m mark ! --mark 0x40000000/0x40000000 -j IMPAIR0',
      'iptables -t raw -A PREROUTING -i wan0 -m mark ! --mark 0x40000000/0x40000000 -j NFQUEUE --queue-num 1',
    ]);
    expect(router.helpers.map((h) => h.args.slice(0, 2))).toEqual([['--queue', '0'], ['--queue', '1']]);
    const host = queueRules(legs([imp({ node: 'a', iface: 'eth0', delayMs: 1, direction: 'out' })], 'nfqueue')[0], 4, t);
    expect(host.map((c) => c.join(' '))).toEqual(['iptables -t raw -A OUTPUT -o eth0 -m mark ! --mark 0x40000000/0x40000000 -j NFQUEUE --queue-num 4']);
    const inside = queueRules(legs([imp({ iface: 'lan0', delayMs: 1, direction: 'out' })], 'nfqueue')[0], 2, t);
    expect(inside[0].join(' ')).toBe('iptables -t mangle -A FORWARD -o lan0 -m mark ! --mark 0x40000000/0x40000000 -j NFQUEUE --queue-num 2');
  });

  it('nfqueue: duplication adds the nftables copy rules, which clear the mark before they copy', () => {
    expect(planImpairments([imp({ delayMs: 1 })], t, 'nfqueue')[0].nftables).toBeNull();
    const [plan] = planImpairments([imp({ duplicate: 0.1 })], t, 'nfqueue');
    expect(plan.nftables).toBe(duplicateRuleset());
    expect(plan.nftables).toContain('meta mark & 0x40000000 == 0x40000000 meta mark set meta mark & 0xbfffffff dup to ip daddr');
  });

  it('undo: every rule deleted last first, each chain once its rules and the jump to it are gone, duplication table last', () => {
    const [router] = planImpairments([imp({ delayMs: 10, duplicate: 0.1 })], t, 'nfqueue');
    const nata = t.routers.find((r) => r.name === 'nata')!;
    expect(router.undo.map((c) => c.join(' '))).toEqual([
      'iptables -t raw -D PREROUTING -i wan0 -m mark ! --mark 0x40000000/0x40000000 -j NFQUEUE --queue-num 1',
      'iptables -t raw -D PREROUTING ! -i wan0 -m mark ! --mark 0x40000000/0x40000000 -j IMPAIR0',
      'iptables -t raw -D IMPAIR0 -j NFQUEUE --queue-num 0',
      `iptables -t raw -D IMPAIR0 -d ${nata.outside.addresses[0]}/32 -j RETURN`,
      'iptables -t raw -D IMPAIR0 -d 192.168.1.1/32 -j RETURN',
      'iptables -t raw -D IMPAIR0 -d 192.168.1.0/24 -j RETURN',
      'iptables -t raw -X IMPAIR0',
      'nft delete table ip labimpair',
    ]);
    const [netem] = planImpairments([imp({ delayMs: 30 })], t, 'netem');
    expect(netem.undo.map((c) => c.join(' '))).toEqual(['tc qdisc del dev ifb-wan0 root', 'tc qdisc del dev wan0 ingress', 'ip link del ifb-wan0', 'tc qdisc del dev wan0 root']);
  });
});
