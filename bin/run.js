#!/usr/bin/env node
// mpak entry point: oclif reads oclif.manifest.json so startup does not load every command.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
