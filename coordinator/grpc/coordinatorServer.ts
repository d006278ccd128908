import * as grpc from '@grpc/grpc-js';
import { ChorusError, NonRetryableError } from '../../core/errors.ts';
import { NotFoundError } from '../../cluster/errors.ts';
import type { CoordinatorHandlers as CoordinatorService } from '../../proto/generated/chorus/v1/Coordinator.ts';
import type { DataPlaneHandlers as DataPlaneService } from '../../proto/generated/chorus/v1/DataPlane.ts';
import type { LogitChunk__Output } from '../../proto/generated/chorus/v1/LogitChunk.ts';
import type { SubmitJobChunk__Output } from '../../proto/generated/chorus/v1/SubmitJobChunk.ts';
import type { JobEvent } from '../../cluster/api/apiTypes.ts';
import { callerOf, guardService, tokenCheck, type RefusedCall, type TokenVerifier } from './auth.ts';
import type { CoordinatorHandlers } from './coordinatorHandlers.ts';
import { errorToStatus, type GrpcStatus } from '../../cluster/grpc/errorStatus.ts';
import { Float32Pool } from '../../cluster/grpc/float32Pool.ts';
import { bindWithReceiveWindows } from './http2Windows.ts';
import { loadChorusProto } from '../../proto/loadProto.ts';
import { LogitAssembler } from '../../cluster/grpc/logitStream.ts';
import { messageLimitOptions } from '../../cluster/grpc/messageLimits.ts';
import { SubmitAssembler } from '../../cluster/grpc/submitStream.ts';
import { artifactMessages } from '../../cluster/grpc/artifactStream.ts';
import type { ArtifactChunk } from '../../proto/generated/chorus/v1/ArtifactChunk.ts';
import type { GetArtifactsRequest__Output } from '../../proto/generated/chorus/v1/GetArtifactsRequest.ts';
import {
  jobEventToWire,
  jobStatusToWire,
  submittedToWire,
  summaryToWire,
  workerToWire,
} from '../../cluster/api/toWire.ts';

export interface CoordinatorServerOptions {
  /** Interface to listen on (default 127.0.0.1; `0.0.0.0` in a container). */
  host?: string;
  /** 0 picks a free port; the server reports the one it got. */
  port: number;
  handlers: CoordinatorHandlers;
  /** Default: insecure (plain HTTP/2); see cluster/grpc/authTls.ts for TLS. */
  credentials?: grpc.ServerCredentials;
  /**
   * Bearer tokens checked on every call before its handler runs (auth.ts `RPC_ROLES`). Without it,
   * every call is let through.
   */
  tokens?: TokenVerifier;
  /** Told about every call refused by `tokens` (the presented token is never included). */
  onRefused?: (refused: RefusedCall) => void;
  /** Largest message sent or received (default MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
  /** Most floats one PutLogits stream may have in incomplete arrays (default MAX_LOGIT_FLOATS). */
  maxLogitFloats?: number;
  /** Most bytes of data files one SubmitJob may declare (default MAX_UPLOAD_BYTES). */
  maxUploadBytes?: number;
  /** Told about handler errors reported as INTERNAL (default: printed to stderr). */
  onInternalError?: (rpc: string, err: unknown) => void;
}

export interface CoordinatorServer {
  readonly port: number;
  /** HOST:PORT as clients would dial it. */
  readonly address: string;
  /**
   * Stops accepting calls, ends open WatchJob and GetArtifacts streams (UNAVAILABLE: shutting down) and waits up to
   * `graceMs` for running calls before cutting them off.
   */
  close(graceMs?: number): Promise<void>;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

function requireJobId(jobId: string): string {
  if (!jobId) throw new NonRetryableError('job_id is required');
  return jobId;
}

/**
 * Serves the `Coordinator` and `DataPlane` services of proto/chorus.proto on one port, translating
 * between wire messages and the plain objects of `CoordinatorHandlers`, and handler errors into
 * statuses (see errorStatus.ts). A malformed stream fails only its own call.
 */
export async function startCoordinatorServer(options: CoordinatorServerOptions): Promise<CoordinatorServer> {
  const { handlers } = options;
  const host = options.host ?? '127.0.0.1';
  const proto = loadChorusProto();
  const server = new grpc.Server(messageLimitOptions(options.maxMessageBytes));
  const watches = new Set<AbortController>();
  // Reassembly buffers for PutLogits, reused across streams (see float32Pool.ts).
  const logitBuffers = new Float32Pool();
  let closing = false;

  const report =
    options.onInternalError ??
    ((rpc: string, err: unknown) => {
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`chorus coordinator: ${rpc} failed: ${text}\n`);
    });
  const fail = (rpc: string, err: unknown): GrpcStatus => {
    const result = errorToStatus(err);
    if (result.code === grpc.status.INTERNAL) report(rpc, err);
    return result;
  };

  /**
   * A client stream that broke off (client cancelled, or grpc-js already answered, e.g. a message over
   * the size limit) ends the read loop with a premature close: not a server fault, nothing to report.
   */
  const streamFail = (rpc: string, err: unknown): GrpcStatus => {
    const broken = (err as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (broken) return { code: grpc.status.CANCELLED, details: 'the stream broke off' };
    return fail(rpc, err);
  };

  function unary<Req, Res>(rpc: string, run: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      Promise.resolve()
        .then(() => run(call.request))
        .then(
          (reply) => callback(null, reply),
          (err: unknown) => callback(fail(rpc, err)),
        );
    };
  }

  const coordinator: CoordinatorService = {
    SubmitJob: (call, callback) => {
      const assembler = new SubmitAssembler({ maxUploadBytes: options.maxUploadBytes });
      (async () => {
        for await (const message of call as AsyncIterable<SubmitJobChunk__Output>) assembler.add(message);
        const caller = callerOf(call);
        return submittedToWire(await handlers.submitJob(assembler.finish(), caller));
      })().then(
        (reply) => callback(null, reply),
        (err: unknown) => callback(streamFail('SubmitJob', err)),
      );
    },
    GetJob: unary('GetJob', async (req) => jobStatusToWire(await handlers.getJob(requireJobId(req.jobId)))),
    WatchJob: (call) => {
      const abort = new AbortController();
      watches.add(abort);
      call.on('cancelled', () => abort.abort());
      const emit = (event: JobEvent) => {
        if (!abort.signal.aborted) call.write(jobEventToWire(event));
      };
      Promise.resolve()
        .then(() => handlers.watchJob(requireJobId(call.request.jobId), emit, abort.signal))
        .then(
          () => {
            if (call.cancelled) return;
            if (closing)
              call.emit('error', {
                code: grpc.status.UNAVAILABLE,
                details: 'the coordinator is shutting down',
              });
            else call.end();
          },
          (err: unknown) => {
            if (!call.cancelled) call.emit('error', fail('WatchJob', err));
          },
        )
        .finally(() => watches.delete(abort));
    },
    CancelJob: unary('CancelJob', async (req) => ({
      job: summaryToWire(await handlers.cancelJob(requireJobId(req.jobId))),
    })),
    ListJobs: unary('ListJobs', async () => ({ jobs: (await handlers.listJobs()).map(summaryToWire) })),
    ListWorkers: unary('ListWorkers', async () => ({
      workers: (await handlers.listWorkers()).map(workerToWire),
    })),
    GetReport: unary('GetReport', async (req) => {
      const jobId = requireJobId(req.jobId);
      const report = await handlers.getReport(jobId);
      return { jobId, reportJson: report.json, markdown: report.markdown };
    }),
    GetArtifacts: (call) => {
      const abort = new AbortController();
      watches.add(abort);
      call.on('cancelled', () => abort.abort());
      streamArtifacts(call.request, call, abort.signal)
        .then(
          () => {
            if (call.cancelled) return;
            if (abort.signal.aborted)
              call.emit('error', {
                code: grpc.status.UNAVAILABLE,
                details: 'the coordinator is shutting down',
              });
            else call.end();
          },
          (err: unknown) => {
            if (!call.cancelled) call.emit('error', fail('GetArtifacts', err));
          },
        )
        .finally(() => watches.delete(abort));
    },
  };

  /** Writes a GetArtifacts reply, one file in memory at a time, no faster than the client reads. */
  async function streamArtifacts(
    request: GetArtifactsRequest__Output,
    call: grpc.ServerWritableStream<GetArtifactsRequest__Output, ArtifactChunk>,
    signal: AbortSignal,
  ): Promise<void> {
    const jobId = requireJobId(request.jobId);
    const files = await handlers.listArtifacts(jobId);
    if (request.listOnly) {
      for (const file of files) call.write({ file });
      return;
    }
    const wanted = request.paths.length > 0 ? new Set(request.paths) : undefined;
    for (const path of wanted ?? []) {
      if (!files.some((f) => f.path === path))
        throw new NotFoundError(`job ${jobId} has no file ${JSON.stringify(path.slice(0, 200))}`);
    }
    for (const file of files) {
      if (wanted && !wanted.has(file.path)) continue;
      const bytes = await handlers.readArtifact(jobId, file.path);
      for (const message of artifactMessages(file.path, bytes)) {
        if (signal.aborted) return;
        if (!call.write(message)) {
          await new Promise<void>((resume) => {
            const done = () => {
              call.off('drain', done);
              signal.removeEventListener('abort', done);
              resume();
            };
            call.once('drain', done);
            signal.addEventListener('abort', done, { once: true });
          });
        }
      }
    }
  }

  const dataPlane: DataPlaneService = {
    PutLogits: (call, callback) => {
      const assembler = new LogitAssembler({ maxFloats: options.maxLogitFloats, pool: logitBuffers });
      (async () => {
        // Arrays are handed over as they complete; the stream is read no faster than handlers take them.
        for await (const chunk of call as AsyncIterable<LogitChunk__Output>) {
          const whole = assembler.add(chunk);
          if (!whole) continue;
          await handlers.onLogits(whole);
          // Lent until onLogits resolved (CoordinatorHandlers.onLogits); not after a failure, when a
          // write may still be reading it.
          logitBuffers.give(whole.values);
        }
        assembler.finish();
        return { keys: assembler.completedKeys, floats: assembler.floats };
      })().then(
        (reply) => callback(null, reply),
        (err: unknown) => callback(streamFail('PutLogits', err)),
      );
    },
  };

  const { tokens } = options;
  const guard = <T extends grpc.UntypedServiceImplementation>(
    definition: grpc.ServiceDefinition,
    impl: T,
  ): T => (tokens ? guardService(definition, impl, tokenCheck(tokens, options.onRefused)) : impl);
  server.addService(proto.Coordinator.service, guard(proto.Coordinator.service, coordinator));
  server.addService(proto.DataPlane.service, guard(proto.DataPlane.service, dataPlane));

  const credentials = options.credentials ?? grpc.ServerCredentials.createInsecure();
  // Large HTTP/2 receive windows: workers stream logits to this server (see http2Windows.ts).
  const port = await bindWithReceiveWindows(
    () =>
      new Promise<number>((resolve, reject) => {
        server.bindAsync(hostPort(host, options.port), credentials, (err, bound) => {
          if (err)
            reject(
              new ChorusError(`cannot listen on ${hostPort(host, options.port)}: ${err.message}`, {
                cause: err,
              }),
            );
          else resolve(bound);
        });
      }),
  );

  return {
    port,
    address: hostPort(host, port),
    close: async (graceMs = 5000) => {
      closing = true;
      logitBuffers.clear();
      for (const w of watches) w.abort();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
