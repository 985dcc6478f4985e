import * as assert from 'assert/strict';
import { describe, it } from 'node:test';
import { commandLine, declaresEnvironment } from '../commands';

describe('the current environment', () => {
  it('is a file that declares one', () => {
    assert.equal(declaresEnvironment('import "./platform.mdl"\n\nenvironment dev {\n}\n'), true);
    assert.equal(declaresEnvironment('project shop {\n  environments { dev }\n}\n'), false);
    assert.equal(declaresEnvironment('// environment dev is elsewhere\nlayer l {}\n'), false);
  });
});

describe('the command line', () => {
  it('quotes paths with spaces for the shell', () => {
    assert.equal(commandLine('mdl', 'check', '/home/a/specs/dev.mdl', false), 'mdl check /home/a/specs/dev.mdl');
    assert.equal(commandLine('mdl', 'plan', "/home/a/my specs/it's.mdl", false), "mdl plan '/home/a/my specs/it'\\''s.mdl'");
    assert.equal(commandLine('C:\\Program Files\\mdl.exe', 'build', 'C:\\s\\dev.mdl', true), "& 'C:\\Program Files\\mdl.exe' build C:\\s\\dev.mdl");
  });
});
