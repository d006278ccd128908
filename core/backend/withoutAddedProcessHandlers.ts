/**
 * Runs `start` and then removes the `uncaughtException` / `unhandledRejection` handlers it added. The
 * emscripten loader of tfjs-backend-wasm installs handlers that rethrow every uncaught error from inside
 * its minified file, so any later crash exits with code 7 and prints a ~38 KB line of wasm glue instead of
 * Node's usual report.
 */
export async function withoutAddedProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const exceptionHandlers = new Set(process.listeners('uncaughtException'));
  const rejectionHandlers = new Set(process.listeners('unhandledRejection'));
  try {
    return await start();
  } finally {
    for (const handler of process.listeners('uncaughtException')) {
      if (!exceptionHandlers.has(handler)) process.removeListener('uncaughtException', handler);
    }
    for (const handler of process.listeners('unhandledRejection')) {
      if (!rejectionHandlers.has(handler)) process.removeListener('unhandledRejection', handler);
    }
  }
}
