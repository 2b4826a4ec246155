// Runs a pnpm script and keeps its output to itself unless it fails: `node scripts/quiet.mjs build` prints one line
// when the build succeeds, and everything the build printed (then exits with its status) when it does not. The demo
// builds first, and what it shows should be the demo, not the bundler's logs.
import { spawn } from 'node:child_process';

const script = process.argv[2];
const started = Date.now();
// pnpm names its own entry point in npm_execpath when it runs a script (npx names npm's there); else the pnpm on PATH.
const execPath = process.env.npm_execpath ?? '';
const pnpm = /pnpm/.test(execPath) ? execPath : undefined;
const [command, args] = pnpm ? [process.execPath, [pnpm, script]] : ['pnpm', [script]];
const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
const output = [];
child.stdout.on('data', (chunk) => output.push(chunk));
child.stderr.on('data', (chunk) => output.push(chunk));
child.on('error', (error) => {
  console.error(`could not run pnpm ${script}: ${error.message}`);
  process.exitCode = 1;
});
child.on('close', (code) => {
  if (code === 0) {
    console.log(`pnpm ${script}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    process.stderr.write(Buffer.concat(output));
    console.error(`pnpm ${script} failed (exit ${code})`);
    process.exitCode = code ?? 1;
  }
});
