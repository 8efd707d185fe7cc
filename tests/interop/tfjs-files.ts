// TensorFlow.js layers models on disk, written and read by tfjs itself: `save` takes the
// artifacts tfjs-layers' own `model.save` produces (topology, weight specs, weight bytes,
// training config) and lays them out as its file handlers do (`model.json` beside `.bin`
// shards, split into several shards when asked, as tensorflowjs_converter splits them);
// `load` hands the files to tfjs' own parser (tf.io.getModelArtifactsForJSON) and
// tf.loadLayersModel. Only the file envelope is written here; every byte of content is tfjs'.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tf, tfl } from "../oracle/tfjs.js";

export async function save(model: tfl.LayersModel, file: string, opts: { shards?: number; includeOptimizer?: boolean } = {}): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = new Uint8Array(a.weightData as ArrayBuffer);
      const shards = opts.shards ?? 1;
      const paths: string[] = [];
      const per = Math.ceil(data.length / shards);
      for (let s = 0; s < shards; s++) {
        const path = shards === 1 ? "weights.bin" : `group1-shard${s + 1}of${shards}.bin`;
        writeFileSync(join(dirname(file), path), data.subarray(s * per, Math.min(data.length, (s + 1) * per)));
        paths.push(path);
      }
      const json = {
        modelTopology: a.modelTopology,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy,
        weightsManifest: [{ paths, weights: a.weightSpecs }],
        ...(a.trainingConfig ? { trainingConfig: a.trainingConfig } : {}),
      };
      writeFileSync(file, JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
    { includeOptimizer: opts.includeOptimizer ?? false },
  );
}

export async function load(file: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(readFileSync(file, "utf8"));
  return tfl.loadLayersModel({
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers = manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(file), p))));
        const joined = Buffer.concat(buffers);
        return [tf.io.getWeightSpecs(manifest), joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length)];
      }),
  });
}
