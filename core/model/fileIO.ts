/**
 * Saves and loads tfjs models in a plain folder (`model.json` + `weights.bin`): thin wrappers over the
 * one model-IO path, `core/artifacts/modelIO.ts`, on a filesystem ArtifactStore. The ordering rule,
 * validation and errors are all there; this file only turns a folder into a store and a prefix.
 */
import { basename, dirname, parse, relative, resolve, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FsArtifactStore } from '../artifacts/fsArtifactStore.ts';
import { storeLoadHandler, storeSaveHandler, type ModelIOOptions } from '../artifacts/modelIO.ts';

export { MODEL_JSON, WEIGHTS_BIN } from '../artifacts/modelIO.ts';

/** An IOHandler that writes `dir/model.json` and `dir/weights.bin`, creating `dir` if needed. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  const { store, prefix, options } = folderStore(dir);
  return storeSaveHandler(store, prefix, options);
}

/** An IOHandler that reads a model from a folder, or from the path of its model.json. */
export function fileLoadHandler(path: string): tf.io.IOHandler {
  const isJson = path.endsWith('.json');
  const { store, prefix, options } = folderStore(isJson ? dirname(path) : path);
  return storeLoadHandler(store, prefix, isJson ? { ...options, modelJson: basename(path) } : options);
}

export async function saveModel(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(fileSaveHandler(dir));
}

/** Loads a LayersModel from a folder (or its model.json) written by `saveModel` or tfjs-node. */
export async function loadModel(path: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(path));
}

/**
 * A store rooted at the filesystem root, with the folder's absolute path as the prefix: keys (and so
 * ArtifactNotFoundError) carry the whole path, and errors name files by their absolute path.
 */
function folderStore(dir: string): { store: FsArtifactStore; prefix: string; options: ModelIOOptions } {
  const abs = resolve(dir);
  const store = new FsArtifactStore(parse(abs).root);
  const prefix = relative(store.root, abs).split(sep).join('/');
  return { store, prefix, options: { describeKey: (key) => store.pathOf(key) } };
}
