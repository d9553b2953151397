export { HANDOFF_QUEUE, HandoffQueue, HandoffWorker } from './queue.ts';
export { createResponsePoster } from './response-poster.ts';
