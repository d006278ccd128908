import type { NatsResources } from '../../cluster/nats/natsResources.ts';

/** Checks, before a write, that this coordinator may still write (CoordinatorLease.assertHeld). */
export type WriteCheck = (what: string) => void;

/**
 * `target` with the named methods checked first, synchronously, just before the call that sends the
 * request (a paused process resumes with the check failed, since its monotonic clock jumped). Other
 * members pass through, bound to the target (nats.js classes keep private state a proxy receiver would
 * not see).
 */
function guarded<T extends object>(
  target: T,
  methods: readonly string[],
  check: WriteCheck,
  what: string,
): T {
  return new Proxy(target, {
    get(t, property) {
      const value: unknown = Reflect.get(t, property, t);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property === 'string' && methods.includes(property)) {
        return (...args: unknown[]) => {
          check(`${what}.${property}`);
          return method.apply(t, args);
        };
      }
      return method.bind(t);
    },
  });
}

/**
 * The coordinator's NATS handles with every write fenced by the leadership lease: KV writes of job
 * and task state, task publishes, Object Store writes and the janitor's purges. A coordinator that
 * lost the lease, or was paused past its end, gets a LeaseLostError instead of writing over the
 * new leader's state; reads pass.
 */
export function fencedResources(resources: NatsResources, check: WriteCheck): NatsResources {
  const streams = guarded(
    resources.jsm.streams,
    ['purge', 'deleteMessage', 'update', 'delete'],
    check,
    'streams',
  );
  const jsm = new Proxy(resources.jsm, {
    get(t, property) {
      if (property === 'streams') return streams;
      const value: unknown = Reflect.get(t, property, t);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
  return {
    ...resources,
    js: guarded(resources.js, ['publish'], check, 'tasks'),
    jsm,
    state: guarded(resources.state, ['put', 'create', 'update', 'delete', 'purge'], check, 'state'),
    objects: guarded(resources.objects, ['put', 'markDeleted'], check, 'artifacts'),
  };
}
