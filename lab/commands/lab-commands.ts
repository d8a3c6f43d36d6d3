/** Commands that manage labs: up, down, exec, list, clean, rules, topologies. */
import { allBackends, backendForLab, getBackend } from '../backends/index.js';
import { loadTopology, listTopologies } from '../model/topology-file.js';
import { topologySummary } from '../report/topology-summary.js';
import { planNodes } from '../backends/common/node-plan.js';
import { LabSession } from '../run/lab-session.js';
import { cleanAllLabs, cleanLabs } from '../run/clean-labs.js';
import { EXIT, usageError, type Command } from './command.js';
import { monotonicMs } from '../util/clock.js';
import { labOwner, rerunUnprivileged } from './privileges.js';
import { contractJsonSchema } from '../contract/check.js';
import { resultJsonSchema } from '../model/result-schema.js';

const backendOption = { backend: { type: 'string' as const, short: 'b' } };
const BACKEND_HELP = '  -b, --backend <netns|docker>  where to build (default: $WEBRTC_LAB_BACKEND, else "backend" in lab.config.json, else netns)';

export const upCommand: Command = {
  name: 'up',
  summary: 'Build a topology and keep it running; prints the lab id, hosts and addresses.',
  usage: 'up <topology> [--backend netns|docker]',
  details: `<topology> is a name from topologies/ (${listSafe()}) or a path to a .yaml file.\n\nOptions:\n${BACKEND_HELP}\n\nThen: npm run lab -- exec <lab-id> <host> -- <command...>   and   npm run lab -- down <lab-id>`,
  options: backendOption,
  async run({ values, positionals, argv, signal }) {
    if (positionals.length !== 1) throw usageError(this, 'give exactly one topology');
    const topology = loadTopology(positionals[0]);
    const backend = await getBackend(values.backend as string | undefined);
    const rerun = await rerunUnprivileged(backend, argv);
    if (rerun !== null) return rerun;
    await backend.checkAvailable();
    const started = monotonicMs();
    const session = LabSession.open(backend, { signal, what: `up ${topology.name}` });
    let lab;
    try {
      lab = await session.up(topology, { onStep: (s) => process.stderr.write(`  ${s}\n`) });
    } catch (err) {
      await session.close();
      throw err;
    }
    const ms = monotonicMs() - started;
    console.log(`lab ${lab.id} is up (${backend.name}, ${ms.toFixed(0)} ms)\n`);
    console.log(topologySummary(topology));
    console.log(`\nrun a command on a host:  npm run lab -- exec ${lab.id} ${topology.hosts.find((h) => h.role === 'peer')?.name ?? 'srv'} -- ip addr`);
    console.log(`take it down:             npm run lab -- down ${lab.id}`);
    if (!lab.livesWithThisProcess) {
      await session.handOver();
      return EXIT.ok;
    }
    // The namespaces live in this process's user namespace: they vanish when it exits.
    console.log('\nuser-namespace mode: the lab lives while this command runs; press Ctrl-C to take it down.');
    const keepAlive = setInterval(() => {}, 1 << 30); // a pending promise alone would let Node exit
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    clearInterval(keepAlive);
    const { failures } = await session.close();
    for (const f of failures) process.stderr.write(`teardown: ${f.step}: ${f.message}\n`);
    return EXIT.ok;
  },
};

export const downCommand: Command = {
  name: 'down',
  summary: 'Take a lab down: stop its processes, remove its namespaces or containers.',
  usage: 'down <lab-id>... [--backend netns|docker]',
  details: `Options:\n${BACKEND_HELP}`,
  options: backendOption,
  async run({ values, positionals }) {
    if (!positionals.length) throw usageError(this, 'give the id of the lab to take down (see: npm run lab -- list)');
    for (const id of positionals) {
      const backend = await backendForLab(id, values.backend as string | undefined);
      const owner = labOwner(backend, id);
      if (owner !== null) {
        await owner.stop();
        console.log(`lab ${id} is down`);
        continue;
      }
      const lab = await backend.attach(id);
      await lab.down();
      console.log(`lab ${id} is down`);
    }
    return EXIT.ok;
  },
};

export const execCommand: Command = {
  name: 'exec',
  summary: 'Run a command inside a host or router of a running lab (a shell, tcpdump, a STUN client...).',
  usage: 'exec <lab-id> <host> -- <command...>',
  details: `Standard input and output are connected, so interactive commands work:\n  npm run lab -- exec <lab-id> a -- bash\n\nOptions:\n${BACKEND_HELP}`,
  options: backendOption,
  async run({ values, positionals, rest, argv }) {
    if (positionals.length !== 2 || !rest.length) throw usageError(this, 'give a lab id, a host, then -- and the command');
    const backend = await backendForLab(positionals[0], values.backend as string | undefined);
    const owner = labOwner(backend, positionals[0]);
    if (owner !== null) return owner.rerun(argv);
    const lab = await backend.attach(positionals[0]);
    const proc = lab.spawn(positionals[1], rest, { interactive: true });
    const { code, signal } = await proc.exited;
    return code ?? (signal ? 128 : 1);
  },
};
export const listCommand: Command = {
  name: 'list',
  summary: 'List running labs (and leftovers of crashed runs).',
  usage: 'list',
  details: '',
  options: {},
  async run() {
    let any = false;
    for (const backend of await allBackends()) {
      for (const lab of await backend.list()) {
        any = true;
        const what = lab.complete ? lab.topology : `${lab.topology ?? ''} (leftover: run \`npm run lab -- clean\`)`.trim();
        console.log(`${lab.id}  ${lab.backend.padEnd(6)}  ${what}`);
      }
    }
    if (!any) console.log('no labs');
    return EXIT.ok;
  },
};

export const cleanCommand: Command = {
  name: 'clean',
  summary: 'Remove everything any lab left behind (namespaces, processes, containers, networks), also after kill -9.',
  usage: 'clean [<lab-id>...] [--force]',
  details: 'Without ids, every lab is removed except those a live process still runs (another run, a test\nsuite): those are named with their owner PID; --force removes them too. Only lab resources are touched: namespaces named wrl-<id>-*,\nprocesses inside them, their state folders, containers/networks labelled by the lab, and run-<id>-*\nscratch folders (without ids: those whose owner process is gone).\n\nA lab whose owner dies (even by kill -9) is removed by its reaper within about 2 s; set\nWEBRTC_LAB_REAPER=off to keep such leftovers for inspection, then clean them.',
  options: { force: { type: 'boolean' } },
  async run({ positionals, values }) {
    const { removed, kept } = positionals.length ? { removed: await cleanLabs(positionals), kept: [] } : await cleanAllLabs(values.force === true);
    console.log(removed.length ? `removed:\n${removed.map((r) => `  ${r}`).join('\n')}` : 'nothing to clean');
    for (const k of kept) console.log(`kept ${k.id}: its owner (PID ${k.ownerPid}) is still running it; \`clean ${k.id}\` or \`clean --force\` removes it`);
    return EXIT.ok;
  },
};

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'Print the nftables ruleset each router of a topology gets (nothing is built).',
  usage: 'rules <topology>',
  details: '',
  options: {},
  async run({ positionals }) {
    if (positionals.length !== 1) throw usageError(this, 'give exactly one topology');
    const routers = planNodes(loadTopology(positionals[0]), '000000').nodes.filter((n) => n.ruleset !== null);
    for (const r of routers) console.log(`# router ${r.node}\n${r.ruleset}`);
    if (!routers.length) console.log('# this topology has no routers');
    return EXIT.ok;
  },
};

export const topologiesCommand: Command = {
  name: 'topologies',
  summary: 'List the topology presets, or describe one.',
  usage: 'topologies [<topology>]',
  details: '',
  options: {},
  async run({ positionals }) {
    if (positionals[0]) {
      console.log(topologySummary(loadTopology(positionals[0])));
      return EXIT.ok;
    }
    for (const name of listTopologies()) console.log(`${name.padEnd(24)} ${loadTopology(name).description}`);
    return EXIT.ok;
  },
};

function listSafe(): string {
  try {
    return listTopologies().join(', ');
  } catch {
    return 'see topologies/';
  }
}

export const peerSchemaCommand: Command = {
  name: 'peer-schema',
  summary: 'Print the JSON Schema of the peer contract\'s event lines (peers/contract.schema.json).',
  usage: 'peer-schema',
  details: 'For peers written in other languages: every stdout line must validate against it.',
  options: {},
  async run() {
    console.log(JSON.stringify(contractJsonSchema(), null, 2));
    return EXIT.ok;
  },
};

export const resultSchemaCommand: Command = {
  name: 'result-schema',
  summary: 'Print the JSON Schema of a run result (result.json) or a matrix result (matrix.json).',
  usage: 'result-schema run|matrix',
  details: 'Shipped as schemas/run-result.schema.json and schemas/matrix-result.schema.json; check schemaVersion first.',
  options: {},
  async run({ positionals }) {
    const which = positionals[0];
    if (positionals.length !== 1 || (which !== 'run' && which !== 'matrix')) throw usageError(this, 'give run or matrix');
    console.log(JSON.stringify(resultJsonSchema(which), null, 2));
    return EXIT.ok;
  },
};
