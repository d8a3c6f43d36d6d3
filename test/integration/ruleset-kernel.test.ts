// Every combination of NAT knobs the schema accepts produces a ruleset this kernel's nft accepts.
import { describe, expect, it } from 'vitest';
import { FILTERINGS, MAPPINGS, NAT_PRESETS, PORT_ALLOCATIONS, type NatBehavior } from '../../lab/model/nat-behavior.js';
import { natProblems } from '../../lab/model/topology-file.js';
import { routerRuleset } from '../../lab/nat/ruleset.js';
import { runCommand } from '../../lab/util/run-command.js';

function* combinations(): Generator<NatBehavior> {
  const firewalls: NatBehavior['firewall'][] = [null, { blockUdp: true, allowTcpPorts: [443], action: 'drop' }, { blockUdp: false, allowTcpPorts: [80, 443], action: 'reject' }];
  for (const mapping of MAPPINGS)
    for (const filtering of FILTERINGS)
      for (const portAllocation of PORT_ALLOCATIONS)
        for (const hairpinning of [false, true])
          for (const mappingLifetime of [null, 20])
            for (const firewall of firewalls)
              for (const mode of ['nat', 'one-to-one'] as const) {
                const nat: NatBehavior = { ...(NAT_PRESETS['port-restricted-cone'] as NatBehavior), mapping, filtering, portAllocation, hairpinning, mappingLifetime, firewall, mode };
                if (natProblems(nat).length === 0) yield nat;
              }
}

describe('generated rulesets load into the kernel', () => {
  it('all valid combinations pass `nft -c`', async () => {
    const rulesets = [...combinations()].map((nat, i) =>
      routerRuleset({
        outside: { iface: 'wan0', address: '203.0.113.4' },
        inside: [{ iface: 'lan0' }, { iface: 'lan1' }],
        nat,
        isolateInside: i % 2 === 0,
        oneToOneAddress: nat.mode === 'one-to-one' ? '192.168.1.2' : null,
        hashSeed: i,
      }).replace('table ip lab {', `table ip lab${i} {`),
    );
    expect(rulesets.length).toBeGreaterThan(100);
    // A throwaway network namespace: nothing is loaded anywhere (-c only checks).
    const result = await runCommand(['unshare', '--net', '--', 'nft', '-c', '-f', '-'], { input: rulesets.join('\n'), check: false });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
