import { defineConfig } from 'tsup';
import { libraryConfig } from '../internal/build/tsup-bundle.js';

export default defineConfig(libraryConfig(['src/index.ts'], { bundle: false }));
