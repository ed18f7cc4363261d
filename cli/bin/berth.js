#!/usr/bin/env node
// The berth CLI. Commands are the compiled ones in dist/cli/commands (see "oclif" in package.json).
import { execute, settings } from '@oclif/core';

// Always run the compiled commands: under NODE_ENV=test or development oclif would otherwise look for
// the TypeScript sources and try to register a TypeScript loader, which this ESM project does not use.
settings.enableAutoTranspile = false;

await execute({ dir: import.meta.url });
