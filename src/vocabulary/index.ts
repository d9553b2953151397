/**
 * The `/ft` vocabulary: verbs, how each is written, the parsed command and its errors, and
 * the limits. Handlers, views, config and the sandbox import it; it imports only src/api.
 */
export * from './command.ts';
export * from './job-key.ts';
export { unwrapJobId } from './job-ref.ts';
export { parseCommand } from './parse-command.ts';
export { editDistance, suggestVerb } from './suggest.ts';
export * from './verbs.ts';
