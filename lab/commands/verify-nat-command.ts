import { getBackend } from '../backends/index.js';
import { loadConfig } from '../config/load-config.js';
import { chooseBackend } from '../config/resolve.js';
import { loadTopology } from '../model/topology-file.js';
import { describeObservation } from '../verify/nat-discovery.js';
import { verifyNat, type VerifyNatResult } from '../verify/verify-nat.js';
import { EXIT, usageError, type Command } from './command.js';
import { rerunUnprivileged } from './privileges.js';

export const verifyNatCommand: Command = {
  name: 'verify-nat',
  summary: "Prove each router behaves as declared: RFC 5780 discovery with coturn's turnutils_natdiscovery from every host.",
  usage: 'verify-nat <topology>... [--json] [--backend netns|docker]',
  details: [
    'Builds the topology, starts coturn with two public addresses on its internet, runs',
    '`turnutils_natdiscovery -m -f -H` from every host and compares the mapping, filtering and',
    'hairpinning it observes with what the topology declares (NATs in series combine: the',
    'stricter behaviour wins). Exit 0 when all agree, 1 on any mismatch.',
    '',
    'Options:',
    '  --json                        print only the result as JSON',
    '  -b, --backend <netns|docker>  where to build (default: the config\'s, else netns)',
    '  --config <file>               the config file (default: webrtc-lab.config.* here)',
  ].join('\n'),
  options: { json: { type: 'boolean' }, backend: { type: 'string', short: 'b' }, config: { type: 'string' } },
  async run({ values, positionals, argv, signal }) {
    if (!positionals.length) throw usageError(this, 'give at least one topology');
    const topologies = positionals.map((p) => loadTopology(p));
    const config = await loadConfig(values.config as string | undefined);
    const backend = await getBackend(chooseBackend(values.backend as string | undefined, config));
    const rerun = await rerunUnprivileged(backend, argv);
    if (rerun !== null) return rerun;
    await backend.checkAvailable();
    const results: VerifyNatResult[] = [];
    for (const t of topologies) {
      const result = await verifyNat(backend, t, { signal, onStep: values.json ? undefined : (s) => process.stderr.write(`  ${s}\n`) });
      for (const f of result.teardown.failures) process.stderr.write(`warning: lab ${result.labId}: teardown: ${f.step}: ${f.message} (remove what is left: npm run lab -- clean ${result.labId})\n`);
      results.push(result);
      if (!values.json) printResult(result);
    }
    if (values.json) console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
    return results.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
  },
};

function printResult(r: VerifyNatResult): void {
  console.log(`\n${r.topology} (${r.backend}, lab ${r.labId})`);
  for (const h of r.hosts) {
    const via = h.via.length ? `via ${h.via.map((v) => `${v.router} (${v.nat})`).join(' -> ')}` : 'directly on the internet';
    console.log(`  ${h.match ? 'ok  ' : 'FAIL'} host ${h.host} ${via}`);
    console.log(`         declared: ${describeObservation(h.declared)}`);
    console.log(`         observed: ${describeObservation(h.observed)}`);
    if (!h.match) console.log(h.output.split('\n').map((l) => `           | ${l}`).join('\n'));
  }
  console.log(r.ok ? '  all routers behave as declared' : '  MISMATCH: a router does not behave as declared');
}
