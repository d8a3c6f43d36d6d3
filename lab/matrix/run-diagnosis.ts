/**
 * One line per session of a run, for a soak or a test that must say why a run missed the class RFC
 * 4787 predicts: its class, both peers' own selected pairs and where each direction settled on the
 * wire. Pure: a run result in, text out.
 */
import { classifyOutcome, type PairView, type RunResult, type WirePath } from '../model/run-result.js';

const end = (c: PairView['local']) => `${c.candidateType}${c.relayProtocol ? `/${c.relayProtocol}` : ''} ${c.address}:${c.port}`;
const pairText = (p: PairView | null) => (p ? `${end(p.local)} -> ${end(p.remote)}` : 'none');
const pathText = (p: WirePath | null | undefined) => (p ? `${p.kind} ${p.from} -> ${p.to}` : 'nothing');

export function diagnoseRun(r: RunResult): string[] {
  return r.sessions.map((s) => {
    const wire = s.wire ? s.wire.directions.map((d) => `${d.from}->${d.to} settled ${pathText(d.settledPath ?? d.path)}`).join('; ') : 'no wire capture';
    return `${s.outcome}${s.asymmetric ? ' (asymmetric)' : ''}${s.failure ? ` (${s.failure})` : ''}; viewer selected ${pairText(s.selectedPair.viewer)}; camera selected ${pairText(s.selectedPair.camera)}; wire: ${wire}`;
  });
}

/** Whether every session of the run reached the class predicted for it. */
export function reachedPrediction(r: RunResult): boolean {
  return r.sessions.every((s) => s.outcome === s.prediction.outcome);
}

/**
 * Whether some session's class is the wire's against what its peers reported (a relay pair one of
 * them reported while both directions settled direct, or direct pairs while a direction settled on
 * TURN): a soak counts these, so a pass rate says how much of it rests on the wire's judgement.
 */
export function overruledByWire(r: RunResult): boolean {
  return r.sessions.some((s) => {
    const { viewer, camera } = s.selectedPair;
    if (s.outcome === 'failed' || !s.wire || (!viewer && !camera)) return false;
    return classifyOutcome(true, [viewer, camera]) !== s.outcome;
  });
}
