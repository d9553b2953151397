/** The configuration: variables, parsers, the schema, loading, and its description. */
export * from './describe.ts';
export * from './load.ts';
export * from './resources.ts';
export * from './variables.ts';
