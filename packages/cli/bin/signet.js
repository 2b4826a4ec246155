#!/usr/bin/env node
// The command's entry point, committed so that installing the workspace can link it before anything is built;
// the command itself is the bundle tsup writes to dist/.
import '../dist/cli.js';
