/**
 * Process-wide settings of the graphs' search replicas (graph-replica.ts): whether large graphs
 * get one, from which size, and how many searches may queue on a replica before the event loop
 * searches itself. Measured on 2 cores (bench:vector, 8 clients): the event loop serving HTTP while
 * one replica searches beats sharing the searches between them, so the limit is deep. The vector role's composition root
 * sets them from its configuration.
 */
export const searchThreads = {
  /** Replica threads per large graph (each holds a copy of it); 0: search on the event loop only. */
  replicas: 1,
  /** Graphs with fewer vectors search fast enough on the event loop and are not copied. */
  minVectors: 20_000,
  queueLimit: 16,
};

export function configureSearchThreads(settings: Partial<typeof searchThreads>): void {
  Object.assign(searchThreads, settings);
}
