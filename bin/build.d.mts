export const ENTRY_POINTS: Record<string, string>;
export function ensureBuilt(opts?: { force?: boolean }): Promise<string>;
