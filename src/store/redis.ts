/**
 * The Redis store's public face: clients, targets, availability errors and cluster helpers,
 * each in its own module; callers keep importing from here.
 */

export { deleteNamespace, forEachPrimary, isCluster } from './redis-cluster.ts';
export {
  type BullConnectionOptions,
  type CreateRedisOptions,
  createBullConnection,
  createRedis,
  createRedisConnector,
  type RedisConnector,
  type RedisConnectorOptions,
} from './redis-connector.ts';
export { guardRedis, isRedisUnavailable, RedisUnavailableError } from './redis-errors.ts';
export { waitForReplica } from './redis-replica.ts';
export {
  DEFAULT_REDIS_ENTRA_SCOPE,
  type RedisAuth,
  type RedisTarget,
  targetOf,
} from './redis-target.ts';
