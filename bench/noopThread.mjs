// The dispatch-latency baseline: a piscina thread that does nothing with its request.
export default function noop(request) {
  return { ok: true, echo: typeof request };
}
