import { Flags } from '@oclif/core';

/** Flags shared by several commands, defined once with typed parsing. */
export const levelFlag = (description: string) =>
  Flags.string({
    description,
    options: ['L0', 'L1', 'L2', 'L3', 'L4'],
  });

export const severityFlag = (description: string) =>
  Flags.string({ description, options: ['critical', 'high', 'medium', 'low'] });

export const outputFileFlag = (description: string) => Flags.string({ char: 'o', description });

export const forceFlag = (description = 'Overwrite an existing target.') => Flags.boolean({ description });
