import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

async function exitCodeOf(bin: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(`${root}node_modules/.bin/${bin}`, args, { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: stdout + stderr };
  }
}

// The typecheck and the lint are part of the test suite, so a type error or a lint finding fails CI like a test.
describe('the workspace', () => {
  it('typechecks with tsc --build (strict, exactOptionalPropertyTypes, tests and examples included)', async () => {
    const { code, output } = await exitCodeOf('tsc', ['--build', '--force']);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 180_000);

  it('passes eslint with typescript-eslint and no warnings', async () => {
    const { code, output } = await exitCodeOf('eslint', ['--max-warnings', '0', '.']);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 180_000);

  // One formatter for everyone (.prettierrc.json); `pnpm format` rewrites the tree, this check keeps it that way.
  it('is formatted with prettier (pnpm format fixes it)', async () => {
    const { code, output } = await exitCodeOf('prettier', ['--check', '.']);
    expect(output).toContain('All matched files use Prettier code style!');
    expect(code).toBe(0);
  }, 60_000);
});
