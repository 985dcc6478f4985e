// Unit tests for finding and probing the mdl binary: `node --test out/test/`.

import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, it, after } from 'node:test';
import { INSTALL_HINT, probe, problemMessage, resolveCommand } from '../server';

describe('resolveCommand', () => {
  const home = path.resolve('/home/someone');
  const folder = path.resolve('/home/user/project');

  it('defaults to `mdl` on PATH', () => {
    assert.equal(resolveCommand(undefined, folder, home), 'mdl');
    assert.equal(resolveCommand('  ', folder, home), 'mdl');
  });

  it('leaves a bare name for PATH lookup', () => {
    assert.equal(resolveCommand('mdl-nightly', folder, home), 'mdl-nightly');
  });

  it('expands the home folder', () => {
    assert.equal(resolveCommand('~/.cargo/bin/mdl', folder, home), path.join(home, '.cargo/bin/mdl'));
  });

  it('expands ${workspaceFolder}', () => {
    assert.equal(
      resolveCommand('${workspaceFolder}/target/release/mdl', folder, home),
      path.join(folder, 'target/release/mdl'),
    );
  });

  it('resolves a relative path against the workspace folder', () => {
    assert.equal(resolveCommand('./target/debug/mdl', folder, home), path.join(folder, 'target/debug/mdl'));
  });

  it('keeps an absolute path and a relative path without a workspace', () => {
    const absolute = path.resolve('/opt/mdl/bin/mdl');
    assert.equal(resolveCommand(absolute, folder, home), absolute);
    assert.equal(resolveCommand('./target/debug/mdl', undefined, home), './target/debug/mdl');
  });
});

describe('probe', { skip: process.platform === 'win32' ? 'uses shell scripts' : false }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-probe-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function script(name: string, body: string, mode = 0o755): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode });
    return file;
  }

  it('reports the version of a working binary', async () => {
    const result = await probe(script('good', 'echo "mdl 0.1.0"'));
    assert.deepEqual(result, { ok: true, version: 'mdl 0.1.0' });
  });

  it('says a missing binary was not found (ENOENT)', async () => {
    const result = await probe(path.join(dir, 'no-such-mdl'));
    assert.equal(result.ok, false);
    assert.equal(result.ok === false && result.reason, 'not-found');
    assert.match(result.ok === false ? result.detail : '', /ENOENT/);
  });

  it('says a bare name missing from PATH was not found', async () => {
    const result = await probe('mdl-does-not-exist-anywhere');
    assert.equal(result.ok === false && result.reason, 'not-found');
  });

  it('says a file without execute permission is not executable', async () => {
    const result = await probe(script('plain', 'echo hi', 0o644));
    assert.equal(result.ok === false && result.reason, 'not-executable');
  });

  it('reports the exit code and output of a failing binary', async () => {
    const result = await probe(script('bad', 'echo "unknown flag --version" >&2; exit 3'));
    assert.equal(result.ok, false);
    assert.equal(result.ok === false && result.reason, 'failed');
    assert.match(result.ok === false ? result.detail : '', /exited with 3: unknown flag --version/);
  });

  it('gives up on a binary that hangs', async () => {
    const result = await probe(script('slow', 'sleep 5'), 200);
    assert.equal(result.ok === false && result.reason, 'failed');
    assert.match(result.ok === false ? result.detail : '', /timed out/);
  });
});

describe('problemMessage', () => {
  it('tells how to install mdl or set mdl.path', () => {
    const message = problemMessage('mdl', { ok: false, reason: 'not-found', detail: 'spawn mdl ENOENT' });
    assert.match(message, /`mdl` was not found \(spawn mdl ENOENT\)/);
    assert.ok(message.includes('cargo install --path .'));
    assert.ok(message.includes('`mdl.path`'));
    assert.ok(message.endsWith(INSTALL_HINT));
  });

  it('names the failing command', () => {
    const message = problemMessage('/opt/mdl', { ok: false, reason: 'failed', detail: 'exited with 2' });
    assert.match(message, /`\/opt\/mdl --version` failed \(exited with 2\)/);
  });
});
