// The Web Worker: runs the WASM core, so the page never freezes on heavy work.
import createGliolensCore from '../../build/wasm/gliolens_web.mjs';
import wasmUrl from '../../build/wasm/gliolens_web.wasm?url';
import { Gliolens } from '../../wasm/gliolens.mjs';

const ready = createGliolensCore({
  locateFile: () => wasmUrl,
  print: () => {},
  printErr: () => {},
}).then((module) => new Gliolens(module));

const handlers = {
  load: (core, { name, bytes }) => core.loadBytes(name, new Uint8Array(bytes)),
  labelVolumes: (core, { id }) => core.labelVolumes(id),
  release: (core, { id }) => core.release(id),
  demo: (core) => core.demoCaseBytes(),
  features: (core, { imageId, maskId, labels, mode, params }) => core.features(imageId, maskId, { labels, mode, params }),
  survivalPredict: (core, { model, features, options }) => core.predict(model, features, options),
  survivalFit: (core, { csv, options, source }) => core.fit(csv, options, { source }),
  survivalTableSummary: (core, { csv, source }) => core.tableSummary(csv, { source }),
};

self.onmessage = async ({ data: { requestId, type, payload } }) => {
  try {
    const core = await ready;
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request "${type}"`);
    const result = handler(core, payload ?? {});
    const transfer = type === 'demo' ? result.map((file) => file.bytes.buffer) : [];
    self.postMessage({ requestId, ok: true, result }, transfer);
  } catch (error) {
    self.postMessage({ requestId, ok: false, error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } });
  }
};
