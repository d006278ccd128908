import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeMessage } from '../../cluster/messages/codec.ts';
import { resultMessageSchema, type ResultMessage } from '../../cluster/messages/resultMessage.ts';
import type { NatsNames } from '../../cluster/nats/natsNames.ts';

/** Every message on a job's result subject, in stream order. */
export async function resultsOf(
  nc: NatsConnection,
  names: NatsNames,
  jobId: string,
): Promise<ResultMessage[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(names.resultStream);
  const out: ResultMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const stored = await jsm.streams.getMessage(names.resultStream, { seq }).catch(() => null);
    if (!stored || stored.subject !== names.resultSubject(jobId)) continue;
    out.push(decodeMessage(resultMessageSchema, stored.data, 'result'));
  }
  return out;
}
