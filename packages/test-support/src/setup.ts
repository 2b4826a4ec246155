import { expect } from 'vitest';
import { signetMatchers } from './matchers.js';

// A vitest setupFiles entry: runs before every test file.
expect.extend(signetMatchers);
