import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const consumer = fileURLToPath(new URL('../examples/request-signing', import.meta.url));
const run = promisify(execFile);
const names = 'JSON.stringify([typeof a.createSignedAxios, typeof a.attachSigner, typeof c.requestSigner, typeof c.SignetError])';

// The tests import the TypeScript sources; this checks that what tsup built (what users install) loads from both
// module systems with the contracted export names. It runs in the example package, a workspace consumer.
describe('the built packages', () => {
  it.each([
    ['ESM', `Promise.all([import('@signet/axios'), import('@signet/core')]).then(([a, c]) => console.log(${names}))`],
    ['CommonJS', `const a = require('@signet/axios'); const c = require('@signet/core'); console.log(${names})`],
  ])('load from %s with their public names', async (_kind, script) => {
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual(['function', 'function', 'function', 'function']);
  });
});
