import type { NatsConnection } from '@nats-io/transport-node';
import { StartupCheckError } from '../../cluster/errors.ts';
import { probePublish, probePull, probePurge, refusalOf } from '../../cluster/nats/accessProbes.ts';
import type { NatsResourceOptions } from '../../cluster/nats/natsResourceOptions.ts';
import type { NatsResources } from '../../cluster/nats/natsResources.ts';
import { ensureResources } from '../nats/ensureResources.ts';

const PROBE = 'chorus-startup-probe';

/**
 * The coordinator's start: creates or checks the NATS resources, then checks that its login may do the
 * rest of its work (publish tasks, write job state, read results, purge replaced artifacts), without
 * writing anything (cluster/nats/accessProbes.ts). A login that cannot, such as a worker's, stops it
 * with a StartupCheckError naming the operation instead of a stack trace at its first job.
 */
export async function checkCoordinatorNats(
  nc: NatsConnection,
  partial: Partial<NatsResourceOptions>,
): Promise<NatsResources> {
  const hint =
    "The coordinator needs the unrestricted user of the account that holds Chorus's streams " +
    "(CHORUS in `chorus nats-permissions`), not a worker's (docs/security.md).";
  let resources: NatsResources;
  try {
    resources = await ensureResources(nc, partial);
  } catch (err) {
    const why = refusalOf(err);
    if (!why) throw err;
    throw new StartupCheckError(`this NATS login cannot create or check Chorus's streams: ${why}. ${hint}`, {
      cause: err,
    });
  }
  const { names, jsm, objects } = resources;
  await probePublish(nc, names.taskSubject(PROBE), `publish tasks to ${names.taskStream}`, hint);
  await probePublish(nc, `$KV.${names.stateBucket}.${names.jobKey(PROBE)}`, 'write job state', hint);
  await probePull(
    nc,
    names.resultStream,
    names.resultConsumer,
    `read results from ${names.resultStream}`,
    hint,
  );
  await probePurge(jsm, objects.stream, objects.chunkSubject(PROBE), 'purge replaced artifacts', hint);
  return resources;
}
