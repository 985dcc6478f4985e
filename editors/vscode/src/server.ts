// Finding and probing the `mdl` binary. Nothing here imports `vscode`, so the
// logic is unit-tested with node's own test runner (src/test/server.test.ts).

import { execFile } from 'child_process';
import * as path from 'path';

/** How to get an `mdl` binary, shown whenever the configured one cannot run. */
export const INSTALL_HINT =
  'Install it with `cargo install --path .` from a checkout of the mdl repository ' +
  '(or `cargo build --release` and point `mdl.path` at target/release/mdl), ' +
  'or set the `mdl.path` setting to the full path of the binary.';

/** The result of running `<mdl> --version`. */
export type Probe =
  | { ok: true; version: string }
  | { ok: false; reason: 'not-found' | 'not-executable' | 'failed'; detail: string };

/**
 * Turns the `mdl.path` setting into a command to spawn. A bare name (`mdl`) is
 * left for the operating system to look up on PATH; `~` is the home folder,
 * `${workspaceFolder}` the first workspace folder, and any other relative path
 * is taken relative to that folder.
 */
export function resolveCommand(configured: string | undefined, workspaceFolder: string | undefined, home: string): string {
  let command = (configured ?? '').trim();
  if (command === '') {
    return 'mdl';
  }
  if (workspaceFolder !== undefined) {
    command = command.split('${workspaceFolder}').join(workspaceFolder);
  }
  if (command === '~' || command.startsWith('~/') || command.startsWith('~\\')) {
    command = path.join(home, command.slice(1));
  }
  const hasSeparator = command.includes('/') || command.includes('\\');
  if (hasSeparator && !path.isAbsolute(command) && workspaceFolder !== undefined) {
    command = path.resolve(workspaceFolder, command);
  }
  return command;
}

/** Runs `<command> --version` and says whether the binary can be started. */
export function probe(command: string, timeoutMs = 10_000): Promise<Probe> {
  return new Promise((resolve) => {
    execFile(command, ['--version'], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ ok: true, version: stdout.toString().trim() || 'unknown version' });
        return;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        resolve({ ok: false, reason: 'not-found', detail: `spawn ${command} ENOENT` });
      } else if (code === 'EACCES') {
        resolve({ ok: false, reason: 'not-executable', detail: `spawn ${command} EACCES` });
      } else {
        const output = stderr.toString().trim() || stdout.toString().trim();
        const what = error.killed ? `timed out after ${timeoutMs} ms` : `exited with ${String(code ?? error.signal)}`;
        resolve({ ok: false, reason: 'failed', detail: output ? `${what}: ${output}` : what });
      }
    });
  });
}

/** The message shown when the binary cannot be used. */
export function problemMessage(command: string, result: Extract<Probe, { ok: false }>): string {
  switch (result.reason) {
    case 'not-found':
      return `mdl: the language server could not start: \`${command}\` was not found (${result.detail}). ${INSTALL_HINT}`;
    case 'not-executable':
      return `mdl: the language server could not start: \`${command}\` is not executable (${result.detail}). ${INSTALL_HINT}`;
    case 'failed':
      return `mdl: the language server could not start: \`${command} --version\` failed (${result.detail}). ${INSTALL_HINT}`;
  }
}
