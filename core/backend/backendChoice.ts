import { z } from 'zod';

/** Which tfjs backend to use; `auto` tries tensorflow-gpu, tensorflow, wasm, then cpu. */
export const backendChoice = z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type BackendChoice = z.output<typeof backendChoice>;
