export const ENTRY_POINTS: Record<string, string>;
export function ensureBuilt(opts?: { force?: boolean }): Promise<string>;
export const CACHED_ENTRY_POINTS: string[];
export function dynamicImportsIn(code: string): string[];
