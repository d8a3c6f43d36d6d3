/** Where built-in reporters write: the terminal and files (replaced by fakes in tests). */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface ReporterIo {
  stdout(text: string): void;
  stderr(text: string): void;
  writeFile(file: string, text: string): void;
  appendFile(file: string, text: string): void;
  env: Record<string, string | undefined>;
}

export function processIo(): ReporterIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    writeFile: (f, t) => {
      mkdirSync(dirname(resolve(f)), { recursive: true });
      writeFileSync(f, t);
    },
    appendFile: (f, t) => appendFileSync(f, t),
    env: process.env,
  };
}
