// The commands that run mdl on an environment: which file is "the current
// environment" and the command line to run. Nothing here imports `vscode`, so
// it is unit-tested with node's own test runner (src/test/commands.test.ts).

/** What the commands run: `mdl check`, `mdl build` or `mdl plan`. */
export type Verb = 'check' | 'build' | 'plan';

/** Whether a spec file declares an environment (a line starting `environment NAME`). */
export function declaresEnvironment(text: string): boolean {
  return /^[ \t]*environment[ \t]+[A-Za-z_]/m.test(text);
}

/** A word for a POSIX shell or PowerShell: quoted unless it is plainly safe. */
export function quote(word: string, windows: boolean): string {
  if (/^[A-Za-z0-9_./:\\-]+$/.test(word)) {
    return word;
  }
  return windows ? `'${word.replace(/'/g, "''")}'` : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line that runs `verb` on the environment file `spec`. */
export function commandLine(mdl: string, verb: Verb, spec: string, windows: boolean): string {
  const program = quote(mdl, windows);
  // PowerShell runs a quoted program only after `&`.
  const run = windows && program.startsWith("'") ? `& ${program}` : program;
  return `${run} ${verb} ${quote(spec, windows)}`;
}
