import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The READMEs are documentation with one source: these checks keep the root README's tables in step with the code
// and the tests, and keep each package README readable inside its npm tarball.

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const packages = ['core', 'axios', 'fetch', 'verify', 'cli', 'pkcs11', 'aws-kms'] as const;

/** The lines of the README section that starts with `## <title>`, up to the next `## ` heading. */
function section(markdown: string, title: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`no "## ${title}" section`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The codes of the `SignetErrorCode` union, from its `| 'ERR_…'` lines. */
function unionCodes(): string[] {
  const source = read('packages/core/src/errors.ts');
  return [...source.matchAll(/^\s*\| '(ERR_[A-Z_]+)'/gm)].map((match) => match[1]!);
}

/** The codes in the root README's errors table: every backticked code in the first cell of a `| \`ERR_` row. */
function tableCodes(): string[] {
  const rows = section(read('README.md'), 'Errors').filter((line) => line.startsWith('| `ERR_'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`(ERR_[A-Z_]+)`/g)].map((match) => match[1]!));
}

/** A bare test file name with no path before it in its cell: the one package test folder that holds it, if exactly
 * one does (the table then leans on the rows above); otherwise the bare name, which the test reports as missing. */
function findUnique(name: string): string {
  const holders = packages.map((pkg) => `packages/${pkg}/test/${name}`).filter((path) => existsSync(join(root, path)));
  return holders.length === 1 ? holders[0]! : name;
}

/** The test files each Security row names: backticked `packages/…test.ts` paths, and the bare `x.test.ts` names that
 * follow a path in the same cell, resolved against that path's folder. */
function securityTestFiles(): string[][] {
  const rows = section(read('README.md'), 'Security').filter((line) => line.startsWith('| ') && !line.startsWith('| promise') && !line.startsWith('| ---'));
  return rows.map((row) => {
    const cell = row.slice(row.lastIndexOf(' | ') + 3);
    let folder: string | undefined;
    return [...cell.matchAll(/`([\w./-]+\.test\.ts)`/g)].map(([, name]) => {
      if (name!.includes('/')) {
        folder = dirname(name!);
        return name!;
      }
      return folder === undefined ? findUnique(name!) : join(folder, name!);
    });
  });
}

describe('root README errors table', () => {
  it('parses a plausible union and table (guards against a parser that finds nothing)', () => {
    expect(unionCodes().length).toBeGreaterThan(30);
    expect(tableCodes().length).toBeGreaterThan(30);
  });

  it('lists every code of the SignetErrorCode union', () => {
    const missing = unionCodes().filter((code) => !tableCodes().includes(code));
    expect(missing, 'codes of packages/core/src/errors.ts missing from the README errors table').toEqual([]);
  });

  it('lists no code that the SignetErrorCode union does not have (no stale rows)', () => {
    const stale = tableCodes().filter((code) => !unionCodes().includes(code));
    expect(stale, 'README errors table rows whose code is not in SignetErrorCode').toEqual([]);
  });
});

describe('package READMEs', () => {
  it.each(packages)('packages/%s/README.md has no relative link that leaves its package folder', (name) => {
    const folder = join(root, 'packages', name);
    const markdown = read(`packages/${name}/README.md`);
    const targets = [...markdown.matchAll(/\]\(([^)\s]+)[^)]*\)|^\[[^\]]+\]:\s*(\S+)/gm)].map((match) => (match[1] ?? match[2])!);
    expect(targets.length).toBeGreaterThan(0);
    const leaving = targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#')).filter((target) => relative(folder, resolve(folder, target.split('#')[0]!)).startsWith('..'));
    expect(leaving, `links in packages/${name}/README.md that do not resolve inside the npm tarball`).toEqual([]);
  });
});

describe('root README Security table', () => {
  it('names at least one test file for every promise', () => {
    const rows = securityTestFiles();
    expect(rows.length).toBeGreaterThan(15);
    expect(rows.filter((files) => files.length === 0)).toEqual([]);
  });

  it('names only test files that exist', () => {
    const missing = securityTestFiles()
      .flat()
      .filter((file) => !existsSync(join(root, file)));
    expect(missing, 'test files named in the README Security table that do not exist').toEqual([]);
  });
});
