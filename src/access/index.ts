/** Who may use ftops, and what each channel may do with which resource: types and pure rules. */
export * from './rules.ts';
export * from './types.ts';
