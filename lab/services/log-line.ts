/**
 * Log lines and texts of bounded size: what a client sends ends up in logs, error replies and the
 * kept-for-failed-run results, so none of it may be kept at the size the client chose.
 */
export const MAX_TEXT = 512;
export const MAX_LOG_LINE = 2048;

/** `text` cut to `max` characters, saying how much was cut. */
export function boundedText(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** One JSON log line of at most `maxLine` characters: long strings cut first, then the line. */
export function logLine(entry: Record<string, unknown>, maxLine = MAX_LOG_LINE): string {
  const bounded = Object.fromEntries(Object.entries(entry).map(([k, v]) => [boundedText(k, 64), typeof v === 'string' ? boundedText(v) : v]));
  const line = JSON.stringify(bounded);
  if (line.length <= maxLine) return line;
  return JSON.stringify({ t: entry.t, event: entry.event, truncated: boundedText(line, maxLine - 200) });
}
