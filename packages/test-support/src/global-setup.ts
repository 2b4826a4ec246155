import type { TestProject } from 'vitest/node';
import { generateKeyPems } from './keys.js';

// vitest runs the globalSetup once per project, in the main process; the keys are kept on globalThis so that one
// run generates them once, whatever the number of projects.
const store = globalThis as { signetTestKeyPems?: ReturnType<typeof generateKeyPems> };

/** Hands every test file the run's key pairs (see testKeys()). */
export default function setup(project: TestProject): void {
  store.signetTestKeyPems ??= generateKeyPems();
  project.provide('signetTestKeys', store.signetTestKeyPems);
}
