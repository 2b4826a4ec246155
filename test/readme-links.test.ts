import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const packages = ['core', 'axios', 'fetch', 'verify', 'cli', 'pkcs11', 'aws-kms'] as const;

/** The targets of a Markdown document's links and images: inline `[text](target)` and reference `[id]: target`. */
function linkTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const inline = [...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1] as string);
  const references = [...withoutCode.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((match) => match[1] as string);
  return [...inline, ...references];
}

/** A relative link's file, as a path inside the package ('' for the package root); undefined when it leaves it. */
function insidePackage(target: string): string | undefined {
  const file = decodeURIComponent(target.split('#')[0]?.split('?')[0] ?? '');
  const resolved = posix.normalize(file);
  return resolved === '..' || resolved.startsWith('../') || resolved.startsWith('/') ? undefined : resolved.replace(/\/$/, '');
}

// npm shows a package's README on its page and ships it in the tarball, away from the repository: a relative link
// must name a file that is in the tarball, or it is dead for everyone who reads it there.
describe.each(packages)('the README of @signet/%s as published', (name) => {
  it('links only to web addresses, anchors of its own, or files inside its tarball', async () => {
    const dir = join(root, 'packages', name);
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir });
    const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    const shipped = new Set(pack.files.map((file) => file.path));
    expect(shipped).toContain('README.md');

    const dead = linkTargets(readFileSync(join(dir, 'README.md'), 'utf8'))
      .filter((target) => !/^[a-z][a-z\d+.-]*:/i.test(target) && !target.startsWith('#'))
      .filter((target) => {
        const path = insidePackage(target);
        return path === undefined || (path !== '' && !shipped.has(path) && ![...shipped].some((file) => file.startsWith(`${path}/`)));
      });
    expect(dead).toEqual([]);
  }, 60_000);
});
