// The mdl extension: syntax highlighting comes from the TextMate grammar in
// package.json; everything else (diagnostics, hover, formatting, ...) comes from
// `mdl lsp`, the language server built into the mdl binary, spoken to over stdio.

import * as os from 'os';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { probe, problemMessage, resolveCommand } from './server';

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
