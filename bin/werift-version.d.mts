export function findWeriftVersion(): string;
