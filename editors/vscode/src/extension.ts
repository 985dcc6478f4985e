// The mdl extension: syntax highlighting comes from the TextMate grammar in
// package.json; everything else (diagnostics, hover, formatting, ...) comes from
// `mdl lsp`, the language server built into the mdl binary, spoken to over stdio.

import * as os from 'os';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { probe, problemMessage, resolveCommand } from './server';
import { commandLine, declaresEnvironment, Verb } from './commands';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
// Serialises start, stop and restart, so that a restart requested while the
// server is starting waits for it instead of racing it.
let pending: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('mdl Language Server');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('mdl.restartServer', () => queue(async () => {
      await stop();
      await start();
    })),
    vscode.commands.registerCommand('mdl.check', () => runOnEnvironment('check')),
    vscode.commands.registerCommand('mdl.build', () => runOnEnvironment('build')),
    vscode.commands.registerCommand('mdl.plan', () => runOnEnvironment('plan')),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('mdl.path')) {
        void queue(async () => {
          await stop();
          await start();
        });
      }
    }),
  );
  return queue(start);
}

export function deactivate(): Promise<void> {
  return queue(stop);
}

/**
 * Runs `mdl <verb>` on the current environment, in a terminal: the active
 * file when it declares an environment, otherwise one picked from the
 * environment files of every workspace folder.
 */
async function runOnEnvironment(verb: Verb): Promise<void> {
  const spec = await currentEnvironment();
  if (spec === undefined) {
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(spec)?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const configured = vscode.workspace.getConfiguration('mdl').get<string>('path');
  const mdl = resolveCommand(configured, folder, os.homedir());
  const terminal = vscode.window.createTerminal({ name: `mdl ${verb}`, cwd: folder });
  terminal.show();
  terminal.sendText(commandLine(mdl, verb, spec.fsPath, process.platform === 'win32'));
}

async function currentEnvironment(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'mdl' && active.uri.scheme === 'file' && declaresEnvironment(active.getText())) {
    return active.uri;
  }
  const found: { label: string; description: string; uri: vscode.Uri }[] = [];
  for (const uri of await vscode.workspace.findFiles('**/*.mdl', '**/node_modules/**')) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    if (declaresEnvironment(text)) {
      found.push({ label: vscode.workspace.asRelativePath(uri, true), description: uri.fsPath, uri });
    }
  }
  if (found.length === 0) {
    void vscode.window.showErrorMessage('mdl: no file of the workspace folders declares an `environment`.');
    return undefined;
  }
  if (found.length === 1) {
    return found[0].uri;
  }
  const picked = await vscode.window.showQuickPick(found, { placeHolder: 'The environment to run mdl on' });
  return picked?.uri;
}

function queue(step: () => Promise<void>): Promise<void> {
  pending = pending.then(step, step);
  return pending;
}

function log(line: string): void {
  output?.appendLine(`[${new Date().toISOString()}] ${line}`);
}

async function start(): Promise<void> {
  const configured = vscode.workspace.getConfiguration('mdl').get<string>('path');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const command = resolveCommand(configured, folder, os.homedir());

  const result = await probe(command);
  if (!result.ok) {
    const message = problemMessage(command, result);
    log(message);
    void showProblem(message);
    return;
  }
  log(`starting \`${command} lsp\` (${result.version})`);

  // No `transport` here: with `TransportKind.stdio` the client would append
  // `--stdio` to the arguments, and `mdl lsp` always speaks over stdio.
  const serverOptions: ServerOptions = {
    run: { command, args: ['lsp'] },
    debug: { command, args: ['lsp'] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'mdl' },
      { scheme: 'untitled', language: 'mdl' },
    ],
    outputChannel: output,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.mdl'),
    },
  };
  // The id `mdl` makes the client read the `mdl.trace.server` setting.
  const next = new LanguageClient('mdl', 'mdl Language Server', serverOptions, clientOptions);
  try {
    await next.start();
    client = next;
  } catch (error) {
    const message = `mdl: the language server \`${command} lsp\` failed to start: ${describe(error)}`;
    log(message);
    void showProblem(message);
  }
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (current === undefined) {
    return;
  }
  try {
    await current.stop();
  } catch (error) {
    log(`stopping the language server: ${describe(error)}`);
  }
}

async function showProblem(message: string): Promise<void> {
  const openSettings = 'Open Settings';
  const retry = 'Retry';
  const choice = await vscode.window.showErrorMessage(message, openSettings, retry);
  if (choice === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'mdl.path');
  } else if (choice === retry) {
    await vscode.commands.executeCommand('mdl.restartServer');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
