// Activating the compiled extension outside VS Code, with a stand-in for the
// `vscode` module, to check the path a user without mdl takes: a visible error
// that says how to install mdl, no exception, and the restart command still there.
// MDL_EXTENSION_MAIN points it at another build, such as the extension/dist/extension.js
// unpacked from the .vsix: a bundle, which must hold every runtime dependency itself.

import * as assert from 'assert/strict';
import * as path from 'path';
import { describe, it, before, after } from 'node:test';

const Module = require('module') as { _load: (request: string, ...rest: unknown[]) => unknown };

type Call = [kind: string, ...args: unknown[]];

/** A `vscode` module with the calls activation makes; anything else is an inert proxy. */
function fakeVscode(mdlPath: string, calls: Call[]): unknown {
  const inert: ProxyHandler<object> = {
    get: (target, prop) => (prop === 'then' ? undefined : prop in target ? (target as Record<string | symbol, unknown>)[prop] : new Proxy(function () {}, inert)),
    apply: () => new Proxy(function () {}, inert),
    construct: () => new Proxy(function () {}, inert),
  };
  const api = {
    window: {
      createOutputChannel: (name: string) => ({ appendLine: (line: string) => calls.push(['log', name, line]), dispose() {} }),
      showErrorMessage: async (message: string, ...items: string[]) => {
        calls.push(['error', message, items]);
        return undefined;
      },
    },
    commands: {
      registerCommand: (id: string) => {
        calls.push(['command', id]);
        return { dispose() {} };
      },
      executeCommand: async (id: string) => calls.push(['execute', id]),
    },
    workspace: {
      onDidChangeConfiguration: () => ({ dispose() {} }),
      getConfiguration: (section: string) => ({ get: (key: string) => (`${section}.${key}` === 'mdl.path' ? mdlPath : undefined) }),
      workspaceFolders: undefined,
    },
  };
  return new Proxy(api, inert);
}

describe('activation without an mdl binary', () => {
  const calls: Call[] = [];
  const originalLoad = Module._load;
  const missing = path.join(__dirname, 'no-such-dir', 'mdl');

  before(() => {
    Module._load = function (request: string, ...rest: unknown[]) {
      return request === 'vscode' ? fakeVscode(missing, calls) : originalLoad.call(this, request, ...rest);
    };
  });
  after(() => {
    Module._load = originalLoad;
  });

  it('shows an error saying how to install mdl, and does not throw', async () => {
    const main = process.env.MDL_EXTENSION_MAIN ?? '../extension';
    const extension = require(main) as {
      activate(context: { subscriptions: unknown[] }): Promise<void>;
      deactivate(): Promise<void>;
    };
    const context = { subscriptions: [] as unknown[] };
    await extension.activate(context);

    for (const command of ['mdl.restartServer', 'mdl.check', 'mdl.build', 'mdl.plan']) {
      assert.ok(calls.some(([kind, id]) => kind === 'command' && id === command), command);
    }
    const errors = calls.filter(([kind]) => kind === 'error');
    assert.equal(errors.length, 1);
    const [, message, items] = errors[0];
    assert.match(String(message), /could not start: `.*mdl` was not found \(spawn .* ENOENT\)/);
    assert.match(String(message), /cargo install --path \./);
    assert.match(String(message), /`mdl\.path`/);
    assert.deepEqual(items, ['Open Settings', 'Retry']);
    assert.ok(calls.some(([kind, , line]) => kind === 'log' && String(line).includes('ENOENT')));

    await extension.deactivate();
  });
});
