/**
 * Puts a run's impairments on its lab (plan.ts says what, this runs it): detects netem in a lab
 * node (never in the host's namespace), starts nfq-impair where netem is missing, and reads the
 * helpers' counters back when the run ends.
 */
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LabProcess, StartedLab } from '../../backends/backend.js';
import { LabError } from '../../model/errors.js';
import type { ImpairCounters, Impairment, ImpairmentView } from '../../model/impairment.js';
import { projectPath } from '../../util/paths.js';
import { IMPAIR_METHODS, planImpairments, type AppliedImpairment, type ImpairMethod } from './plan.js';

export interface AppliedImpairments {
  method: ImpairMethod;
  legs: AppliedImpairment[];
  /** Stops the helpers and returns every leg with what it counted (the rules stay: for a lab about to go down). */
  stop(): Promise<ImpairmentView[]>;
  /** Takes the impairments off the lab's nodes, then stops the helpers: the links are as before. */
  remove(): Promise<ImpairmentView[]>;
}

export function helperPath(): string {
  return projectPath('dist', 'nfq-impair');
}

/** LAB_IMPAIR_METHOD=netem|nfqueue forces a path (a machine with netem can test the fallback). */
function forcedMethod(): ImpairMethod | null {
  const v = process.env.LAB_IMPAIR_METHOD;
  if (!v) return null;
  if (!(IMPAIR_METHODS as readonly string[]).includes(v)) throw new LabError('usage', `LAB_IMPAIR_METHOD=${v}: expected ${IMPAIR_METHODS.join(' or ')}`);
  return v as ImpairMethod;
}

/** Whether the kernel has sch_netem, tried on the loopback of a lab node. */
export async function netemAvailable(lab: StartedLab, node: string): Promise<boolean> {
  const add = await lab.exec(node, ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { check: false });
  if (add.code !== 0) return false;
  await lab.exec(node, ['tc', 'qdisc', 'del', 'dev', 'lo', 'root'], { check: false });
  return true;
}

export async function chooseMethod(lab: StartedLab, node: string): Promise<ImpairMethod> {
  return forcedMethod() ?? ((await netemAvailable(lab, node)) ? 'netem' : 'nfqueue');
}

export async function applyImpairments(lab: StartedLab, list: Impairment[]): Promise<AppliedImpairments> {
  const method = await chooseMethod(lab, list[0].node);
  const plans = planImpairments(list, lab.topology, method);
  if (method === 'nfqueue' && !existsSync(helperPath())) {
    throw new LabError('missing-tool', `link impairments without netem need ${helperPath()}, which is not built`, 'install gcc (scripts/setup.sh installs it) and run `npm run build`');
  }
  const helpers: { leg: AppliedImpairment; process: LabProcess; counters: Promise<ImpairCounters | undefined> }[] = [];
  const stop = async (): Promise<ImpairmentView[]> => {
    await Promise.all(helpers.map((h) => h.process.stop(1000)));
    const counted = await Promise.all(helpers.map((h) => h.counters));
    return plans.flatMap((p) => p.legs).map((leg) => {
      const i = helpers.findIndex((h) => h.leg === leg);
      return i >= 0 && counted[i] ? { ...leg, counters: counted[i] } : leg;
    });
  };
  try {
    await Promise.all(plans.map(async (plan) => {
      for (const h of plan.helpers) helpers.push(startHelper(lab, plan.node, h.leg, h.args));
      await Promise.all(helpers.filter((h) => h.leg.node === plan.node).map((h) => readyOf(h.process, h.leg)));
      if (plan.nftables) await lab.exec(plan.node, ['nft', '-f', '-'], { input: plan.nftables, purpose: `impairments on ${plan.node}: the duplication rules` });
      for (const argv of plan.commands) await lab.exec(plan.node, argv, { purpose: `impairments on ${plan.node}` });
    }));
  } catch (err) {
    await stop();
    throw err;
  }
  // Rules first: a packet sent to a queue nobody serves any more is dropped.
  const remove = async (): Promise<ImpairmentView[]> => {
    await Promise.all(plans.map(async (plan) => {
      for (const argv of plan.undo) await lab.exec(plan.node, argv, { purpose: `take the impairments off ${plan.node}` });
    }));
    return stop();
  };
  return { method, legs: plans.flatMap((p) => p.legs), stop, remove };
}

function startHelper(lab: StartedLab, node: string, leg: AppliedImpairment, args: string[]) {
  const proc = lab.spawn(node, [helperPath(), ...args]);
  const lines = createInterface({ input: proc.stdout });
  const counters = new Promise<ImpairCounters | undefined>((resolve) => {
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as ImpairCounters);
    });
    lines.on('close', () => resolve(undefined));
  });
  return { leg, process: proc, counters };
}

/** Resolves once the helper bound its queue; rejects with its own words if it exits first. */
function readyOf(p: LabProcess, leg: AppliedImpairment): Promise<void> {
  let stderr = '';
  p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new LabError('backend', `nfq-impair for ${leg.node} ${leg.iface} ${leg.direction} did not get ready in 10 s`)), 10_000);
    const lines = createInterface({ input: p.stdout });
    lines.on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    void p.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new LabError('backend', `nfq-impair for ${leg.node} ${leg.iface} ${leg.direction} exited (code ${code}) before it was ready: ${stderr.trim() || 'no output'}`));
    });
  });
}
